"""Choose 1-3 distinct instance types: the cheapest that fit first, within budget when possible.

Honesty rules: `fits` only when the instance's total VRAM covers the requirement; when none fits
the budget, show the cheapest that fits and say what would fit the budget; when none fits at all,
show the largest and say what would (more nodes, quantisation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from psycopg import AsyncConnection

from stack8s.agents.architect.workload import Workload
from stack8s.planning.plan import HOURS_PER_MONTH, GpuRecommendation
from stack8s.tools import compute
from stack8s.tools.models import ComputeHit, ComputeQuery

CANDIDATES = 100
MAX_RECOMMENDATIONS = 3
GPUS_PER_NODE = 8  # the largest GPU nodes clouds sell; more GPUs means several nodes


@dataclass
class Selection:
    recommendations: list[GpuRecommendation]
    over_budget: bool = False
    fits: bool = True
    notes: list[str] = field(default_factory=list)


def base_query(w: Workload) -> ComputeQuery:
    spec, need = w.spec, w.sizing.required_vram_gb
    query = ComputeQuery(
        gpu_needed=w.sizing.gpu_needed,
        provider=spec.provider,
        region=spec.region,
        regions=[] if spec.region else spec.regions,
        spot=bool(spec.spot),
        top_k=CANDIDATES,
    )
    if not w.sizing.gpu_needed:
        return query.model_copy(update={"min_ram_gb": w.ram_needed_gb, "min_vcpu": 2})
    update: dict[str, object] = {"min_vram_gb": need, "gpu_model": spec.gpu_preference}
    if not w.shardable:
        update["min_vram_per_gpu_gb"] = need
    nodes = nodes_for(w)
    if nodes > 1:
        update |= {"min_gpu_count": GPUS_PER_NODE, "min_vram_gb": need / nodes}
    elif spec.gpu_count:
        update |= {"min_gpu_count": spec.gpu_count, "max_gpu_count": spec.gpu_count}
    return query.model_copy(update=update)


def nodes_for(w: Workload) -> int:
    """Nodes needed for an explicit GPU count above one node ("64 A100s" -> 8 nodes of 8)."""
    count = w.spec.gpu_count or 0
    return -(-count // GPUS_PER_NODE) if w.sizing.gpu_needed and count > GPUS_PER_NODE else 1


def distinct(hits: list[ComputeHit], limit: int = MAX_RECOMMENDATIONS) -> list[ComputeHit]:
    seen: set[tuple[str, str]] = set()
    chosen = []
    for hit in hits:
        key = (hit.provider, hit.instance_type)
        if key not in seen:
            seen.add(key)
            chosen.append(hit)
    return chosen[:limit]


def _price(hit: ComputeHit, spot: bool) -> float:
    return hit.spot_price_hourly_usd if spot and hit.spot_price_hourly_usd is not None else hit.price_hourly_usd


def recommend(hits: list[ComputeHit], w: Workload, fits: bool, nodes: int = 1) -> list[GpuRecommendation]:
    need = w.sizing.required_vram_gb
    return [
        GpuRecommendation(
            rank=i,
            **hit.model_dump(exclude={"source", "as_of", "price_monthly_usd"}),
            price_monthly_usd=round(hit.price_hourly_usd * HOURS_PER_MONTH, 2),
            nodes=nodes,
            fits=fits and hit.total_vram_gb * nodes >= need,
            rationale=_rationale(hit, w, i, fits, nodes),
        )
        for i, hit in enumerate(hits, start=1)
    ]


def _rationale(hit: ComputeHit, w: Workload, rank: int, fits: bool, nodes: int) -> str:
    place = "Cheapest" if rank == 1 else f"Option {rank}:"
    if not w.sizing.gpu_needed:
        return (
            f"{place} CPU instance with {hit.vcpu:g} vCPU and {hit.ram_gb:g} GB RAM "
            f"(needs {w.ram_needed_gb:g} GB) at ${hit.price_hourly_usd:.4g}/h in {hit.region}."
        )
    total = hit.total_vram_gb * nodes
    verdict = "fits" if fits and total >= w.sizing.required_vram_gb else "does NOT fit"
    nodes_text = f"{nodes} nodes x " if nodes > 1 else ""
    return (
        f"{place} {nodes_text}{hit.gpu_count}x {hit.gpu_model} = {total:g} GB VRAM {verdict} the "
        f"{w.sizing.required_vram_gb:g} GB needed, at ${hit.price_hourly_usd:.4g}/h in {hit.region}."
    )


async def select(conn: AsyncConnection[dict[str, Any]], w: Workload, compute_budget_monthly: float | None) -> Selection:
    query = base_query(w)
    notes: list[str] = []
    nodes = nodes_for(w)
    hits = await compute.search(conn, query)
    if not hits:
        query, hits, notes = await _relax(conn, query, w)
    if nodes > 1:
        notes.append(f"{w.spec.gpu_count} GPUs = {nodes} nodes of {GPUS_PER_NODE}; prices are per node.")
    if hits and compute_budget_monthly is not None:
        per_instance = compute_budget_monthly / (w.replicas * nodes)
        affordable = [h for h in hits if _price(h, query.spot) * HOURS_PER_MONTH <= per_instance]
        if affordable:
            return Selection(recommend(distinct(affordable), w, True, nodes), notes=notes)
        return Selection(recommend(distinct(hits), w, True, nodes), over_budget=True, notes=notes)
    if hits:
        return Selection(recommend(distinct(hits), w, True, nodes), notes=notes)
    return await _nothing_fits(conn, query, w, notes)


async def _relax(
    conn: AsyncConnection[dict[str, Any]], query: ComputeQuery, w: Workload
) -> tuple[ComputeQuery, list[ComputeHit], list[str]]:
    """Drop soft preferences one at a time (GPU model, GPU count, area), saying which was dropped."""
    steps: list[tuple[str, list[str] | None, str]] = [
        ("max_gpu_count", None, f"No instance with {w.spec.gpu_count} GPU(s) fits; larger ones are shown."),
        ("min_gpu_count", None, ""),
        ("gpu_model", None, f"No {w.spec.gpu_preference} instance fits; other GPUs are shown instead."),
        ("regions", [], "Nothing fits in the requested area; other regions of the provider are shown."),
        ("region", None, f"Nothing fits in {w.spec.region}; other regions of the provider are shown."),
        ("provider", None, f"The catalog has no {w.spec.provider} instance that fits; other providers are shown."),
    ]
    notes: list[str] = []
    for name, value, note in steps:
        if getattr(query, name) in (None, []):
            continue
        query = query.model_copy(update={name: value})
        if note:
            notes.append(note)
        hits = await compute.search(conn, query)
        if hits:
            return query, hits, notes
    return query, [], notes


async def _nothing_fits(
    conn: AsyncConnection[dict[str, Any]], query: ComputeQuery, w: Workload, notes: list[str]
) -> Selection:
    biggest_query = query.model_copy(update={"min_vram_gb": None, "min_vram_per_gpu_gb": None, "top_k": 20})
    biggest = distinct(await compute.largest(conn, biggest_query))
    if not biggest:
        where = f" on {w.spec.provider}" if w.spec.provider else ""
        return Selection([], fits=False, notes=[*notes, f"The catalog has no matching instance{where}."])
    top = biggest[0]
    nodes = math.ceil(w.sizing.required_vram_gb / top.total_vram_gb) if top.total_vram_gb else 0
    notes.append(
        f"No single instance has the {w.sizing.required_vram_gb:g} GB needed; "
        f"the largest has {top.total_vram_gb:g} GB. "
        f"It would take {nodes} such nodes with tensor + pipeline parallelism, or a smaller precision."
    )
    return Selection(recommend(biggest, w, False), fits=False, notes=notes)
