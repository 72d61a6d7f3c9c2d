"""`shared/eval/evaluate.py` against a server this test run started: every case must pass."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import SHARED, LiveServer, needs_shared, token_for

# Groups of ../shared/eval/cases-next.yaml whose issues have landed: the serving-load cases (issue 7), the
# jobs priced by their duration (issue 8), exclusions and budgets in other currencies (issue 9), the cheapest
# fleet that meets the load (issue 17), current models and precisions (issue 18).
LANDED_NEXT = r"^(load|job|exclude|budget|opt|next|phr)-"


def _evaluate(live: LiveServer, cases: str, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SHARED / "eval" / "evaluate.py"), "--base-url", live.url]
    command += ["--cases", str(SHARED / "eval" / cases), "--token", token_for("eval-user"), *extra]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    print(result.stdout)
    return result


@needs_shared()
def test_eval_cases_all_pass(live: LiveServer) -> None:
    result = _evaluate(live, "cases.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_shared()
def test_eval_next_cases_of_landed_issues_pass(live: LiveServer) -> None:
    result = _evaluate(live, "cases-next.yaml", "--only", LANDED_NEXT)
    assert "load-qwen7b-rps" in result.stdout and "load-llama70b-concurrent-ttft" in result.stdout
    assert "job-lora-8b-tokens" in result.stdout and "job-pretrain-deadline" in result.stdout
    assert "exclude-then-lift" in result.stdout and "budget-in-pounds" in result.stdout
    assert "opt-llama70b-300-employees-aws" in result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
