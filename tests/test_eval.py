"""`shared/eval/evaluate.py` against a server this test run started: every case must pass."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import SHARED, LiveServer, needs_shared, token_for


@needs_shared()
def test_eval_cases_all_pass(live: LiveServer) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(SHARED / "eval" / "evaluate.py"),
            "--base-url",
            live.url,
            "--cases",
            str(SHARED / "eval" / "cases.yaml"),
            "--token",
            token_for("eval-user"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr


# Groups of ../shared/eval/cases-next.yaml whose issues have landed: the serving-load cases (issue 7).
LANDED_NEXT = r"^load-"


@needs_shared()
def test_eval_next_cases_of_landed_issues_pass(live: LiveServer) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(SHARED / "eval" / "evaluate.py"),
            "--base-url",
            live.url,
            "--cases",
            str(SHARED / "eval" / "cases-next.yaml"),
            "--only",
            LANDED_NEXT,
            "--token",
            token_for("eval-user"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout)
    assert "load-qwen7b-rps" in result.stdout and "load-llama70b-concurrent-ttft" in result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
