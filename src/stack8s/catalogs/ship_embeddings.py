"""Embed the texts of the shipped catalogs ahead of time, so a first start only copies vectors.

    python -m stack8s.catalogs.ship_embeddings            # rewrite catalogs/data/embeddings/ (about 30 s)
    python -m stack8s.catalogs.ship_embeddings --check    # exit 1 when a shipped text has no vector

Run it after changing a model card under `catalogs/data/models/`; the test suite fails until then. The
embedding model is the configured one (`STACK8S_EMBEDDINGS`, default the local all-MiniLM-L6-v2); the
files are named after it, so vectors of several models can ship side by side.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import anyio
from rich.console import Console

from stack8s.catalogs import repository, shipped
from stack8s.catalogs.importers.huggingface import content_hash
from stack8s.catalogs.seed import SHIPPED_VECTORS
from stack8s.embeddings import Embedder, get_embedder
from stack8s.embeddings.stored import StoredVectors, text_sha256, write_stored
from stack8s.settings import Settings

REGENERATE = "python -m stack8s.catalogs.ship_embeddings"
console = Console(stderr=True)


def shipped_texts() -> list[tuple[str, str]]:
    """(key, exact text) of every text a seed embeds: the chunks of each shipped model card, keyed
    `<model id>#<chunk index>`, in the order a fresh seed embeds them (by content hash)."""
    _, cards = shipped.load_models(shipped.default_paths()["models"])
    items = [
        (f"{card.model_ids[0]}#{i}", chunk) for card in cards for i, chunk in enumerate(repository.card_chunks(card))
    ]
    return sorted(items, key=lambda item: content_hash(item[1]))


def missing_keys(stored: StoredVectors | None, items: list[tuple[str, str]]) -> list[str]:
    """Keys of the texts that have no stored vector (all of them when there is no set)."""
    return [key for key, text in items if stored is None or text_sha256(text) not in stored.rows]


async def regenerate(embedder: Embedder, folder: Path) -> Path:
    """Embed every shipped text in one call, as a seed without shipped vectors does (the batches, and so
    the float32 values, are the same), and write the set, sorted by key."""
    items = shipped_texts()
    console.print(f"embedding {len(items)} shipped model card chunks with {embedder.name} (about 30 s on 2 cores)")
    vectors = await embedder.embed([text for _, text in items])
    rows = sorted(zip(items, vectors, strict=True), key=lambda row: row[0][0])
    return write_stored(folder, embedder.name, embedder.dim, [i for i, _ in rows], [v for _, v in rows], REGENERATE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=REGENERATE, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=SHIPPED_VECTORS, help="folder (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only check that every shipped text has a vector")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    embedder = get_embedder(Settings())
    if args.check:
        missing = missing_keys(StoredVectors.load(args.out, embedder.name, embedder.dim), shipped_texts())
        for key in missing:
            console.print(f"no shipped vector for {key}", soft_wrap=True)
        console.print(f"{len(missing)} texts without a vector{f'; run `{REGENERATE}`' if missing else ''}")
        return 1 if missing else 0
    index = anyio.run(regenerate, embedder, args.out)
    console.print(f"wrote {index} and its .f32 vectors", soft_wrap=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
