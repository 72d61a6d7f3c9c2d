"""Load the curated catalog shipped in the package, on first start and whenever a shipped file changes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import anyio.to_thread
from psycopg import AsyncConnection

from stack8s.catalogs import repository, service, shipped
from stack8s.catalogs.service import ImportReport
from stack8s.embeddings import Embedder
from stack8s.embeddings.stored import ReusingEmbedder, StoredVectors

log = logging.getLogger(__name__)
Conn = AsyncConnection[dict[str, Any]]


SEED_LOCK_KEY = 0x5374_6163_6B39  # "Stack9": the shipped-catalog seeding lock (migrations use "Stack8")
SHIPPED_VECTORS = shipped.DATA_DIR / "embeddings"  # written by `python -m stack8s.catalogs.ship_embeddings`


async def seed_shipped(conn: Conn, embedder: Embedder) -> list[ImportReport]:
    """Idempotent: each shipped file is loaded only when its checksum differs from the recorded one
    (models also when no card is embedded with the configured embedding model). Card chunks take the
    vectors shipped in `data/embeddings/` where model, dimension and text match; the rest are embedded."""
    # One seeder at a time: workers starting together wait here, then find the checksums recorded.
    await repository.lock_for_seeding(conn, SEED_LOCK_KEY)
    paths = shipped.default_paths()
    reports = []
    if checksum := await _new_checksum(conn, "instances", paths["instances"]):
        result = shipped.load_instances(paths["instances"])
        reports.append(
            await service.store_instances(conn, _source(paths["instances"]), result.rows, result.errors, checksum)
        )
    if checksum := await _new_checksum(conn, "charts", paths["charts"]):
        charts = shipped.load_charts(paths["charts"])
        reports.append(await service.store_charts(conn, _source(paths["charts"]), charts.rows, charts.errors, checksum))
    checksum = await _new_checksum(conn, "models", paths["models"])
    if checksum is None and await repository.missing_embeddings(conn, embedder.name):
        checksum = await anyio.to_thread.run_sync(service.checksum_of, paths["models"])
    if checksum:
        models, cards = shipped.load_models(paths["models"])
        source = _source(paths["models"])
        reusing = await anyio.to_thread.run_sync(with_shipped_vectors, embedder)
        reports.append(await service.store_models(conn, source, models.rows, cards, models.errors, checksum, reusing))
        log.info("catalog.seeded.vectors shipped=%d embedded=%d", reusing.reused, reusing.embedded)
    for report in reports:
        log.info("catalog.seeded catalog=%s rows=%d errors=%d", report.catalog, report.rows, len(report.errors))
    return reports


def with_shipped_vectors(embedder: Embedder, folder: Path = SHIPPED_VECTORS) -> ReusingEmbedder:
    """`embedder`, answering from the vectors shipped for its model and dimension where a text matches."""
    return ReusingEmbedder(embedder, StoredVectors.load(folder, embedder.name, embedder.dim), "model card chunks")


def _source(path: Path) -> str:
    return f"stack8s-curated:{path.name}"


async def _new_checksum(conn: Conn, catalog: str, path: Path) -> str | None:
    """The file's checksum when it differs from the one recorded at its last load; else None."""
    checksum = await anyio.to_thread.run_sync(_checksum_if_present, path)
    if checksum is None:
        return None
    return None if await repository.source_checksum(conn, catalog, _source(path)) == checksum else checksum


def _checksum_if_present(path: Path) -> str | None:
    if not path.exists():
        log.warning("catalog.shipped.missing path=%s", path)
        return None
    return service.checksum_of(path)
