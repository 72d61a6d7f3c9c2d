"""Serving plans sized for the load, through HTTP: the issue's examples (issue 7) and the plan's own sums."""

from __future__ import annotations

import httpx
import pytest
from tests.agents.test_architect import check_invariants, plan_for

from stack8s.catalogs.gpus import gpu_spec


def check_load(plan: dict) -> None:
    """Every recommendation carries the load: total = price x instances, replicas cover the rate and the
    stated sequences, tokens/s never above sequences / ITL, and the cost counts every instance."""
    check_invariants(plan)
    load = plan["load"]
    for r in plan["gpu_recommendations"]:
        perf = r["performance"]
        assert perf is not None
        assert r["total_monthly_usd"] == pytest.approx(r["price_monthly_usd"] * r["instance_count"], abs=0.02)
        if load["requests_per_second"]:
            assert r["replicas"] * perf["requests_per_s"] >= load["requests_per_second"]
        if load["concurrent_sequences"]:
            assert r["replicas"] * perf["max_concurrent_sequences"] >= load["concurrent_sequences"]
        assert perf["output_tokens_per_s"] <= perf["max_concurrent_sequences"] * 1000 / perf["itl_ms"] * 1.001
    compute = next(c for c in plan["cost_estimate"]["breakdown"] if c["item"] == "compute")
    assert compute["monthly_usd"] == pytest.approx(plan["gpu_recommendations"][0]["total_monthly_usd"], abs=0.02)


def test_100_requests_per_second_of_a_70b_model_needs_the_compute_of_its_prefill(client: httpx.Client) -> None:
    body = plan_for(client, "Llama 3.3 70B, 100 requests per second, 1,500-token prompts, 300-token answers")
    plan = body["deployment_plan"]
    check_load(plan)
    assert plan["load"]["requests_per_second"] == 100
    assert (plan["load"]["input_tokens"], plan["load"]["output_tokens"]) == (1500, 300)
    top = plan["gpu_recommendations"][0]
    gpu = gpu_spec(top["gpu_model"])
    assert gpu is not None and gpu.peak_tflops_16bit is not None
    # prefill alone: 2 x 70.6e9 parameters x 150,000 prompt tokens/s; the instances' dense peak must exceed it
    peak = top["instance_count"] * top["gpu_count"] * gpu.peak_tflops_16bit * 1e12
    assert peak >= 2 * 70.6e9 * 100 * 1500


def test_developers_with_a_latency_target(client: httpx.Client) -> None:
    body = plan_for(client, "gpt-oss-120b as a coding assistant for 500 developers, p95 latency under 2 seconds")
    plan = body["deployment_plan"]
    check_load(plan)
    assert plan["load"]["total_users"] == 500 and plan["load"]["slo"] == {"ttft_ms": 2000}
    top = plan["gpu_recommendations"][0]
    assert top["performance"]["meets_slo"] is True and top["performance"]["ttft_ms"] <= 2000
    assert any("500 users" in a and "requests/s" in a for a in plan["assumptions"])


def test_a_stated_rate_is_carried(client: httpx.Client) -> None:
    plan = plan_for(client, "Serve DeepSeek R1 distill Qwen 32B, 50 requests per second")["deployment_plan"]
    check_load(plan)
    assert plan["load"]["requests_per_second"] == 50 and plan["load"]["source"] == "stated"


def test_a_daily_volume_becomes_a_peak_rate(client: httpx.Client) -> None:
    plan = plan_for(client, "Serve Llama 3.1 8B Instruct for 1 million requests per day")["deployment_plan"]
    check_load(plan)
    assert plan["load"]["requests_per_day"] == 1e6
    assert plan["load"]["requests_per_second"] == pytest.approx(1e6 / 86400 * 3, rel=1e-3)
    assert "requests/day" in plan_for(client, "Serve Llama 3.1 8B Instruct for 1 million requests per day")["response"]


def test_the_markdown_shows_the_load_chain_and_the_performance(client: httpx.Client) -> None:
    text = plan_for(client, "Serve Qwen2.5 7B Instruct at 10 requests per second on GCP")["response"]
    assert "### Load" in text and "10 requests/s ->" in text and "replica(s) on" in text
    assert "| TTFT ms | ITL ms |" in text and "$/Mtok out" in text


def test_a_tighter_latency_target_never_costs_less(client: httpx.Client) -> None:
    loose = plan_for(client, "Serve Llama 3.1 8B Instruct at 20 requests per second on AWS")["deployment_plan"]
    tight = plan_for(
        client, "Serve Llama 3.1 8B Instruct at 20 requests per second on AWS, at least 60 tokens/s per user"
    )["deployment_plan"]
    check_load(tight)
    assert tight["cost_estimate"]["total_monthly_usd"] >= loose["cost_estimate"]["total_monthly_usd"]


def test_sixteen_bit_serving_prices_fp8_weights(client: httpx.Client) -> None:
    plan = plan_for(client, "Serve Llama 3.1 70B Instruct at 5 requests per second on AWS")["deployment_plan"]
    assert any(
        t.startswith(("FP8 weights on", "INT4 weights on")) and "instance(s) instead of" in t for t in plan["tradeoffs"]
    )


def test_serving_without_an_estimate_says_why(client: httpx.Client) -> None:
    plan = plan_for(client, "Serve SDXL for image generation on AWS")["deployment_plan"]
    assert all(r["performance"] is None for r in plan["gpu_recommendations"]) and plan["load"] is None
    assert any(a.startswith("No latency or throughput estimate:") for a in plan["assumptions"])
