"""The chat API over real HTTP: lifecycle, ownership, validation, concurrency, persistence."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from tests.conftest import LiveServer, make_settings, start_server, token_for, user_client


def start(client: httpx.Client, **body: object) -> str:
    response = client.post("/api/v1/chat/start", json=body or None)
    assert response.status_code == 200, response.text
    return str(response.json()["conversation_id"])


def send(client: httpx.Client, conversation_id: str, message: str) -> httpx.Response:
    return client.post("/api/v1/chat/message", json={"conversation_id": conversation_id, "message": message})


def test_lifecycle_start_message_read_list_rename_delete(client: httpx.Client) -> None:
    cid = start(client)
    reply = send(client, cid, "I want to deploy a model")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["response_type"] == "clarification"
    assert 1 <= len(body["clarifying_questions"]) <= 3
    assert body["workload_spec"] is not None

    history = client.get(f"/api/v1/chat/{cid}").json()
    assert [m["role"] for m in history["messages"]] == ["user", "assistant"]
    assert history["messages"][0]["content"] == "I want to deploy a model"
    assert history["messages"][1]["payload"]["response_type"] == "clarification"
    assert history["title"] == "I want to deploy a model"

    listed = client.get("/api/v1/chat").json()
    assert [c["conversation_id"] for c in listed["items"]] == [cid]
    assert listed["total"] == 1

    renamed = client.patch(f"/api/v1/chat/{cid}", json={"title": "Llama plan"})
    assert renamed.status_code == 200 and renamed.json()["title"] == "Llama plan"

    assert client.delete(f"/api/v1/chat/{cid}").status_code == 204
    assert client.get(f"/api/v1/chat/{cid}").status_code == 404
    assert client.delete(f"/api/v1/chat/{cid}").status_code == 404


def test_list_is_newest_first_and_paginated(client: httpx.Client) -> None:
    ids = [start(client, title=f"c{i}") for i in range(5)]
    send(client, ids[1], "hello there")  # updates ids[1]: it becomes the newest
    page1 = client.get("/api/v1/chat", params={"limit": 2}).json()
    page2 = client.get("/api/v1/chat", params={"limit": 2, "offset": 2}).json()
    page3 = client.get("/api/v1/chat", params={"limit": 2, "offset": 4}).json()
    got = [c["conversation_id"] for p in (page1, page2, page3) for c in p["items"]]
    assert got == [ids[1], ids[4], ids[3], ids[2], ids[0]]
    assert page1["total"] == 5
    assert client.get("/api/v1/chat", params={"limit": 0}).status_code == 422
    assert client.get("/api/v1/chat", params={"limit": 101}).status_code == 422


def test_other_users_conversations_are_invisible(live: LiveServer, client: httpx.Client) -> None:
    cid = start(client)
    assert send(client, cid, "Deploy Mistral 7B on AWS").status_code == 200
    with user_client(live, str(uuid.uuid4())) as intruder:
        assert intruder.get(f"/api/v1/chat/{cid}").status_code == 404
        assert send(intruder, cid, "hijack").status_code == 404
        assert intruder.patch(f"/api/v1/chat/{cid}", json={"title": "mine"}).status_code == 404
        assert intruder.delete(f"/api/v1/chat/{cid}").status_code == 404
        assert intruder.get("/api/v1/chat").json()["items"] == []
    history = client.get(f"/api/v1/chat/{cid}").json()
    assert len(history["messages"]) == 2 and history["title"] != "mine"


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"conversation_id": "not-a-uuid", "message": "hi"}, "UUID"),
        ({"conversation_id": str(uuid.uuid4()), "message": "hi", "extra": 1}, "unknown field"),
        ({"conversation_id": str(uuid.uuid4())}, "message"),
        ({"conversation_id": str(uuid.uuid4()), "message": 12}, "message"),
    ],
)
def test_bad_message_bodies_are_422_with_a_reason(client: httpx.Client, payload: dict, fragment: str) -> None:
    response = client.post("/api/v1/chat/message", json=payload)
    assert response.status_code == 422
    assert fragment in response.json()["detail"]


def test_malformed_json_is_422(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/chat/message", content=b'{"conversation_id": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]


def test_empty_and_oversized_messages_are_422_and_store_nothing(client: httpx.Client) -> None:
    cid = start(client)
    empty = send(client, cid, "   ")
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    huge = send(client, cid, "x" * 8001)
    assert huge.status_code == 422 and "8000" in huge.json()["detail"]
    assert client.get(f"/api/v1/chat/{cid}").json()["messages"] == []


def test_unknown_conversation_is_404_and_bad_path_id_is_422(client: httpx.Client) -> None:
    assert send(client, str(uuid.uuid4()), "hello").status_code == 404
    assert client.get("/api/v1/chat/not-a-uuid").status_code == 422


def test_concurrent_turns_keep_every_pair_together(live: LiveServer) -> None:
    """Twelve messages at once to one conversation: past STACK8S_MAX_TURNS_IN_FLIGHT (2) a clear 429 with
    Retry-After; every acknowledged turn is stored whole, in its own turn number; other conversations of
    the same user are not limited."""
    user = str(uuid.uuid4())
    with user_client(live, user) as c:
        shared_cid = start(c)
        other_ids = [start(c) for _ in range(4)]
    messages = [(shared_cid, f"turn {i}: I want to deploy a model") for i in range(12)]
    messages += [(cid, f"solo {i}: I want to deploy a model") for i, cid in enumerate(other_ids)]

    def one(item: tuple[str, str]) -> httpx.Response:
        with user_client(live, user) as c:
            return send(c, *item)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(one, messages))
    shared, solo = responses[:12], responses[12:]
    assert all(r.status_code == 200 for r in solo)
    assert {r.status_code for r in shared} <= {200, 429} and sum(r.status_code == 200 for r in shared) >= 2
    for r in shared:
        if r.status_code == 429:
            assert r.headers["retry-after"] and "still being answered" in r.json()["detail"]
    acknowledged = sorted(m for (_, m), r in zip(messages[:12], shared, strict=True) if r.status_code == 200)
    with user_client(live, user) as c:
        history = c.get(f"/api/v1/chat/{shared_cid}").json()["messages"]
        assert len(history) == 2 * len(acknowledged)
        for turn in range(1, len(acknowledged) + 1):
            pair = [m for m in history if m["turn"] == turn]
            assert [m["role"] for m in pair] == ["user", "assistant"]
        assert sorted(m["content"] for m in history if m["role"] == "user") == acknowledged
        for cid in other_ids:
            assert len(c.get(f"/api/v1/chat/{cid}").json()["messages"]) == 2


def test_conversations_survive_a_restart(tmp_path) -> None:
    settings = make_settings(
        tmp_path / "data", SUPABASE_JWT_SECRET="another-secret-that-is-32-chars-long!!", STACK8S_SEED_CATALOGS=False
    )
    headers = {"Authorization": f"Bearer {_token(settings, 'restart-user')}"}
    first = start_server(settings)
    try:
        with httpx.Client(base_url=first.url, headers=headers, timeout=60) as c:
            cid = start(c)
            assert send(c, cid, "I want to deploy a model").status_code == 200
    finally:
        first.stop()
    second = start_server(settings)
    try:
        with httpx.Client(base_url=second.url, headers=headers, timeout=60) as c:
            messages = c.get(f"/api/v1/chat/{cid}").json()["messages"]
            assert [m["content"] for m in messages][:1] == ["I want to deploy a model"]
            assert len(messages) == 2
    finally:
        second.stop()


def _token(settings, user: str) -> str:
    from tests.fakes.supabase_auth import mint_hs256

    return mint_hs256(settings.supabase_jwt_secret.get_secret_value(), user)


def test_health_and_openapi(live: LiveServer) -> None:
    health = httpx.get(f"{live.url}/health").json()
    assert health == {"status": "ok", "database": "ok", "version": health["version"]}
    spec = httpx.get(f"{live.url}/openapi.json").json()
    for path in (
        "/api/v1/chat/start",
        "/api/v1/chat/message",
        "/api/v1/chat/{conversation_id}",
        "/api/v1/chat",
        "/api/v1/tools/compute/search",
        "/api/v1/tools/k8s/search",
        "/api/v1/tools/hf/search",
        "/api/v1/tools/local/status",
        "/api/v1/catalog/stats",
    ):
        assert path in spec["paths"], path
    assert "404" in spec["paths"]["/api/v1/chat/{conversation_id}"]["get"]["responses"]


def test_token_is_required_when_auth_is_configured(live: LiveServer) -> None:
    response = httpx.post(f"{live.url}/api/v1/chat/start")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "missing bearer token" in response.json()["detail"]
    bad = httpx.get(f"{live.url}/api/v1/chat", headers={"Authorization": f"Bearer {token_for('u')}x"})
    assert bad.status_code == 401


def test_oversized_bodies_are_413_declared_or_streamed(client: httpx.Client) -> None:
    cid = start(client)
    big = {"conversation_id": cid, "message": "x" * 300_000}
    declared = client.post("/api/v1/chat/message", json=big)
    assert declared.status_code == 413 and "bytes" in declared.json()["detail"]

    def chunks():  # no Content-Length: sent chunked
        yield b'{"conversation_id": "' + cid.encode() + b'", "message": "'
        for _ in range(40):
            yield b"y" * 10_000
        yield b'"}'

    streamed = client.post("/api/v1/chat/message", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert client.get(f"/api/v1/chat/{cid}").json()["messages"] == []
