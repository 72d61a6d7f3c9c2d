"""Plans through HTTP: the seed's five scenarios, honesty rules, determinism, overrides."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.api.test_chat import send, start


def plan_for(client: httpx.Client, *messages: str) -> dict:
    cid = start(client)
    body: dict = {}
    for message in messages:
        response = send(client, cid, message)
        assert response.status_code == 200, response.text
        body = response.json()
    return body


def check_invariants(plan: dict) -> None:
    recs = plan["gpu_recommendations"]
    assert 1 <= len(recs) <= 3
    assert [r["rank"] for r in recs] == list(range(1, len(recs) + 1))
    assert len({(r["provider"], r["instance_type"]) for r in recs}) == len(recs)
    need = plan["sizing"]["required_vram_gb"]
    for r in recs:
        assert r["price_monthly_usd"] == pytest.approx(r["price_hourly_usd"] * 730, abs=0.01)
        if r["performance"] is not None:
            assert r["fits"] is True  # placed by vLLM's memory budget, the one model of 'fits'
        elif plan.get("vllm") is None and plan.get("job") is None:
            assert r["fits"] == (r["total_vram_gb"] * r["nodes"] >= need) or not plan["sizing"]["gpu_needed"]
    models, named = plan["model_recommendations"], plan["workload_spec"].get("model_id")
    assert len(models) <= 5
    if named and any(m["model_id"] == named for m in models):
        assert models[0]["model_id"] == named  # the model that was sized leads the table
        models = models[1:]
    scores = [m["score"] for m in models]
    assert scores == sorted(scores, reverse=True)
    assert len(plan["deployment_steps"]) >= 3
    cost = plan["cost_estimate"]
    assert cost["total_monthly_usd"] == pytest.approx(sum(c["monthly_usd"] for c in cost["breakdown"]), abs=0.011)
    assert cost["total_monthly_usd"] >= recs[0]["price_monthly_usd"] * 0.99
    budget = plan["workload_spec"].get("budget_monthly_usd")
    if budget is not None:
        assert cost["within_budget"] is (cost["total_monthly_usd"] <= budget)
    for chart in plan["kubernetes_stack"]:
        assert "helm install" in chart["install_command"]


def test_seed_1_llama_70b(client: httpx.Client) -> None:
    body = plan_for(client, "I need to deploy Llama 70B for inference")
    assert body["response_type"] == "deployment_plan"
    plan = body["deployment_plan"]
    check_invariants(plan)
    assert plan["gpu_recommendations"][0]["total_vram_gb"] >= 155
    assert any(re.search(r"(?i)llama.*70b", m["model_id"]) for m in plan["model_recommendations"])
    assert any(c["chart"] == "vllm-stack" for c in plan["kubernetes_stack"])
    assert "| provider |" in body["response"]


def test_seed_2_resnet_training_budget(client: httpx.Client) -> None:
    body = plan_for(
        client, "I want to train a ResNet-50 image classifier on about 1.2M images. Budget is $3000 per month."
    )
    plan = body["deployment_plan"]
    check_invariants(plan)
    spec = body["workload_spec"]
    assert (spec["task_type"], spec["domain"], spec["budget_monthly_usd"]) == ("training", "computer_vision", 3000)
    assert plan["cost_estimate"]["within_budget"] is True


def test_seed_3_sdxl(client: httpx.Client) -> None:
    plan = plan_for(client, "Help me set up Stable Diffusion XL for generating marketing images")["deployment_plan"]
    check_invariants(plan)
    assert any("stable-diffusion-xl" in m["model_id"] for m in plan["model_recommendations"])


def test_seed_4_lora_mlflow(client: httpx.Client) -> None:
    plan = plan_for(client, "Fine-tune Llama 3 8B with LoRA and track the experiments in MLflow")["deployment_plan"]
    check_invariants(plan)
    assert any(c["chart"] == "mlflow" for c in plan["kubernetes_stack"])
    assert plan["workload_spec"]["fine_tuning_method"] == "lora"


def test_seed_5_clarification_then_plan(client: httpx.Client) -> None:
    cid = start(client)
    first = send(client, cid, "I want to deploy a model").json()
    assert first["response_type"] == "clarification"
    second = send(client, cid, "It's Mistral 7B Instruct for a support chatbot, on AWS, about $1500 a month").json()
    assert second["response_type"] == "deployment_plan"
    plan = second["deployment_plan"]
    check_invariants(plan)
    assert {r["provider"] for r in plan["gpu_recommendations"]} == {"aws"}


def test_over_budget_is_said_with_a_priced_way_out(client: httpx.Client) -> None:
    body = plan_for(client, "Serve Llama 3.1 70B on AWS for 50 users, budget $500 a month")
    plan = body["deployment_plan"]
    check_invariants(plan)
    assert plan["cost_estimate"]["within_budget"] is False
    assert any("budget" in t for t in plan["tradeoffs"])


def test_nothing_fits_is_said(client: httpx.Client) -> None:
    body = plan_for(client, "Serve Llama 3.1 405B in fp32 with 128k context for 64 concurrent users on a single node")
    plan = body["deployment_plan"]
    # 405B x 4 bytes = 1,624 GB of weights alone: more than the largest node in the catalog (8 x 192 GB).
    largest = max(r["total_vram_gb"] for r in plan["gpu_recommendations"])
    assert plan["sizing"]["required_vram_gb"] > largest
    assert not any(r["fits"] for r in plan["gpu_recommendations"])
    assert any("nodes" in t for t in plan["tradeoffs"]) and any("Quantising" in t for t in plan["tradeoffs"])


def test_provider_switch_keeps_the_rest(client: httpx.Client) -> None:
    cid = start(client)
    send(client, cid, "Deploy Gemma 2 27B for inference on AWS")
    body = send(client, cid, "Make it Azure instead").json()
    plan = body["deployment_plan"]
    assert {r["provider"] for r in plan["gpu_recommendations"]} == {"azure"}
    assert body["workload_spec"]["model_id"] and "gemma" in body["workload_spec"]["model_id"].lower()


def test_same_conversation_same_plan(client: httpx.Client) -> None:
    message = "Serve Qwen2.5 7B Instruct on GCP for a customer FAQ bot, budget $1000/month"
    first = plan_for(client, message)["deployment_plan"]
    second = plan_for(client, message)["deployment_plan"]
    assert first == second


def test_without_a_load_the_requirement_is_what_a_replica_starts_with(client: httpx.Client) -> None:
    """No load stated: the sizing is weights + activations + KV for one --max-model-len sequence, not the
    whole KV budget of the top instance, so a smaller GPU that runs the model is not shown as fitting
    below the stated requirement (a 24 GB L4 under a 48 GB A40's 33 GB)."""
    plan = plan_for(client, "Serve Llama 3.1 8B on RunPod")["deployment_plan"]
    check_invariants(plan)
    sizing = plan["sizing"]
    assert "1 sequence(s) of 4,096 tokens" in sizing["method"] and "no load stated" in sizing["method"]
    assert sizing["required_vram_gb"] < 24
