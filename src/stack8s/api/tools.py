"""Debug endpoints: each retrieval tool on its own, with the same query models the agents use."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from stack8s.api.deps import AppState, CurrentUser, DbConn
from stack8s.api.errors import BODY_ERRORS, ERROR_RESPONSES
from stack8s.catalogs import repository as catalog_repository
from stack8s.tools import compute, hf, k8s
from stack8s.tools.cluster import ClusterStatus
from stack8s.tools.estimate import EstimateRequest, EstimateResponse, estimate
from stack8s.tools.schemas import (
    ChartQuery,
    ChartResults,
    ComputeQuery,
    ComputeResults,
    ModelQuery,
    ModelResults,
)

router = APIRouter(tags=["tools"], responses=ERROR_RESPONSES)


def _examples(**bodies: tuple[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: {"summary": summary, "value": value} for name, (summary, value) in bodies.items()}


COMPUTE_EXAMPLES = _examples(
    h100=(
        "8 H100s on AWS under $100/hour",
        {"gpu_model": "H100", "min_gpu_count": 8, "provider": "aws", "max_price_hourly": 100},
    ),
    vram=(
        "at least 80 GB of VRAM, spot, in Europe",
        {"min_vram_gb": 80, "spot": True, "regions": ["eu-west-1", "europe-west4"]},
    ),
    cpu=("CPU only, 8+ vCPUs", {"gpu_needed": False, "min_vcpu": 8, "top_k": 5}),
)
CHART_EXAMPLES = _examples(
    vllm=("serving charts", {"query": "vllm", "top_k": 5}), mlflow=("tracking", {"query": "mlflow"})
)
MODEL_EXAMPLES = _examples(
    chat=("an open chat model", {"query": "instruction-tuned chat model", "license_filter": ["apache-2.0", "mit"]}),
    embeddings=("embeddings", {"query": "sentence embeddings", "pipeline_tag": "feature-extraction", "top_k": 3}),
)
ESTIMATE_EXAMPLES = _examples(
    catalog=(
        "a catalog model on one H100",
        {
            "model_id": "meta-llama/Llama-3.1-8B-Instruct",
            "gpu": "H100",
            "input_tokens": 1000,
            "output_tokens": 200,
            "concurrency": 32,
        },
    ),
)


@router.post("/tools/compute/search", response_model=ComputeResults, summary="Search instances", responses=BODY_ERRORS)
async def compute_search(
    _: CurrentUser, conn: DbConn, body: Annotated[ComputeQuery, Body(openapi_examples=COMPUTE_EXAMPLES)]
) -> ComputeResults:
    """Instances of the price catalog that match every filter, cheapest first (then more VRAM, more GPUs,
    provider, instance type, region)."""
    results = await compute.search(conn, body)
    return ComputeResults(results=results, count=len(results))


@router.post("/tools/k8s/search", response_model=ChartResults, summary="Search Helm charts", responses=BODY_ERRORS)
async def k8s_search(
    _: CurrentUser, conn: DbConn, body: Annotated[ChartQuery, Body(openapi_examples=CHART_EXAMPLES)]
) -> ChartResults:
    """Helm charts by name and description: exact name, then name prefix, name contains, description
    contains; ties by stars, official first, name."""
    results = await k8s.search(conn, body)
    return ChartResults(results=results, count=len(results))


@router.post(
    "/tools/hf/search", response_model=ModelResults, summary="Search Hugging Face models", responses=BODY_ERRORS
)
async def hf_search(
    _: CurrentUser,
    conn: DbConn,
    state: AppState,
    body: Annotated[ModelQuery, Body(openapi_examples=MODEL_EXAMPLES)],
) -> ModelResults:
    """Models whose cards match the query (vector search over card chunks), scored 0.6 relevance + 0.4
    popularity."""
    results = await hf.search(conn, state["embedder"], body)
    return ModelResults(results=results, count=len(results))


@router.get("/tools/local/status", response_model=ClusterStatus, summary="Check the local Kubernetes cluster")
async def local_status(_: CurrentUser, state: AppState) -> ClusterStatus:
    """Whether the kubeconfig's cluster answers, its nodes and their allocatable GPUs."""
    return await state["cluster"].status()


@router.get("/catalog/stats", summary="Catalog statistics")
async def catalog_stats(_: CurrentUser, conn: DbConn, state: AppState) -> dict[str, object]:
    """Rows per catalog and provider, models with cards, card chunks, the embedding model, and each data
    source with its freshness."""
    stats = await catalog_repository.stats(conn)
    return {**stats, "embedding_model": {"name": state["embedder"].name, "dim": state["embedder"].dim}}


@router.post(
    "/tools/performance/estimate",
    response_model=EstimateResponse,
    summary="Estimate serving performance",
    responses=BODY_ERRORS,
)
async def performance_estimate(
    _: CurrentUser, conn: DbConn, body: Annotated[EstimateRequest, Body(openapi_examples=ESTIMATE_EXAMPLES)]
) -> EstimateResponse:
    """Memory, latency and throughput of one model on one GPU type with vLLM: a catalog `model_id` or a
    config.json `architecture`, at a concurrency or a request rate."""
    return await estimate(conn, body)
