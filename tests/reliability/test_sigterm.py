"""SIGTERM mid-load loses no acknowledged turn: the server (a real `stack8s serve` process) finishes the
turns in flight, and after a restart every acknowledged turn is stored whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from tests.conftest import free_port, wait_for_health
from tests.fakes.supabase_auth import mint_hs256

SECRET = "sigterm-secret-that-is-32-characters!!"


def serve(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "STACK8S_DATA_DIR": str(data),
        "STACK8S_SEED_CATALOGS": "false",
        "ENVIRONMENT": "test",
        "SUPABASE_JWT_SECRET": SECRET,
        "STACK8S_WORKERS": "1",
    }
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "stack8s", "serve", "--port", str(port)]
    log = data.parent / f"serve-{port}.log"
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log.open("ab"))
    wait_for_health(port, process, log)
    return process


def test_sigterm_mid_load_loses_no_acknowledged_turn(tmp_path: Path) -> None:
    data, port = tmp_path / "data", free_port()
    headers = {"Authorization": f"Bearer {mint_hs256(SECRET, 'sigterm-user')}"}
    process = serve(data, port)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            conversations = [c.post("/api/v1/chat/start").json()["conversation_id"] for _ in range(8)]

        def turn(cid: str) -> list[str]:
            """Three messages in a row; the texts the server acknowledged (200)."""
            acknowledged = []
            try:
                with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
                    for i in range(3):
                        text = f"message {i} of {cid}: I want to deploy a model"
                        reply = c.post("/api/v1/chat/message", json={"conversation_id": cid, "message": text})
                        if reply.status_code != 200:
                            break
                        acknowledged.append(text)
            except httpx.HTTPError:
                pass
            return acknowledged

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = {cid: pool.submit(turn, cid) for cid in conversations}
            time.sleep(0.5)
            process.send_signal(signal.SIGTERM)
            results = {cid: f.result() for cid, f in futures.items()}
        assert process.wait(timeout=60) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after a clean shutdown
    finally:
        if process.poll() is None:
            process.kill()
    assert sum(map(len, results.values())) >= 1  # the turns in flight at SIGTERM were finished and answered
    process = serve(data, port)
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            for cid, acknowledged in results.items():
                messages = c.get(f"/api/v1/chat/{cid}").json()["messages"]
                for t in {m["turn"] for m in messages}:  # every stored turn is whole: message and reply
                    assert [m["role"] for m in messages if m["turn"] == t] == ["user", "assistant"]
                stored = [m["content"] for m in messages if m["role"] == "user"]
                assert set(acknowledged) <= set(stored)  # no acknowledged turn lost
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
