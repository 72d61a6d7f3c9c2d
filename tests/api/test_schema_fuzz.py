"""Schemathesis drives every operation of our own OpenAPI schema (coverage, fuzzing and stateful
chat scenarios) against the live server: no generated request may get a 5xx."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import LiveServer, token_for

BIN = Path(sys.executable).parent / "schemathesis"


def test_no_generated_request_gets_a_server_error(live: LiveServer) -> None:
    result = subprocess.run(
        [
            str(BIN),
            "run",
            f"{live.url}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "25",
            "--seed",
            "20261124",
            "--suppress-health-check",
            "all",
            "--no-color",
            "-H",
            f"Authorization: Bearer {token_for('schemathesis')}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary + result.stderr[-2000:]
    assert "passed" in summary
