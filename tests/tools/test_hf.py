"""Model search (RAG over card chunks with the real local embedding model)."""

from __future__ import annotations

import anyio
import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from stack8s.embeddings.local import LocalEmbedder
from stack8s.errors import Conflict
from stack8s.tools import hf
from stack8s.tools.schemas import ModelQuery


def search(client: httpx.Client, **body: object) -> list[dict]:
    response = client.post("/api/v1/tools/hf/search", json=body)
    assert response.status_code == 200, response.text
    return response.json()["results"]


@pytest.mark.parametrize(
    ("query", "pattern"),
    [
        ("speech recognition to transcribe audio", "whisper"),
        ("text to image diffusion model", "stable-diffusion|flux|sdxl"),
        ("sentence embeddings for semantic search", "e5|bge|minilm|mpnet|gte|embed"),
        ("chat assistant large language model", "llama|mistral|qwen|gemma|phi"),
    ],
)
def test_finds_models_by_meaning(client: httpx.Client, query: str, pattern: str) -> None:
    import re

    ids = [r["model_id"].lower() for r in search(client, query=query, top_k=5)]
    assert any(re.search(pattern, i) for i in ids), ids


def test_scores_follow_the_rule_and_order(client: httpx.Client) -> None:
    results = search(client, query="object detection on images", top_k=20)
    assert results
    for r in results:
        assert 0 <= r["relevance"] <= 1 and 0 <= r["popularity"] <= 1
        assert r["score"] == pytest.approx(0.6 * r["relevance"] + 0.4 * r["popularity"], abs=2e-4)
        assert r["snippet"]
    keys = [(-r["score"], r["model_id"]) for r in results]
    assert keys == sorted(keys)


def test_filters_apply(client: httpx.Client) -> None:
    tagged = search(client, query="detect objects", pipeline_tag="object-detection", top_k=20)
    assert tagged and all(r["pipeline_tag"] == "object-detection" for r in tagged)
    licensed = search(client, query="large language model", license_filter=["apache-2.0"], top_k=20)
    assert licensed and all(r["license"] == "apache-2.0" for r in licensed)
    assert search(client, query="anything", pipeline_tag="no-such-tag") == []


def test_deterministic_bytes(client: httpx.Client) -> None:
    body = {"query": "summarise long documents", "top_k": 10}
    first = client.post("/api/v1/tools/hf/search", json=body).content
    assert client.post("/api/v1/tools/hf/search", json=body).content == first


@pytest.mark.parametrize(
    "body",
    [
        {"query": ""},
        {"query": "x" * 501},
        {"query": "a", "top_k": 1000},
        {"query": "a", "license_filter": "mit"},
        {"query": "a\x00b"},
    ],
)
def test_bad_queries_are_422(client: httpx.Client, body: dict) -> None:
    assert client.post("/api/v1/tools/hf/search", json=body).status_code == 422


def test_a_database_embedded_with_another_model_is_a_clear_error(db_dsn: str) -> None:
    async def run() -> None:
        async with await psycopg.AsyncConnection.connect(db_dsn, row_factory=dict_row) as conn:
            await conn.execute("UPDATE hf.card_chunks SET embedding_model_name = 'other-model'")
            try:
                await hf.search(conn, LocalEmbedder.load(), ModelQuery(query="llm"))
            except Conflict as exc:
                assert "stack8s catalog reembed" in exc.message and "other-model" in exc.message
            else:
                raise AssertionError("expected a Conflict")
            finally:
                await conn.rollback()

    anyio.run(run)
