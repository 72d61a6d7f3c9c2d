"""A real `stack8s serve` for the benchmarks: a free port, the environment, waiting for /health, stopping.

The benchmark scripts run as `python bench/NAME.py`, which puts this folder on sys.path.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ELSEWHERE = frozenset(
    {"DATABASE_URL", "SUPABASE_DB_URL", "SUPABASE_PROJECT_URL", "SUPABASE_JWT_SECRET", "OPENAI_API_KEY"}
)
"""Settings that would point a benchmark server at another database, auth server or LLM."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def console_script() -> Path:
    script = Path(sys.executable).parent / "stack8s"
    if not script.exists():
        raise SystemExit(f"{script} not found: run `make install` first")
    return script


def server_env(data_dir: Path, drop: frozenset[str] = frozenset(), **extra: str) -> dict[str, str]:
    """This process's environment without ELSEWHERE (and `drop`), on `data_dir`, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ELSEWHERE | drop}
    env["STACK8S_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def wait_healthy(url: str, process: subprocess.Popen[bytes] | None, timeout: float, every: float = 0.1) -> None:
    """Until GET /health answers 200 with status ok; RuntimeError when `process` exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before it was healthy")
        try:
            response = httpx.get(f"{url}/health", timeout=5)
            if response.status_code == 200 and response.json().get("status") == "ok":
                return
        except httpx.TransportError:
            pass
        time.sleep(every)
    raise RuntimeError(f"{url}/health did not answer ok within {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (turns in flight finish, the embedded postgres stops); past 60 s the whole process group (started
    with start_new_session=True) is killed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        print("server did not stop within 60 s of SIGTERM: killing its process group", file=sys.stderr)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
