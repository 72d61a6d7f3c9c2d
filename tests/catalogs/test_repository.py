"""Catalog writes against the real database, each test inside a transaction that is rolled back."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Coroutine
from typing import Any

import anyio
import psycopg
from pgvector.psycopg import register_vector_async
from psycopg.rows import dict_row

from stack8s.catalogs import repository
from stack8s.catalogs.rows import HFModelRow, ModelCard
from stack8s.embeddings.local import LocalEmbedder
from stack8s.tools import hf


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


ARCHITECTURE = {
    "vocab_size": 201088,
    "tie_word_embeddings": False,
    "intermediate_size": 2880,
    "num_experts_per_tok": 4,
    "sliding_window": 128,
    "torch_dtype": "bfloat16",
}


def test_architecture_fields_round_trip(db_dsn: str) -> None:
    full = dataclasses.replace(_model("test/arch-full"), num_experts=32, **ARCHITECTURE)
    tied = dataclasses.replace(_model("test/arch-tied"), vocab_size=151936, tie_word_embeddings=True)
    bare = _model("test/arch-bare")

    async def body(conn: psycopg.AsyncConnection) -> None:
        await repository.upsert_models(conn, [full, tied, bare])
        rows = {r.model_id: r for r in await repository.model_rows(conn)}
        assert rows["test/arch-full"] == dataclasses.replace(full, source="", as_of=None)
        assert (rows["test/arch-tied"].tie_word_embeddings, rows["test/arch-tied"].vocab_size) == (True, 151936)
        assert all(getattr(rows["test/arch-bare"], key) is None for key in ARCHITECTURE)
        fetched = await hf.get_model(conn, "test/arch-full")
        assert fetched is not None and {key: getattr(fetched.row, key) for key in ARCHITECTURE} == ARCHITECTURE
        # an upsert overwrites the architecture columns too (True -> False, a value -> NULL)
        await repository.upsert_models(conn, [dataclasses.replace(tied, tie_word_embeddings=False, vocab_size=None)])
        again = await hf.get_model(conn, "test/arch-tied")
        assert again is not None and (again.row.tie_word_embeddings, again.row.vocab_size) == (False, None)

    in_rollback(db_dsn, body)


def test_seeded_catalog_carries_architecture_fields(db_dsn: str) -> None:
    async def body(conn: psycopg.AsyncConnection) -> None:
        gpt_oss = await hf.get_model(conn, "openai/gpt-oss-20b")
        assert gpt_oss is not None
        # openai/gpt-oss-20b config.json: 32 local experts, 4 per token, sliding window 128, vocab 201088
        row = gpt_oss.row
        assert (row.num_experts, row.num_experts_per_tok, row.sliding_window) == (32, 4, 128)
        assert (row.vocab_size, row.tie_word_embeddings) == (201088, False)

    in_rollback(db_dsn, body)
