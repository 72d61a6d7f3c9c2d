"""The MCP server: each tool through the SDK's in-memory client (against the live server's seeded database),
bad arguments as clear tool errors, and /mcp on the HTTP app behind the API's auth."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import httpx2
import psycopg
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent
from psycopg.rows import dict_row
from tests.conftest import LiveServer, token_for

from stack8s.agents.requirements.cache import LexiconCache
from stack8s.auth import LOCAL_PRINCIPAL, Principal
from stack8s.chat.service import TurnContext
from stack8s.embeddings import get_embedder
from stack8s.mcp_server import Backend, build_server, fixed

TOOLS = {"plan_deployment", "search_offers", "estimate_performance", "search_models", "search_charts"}
HTTP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def backend(live: LiveServer, db_dsn: str) -> Backend:
    @asynccontextmanager
    async def connect() -> AsyncIterator[psycopg.AsyncConnection[dict[str, Any]]]:
        async with await psycopg.AsyncConnection.connect(db_dsn, row_factory=dict_row) as conn:
            yield conn  # committed on a normal exit

    turns = TurnContext(
        connect=connect, settings=live.settings, embedder=get_embedder(live.settings), lexicon_cache=LexiconCache()
    )
    return Backend(turns=turns, principal=Principal(user_id=f"mcp-{uuid.uuid4()}"))


def call(backend: Backend, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    async def run() -> CallToolResult:
        async with Client(build_server(fixed(backend))) as client:
            return await client.call_tool(tool, arguments)

    return anyio.run(run)


def text(result: CallToolResult) -> str:
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


def ok(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text(result)
    assert result.structured_content is not None
    return result.structured_content


def test_lists_the_five_tools_with_schemas(backend: Backend) -> None:
    async def run() -> list[Any]:
        async with Client(build_server(fixed(backend))) as client:
            return (await client.list_tools()).tools

    tools = {t.name: t for t in anyio.run(run)}
    assert set(tools) == TOOLS
    assert "message" in tools["plan_deployment"].input_schema["properties"]
    assert all(t.description for t in tools.values())


def test_plan_deployment_plans_and_continues_a_conversation(backend: Backend) -> None:
    reply = ok(call(backend, "plan_deployment", {"message": "Serve Llama 3.1 8B Instruct for 50 users on AWS"}))
    assert reply["response"] and reply["response_type"]
    assert reply["deployment_plan"] is not None or reply["clarifying_questions"]
    again = ok(
        call(
            backend,
            "plan_deployment",
            {"message": "budget $3,000 a month", "conversation_id": reply["conversation_id"]},
        )
    )
    assert again["conversation_id"] == reply["conversation_id"]


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": "serve a model", "conversation_id": "not-a-uuid"}, "conversation_id"),
        ({"message": "serve a model", "conversation_id": str(uuid.uuid4())}, "not found"),
    ],
    ids=["missing", "empty", "bad-uuid", "unknown-conversation"],
)
def test_plan_deployment_bad_arguments(backend: Backend, arguments: dict[str, Any], says: str) -> None:
    result = call(backend, "plan_deployment", arguments)
    assert result.is_error
    assert says in text(result).lower()


def test_a_conversation_of_another_user_is_not_found(backend: Backend) -> None:
    mine = ok(call(backend, "plan_deployment", {"message": "Serve Mistral 7B on one GPU"}))
    other = Backend(turns=backend.turns, principal=LOCAL_PRINCIPAL)
    result = call(other, "plan_deployment", {"message": "and on GCP?", "conversation_id": mine["conversation_id"]})
    assert result.is_error and "not found" in text(result)


def test_search_offers(backend: Backend) -> None:
    found = ok(call(backend, "search_offers", {"query": {"gpu_model": "H100", "min_gpu_count": 1, "top_k": 3}}))
    assert 0 < found["count"] == len(found["results"]) <= 3
    assert all(r["gpu_model"].startswith("H100") for r in found["results"])


@pytest.mark.parametrize(
    "query",
    [{"top_k": 0}, {"gpu_model": "H100", "colour": "red"}, {"min_gpu_count": "many"}],
    ids=["top_k", "unknown-field", "wrong-type"],
)
def test_search_offers_bad_arguments(backend: Backend, query: dict[str, Any]) -> None:
    result = call(backend, "search_offers", {"query": query})
    assert result.is_error
    assert next(iter(query)) in text(result) or "colour" in text(result)


def test_estimate_performance(backend: Backend, live: LiveServer) -> None:
    body = {
        "architecture": {
            "params_billion": 8.0,
            "num_hidden_layers": 32,
            "hidden_size": 4096,
            "num_attention_heads": 32,
            "num_key_value_heads": 8,
            "vocab_size": 128256,
        },
        "gpu": "H100",
        "input_tokens": 1000,
        "output_tokens": 200,
        "concurrency": 8,
    }
    estimate = ok(call(backend, "estimate_performance", {"request": body}))
    via_http = httpx.post(
        f"{live.url}/api/v1/tools/performance/estimate",
        json=body,
        headers={"Authorization": f"Bearer {token_for('mcp-http')}"},
        timeout=60,
    )
    assert via_http.status_code == 200, via_http.text
    assert estimate == via_http.json()


@pytest.mark.parametrize(
    ("request_body", "says"),
    [
        ({"gpu": "H100", "input_tokens": 10, "output_tokens": 10}, "exactly one of model_id"),
        ({"model_id": "no-such/model-xyz", "gpu": "H100", "input_tokens": 10, "output_tokens": 10}, "no-such/model"),
        ({"model_id": "x", "gpu": "H100", "input_tokens": -1, "output_tokens": 10}, "input_tokens"),
    ],
    ids=["no-model", "unknown-model", "negative-tokens"],
)
def test_estimate_performance_bad_arguments(backend: Backend, request_body: dict[str, Any], says: str) -> None:
    result = call(backend, "estimate_performance", {"request": request_body})
    assert result.is_error
    assert says in text(result)


def test_search_models(backend: Backend) -> None:
    found = ok(call(backend, "search_models", {"query": {"query": "speech recognition to transcribe audio"}}))
    assert found["count"] == len(found["results"]) > 0
    assert any("whisper" in r["model_id"].lower() for r in found["results"])


def test_search_models_bad_arguments(backend: Backend) -> None:
    result = call(backend, "search_models", {"query": {"query": ""}})
    assert result.is_error and "query" in text(result)
    result = call(backend, "search_models", {})
    assert result.is_error and "query" in text(result)


def test_search_charts(backend: Backend) -> None:
    found = ok(call(backend, "search_charts", {"query": {"query": "postgresql", "top_k": 5}}))
    assert found["count"] == len(found["results"]) > 0
    assert any("postgres" in r["name"].lower() for r in found["results"])


def test_search_charts_bad_arguments(backend: Backend) -> None:
    result = call(backend, "search_charts", {"query": {"query": "x" * 500}})
    assert result.is_error and "query" in text(result)
    result = call(backend, "search_charts", {"query": "postgresql"})
    assert result.is_error and "query" in text(result)


def test_unknown_tool_is_an_error(backend: Backend) -> None:
    result = call(backend, "drop_tables", {})
    assert result.is_error and "drop_tables" in text(result)


LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}


@pytest.mark.parametrize("authorization", [None, "Bearer not.a.jwt", "Basic dXNlcjpwYXNz"])
def test_http_mcp_refuses_a_request_without_a_valid_token(live: LiveServer, authorization: str | None) -> None:
    headers = dict(HTTP_HEADERS) | ({"Authorization": authorization} if authorization else {})
    response = httpx.post(f"{live.url}/mcp", json=LIST_TOOLS, headers=headers, timeout=30)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "Unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_http_mcp_serves_the_tools_with_a_valid_token(live: LiveServer) -> None:
    async def run() -> tuple[set[str], dict[str, Any]]:
        headers = {"Authorization": f"Bearer {token_for(f'mcp-http-{uuid.uuid4()}')}"}
        async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
            async with Client(streamable_http_client(f"{live.url}/mcp", http_client=http)) as client:
                names = {t.name for t in (await client.list_tools()).tools}
                charts = await client.call_tool("search_charts", {"query": {"query": "redis", "top_k": 3}})
                assert not charts.is_error, text(charts)
                assert charts.structured_content is not None
                return names, charts.structured_content

    names, charts = anyio.run(run)
    assert names == TOOLS
    assert charts["count"] == len(charts["results"]) > 0


def test_the_cli_has_an_mcp_command() -> None:
    from typer.testing import CliRunner

    from stack8s.cli import app

    result = CliRunner().invoke(app, ["mcp", "--help"])
    assert result.exit_code == 0, result.output
    assert "stdio" in result.output


def _conversations(db_dsn: str, user_id: str) -> int:
    with psycopg.connect(db_dsn) as conn:
        row = conn.execute("SELECT count(*) FROM chat.conversations WHERE user_id = %s", (user_id,)).fetchone()
        return int(row[0]) if row else 0


def test_a_nul_in_the_first_message_is_refused_and_leaves_no_conversation(backend: Backend, db_dsn: str) -> None:
    """Issue 21: the whole plan was computed, then storing it failed, and an empty conversation was left."""
    user = backend.principal.user_id
    before = _conversations(db_dsn, user)
    result = call(backend, "plan_deployment", {"message": "Serve Mistral 7B\u0000 on AWS"})
    assert result.is_error and "NUL" in text(result)
    assert _conversations(db_dsn, user) == before


def test_an_impossible_architecture_is_a_tool_error_naming_the_field(backend: Backend) -> None:
    arch = {
        "params_billion": 8,
        "num_hidden_layers": 32,
        "hidden_size": 4096,
        "num_attention_heads": 32,
        "num_local_experts": 8,
        "num_experts_per_tok": 64,
    }
    request = {"architecture": arch, "gpu": "H100", "input_tokens": 512, "output_tokens": 256}
    result = call(backend, "estimate_performance", {"request": request})
    assert result.is_error and "num_experts_per_tok must not exceed num_local_experts" in text(result)
    bad = call(backend, "estimate_performance", {"request": {**request, "input_tokens": "many"}})
    assert bad.is_error and "input_tokens" in text(bad)
    for leaked in ("input_value", "errors.pydantic.dev", "many"):
        assert leaked not in text(bad) and leaked not in text(result), text(bad)


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_http_mcp_answers_405_to_anything_but_post(live: LiveServer, method: str) -> None:
    """Stateless JSON mode has no stream to hold open (GET held one forever, a ping every 15 s)."""
    headers = {"Authorization": f"Bearer {token_for('mcp-405')}", "Accept": "text/event-stream"}
    response = httpx.request(method, f"{live.url}/mcp", headers=headers, timeout=10)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST" and response.json()["error"] == "MethodNotAllowed"
