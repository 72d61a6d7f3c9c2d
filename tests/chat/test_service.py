"""The chat service's unit of work, in-process against the live server's database."""

from __future__ import annotations

import httpx
import pytest
from tests.api.test_chat import send, start

from stack8s.chat import service


def test_an_architect_failure_is_an_error_reply_and_the_turn_is_kept(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(spec, deps, previous=None):  # type: ignore[no-untyped-def]
        await deps.conn.execute("SELECT 1/0")  # fails inside the database, aborting the transaction

    monkeypatch.setattr(service, "plan_for", broken)
    cid = start(client)
    reply = send(client, cid, "Deploy Mistral 7B on AWS")
    assert reply.status_code == 200
    body = reply.json()
    assert body["response_type"] == "error" and "internal error" in body["response"]
    assert body["workload_spec"]["provider"] == "aws"
    history = client.get(f"/api/v1/chat/{cid}").json()["messages"]
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert history[1]["response_type"] == "error"
