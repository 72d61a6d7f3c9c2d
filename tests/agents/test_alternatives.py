"""Model alternatives share the task and sit in a size band around the named model (issue 11 item 3)."""

from __future__ import annotations

import httpx
import pytest
from tests.agents.test_architect import plan_for

NAMED = [
    "Serve Llama 3.1 70B Instruct",
    "Serve Llama 3.1 8B Instruct",
    "Serve Mistral 7B Instruct on $1,500 a month",
    "Serve Qwen2.5 7B Instruct",
    "Serve Qwen2.5 72B Instruct",
    "Serve Gemma 2 27B",
    "Serve Phi-4",
    "Serve gpt-oss-20b",
    "Serve gpt-oss-120b",
    "Serve Qwen3 30B A3B",
    "Serve DeepSeek R1 distill Qwen 32B",
    "Serve Mixtral 8x7B",
    "Deploy Whisper large-v3 for transcription",
    "Deploy SDXL for image generation",
    "Deploy FLUX.1 schnell",
    "Serve bge-large-en-v1.5 embeddings",
    "Serve e5-large-v2 embeddings",
    "Serve Llama 3.2 3B Instruct",
    "Serve Qwen2.5 Coder 7B Instruct",
    "Serve Mistral Small 24B",
]


@pytest.mark.parametrize("message", NAMED)
def test_alternatives_share_the_task_and_size_band(client: httpx.Client, message: str) -> None:
    plan = plan_for(client, message)["deployment_plan"]
    models = plan["model_recommendations"]
    assert models, message
    named = next((m for m in models if m["model_id"] == plan["workload_spec"]["model_id"]), models[0])
    size = named["params_billion"]
    for m in models:
        assert m["pipeline_tag"] == named["pipeline_tag"], (message, m["model_id"])
        if size and m["params_billion"]:
            assert size / 4 <= m["params_billion"] <= size * 4, (message, m["model_id"], m["params_billion"])
    if len(models) > 1:
        assert any("Alternatives do the same task" in t for t in plan["tradeoffs"])


def test_a_tabular_model_the_user_brings_gets_no_model_table(client: httpx.Client) -> None:
    plan = plan_for(client, "XGBoost fraud model on CPU, serving 50 requests per second on Azure")["deployment_plan"]
    assert plan["model_recommendations"] == []
    assert any("You bring the model" in t for t in plan["tradeoffs"])
