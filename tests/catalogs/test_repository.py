"""Catalog writes against the real database, each test inside a transaction that is rolled back."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import anyio
import psycopg
from pgvector.psycopg import register_vector_async
from psycopg.rows import dict_row

from stack8s.catalogs import repository
from stack8s.catalogs.models import HFModelRow, ModelCard
from stack8s.embeddings.local import LocalEmbedder


def in_rollback(dsn: str, body: Callable[[psycopg.AsyncConnection], Coroutine[Any, Any, None]]) -> None:
    async def run() -> None:
        async with await psycopg.AsyncConnection.connect(dsn, row_factory=dict_row) as conn:
            await register_vector_async(conn)
            try:
                await body(conn)
            finally:
                await conn.rollback()

    anyio.run(run)


def _model(model_id: str) -> HFModelRow:
    return HFModelRow(
        model_id=model_id,
        pipeline_tag="text-generation",
        library="transformers",
        license="apache-2.0",
        downloads=10,
        likes=1,
        params_billion=1.0,
    )


def test_only_new_or_changed_chunks_are_embedded(db_dsn: str) -> None:
    embedder = LocalEmbedder.load()
    text = "## Overview\n" + "A small test model for unit tests. " * 30 + "\n\n## Hardware\n" + "Runs on a T4. " * 30

    async def body(conn: psycopg.AsyncConnection) -> None:
        await repository.upsert_models(conn, [_model("test/reuse-a"), _model("test/reuse-b")])
        card = ModelCard(("test/reuse-a",), text, "test", {"header": "test/reuse-a: text generation model.\n"})
        first = await repository.upsert_cards(conn, [card], embedder)
        assert first["embedded"] == first["chunks"] > 1
        again = await repository.upsert_cards(conn, [card], embedder)
        assert again["embedded"] == 0 and again["chunks"] == first["chunks"]
        changed = ModelCard(
            card.model_ids, text + "\n\n## License\nApache 2.0, commercial use allowed.", "test", card.extra
        )
        third = await repository.upsert_cards(conn, [changed], embedder)
        assert 0 < third["embedded"] < third["chunks"]
        orphan = ModelCard(("test/not-in-catalog",), text, "test")
        assert (await repository.upsert_cards(conn, [orphan], embedder))["unlinked"] == 1

    in_rollback(db_dsn, body)
