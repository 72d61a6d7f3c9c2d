"""Issue 18, item 3 through HTTP: requests for the current large models plan the model named, in the weight
format named (or the checkpoint's own), and the plan's model table leads with the model that was sized; a
model the catalog does not know is said, never sized as a default 7B."""

from __future__ import annotations

import httpx
import pytest
from tests.agents.test_architect import check_invariants, plan_for

# (request, model sized, weight format of the sizing, least / most weights in GB for that format)
CASES = [
    ("serve Kimi K2.5 on B200s", "moonshotai/Kimi-K2.5", "int4", 500, 700),
    ("GLM-5 in FP8 on 8 H200s, 16 concurrent users", "zai-org/GLM-5", "fp8", 700, 800),
    ("MiniMax M2.5 on H200", "MiniMaxAI/MiniMax-M2.5", "fp8", 200, 260),
    ("Qwen3.5 397B with NVFP4 on B200", "Qwen/Qwen3.5-397B-A17B", "nvfp4", 190, 260),
    ("serve nvidia/Qwen3.5-397B-A17B-NVFP4 for 20 users", "Qwen/Qwen3.5-397B-A17B", "nvfp4", 190, 260),
    ("serve zai-org/GLM-5-FP8 on H200", "zai-org/GLM-5", "fp8", 700, 800),
]


@pytest.mark.parametrize(("text", "model_id", "precision", "low_gb", "high_gb"), CASES)
def test_a_current_model_is_planned_as_named(
    client: httpx.Client, text: str, model_id: str, precision: str, low_gb: float, high_gb: float
) -> None:
    body = plan_for(client, text)
    assert body["response_type"] == "deployment_plan", body["response"]
    plan = body["deployment_plan"]
    check_invariants(plan)
    assert plan["workload_spec"]["model_id"] == model_id
    assert plan["sizing"]["model_id"] == model_id
    assert plan["sizing"]["precision"] == precision
    assert low_gb <= plan["sizing"]["weights_gb"] <= high_gb, plan["sizing"]["method"]
    assert plan["model_recommendations"][0]["model_id"] == model_id
    assert plan["model_recommendations"][0]["params_billion"] == plan["sizing"]["params_billion"]
    # an NVFP4 plan serves NVIDIA's published export and says so
    fp4_note = any("served from nvidia/" in a and "NVFP4 export" in a for a in plan["assumptions"])
    assert fp4_note is (precision == "nvfp4")
    if precision == "nvfp4":
        assert plan["vllm"]["model"].startswith("nvidia/") and plan["vllm"]["model"].endswith("-NVFP4")


def test_glm5_fp8_on_eight_h200s_fills_one_node_not_eight_replicas(client: httpx.Client) -> None:
    plan = plan_for(client, "GLM-5 in FP8 on 8 H200s, 16 concurrent users")["deployment_plan"]
    top = plan["gpu_recommendations"][0]
    assert top["gpu_model"] == "H200"
    assert top["gpu_count"] * top["nodes"] >= 8
    assert plan["sizing"]["tensor_parallel"] >= 8 or plan["sizing"]["required_vram_gb"] > 141


def test_an_unknown_model_of_a_known_family_plans_the_closest_member_and_says_so(client: httpx.Client) -> None:
    body = plan_for(client, "serve GLM-7 on H200s for 10 users")
    assert body["response_type"] == "deployment_plan", body["response"]
    plan = body["deployment_plan"]
    assert plan["workload_spec"]["unknown_model"] == "glm 7"
    assert plan["workload_spec"]["model_id"] == plan["sizing"]["model_id"] == "zai-org/GLM-5.3"
    assert plan["model_recommendations"][0]["model_id"] == "zai-org/GLM-5.3"
    assert any("'glm 7' is not in the model catalog" in a and "GLM-5.3" in a for a in plan["assumptions"])


def test_an_unknown_model_without_a_family_is_asked_about(client: httpx.Client) -> None:
    body = plan_for(client, "deploy acme-labs/Zeta-Chat-v2 for our support bot")
    assert body["response_type"] == "clarification", body["response"]
    assert "acme-labs/Zeta-Chat-v2" in body["clarifying_questions"][0]
    assert "config.json" in body["clarifying_questions"][0]
    assert body["deployment_plan"] is None


def test_an_unknown_model_with_its_size_is_sized_at_that_size(client: httpx.Client) -> None:
    body = plan_for(client, "deploy acme-labs/Zeta-Chat-v2, it has 13B parameters, for our support bot")
    plan = body["deployment_plan"]
    assert plan["sizing"]["params_billion"] == 13
    assert any("'acme-labs/Zeta-Chat-v2' is not in the model catalog" in a for a in plan["assumptions"])


def test_a_plan_in_a_published_format_serves_that_export(client: httpx.Client) -> None:
    """The vLLM command loads the checkpoint the numbers assume: NVIDIA's NVFP4 export, the vendor's FP8 one
    (vLLM cannot make NVFP4 weights when it loads 16-bit ones)."""
    for text, served in (
        ("Qwen3 235B A22B in NVFP4 on B200s", "nvidia/Qwen3-235B-A22B-NVFP4"),
        ("GLM-5 in FP8 on 8 H200s, 16 concurrent users", "zai-org/GLM-5-FP8"),
    ):
        plan = plan_for(client, text)["deployment_plan"]
        assert plan["vllm"]["model"] == served, (text, plan["vllm"])
        assert plan["vllm"]["quantization"] is None  # an exported checkpoint is loaded as it is
