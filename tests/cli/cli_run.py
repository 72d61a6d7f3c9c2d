"""Running the `stack8s` console script as a user would: a real subprocess with a chosen environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import free_port

BIN = Path(sys.executable).parent / "stack8s"
# A log line as `stack8s.logging.configure_logging` formats it: "2026-01-01 10:00:00,123 INFO name [-] ..."
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR) ", re.MULTILINE)


def nobody_url() -> str:
    """A loopback URL where nothing listens (connections are refused at once)."""
    return f"http://127.0.0.1:{free_port()}"


def stack8s(
    *args: str, data_dir: Path | None = None, columns: int = 200, timeout: float = 300, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `stack8s ARGS`; STACK8S_URL points nowhere unless given, so no stray local server is used."""
    environ = {**os.environ, "COLUMNS": str(columns), "STACK8S_URL": nobody_url(), "STACK8S_SEED_CATALOGS": "false"}
    for name in ("DATABASE_URL", "STACK8S_TOKEN", "STACK8S_LOG_LEVEL"):
        environ.pop(name, None)
    if data_dir is not None:
        environ["STACK8S_DATA_DIR"] = str(data_dir)
    environ.update(env)
    return subprocess.run([str(BIN), *args], env=environ, capture_output=True, text=True, timeout=timeout)


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return result
