"""`make bench`: how long a first start takes, as `make run` does it on an installed checkout.

1. a fresh temporary data dir (no embedded PostgreSQL yet, no catalogs) and a free port;
2. `stack8s db migrate` (the venv's console script), timed, unless `--no-migrate`;
3. `stack8s serve --host 127.0.0.1 --port <port>`; /health is polled every 0.1 s;
4. once healthy, one conversation is started and one message sent (no auth configured: the local user);
5. prints the seconds from `serve` to /health answering ok and to the first answered chat message, and how
   many lines the two commands printed to the terminal;
6. stops the server (SIGTERM) and removes the data dir.

`--runs 3` repeats it and prints the median; `--stack8s PATH` times another console script (e.g. a
wrapper around an older checkout, for a before/after comparison on the same machine).

Exit code 1 when the server does not become healthy or the message is not answered with 200.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from bench_server import console_script, free_port, server_env, stop, wait_healthy

MESSAGE = "Serve Mistral 7B Instruct on AWS for 50 users, budget $1500 a month"


def first_answer(url: str) -> None:
    with httpx.Client(base_url=url, timeout=300) as client:
        started = client.post("/api/v1/chat/start")
        started.raise_for_status()
        reply = client.post(
            "/api/v1/chat/message", json={"conversation_id": started.json()["conversation_id"], "message": MESSAGE}
        )
        reply.raise_for_status()


def lines_in(path: Path) -> int:
    return len(path.read_text(errors="replace").splitlines()) if path.exists() else 0


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def migrate(script: Path, data_dir: Path, log_file: Path) -> float:
    started = time.perf_counter()
    with log_file.open("wb") as log:
        done = subprocess.run(
            [str(script), "db", "migrate"], env=server_env(data_dir), cwd=data_dir, stdout=log, stderr=log, check=False
        )
    if done.returncode:
        raise RuntimeError(f"`stack8s db migrate` exited with {done.returncode}:\n{tail(log_file)}")
    return time.perf_counter() - started


def serve(script: Path, data_dir: Path, log_file: Path, port: int) -> tuple[float, float]:
    """Seconds from starting `stack8s serve` to /health ok and to the first answered chat message."""
    url = f"http://127.0.0.1:{port}"
    with log_file.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(script), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=server_env(data_dir),
            cwd=data_dir,  # no .env / .env.local of the caller's directory
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        try:
            wait_healthy(url, process, timeout=600)
            healthy = time.perf_counter() - started
            first_answer(url)
            return healthy, time.perf_counter() - started
        except (RuntimeError, httpx.HTTPError):
            print(tail(log_file), file=sys.stderr)
            raise
        finally:
            stop(process)


def one_start(script: Path, with_migrate: bool, keep: bool) -> tuple[float, float, float, int]:
    """(migrate s, serve to /health s, serve to the first answer s, lines printed) of one fresh start."""
    data_dir = Path(tempfile.mkdtemp(prefix="stack8s-startup-"))
    logs = Path(tempfile.mkdtemp(prefix="stack8s-startup-logs-"))
    try:
        migrated = migrate(script, data_dir, logs / "migrate.log") if with_migrate else 0.0
        healthy, answered = serve(script, data_dir, logs / "serve.log", free_port())
        return migrated, healthy, answered, lines_in(logs / "migrate.log") + lines_in(logs / "serve.log")
    finally:
        if keep:
            print(f"data dir {data_dir}, logs {logs}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            shutil.rmtree(logs, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-migrate", action="store_true", help="start `serve` alone (it migrates too)")
    parser.add_argument("--runs", type=int, default=1, help="fresh starts to time; the median is printed last")
    parser.add_argument("--stack8s", type=Path, default=None, help="another console script to time")
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and logs (printed)")
    args = parser.parse_args()
    script = args.stack8s or console_script()
    runs = []
    for _ in range(args.runs):
        try:
            runs.append(one_start(script, not args.no_migrate, args.keep))
        except (RuntimeError, httpx.HTTPError) as exc:
            print(f"first start failed: {exc}", file=sys.stderr)
            return 1
        migrated, healthy, answered, printed = runs[-1]
        print(
            f"first start (fresh data dir, {os.cpu_count()} cores): `stack8s db migrate` {migrated:.1f} s, "
            f"`stack8s serve` to /health ok {healthy:.1f} s, to the first answered chat message {answered:.1f} s "
            f"(make run to /health: {migrated + healthy:.1f} s; {printed} lines printed)"
        )
    if len(runs) > 1:
        migrated, healthy, answered = (statistics.median(r[i] for r in runs) for i in range(3))
        print(
            f"median of {len(runs)}: migrate {migrated:.1f} s, serve to /health {healthy:.1f} s, "
            f"to the first answer {answered:.1f} s, make run to /health {migrated + healthy:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
