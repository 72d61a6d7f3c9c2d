"""The embedded database killed under load: only 200 or 503 (with Retry-After and the request id), each
within 5 s; the service restarts postgres and recovers on its own; a clean shutdown stops the postgres it
started."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import psutil
from tests.api.test_chat import send, start
from tests.conftest import make_settings, start_server
from tests.fakes.supabase_auth import mint_hs256

SECRET = "db-fault-secret-that-is-32-characters!"


def postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()[0])


def test_database_killed_under_load_gives_503_then_recovers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = make_settings(data, SUPABASE_JWT_SECRET=SECRET, STACK8S_SEED_CATALOGS=False)
    server = start_server(settings)
    headers = {"Authorization": f"Bearer {mint_hs256(SECRET, 'fault-user')}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as c:
            cid = start(c)
            assert c.get("/health").json()["database"] == "ok"
            first_pid = postmaster_pid(data)
            os.kill(first_pid, signal.SIGKILL)
            statuses = []
            began = time.monotonic()
            while time.monotonic() - began < 4.0:
                sent = time.monotonic()
                response = c.get("/api/v1/chat")
                assert time.monotonic() - sent < 5.0
                assert response.status_code in (200, 503), response.text
                assert response.headers.get("x-request-id")
                if response.status_code == 503:
                    assert response.headers["retry-after"] and "database" in response.json()["detail"]
                statuses.append(response.status_code)
            deadline = time.monotonic() + 20
            while c.get("/health").status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.5)
            assert c.get("/health").json()["database"] in ("ok", "busy")
            assert postmaster_pid(data) != first_pid  # restarted by the service, not by hand
            assert c.get("/api/v1/chat").status_code == 200
            assert send(c, cid, "I want to deploy a model").status_code == 200
            assert len(c.get(f"/api/v1/chat/{cid}").json()["messages"]) == 2
    finally:
        server.stop()
    pid = postmaster_pid(data) if (data / "pgdata" / "postmaster.pid").exists() else None
    assert pid is None or not psutil.pid_exists(pid)
