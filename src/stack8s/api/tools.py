"""Debug endpoints: each retrieval tool on its own, with the same query models the agents use."""

from __future__ import annotations

from fastapi import APIRouter

from stack8s.api.deps import AppState, CurrentUser, DbConn
from stack8s.api.errors import ERROR_RESPONSES
from stack8s.catalogs import repository as catalog_repository
from stack8s.tools import compute, hf, k8s
from stack8s.tools.estimate import EstimateRequest, EstimateResponse, estimate
from stack8s.tools.local import ClusterStatus
from stack8s.tools.models import (
    ChartQuery,
    ChartResults,
    ComputeQuery,
    ComputeResults,
    ModelQuery,
    ModelResults,
)

router = APIRouter(tags=["tools"], responses=ERROR_RESPONSES)


@router.post("/tools/compute/search", response_model=ComputeResults)
async def compute_search(_: CurrentUser, conn: DbConn, body: ComputeQuery) -> ComputeResults:
    results = await compute.search(conn, body)
    return ComputeResults(results=results, count=len(results))


@router.post("/tools/k8s/search", response_model=ChartResults)
async def k8s_search(_: CurrentUser, conn: DbConn, body: ChartQuery) -> ChartResults:
    results = await k8s.search(conn, body)
    return ChartResults(results=results, count=len(results))


@router.post("/tools/hf/search", response_model=ModelResults)
async def hf_search(_: CurrentUser, conn: DbConn, state: AppState, body: ModelQuery) -> ModelResults:
    results = await hf.search(conn, state["embedder"], body)
    return ModelResults(results=results, count=len(results))


@router.get("/tools/local/status", response_model=ClusterStatus)
async def local_status(_: CurrentUser, state: AppState) -> ClusterStatus:
    return await state["cluster"].status()


@router.get("/catalog/stats")
async def catalog_stats(_: CurrentUser, conn: DbConn, state: AppState) -> dict[str, object]:
    stats = await catalog_repository.stats(conn)
    return {**stats, "embedding_model": {"name": state["embedder"].name, "dim": state["embedder"].dim}}


@router.post("/tools/performance/estimate", response_model=EstimateResponse)
async def performance_estimate(_: CurrentUser, conn: DbConn, body: EstimateRequest) -> EstimateResponse:
    return await estimate(conn, body)
