"""RAG plans through HTTP (issue 19, item 5): a generator LLM sized for the load exactly as any LLM serving plan,
an embedding model with its own placement and cost, Qdrant, a priced one-off job for a stated corpus, and a
month that is the sum of its parts. Plus: plain LLM plans get none of it, and a fraud classifier on
transactions is planned as tabular, never as object detection."""

from __future__ import annotations

import math

import httpx
import psycopg
import pytest
from tests.agents.test_architect import check_invariants, plan_for

from stack8s.planning.jobs import TEXT_TOKENS_PER_GB

RAG_WIKI = "RAG chatbot over our internal wiki with Llama 3.1 8B, 50 people at the same time, on AWS"
EMBEDDER = "BAAI/bge-base-en-v1.5"  # the documented default (agents/architect/rag.py)
EMBEDDING_TAGS = ("feature-extraction", "sentence-similarity")
VISION_TAGS = {"object-detection", "image-segmentation", "image-classification", "zero-shot-object-detection"}


def parts_of(plan: dict) -> dict[str, dict]:
    """The plan's parts by role, each checked against the cost lines it names; the month = the parts' lines
    + the shared lines (storage, load balancer, egress, control plane), and the sum of every line."""
    check_invariants(plan)
    parts = {c["role"]: c for c in plan["components"]}
    assert [c["role"] for c in plan["components"]] == ["generator", "embedder", "vector_store"]
    cost = plan["cost_estimate"]
    lines = {line["item"]: line["monthly_usd"] for line in cost["breakdown"]}
    assert len(lines) == len(cost["breakdown"])  # one line per item: the parts' lines are not merged
    named = [item for c in plan["components"] for item in c["cost_items"]]
    assert len(named) == len(set(named)) and set(named) <= set(lines)
    for c in plan["components"]:
        assert c["monthly_usd"] == pytest.approx(sum(lines[i] for i in c["cost_items"]), abs=0.011), c["role"]
    shared = sum(v for k, v in lines.items() if k not in named)
    total = sum(c["monthly_usd"] for c in plan["components"]) + shared
    assert cost["total_monthly_usd"] == pytest.approx(total, abs=0.02)
    assert cost["compute_monthly_usd"] == pytest.approx(
        lines["compute"] + lines["embedding model"] + lines["vector store"], abs=0.02
    )
    return parts


def test_a_rag_chatbot_plans_a_generator_an_embedder_and_qdrant(client: httpx.Client) -> None:
    body = plan_for(client, RAG_WIKI)
    plan = body["deployment_plan"]
    assert plan["workload_spec"]["use_case"] == "rag"
    parts = parts_of(plan)
    top = plan["gpu_recommendations"][0]

    generator = parts["generator"]
    assert generator["model_id"] == plan["workload_spec"]["model_id"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert (generator["provider"], generator["instance_type"]) == (top["provider"], top["instance_type"])
    assert generator["instances"] == top["instance_count"] >= 1
    assert generator["gpu_count"] >= 1
    assert generator["monthly_usd"] == pytest.approx(top["total_monthly_usd"], abs=0.02)
    perf = generator["performance"]
    assert perf is not None and perf["ttft_ms"] > 0 and perf["itl_ms"] > 0 and perf["meets_slo"] is True
    # 50 people at once: the replicas carry 50 sequences
    assert top["replicas"] * perf["max_concurrent_sequences"] >= 50

    embedder = parts["embedder"]
    assert embedder["model_id"] == EMBEDDER != generator["model_id"]
    assert embedder["provider"] == "aws" and embedder["region"] == generator["region"]
    assert embedder["instance_type"] and embedder["instances"] >= 1 and embedder["gpu_count"] == 0
    assert embedder["vcpu"] >= 2 and embedder["monthly_usd"] > 0
    assert embedder["job"] is None  # no corpus stated, no one-off job
    # the model table: the named generator first, the plan's embedding model in it too
    models = {m["model_id"]: m for m in plan["model_recommendations"]}
    assert plan["model_recommendations"][0]["model_id"] == generator["model_id"]
    assert models[EMBEDDER]["pipeline_tag"] in EMBEDDING_TAGS

    store = parts["vector_store"]
    assert store["instance_type"] and store["instances"] >= 1 and store["monthly_usd"] > 0
    qdrant = [c for c in plan["kubernetes_stack"] if c["chart"] == "qdrant"]
    assert len(qdrant) == 1 and f"replicaCount={store['instances']}" in qdrant[0]["install_command"]

    titles = [s["title"] for s in plan["deployment_steps"]]
    assert [s["order"] for s in plan["deployment_steps"]] == list(range(1, len(titles) + 1))
    assert "Add node pools for the embedding model and Qdrant" in titles
    assert titles.index("Serve the embedding model (Text Embeddings Inference on CPU)") > titles.index(
        "Serve the model with vLLM"
    )
    markdown = body["response"]
    assert "### Parts" in markdown and EMBEDDER in markdown and "| vector store | Qdrant |" in markdown
    assert "A RAG system in three parts" in plan["understanding"]


def test_the_generator_is_sized_as_the_same_llm_serving_plan(client: httpx.Client) -> None:
    """Decide once: the generator's fleet is the one the plain serving path picks for the same load and tokens
    (RAG requests are 4,096 prompt + 512 answer tokens)."""
    rag = plan_for(client, RAG_WIKI)["deployment_plan"]
    plain = plan_for(
        client, "Serve Llama 3.1 8B to 50 people at the same time on AWS, 4,096-token prompts and 512-token answers"
    )["deployment_plan"]
    assert plain["components"] == []
    keys = ("provider", "instance_type", "region", "replicas", "instance_count", "total_monthly_usd", "performance")
    assert [{k: r[k] for k in keys} for r in rag["gpu_recommendations"]] == [
        {k: r[k] for k in keys} for r in plain["gpu_recommendations"]
    ]
    assert rag["sizing"] == plain["sizing"] and rag["vllm"] == plain["vllm"]
    assert rag["cost_estimate"]["total_monthly_usd"] > plain["cost_estimate"]["total_monthly_usd"]


@pytest.mark.parametrize(
    ("message", "corpus_gb"),
    [
        ("RAG chatbot over our 20,000 internal PDFs with Llama 3.1 8B on AWS, 50 people at the same time", 2.0),
        ("A RAG chatbot over 2 million documents with Llama 3.1 8B on AWS, 20 people at the same time", 200.0),
    ],
)
def test_a_stated_corpus_gets_a_priced_embedding_job(
    client: httpx.Client, db_dsn: str, message: str, corpus_gb: float
) -> None:
    body = plan_for(client, message)
    plan = body["deployment_plan"]
    assert plan["workload_spec"]["dataset_size_gb"] == corpus_gb
    parts = parts_of(plan)
    job = parts["embedder"]["job"]
    assert job is not None, plan["assumptions"]
    chunks = math.ceil(corpus_gb * TEXT_TOKENS_PER_GB / 512)
    # embedding_work: 2 x parameters x chunks x 512 tokens (bge-base-en-v1.5: 0.109B parameters)
    assert job["flops"] == pytest.approx(2 * 0.109e9 * chunks * 512, rel=1e-6)
    assert job["provider"] == parts["generator"]["provider"]
    with psycopg.connect(db_dsn) as conn:
        row = conn.execute(
            "SELECT gpu_model, min(price_hourly_usd) FROM cloud.instances WHERE provider = %s AND instance_type = %s "
            "GROUP BY gpu_model",
            (job["provider"], job["instance_type"]),
        ).fetchone()
    assert row is not None and row[0] is not None  # a GPU instance, priced at its cheapest region
    expected = job["wall_clock_hours"] * job["instances"] * row[1]
    assert job["job_cost_usd"] == pytest.approx(expected, rel=0.01, abs=0.011)  # cents; hours to 4 decimals
    assert plan["cost_estimate"]["job_cost_usd"] is None  # one-off: the part's job, not the serving month
    # the vector store holds every chunk's vector (Qdrant: vectors x 768 x 4 bytes x 1.5)
    store = parts["vector_store"]
    assert store["ram_gb"] * store["instances"] >= chunks * 768 * 4 * 1.5 / 1e9
    assert any(a.startswith("Corpus: ") and f"{chunks:,} chunks" in a for a in plan["assumptions"])
    assert "One-off: embedding the corpus" in body["response"]


def test_a_plain_llm_request_gets_no_rag_parts(client: httpx.Client) -> None:
    body = plan_for(client, "Serve Llama 3.1 8B to 50 concurrent users on AWS")
    plan = body["deployment_plan"]
    check_invariants(plan)
    assert plan["workload_spec"]["use_case"] is None
    assert plan["components"] == []
    assert not any(c["chart"] == "qdrant" for c in plan["kubernetes_stack"])
    items = {line["item"] for line in plan["cost_estimate"]["breakdown"]}
    assert items <= {"compute", "storage", "object storage", "load balancer", "egress", "kubernetes control plane"}
    cost = plan["cost_estimate"]
    assert cost["compute_monthly_usd"] == pytest.approx(plan["gpu_recommendations"][0]["total_monthly_usd"], abs=0.02)
    assert all(m["pipeline_tag"] == "text-generation" for m in plan["model_recommendations"])
    assert "### Parts" not in body["response"] and "Qdrant" not in body["response"]


def test_a_rag_request_without_a_model_recommends_generators_not_only_embedders(client: httpx.Client) -> None:
    plan = plan_for(client, "RAG chatbot over our 20k internal PDFs, ~50 employees using it at the same time")[
        "deployment_plan"
    ]
    parts = parts_of(plan)
    generators = [m for m in plan["model_recommendations"] if m["model_id"] != EMBEDDER]
    assert generators and all(m["pipeline_tag"] == "text-generation" for m in generators)
    assert len(generators) == len(plan["model_recommendations"]) - 1  # and the plan's embedding model
    assert parts["generator"]["model_id"] is None and "model table" in parts["generator"]["purpose"]
    assert parts["embedder"]["model_id"] == EMBEDDER


def test_a_tabular_fraud_classifier_is_never_object_detection(client: httpx.Client) -> None:
    body = plan_for(client, "Fraud detection on card transactions, serve the model on AWS")
    plan = body["deployment_plan"]
    check_invariants(plan)
    assert plan["workload_spec"]["domain"] == "tabular"
    tags = {m["pipeline_tag"] for m in plan["model_recommendations"]}
    assert not tags & VISION_TAGS and all(t.startswith("tabular") for t in tags)
    kserve = next(a for a in plan["artifacts"] if a["format"] == "kserve-inferenceservice")
    assert "sklearn" in kserve["content"]
    assert "object-detection" not in body["response"]
    assert plan["components"] == []
