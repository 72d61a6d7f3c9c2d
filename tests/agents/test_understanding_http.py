"""Issue 9 through HTTP: exclusions honoured by the compute search and the plans, take-backs, what changed
from the last plan, budgets in other currencies, platform stacks without a model."""

from __future__ import annotations

import httpx
from tests.agents.test_architect import check_invariants, plan_for
from tests.api.test_chat import send, start


def search(client: httpx.Client, **query: object) -> list[dict]:
    response = client.post("/api/v1/tools/compute/search", json={"top_k": 50, **query})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_the_compute_search_honours_exclusions(client: httpx.Client) -> None:
    everything = search(client, gpu_needed=True)
    assert {"aws", "gcp"} <= {h["provider"] for h in everything}
    hits = search(client, gpu_needed=True, exclude_providers=["AWS", "azure"])
    assert hits and not {h["provider"] for h in hits} & {"aws", "azure"}
    hits = search(client, gpu_needed=True, exclude_gpus=["L4", "A100"])
    models = {h["gpu_model"] for h in hits}
    assert hits and "L4" not in models and not any(m.startswith("A100") for m in models)
    l40s = search(client, gpu_model="L40S", exclude_gpus=["L4"])
    assert l40s and all(h["gpu_model"] == "L40S" for h in l40s)  # "L4" never rules out "L40S"
    regions = {h["region"] for h in search(client, provider="aws", gpu_needed=True)}
    one = sorted(regions)[0]
    hits = search(client, provider="aws", gpu_needed=True, exclude_regions=[one])
    assert hits and one not in {h["region"] for h in hits}


def test_an_excluded_gpu_is_never_recommended_and_can_be_lifted(client: httpx.Client) -> None:
    body = plan_for(client, "Deploy Mistral 7B Instruct on AWS but not on A10G GPUs")
    plan = body["deployment_plan"]
    check_invariants(plan)
    assert plan["workload_spec"]["excluded_gpus"] == ["A10G"]
    assert all(r["gpu_model"] != "A10G" and r["provider"] == "aws" for r in plan["gpu_recommendations"])
    body = plan_for(
        client,
        "Deploy Mistral 7B Instruct on AWS but not on A10G GPUs",
        "Actually A10G is fine, and drop the AWS requirement",
    )
    plan = body["deployment_plan"]
    assert plan["workload_spec"]["excluded_gpus"] == [] and plan["workload_spec"]["provider"] is None


def test_the_reply_says_what_changed_from_the_last_plan(client: httpx.Client) -> None:
    cid = start(client)
    first = send(client, cid, "Serve Llama 3.1 8B on AWS")
    assert first.status_code == 200, first.text
    assert "Changed from the last plan" not in first.json()["deployment_plan"]["understanding"]
    second = send(client, cid, "Any cloud is fine now, make it faster")
    assert second.status_code == 200, second.text
    understanding = second.json()["deployment_plan"]["understanding"]
    assert "Changed from the last plan" in understanding and "provider aws -> none" in understanding
    assert "ranking none -> fastest" in understanding


def test_anything_but_two_providers(client: httpx.Client) -> None:
    plan = plan_for(client, "Serve Qwen2.5 7B Instruct, anything but AWS or Azure please")["deployment_plan"]
    assert set(plan["workload_spec"]["excluded_providers"]) == {"aws", "azure"}
    assert all(r["provider"] not in ("aws", "azure") for r in plan["gpu_recommendations"])


def test_a_budget_in_pounds_is_converted_and_cited(client: httpx.Client) -> None:
    plan = plan_for(client, "Serve Phi-4 for an internal tool, £1,200 a month maximum")["deployment_plan"]
    spec = plan["workload_spec"]
    assert 1500 <= spec["budget_monthly_usd"] <= 1620
    assert spec["currency_note"] and "GBP" in spec["currency_note"]
    assert any("GBP" in a for a in plan["assumptions"])


def test_a_platform_stack_needs_no_model(client: httpx.Client) -> None:
    text = (
        "Set up an MLOps stack: MLflow for experiment tracking and MinIO for artifacts, "
        "training small PyTorch CV models on one GPU"
    )
    body = plan_for(client, text)
    assert body["response_type"] == "deployment_plan", body["response"]
    charts = {c["chart"] for c in body["deployment_plan"]["kubernetes_stack"]}
    assert {"mlflow", "minio"} <= charts
    body = plan_for(client, "Set up Kubeflow Pipelines and MLflow on our cluster, with one small GPU for experiments")
    assert body["response_type"] == "deployment_plan", body["response"]
    plan = body["deployment_plan"]
    assert plan["gpu_recommendations"] and plan["gpu_recommendations"][0]["gpu_count"] >= 1


def test_the_issue_examples_give_plans_that_honour_them(client: httpx.Client) -> None:
    plan = plan_for(client, "Serve Llama 3.1 8B on AWS", "no, exclude L4 and L40S, and move to GCP")["deployment_plan"]
    spec = plan["workload_spec"]
    assert spec["provider"] == "gcp" and set(spec["excluded_gpus"]) == {"L4", "L40S"}
    assert spec["gpu_preference"] is None
    assert all(r["provider"] == "gcp" and r["gpu_model"] not in ("L4", "L40S") for r in plan["gpu_recommendations"])

    plan = plan_for(client, "Serve Mixtral 8x7B in Europe on Azure, but not in the UK regions")["deployment_plan"]
    assert plan["gpu_recommendations"]
    assert all(r["provider"] == "azure" and not r["region"].startswith("uk") for r in plan["gpu_recommendations"])
    assert all(r["region"] in plan["workload_spec"]["regions"] for r in plan["gpu_recommendations"])

    plan = plan_for(client, "Serve Llama 3.1 70B, our budget is €800 per month")["deployment_plan"]
    assert plan["workload_spec"]["budget_monthly_usd"] == 928.0 and "EUR" in plan["workload_spec"]["currency_note"]

    plan = plan_for(client, "Serve Mistral 7B", "actually forget the budget")["deployment_plan"]
    assert plan["workload_spec"]["budget_monthly_usd"] is None

    body = plan_for(client, "Deploy Llama 4 Scout with 1M context")
    assert body["response_type"] == "deployment_plan"
    assert "Llama-4-Scout" in body["deployment_plan"]["workload_spec"]["model_id"]

    body = plan_for(client, "fine-tune CLIP for product search")
    assert body["response_type"] == "deployment_plan"
    assert "clip" in body["deployment_plan"]["workload_spec"]["model_id"].lower()
