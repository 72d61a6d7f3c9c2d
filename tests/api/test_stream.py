"""POST /api/v1/chat/message/stream over real HTTP: the stages as they happen, then the same reply as
/chat/message, stored the same way; refusals as plain HTTP errors; a client that disconnects loses
nothing. The slow-LLM tests run a second server on the same database whose LLM (a local fake speaking
the OpenAI protocol) takes seconds to answer, so a turn is still running when the client acts."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.api.test_chat import send, start
from tests.conftest import LiveServer, make_settings, start_server, user_client
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.supabase_auth import mint_hs256

URL = "/api/v1/chat/message/stream"
PLAN_REQUEST = "Serve Mistral 7B on AWS, budget $1500 a month"
SERVING_STAGES = ["requirements", "sizing", "compute_search", "charts", "model_search", "plan"]


def events(response: httpx.Response) -> Iterator[tuple[str, dict[str, Any]]]:
    """The SSE events of a streamed response, as (event, parsed data); comments (keep-alives) skipped."""
    name, data = "message", []
    for line in response.iter_lines():
        if not line:
            if data:
                yield name, json.loads("\n".join(data))
            name, data = "message", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            name = line[len("event:") :].strip()
        elif line.startswith("data:"):
            data.append(line[len("data:") :].removeprefix(" "))


def stream(client: httpx.Client, conversation_id: str, message: str) -> list[tuple[str, dict[str, Any]]]:
    body = {"conversation_id": conversation_id, "message": message}
    with client.stream("POST", URL, json=body) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(events(response))


def assistant_payloads(client: httpx.Client, conversation_id: str) -> list[dict[str, Any]]:
    messages = client.get(f"/api/v1/chat/{conversation_id}").json()["messages"]
    return [m["payload"] for m in messages if m["role"] == "assistant"]


def test_a_plan_streams_its_stages_in_order_then_the_stored_reply(client: httpx.Client) -> None:
    cid = start(client)
    got = stream(client, cid, PLAN_REQUEST)
    stages = [data for name, data in got if name == "stage"]
    assert [s["stage"] for s in stages] == SERVING_STAGES
    assert all(s["label"] and isinstance(s["label"], str) for s in stages)
    elapsed = [s["elapsed_ms"] for s in stages]
    assert all(isinstance(e, int) for e in elapsed) and elapsed == sorted(elapsed)
    assert [name for name, _ in got] == ["stage"] * len(stages) + ["reply"]  # the reply comes last, once
    reply = got[-1][1]
    assert reply["response_type"] == "deployment_plan" and reply["conversation_id"] == cid
    assert reply["deployment_plan"]["gpu_recommendations"]
    assert assistant_payloads(client, cid) == [reply]  # stored exactly as sent
    history = client.get(f"/api/v1/chat/{cid}").json()["messages"]
    assert [(m["role"], m["content"]) for m in history] == [("user", PLAN_REQUEST), ("assistant", reply["response"])]


def test_the_streamed_reply_is_what_the_plain_endpoint_answers(client: httpx.Client) -> None:
    streamed, plain = start(client), start(client)
    reply = stream(client, streamed, PLAN_REQUEST)[-1][1]
    answered = send(client, plain, PLAN_REQUEST).json()
    assert {**reply, "conversation_id": plain} == answered  # the rules are deterministic: same turn, same reply


def test_a_clarification_has_only_the_requirements_stage(client: httpx.Client) -> None:
    cid = start(client)
    got = stream(client, cid, "I want to deploy a model")
    assert [name for name, _ in got] == ["stage", "reply"]
    assert got[0][1]["stage"] == "requirements"
    reply = got[1][1]
    assert reply["response_type"] == "clarification" and 1 <= len(reply["clarifying_questions"]) <= 3
    assert assistant_payloads(client, cid) == [reply]


def assert_plain_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) >= {"error", "detail"} and body["detail"]
    return body


def test_refusals_are_plain_http_errors(live: LiveServer, client: httpx.Client) -> None:
    cid = start(client)
    body = {"conversation_id": cid, "message": PLAN_REQUEST}
    assert_plain_error(httpx.post(f"{live.url}{URL}", json=body), 401)
    bad_token = httpx.post(f"{live.url}{URL}", json=body, headers={"Authorization": "Bearer not-a-jwt"})
    assert_plain_error(bad_token, 401)
    empty = assert_plain_error(client.post(URL, json={**body, "message": "   "}), 422)
    assert "empty" in empty["detail"]
    too_long = "x" * (live.settings.max_message_chars + 1)
    long = assert_plain_error(client.post(URL, json={**body, "message": too_long}), 422)
    assert str(live.settings.max_message_chars) in long["detail"]
    assert_plain_error(client.post(URL, json={"message": PLAN_REQUEST}), 422)
    assert_plain_error(client.post(URL, json={**body, "conversation_id": "nope"}), 422)
    assert_plain_error(client.post(URL, json={**body, "conversation_id": str(uuid.uuid4())}), 404)
    with user_client(live, str(uuid.uuid4())) as stranger:
        assert_plain_error(stranger.post(URL, json=body), 404)  # another user's conversation: as if unknown
    assert assistant_payloads(client, cid) == []  # nothing was stored for any of them


# ---- a second server whose LLM is slow ----------------------------------------------------------------

SECRET = "stream-test-secret-with-32-characters"
LLM_SECONDS = 2.0


@pytest.fixture(scope="module")
def slow_llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        valid = {"spec": {"task_type": "inference", "domain": "nlp", "gpu_needed": True}}
        fake.mode, fake.sleep_seconds, fake.reply = "timeout", LLM_SECONDS, valid
        yield fake


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory, db_dsn: str, slow_llm: FakeOpenAI) -> Iterator[LiveServer]:
    settings = make_settings(
        tmp_path_factory.mktemp("stream"),
        DATABASE_URL=db_dsn,
        SUPABASE_JWT_SECRET=SECRET,
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=slow_llm.base_url,
        STACK8S_LLM_TIMEOUT=10.0,
        STACK8S_LLM_TURN_DEADLINE=3.0,  # the extraction waits 2 s; the narration gives up after 1 s more
        STACK8S_MAX_TURNS_IN_FLIGHT=1,
    )
    server = start_server(settings)
    yield server
    server.stop()


@pytest.fixture
def slow_client(slow: LiveServer) -> Iterator[httpx.Client]:
    token = mint_hs256(SECRET, str(uuid.uuid4()))
    with httpx.Client(base_url=slow.url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        yield c


def first_stage(client: httpx.Client, conversation_id: str) -> Iterator[dict[str, Any]]:
    """Open the stream and yield its first stage event, with the connection still open."""
    body = {"conversation_id": conversation_id, "message": PLAN_REQUEST}
    with client.stream("POST", URL, json=body) as response:
        assert response.status_code == 200
        name, data = next(events(response))
        assert name == "stage"
        yield data


def wait_for_reply(client: httpx.Client, conversation_id: str, seconds: float = 60) -> list[dict[str, Any]]:
    deadline = time.monotonic() + seconds
    while not (payloads := assistant_payloads(client, conversation_id)):
        assert time.monotonic() < deadline, "the turn was never stored"
        time.sleep(0.2)
    return payloads


def test_a_client_that_disconnects_loses_nothing(slow_client: httpx.Client) -> None:
    cid = start(slow_client)
    for stage in first_stage(slow_client, cid):
        assert stage["stage"] == "requirements"
    # The connection is closed, and the LLM is still thinking: nothing is stored yet.
    assert assistant_payloads(slow_client, cid) == []
    # The turn slot is still taken by the detached turn (one per conversation here): a plain 429.
    busy = slow_client.post(URL, json={"conversation_id": cid, "message": "and on GCP?"})
    assert_plain_error(busy, 429)
    assert "Retry-After" in busy.headers
    payloads = wait_for_reply(slow_client, cid)
    assert [p["response_type"] for p in payloads] == ["deployment_plan"]
    messages = slow_client.get(f"/api/v1/chat/{cid}").json()["messages"]
    assert [(m["turn"], m["role"]) for m in messages] == [(1, "user"), (1, "assistant")]
    assert messages[0]["content"] == PLAN_REQUEST
    # The slot is given back just after the turn is stored (a moment after it can be read).
    deadline = time.monotonic() + 5
    while (again := send(slow_client, cid, "Make it Azure instead")).status_code == 429:
        assert time.monotonic() < deadline, "the turn slot was never given back"
        time.sleep(0.1)
    assert again.status_code == 200, again.text


def test_a_failure_after_the_stream_began_is_an_error_event(slow_client: httpx.Client) -> None:
    cid = start(slow_client)
    body = {"conversation_id": cid, "message": PLAN_REQUEST}
    with slow_client.stream("POST", URL, json=body) as response:
        got = events(response)
        assert next(got)[0] == "stage"
        assert slow_client.delete(f"/api/v1/chat/{cid}").status_code == 204  # while the LLM thinks
        rest = list(got)
    assert rest[-1][0] == "error"
    error = rest[-1][1]
    assert error["status"] == 404 and error["error"] == "NotFound"
    assert "deleted while it was being answered" in error["detail"]
    assert all(name == "stage" for name, _ in rest[:-1])
