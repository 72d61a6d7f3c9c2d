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


def test_the_estimator_with_generated_inline_architectures_never_500s(live: LiveServer) -> None:
    """Issue 21: the estimator's inline architectures (any shapes the schema allows) get 200 or a 4xx."""
    result = subprocess.run(
        [
            str(BIN),
            "run",
            f"{live.url}/openapi.json",
            "--include-path",
            "/api/v1/tools/performance/estimate",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "150",
            "--seed",
            "20261207",
            "--suppress-health-check",
            "all",
            "--no-color",
            "-H",
            f"Authorization: Bearer {token_for('schemathesis-estimate')}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary + result.stderr[-2000:]
    assert "No issues found" in summary and "1 selected" in summary, summary
