"""What `stack8s serve` prints: one plain log line per event from every worker process (no rich handler
wrapping lines at the terminal's width, no initdb or pg_ctl output)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.cli_run import LOG_LINE
from tests.conftest import free_port, wait_for_health


def test_two_workers_log_plain_lines_only(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "STACK8S_DATA_DIR": str(tmp_path / "data"), "STACK8S_WORKERS": "2", "COLUMNS": "80"}
    env.pop("DATABASE_URL", None)
    env.pop("STACK8S_LOG_LEVEL", None)
    out = tmp_path / "serve.log"
    with out.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "stack8s", "serve", "--port", str(port)], env=env, stdout=sink, stderr=sink
        )
        try:
            wait_for_health(port, process, out)
            time.sleep(1.0)  # both workers' start-up lines
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    lines = [line for line in out.read_text().splitlines() if line.strip()]
    assert sum("Application startup complete" in line for line in lines) == 2
    stray = [line for line in lines if not LOG_LINE.match(line)]
    assert not stray, "lines not in the service's log format:\n" + "\n".join(stray[:10])
    assert not any("initdb" in line or "pg_ctl" in line for line in lines)
