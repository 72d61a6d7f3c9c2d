"""Jobs priced by how long they run, through HTTP: the issue's examples (issue 8) and the plan's own sums."""

from __future__ import annotations

import httpx
import pytest
from tests.agents.test_architect import check_invariants, plan_for


def check_job(plan: dict) -> dict:
    """The job is priced by its duration on its instances, and the plan's numbers agree with each other."""
    check_invariants(plan)
    job = plan["job"]
    assert job is not None, plan["assumptions"]
    top = plan["gpu_recommendations"][0]
    assert (job["provider"], job["instance_type"]) == (top["provider"], top["instance_type"])
    assert job["instances"] == top["instance_count"] >= 1
    assert job["job_cost_usd"] == pytest.approx(
        job["wall_clock_hours"] * job["instances"] * top["price_hourly_usd"], rel=0.01
    )
    assert job["gpu_hours"] == pytest.approx(job["wall_clock_hours"] * job["instances"] * top["gpu_count"], rel=0.01)
    if job["deadline_hours"] is not None:
        assert job["meets_deadline"] is (job["wall_clock_hours"] <= job["deadline_hours"])
    for r in plan["gpu_recommendations"]:
        assert r["job"] is not None and r["total_monthly_usd"] == pytest.approx(
            r["price_monthly_usd"] * r["instance_count"], abs=0.02
        )
    cost = plan["cost_estimate"]
    assert cost["job_cost_usd"] == pytest.approx(job["job_cost_usd"], abs=0.01)
    titles = " ".join(s["title"] for s in plan["deployment_steps"])
    assert "Job" in titles and "SkyPilot" in titles  # steps for a job, not a long-running server
    assert any(a.startswith("Duration:") for a in plan["assumptions"])
    return job


def test_pretraining_within_a_month_meets_the_deadline(client: httpx.Client) -> None:
    plan = plan_for(client, "Pretrain a 1.3B GPT-style model on 50B tokens within a month")["deployment_plan"]
    job = check_job(plan)
    # 6 x 1.3e9 x 5e10 = 3.9e20 FLOPs (+ attention): hundreds of GPU-hours, within 730 hours
    assert job["flops"] == pytest.approx(3.9e20, rel=0.1)
    assert job["deadline_hours"] == 730 and job["meets_deadline"] is True
    assert 100 < job["gpu_hours"] < 5000
    assert "GPU-hours" in plan["understanding"]
    assert any("FLOPs" in a for a in plan["assumptions"])
    # pretraining recommends base checkpoints of the size class, or none with the reason
    for m in plan["model_recommendations"]:
        assert 0.65 <= m["params_billion"] <= 2.6 and "instruct" not in m["model_id"].lower()
    if not plan["model_recommendations"]:
        assert any("No base checkpoint" in t for t in plan["tradeoffs"])


def test_a_small_fine_tune_costs_a_few_dollars_not_a_month(client: httpx.Client) -> None:
    body = plan_for(client, "What would it cost to fine-tune Llama 3.1 8B on 10 million tokens?")
    plan = body["deployment_plan"]
    job = check_job(plan)
    assert job["gpu_hours"] < 20 and job["job_cost_usd"] < 100
    assert "for the job" in body["response"]


def test_transcription_every_month_is_tens_of_gpu_hours(client: httpx.Client) -> None:
    plan = plan_for(client, "Transcribe ~2000 hours of recordings per month with Whisper large-v3")["deployment_plan"]
    job = check_job(plan)
    assert 5 < job["gpu_hours"] < 300
    assert job["runs_per_month"] == 1 and job["monthly_cost_usd"] == pytest.approx(job["job_cost_usd"])
    assert any("24/7" in t for t in plan["tradeoffs"])


def test_a_one_off_budget_for_a_full_fine_tune(client: httpx.Client) -> None:
    text = "We have $500 in total to fully fine-tune Llama 3.1 8B (not LoRA) on 20M tokens"
    plan = plan_for(client, text)["deployment_plan"]
    spec = plan["workload_spec"]
    assert spec["fine_tuning_method"] == "full" and spec["budget_total_usd"] == 500
    assert spec["budget_monthly_usd"] is None
    job = check_job(plan)
    assert job["budget_total_usd"] == 500 and job["within_budget"] is (job["job_cost_usd"] <= 500)
    assert plan["cost_estimate"]["within_budget"] is job["within_budget"]
    # full fine-tuning: 6 x 8B x 20M x 3 epochs (not stated) ~ 3e18 FLOPs
    assert job["flops"] == pytest.approx(6 * 8.03e9 * 2e7 * 3, rel=0.15)


def test_a_tighter_deadline_never_uses_fewer_gpus(client: httpx.Client) -> None:
    gpus = []
    for weeks in ("8 weeks", "3 weeks", "1 week"):
        text = f"Train a 3B parameter language model from scratch on 100B tokens, it must be done in {weeks}"
        plan = plan_for(client, text)["deployment_plan"]
        job = check_job(plan)
        top = plan["gpu_recommendations"][0]
        gpus.append(job["instances"] * top["gpu_count"])
    assert gpus == sorted(gpus)


def test_more_tokens_never_cost_less(client: httpx.Client) -> None:
    costs = []
    for tokens in ("10 million", "100 million", "1 billion"):
        plan = plan_for(client, f"LoRA fine-tune Llama 3.1 8B on {tokens} tokens, 1 epoch")["deployment_plan"]
        costs.append(check_job(plan)["job_cost_usd"])
    assert costs == sorted(costs) and costs[0] < costs[-1]


def test_without_the_amount_of_data_the_plan_says_why(client: httpx.Client) -> None:
    plan = plan_for(client, "Fine-tune Mistral 7B with LoRA")["deployment_plan"]
    assert plan["job"] is None
    assert any("No job duration" in a and "tokens" in a for a in plan["assumptions"])


def test_vision_training_and_speech_fine_tuning_get_a_duration(client: httpx.Client) -> None:
    plan = plan_for(client, "Train ResNet-50 on about 1.2M images for 5 epochs")["deployment_plan"]
    job = check_job(plan)
    assert job["flops"] == pytest.approx(3 * 4.09e9 * 1.2e6 * 5)
    plan = plan_for(client, "Fine-tune Whisper large-v3 on 500 hours of call recordings")["deployment_plan"]
    job = check_job(plan)
    assert job["flops"] == pytest.approx(6 * 1.55e9 / 2 * 1600 * 500 * 120 * 3, rel=0.02) and job["gpu_hours"] > 0.1
