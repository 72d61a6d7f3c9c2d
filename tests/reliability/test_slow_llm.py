"""A slow LLM holds no database connection: other users' reads stay fast, no transaction idles open,
the turn has one LLM deadline, and one conversation cannot queue more than its share of turns."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest
from tests.api.test_chat import send, start
from tests.conftest import LiveServer, make_settings, start_server
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.supabase_auth import mint_hs256

SECRET = "slow-llm-secret-that-is-32-characters"
LLM_SECONDS = 3.0
VALID = {"spec": {"task_type": "inference", "domain": "nlp", "gpu_needed": True}}


@pytest.fixture(scope="module")
def slow_llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        server.mode, server.sleep_seconds, server.reply = "timeout", LLM_SECONDS, VALID
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, db_dsn: str, slow_llm: FakeOpenAI) -> Iterator[LiveServer]:
    settings = make_settings(
        tmp_path_factory.mktemp("slow"),
        DATABASE_URL=db_dsn,
        SUPABASE_JWT_SECRET=SECRET,
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=slow_llm.base_url,
        STACK8S_LLM_TIMEOUT=10.0,
        STACK8S_LLM_TURN_DEADLINE=5.0,
        STACK8S_POOL_MAX=4,
    )
    live = start_server(settings)
    yield live
    live.stop()


def client_for(server: LiveServer, user: str) -> httpx.Client:
    token = mint_hs256(SECRET, user)
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def idle_in_transaction(dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND pid <> pg_backend_pid()"
        ).fetchone()
        return int(row[0]) if row else 0


def test_waiting_turns_hold_no_connection_and_other_reads_stay_fast(server: LiveServer, db_dsn: str) -> None:
    users = [str(uuid.uuid4()) for _ in range(8)]  # twice the pool: each turn waits 2 x 3 s on the LLM
    conversations = []
    for user in users:
        with client_for(server, user) as c:
            conversations.append((user, start(c)))

    def turn(item: tuple[str, str]) -> int:
        user, cid = item
        with client_for(server, user) as c:
            return send(c, cid, "Serve Llama 3.1 8B for a chat bot").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(turn, item) for item in conversations]
        time.sleep(1.0)  # every turn is now waiting on the LLM
        # Held across the LLM wait, each of the 8 turns would show a transaction idling open for 3 s; short
        # transactions of other servers on this database may show one for an instant.
        samples = []
        for _ in range(5):
            samples.append(idle_in_transaction(db_dsn))
            time.sleep(0.2)
        assert max(samples) <= 2, samples
        with client_for(server, str(uuid.uuid4())) as other:
            for _ in range(3):
                began = time.monotonic()
                assert other.get("/api/v1/chat").status_code == 200
                assert time.monotonic() - began < 1.0
            assert other.get("/health").json()["status"] == "ok"
        statuses = [f.result() for f in futures]
    assert statuses == [200] * len(conversations)


def test_the_turn_has_one_llm_deadline(server: LiveServer) -> None:
    # requirements (3 s) + narration (3 s) would take 6 s; the 5 s turn deadline cuts the narration short
    with client_for(server, str(uuid.uuid4())) as c:
        cid = start(c)
        began = time.monotonic()
        reply = send(c, cid, "Serve Llama 3.1 8B for a chat bot")
        took = time.monotonic() - began
    assert reply.status_code == 200 and reply.json()["response_type"] == "deployment_plan"
    assert took < 5.0 + 2.0


def test_a_third_turn_in_flight_on_one_conversation_gets_429(server: LiveServer) -> None:
    user = str(uuid.uuid4())
    with client_for(server, user) as c:
        cid = start(c)

    def turn(i: int) -> httpx.Response:
        with client_for(server, user) as c:
            return send(c, cid, f"turn {i}: Serve Llama 3.1 8B for a chat bot")

    with ThreadPoolExecutor(max_workers=3) as pool:
        responses = list(pool.map(turn, range(3)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 429]
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.headers["retry-after"] and refused.json()["error"] == "TooManyRequests"
