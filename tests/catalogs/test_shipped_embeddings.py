"""The vectors shipped for the shipped model cards: complete, used by a first seed instead of the model,
equal to what the model computes, and never used for a changed text or another embedding model."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest
from pgvector.psycopg import register_vector_async
from psycopg.rows import dict_row

from stack8s.catalogs import repository, shipped
from stack8s.catalogs.seed import SHIPPED_VECTORS, seed_shipped, with_shipped_vectors
from stack8s.catalogs.ship_embeddings import REGENERATE, missing_keys, shipped_texts
from stack8s.db.embedded import EmbeddedPostgres
from stack8s.db.migrate import migrate
from stack8s.embeddings.local import LocalEmbedder
from stack8s.embeddings.stored import StoredVectors, text_sha256, write_stored


class Counting:
    """A real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: LocalEmbedder, name: str | None = None) -> None:
        self.inner = inner
        self.name = name or inner.name
        self.dim = inner.dim
        self.texts: list[str] = []

    async def embed(self, texts: list[str]) -> list[list[float]]:
        self.texts.extend(texts)
        return await self.inner.embed(texts)


@pytest.fixture(scope="module")
def model() -> LocalEmbedder:
    return LocalEmbedder.load()


@pytest.fixture(scope="module")
def stored() -> StoredVectors:
    vectors = StoredVectors.load(SHIPPED_VECTORS, LocalEmbedder.name, LocalEmbedder.dim)
    assert vectors is not None, f"no shipped vectors for {LocalEmbedder.name}: run `{REGENERATE}`"
    return vectors


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh embedded PostgreSQL of this module's own (no catalog loaded yet)."""
    embedded = EmbeddedPostgres(tmp_path_factory.mktemp("shipped-vectors"))
    yield embedded.start()
    embedded.stop()


@pytest.fixture
def fresh_dsn(server: str) -> str:
    """A new, migrated, empty database on that server."""
    name = f"seed_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = server.replace("/postgres?", f"/{name}?")
    assert dsn != server
    asyncio.run(migrate(dsn))
    return dsn


def test_every_shipped_text_has_a_shipped_vector(stored: StoredVectors) -> None:
    items = shipped_texts()
    missing = missing_keys(stored, items)
    assert not missing, (
        f"{len(missing)} shipped card chunks have no shipped vector (e.g. {missing[:3]}): a card changed. "
        f"Run `{REGENERATE}` and commit catalogs/data/embeddings/."
    )
    stale = set(stored.rows) - {text_sha256(text) for _, text in items}
    assert not stale, f"{len(stale)} shipped vectors belong to no shipped text any more: run `{REGENERATE}`"
    assert len(items) > 500 and stored.matrix.shape == (len(stored.rows), 384)


def test_a_seed_on_a_fresh_database_embeds_nothing_and_stores_the_models_vectors(
    fresh_dsn: str, model: LocalEmbedder
) -> None:
    counting = Counting(LocalEmbedder())  # loads the model only if something must be embedded

    async def seed() -> list[dict[str, Any]]:
        async with await psycopg.AsyncConnection.connect(fresh_dsn, row_factory=dict_row) as conn:
            await register_vector_async(conn)
            reports = await seed_shipped(conn, counting)
            assert {r.catalog for r in reports} == {"instances", "charts", "models"}
            cur = await conn.execute(
                "SELECT content, embedding, embedding_model_name FROM hf.card_chunks ORDER BY content_hash"
            )
            return await cur.fetchall()

    rows = asyncio.run(seed())
    assert counting.texts == []
    assert len(rows) == len(shipped_texts()) and {r["embedding_model_name"] for r in rows} == {model.name}
    sample = rows[:: len(rows) // 6]
    now = model.embed_sync([r["content"] for r in sample])
    for row, vector in zip(sample, now, strict=True):
        assert np.abs(row["embedding"].to_numpy() - np.asarray(vector, dtype=np.float32)).max() < 1e-5


def test_a_changed_text_is_embedded_again(stored: StoredVectors, model: LocalEmbedder) -> None:
    key, text = shipped_texts()[0]
    changed = text + " It also runs on a single T4."
    counting = Counting(model)
    reusing = with_shipped_vectors(counting)

    same, fresh = asyncio.run(reusing.embed([text, changed]))
    assert counting.texts == [changed] and (reusing.reused, reusing.embedded) == (1, 1)
    assert same == stored.matrix[stored.rows[text_sha256(text)]].tolist(), key
    assert np.abs(np.asarray(fresh) - np.asarray(model.embed_sync([changed])[0])).max() < 1e-5


def test_a_changed_card_is_embedded_again_when_seeded(
    fresh_dsn: str, model: LocalEmbedder, stored: StoredVectors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped models folder with one card edited: exactly the chunks without a shipped vector (all of
    that card) are embedded, with the model; every other chunk comes from the shipped file."""
    folder = tmp_path / "models"
    folder.mkdir()
    for path in shipped.default_paths()["models"].glob("*.yaml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    edited = folder / "llm.yaml"
    anchor = "    card: |\n      "
    text = edited.read_text(encoding="utf-8")
    assert anchor in text, f"no block card in {edited.name}"
    edited.write_text(text.replace(anchor, anchor + "Tested on one NVIDIA L4 by our team. ", 1), encoding="utf-8")
    monkeypatch.setattr(shipped, "default_paths", lambda: {**_default_paths(), "models": folder})
    _, cards = shipped.load_models(folder)
    chunks = {card.model_ids[0]: repository.card_chunks(card) for card in cards}
    new = [(m, c) for m, cs in chunks.items() for c in cs if text_sha256(c) not in stored.rows]
    assert new and len({m for m, _ in new}) == 1, "one card edited: its chunks, and only its, are new"
    counting = Counting(model)

    async def seed() -> None:
        async with await psycopg.AsyncConnection.connect(fresh_dsn, row_factory=dict_row) as conn:
            await register_vector_async(conn)
            await seed_shipped(conn, counting)

    asyncio.run(seed())
    assert sorted(counting.texts) == sorted(c for _, c in new)
    assert any("Tested on one NVIDIA L4 by our team." in t for t in counting.texts)


_default_paths = shipped.default_paths


def test_another_embedding_model_uses_no_shipped_vector(model: LocalEmbedder) -> None:
    texts = [text for _, text in shipped_texts()[:5]]
    other = Counting(model, name="sentence-transformers/all-MiniLM-L12-v2")
    reusing = with_shipped_vectors(other)

    asyncio.run(reusing.embed(texts))
    assert other.texts == texts and (reusing.reused, reusing.embedded) == (0, 5)
    assert StoredVectors.load(SHIPPED_VECTORS, model.name, 768) is None  # same name, another dimension


def test_written_vectors_read_back_exactly(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((3, 8)).astype(np.float32)
    items = [("a#0", "first text"), ("b#0", "second text"), ("a#0 again", "first text")]
    write_stored(tmp_path, "some/model", 8, items, [vectors[0].tolist(), vectors[1].tolist(), vectors[2].tolist()])
    back = StoredVectors.load(tmp_path, "some/model", 8)
    assert back is not None and back.keys == ("a#0", "b#0")  # a repeated text is stored once, first key
    assert back.get("second text") == vectors[1].tolist() and back.get("first text") == vectors[0].tolist()
    assert back.get("third text") is None and StoredVectors.load(tmp_path, "some/model", 16) is None
