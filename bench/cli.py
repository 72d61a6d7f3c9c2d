"""`make bench`: the wall time of the command line against a running server (target: `ask` < 2 s).

1. a temporary data dir (or --data-dir) and a free port; `stack8s serve --workers 1` on them, /health polled;
2. `stack8s ask --url <server> MESSAGE`, 3 times (after one unmeasured warm-up turn), the median printed;
3. `stack8s offers --url <server> --gpu H100` and `stack8s offers --group-by gpu`, 3 times each, medians;
4. `python -X importtime` of the `ask` run: the modules a remote `ask` imports, checked for the heavy ones;
5. stops the server (SIGTERM to its process group) and removes the temporary data dir.

Wall time is measured around the whole subprocess, as a user waits for it (interpreter start included).
Exit code 1 when the server does not start, a command fails, or a heavy module is imported.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_server import console_script, free_port, server_env, stop, wait_healthy

MESSAGE = "Serve Llama 3.1 8B Instruct on AWS for 200 users, budget $3000 a month"
HEAVY = {"torch", "sentence_transformers", "transformers", "fastapi", "psycopg", "uvicorn"}
RUNS = 3


def start(data_dir: Path, port: int, env: dict[str, str], timeout: float) -> subprocess.Popen[bytes]:
    log = (data_dir / "bench-serve.log").open("wb")
    command = [script(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server, timeout, every=0.2)
    except RuntimeError as exc:
        stop(server)
        raise SystemExit(f"{exc}: see {log.name}") from None
    return server


def script() -> str:
    return str(console_script())


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[1:])} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def median(command: list[str], env: dict[str, str]) -> tuple[float, list[float]]:
    runs = [timed(command, env) for _ in range(RUNS)]
    return statistics.median(runs), runs


def heavy_imports(url: str, env: dict[str, str]) -> set[str]:
    command = [sys.executable, "-X", "importtime", "-m", "stack8s", "ask", "--url", url, MESSAGE]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    roots = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    return roots & HEAVY


def measure(url: str, env: dict[str, str]) -> bool:
    timed([script(), "ask", "--url", url, MESSAGE], env)  # warm-up: the server's first turn loads its caches
    rows = [
        ("stack8s ask --url", [script(), "ask", "--url", url, MESSAGE]),
        ("stack8s offers --gpu H100", [script(), "offers", "--url", url, "--gpu", "H100"]),
        ("stack8s offers --group-by gpu", [script(), "offers", "--url", url, "--group-by", "gpu"]),
    ]
    print(f"{'command':<32} {'median s':>9}  runs (wall time, {RUNS} each)")
    for name, command in rows:
        middle, runs = median(command, env)
        print(f"{name:<32} {middle:>9.2f}  {', '.join(f'{r:.2f}' for r in runs)}")
    heavy = heavy_imports(url, env)
    print(f"heavy modules imported by a remote ask: {', '.join(sorted(heavy)) or 'none'}")
    return not heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="reuse this data dir (default: a fresh temporary one)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for /health")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="stack8s-bench-cli-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(data_dir, frozenset({"STACK8S_URL", "STACK8S_TOKEN"}), COLUMNS="120")
    port = free_port()
    server = start(data_dir, port, env, args.timeout)
    try:
        light = measure(f"http://127.0.0.1:{port}", env)
    finally:
        stop(server)
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    if not light:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
