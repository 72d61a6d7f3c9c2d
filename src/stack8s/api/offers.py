"""GET /offers: every GPU instance offer matching a few filters (what `stack8s offers` lists).

The compute search's filters without its top-k cap; a GPU is named as a user would ("h100",
"a100 80gb") and read as the planner reads it. Sorting and grouping are the client's business.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, ValidationError

from stack8s.api.deps import CurrentUser, DbConn
from stack8s.api.errors import ERROR_RESPONSES
from stack8s.catalogs.gpus import gpu_matches, gpu_named
from stack8s.errors import Unprocessable
from stack8s.tools import compute
from stack8s.tools.schemas import ComputeHit, ComputeQuery

router = APIRouter(tags=["tools"], responses=ERROR_RESPONSES)
MAX_OFFERS = 100_000


class OffersOut(BaseModel):
    offers: list[ComputeHit] = Field(description="cheapest first (spot price with spot=true)")
    count: int
    gpu: str | None = Field(description="the canonical GPU name `gpu` was read as")


@router.get("/offers", response_model=OffersOut, summary="GPU instance offers of the catalog")
async def offers(
    _: CurrentUser,
    conn: DbConn,
    gpu: Annotated[str | None, Query(max_length=40, description="H100, a100-80gb, 'rtx 4090'")] = None,
    count: Annotated[int | None, Query(ge=1, le=64, description="exactly this many GPUs")] = None,
    min_count: Annotated[int | None, Query(ge=1, le=64)] = None,
    min_memory: Annotated[float | None, Query(ge=0, le=1_000, description="GB per GPU")] = None,
    min_total_memory: Annotated[float | None, Query(ge=0, le=100_000, description="GB per instance")] = None,
    provider: Annotated[list[str] | None, Query(max_length=20)] = None,
    region: Annotated[list[str] | None, Query(max_length=1000)] = None,
    spot: bool = False,
    max_price: Annotated[float | None, Query(ge=0, le=10_000, description="USD per hour")] = None,
) -> OffersOut:
    """Every GPU offer matching the filters, cheapest first. Filters combine with AND."""
    try:
        canonical = gpu_named(gpu) if gpu is not None else None
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    try:
        query = ComputeQuery(
            gpu_needed=True,
            gpu_model=canonical,
            min_gpu_count=count if count is not None else min_count,
            max_gpu_count=count,
            min_vram_per_gpu_gb=min_memory,
            min_vram_gb=min_total_memory,
            providers=[p.lower() for p in provider or []],
            regions=region or [],
            spot=spot,
            max_price_hourly=max_price,
        ).model_copy(update={"top_k": MAX_OFFERS})
    except ValidationError as exc:  # the compute search's own limits (text without NUL, lengths, ...)
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'query'}: {e['msg']}" for e in exc.errors())
        raise Unprocessable(f"bad filter: {problems}") from None
    hits = [h for h in await compute.search(conn, query) if canonical is None or gpu_matches(h.gpu_model, canonical)]
    return OffersOut(offers=hits, count=len(hits), gpu=canonical)
