"""Choose 1-3 distinct instance types: the cheapest that fit first, within budget when possible.

Honesty rules: `fits` only when the instance's total VRAM covers the requirement; when none fits
the budget, show the cheapest that fits and say what would fit the budget; when none fits at all,
show the largest and say what would (more nodes, quantisation).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from psycopg import AsyncConnection

from stack8s.agents.architect.workload import Workload
from stack8s.catalogs.gpus import gpu_spec, usable_memory_gib
from stack8s.planning import fleet as fleets
from stack8s.planning import placement as placing
from stack8s.planning.plan import HOURS_PER_MONTH, GpuRecommendation
from stack8s.planning.vllm_memory import VllmMemory, WeightFormat, vllm_memory, weights_floor_gb
from stack8s.tools import compute
from stack8s.tools.schemas import ComputeHit, ComputeQuery

CANDIDATES = 100
MAX_RECOMMENDATIONS = 3
GPUS_PER_NODE = 8  # the largest GPU nodes clouds sell; more GPUs means several nodes


@dataclass
class Selection:
    recommendations: list[GpuRecommendation]
    fits: bool = True
    notes: list[str] = field(default_factory=list)
    placements: dict[tuple[str, str], placing.Placement] = field(default_factory=dict)


def base_query(w: Workload) -> ComputeQuery:
    spec, need = w.spec, w.sizing.required_vram_gb
    query = ComputeQuery(
        gpu_needed=w.sizing.gpu_needed,
        provider=spec.provider,
        region=spec.region,
        regions=[] if spec.region else spec.regions,
        spot=bool(spec.spot),
        exclude_providers=spec.excluded_providers,
        exclude_gpus=spec.excluded_gpus,
        exclude_regions=spec.excluded_regions,
        top_k=CANDIDATES,
    )
    if not w.sizing.gpu_needed:
        return query.model_copy(update={"min_ram_gb": w.ram_needed_gb, "min_vcpu": 2})
    if w.need is not None:
        # vLLM serving: only the weights' floor, a true lower bound of every placement (planning/vllm_memory.py)
        need = weights_floor_gb(w.need.arch, w.need.fmt)
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


def holds(w: Workload, hit: ComputeHit, nodes: int = 1) -> bool:
    """Whether `nodes` x the instance hold one copy of the model: vLLM's memory budget for LLM serving (the
    model `fleet` places by), the workload's own memory model otherwise."""
    if w.need is None:
        return hit.total_vram_gb * nodes >= w.sizing.required_vram_gb
    gpus = hit.gpu_count * nodes
    if not gpus:
        return False
    if nodes == 1:
        return smallest_fit_on(w.need, hit.gpu_model, hit.vram_per_gpu_gb, hit.gpu_count) is not None
    memory = vllm_memory(
        w.need.arch,
        usable_gib=usable_memory_gib(hit.gpu_model, hit.vram_per_gpu_gb),
        tensor_parallel=gpus,
        fmt=w.need.fmt,
        kv_dtype=w.need.kv_dtype,
        max_model_len=w.need.max_model_len,
    )
    return memory.fits


def smallest_fit_on(
    need: fleets.ServingNeed, gpu_model: str | None, vram_per_gpu_gb: float, gpu_count: int
) -> VllmMemory | None:
    """The smallest tensor-parallel group of an instance's GPUs that holds one copy (vLLM's budget)."""
    return placing.smallest_fit(
        need.arch,
        usable_memory_gib(gpu_model, vram_per_gpu_gb),
        gpu_count,
        fmt=need.fmt,
        max_model_len=need.max_model_len,
        kv_dtype=need.kv_dtype,
    )


def _price(hit: ComputeHit, spot: bool) -> float:
    return hit.spot_price_hourly_usd if spot and hit.spot_price_hourly_usd is not None else hit.price_hourly_usd


def recommend(
    hits: list[ComputeHit],
    w: Workload,
    fits: bool,
    nodes: int = 1,
    placements: dict[tuple[str, str], placing.Placement] | None = None,
) -> list[GpuRecommendation]:
    out = []
    for i, hit in enumerate(hits, start=1):
        placed = (placements or {}).get((hit.provider, hit.instance_type))
        monthly = round(hit.price_hourly_usd * HOURS_PER_MONTH, 2)
        replicas = placed.replicas if placed else w.replicas
        count = placed.instance_count if placed else w.replicas * nodes
        out.append(
            GpuRecommendation(
                rank=i,
                **hit.model_dump(exclude={"source", "as_of", "price_monthly_usd"}),
                price_source=hit.source,
                price_as_of=hit.as_of.isoformat() if hit.as_of else None,
                price_monthly_usd=monthly,
                nodes=nodes,
                fits=placed is not None or (fits and holds(w, hit, nodes)),
                rationale=_rationale(hit, w, i, fits, nodes, placed),
                replicas=replicas,
                instance_count=count,
                total_monthly_usd=round(monthly * count, 2),
                performance=placed.performance if placed else None,
            )
        )
    return out


def _rationale(
    hit: ComputeHit, w: Workload, rank: int, fits: bool, nodes: int, placed: placing.Placement | None = None
) -> str:
    place = "Cheapest" if rank == 1 else f"Option {rank}:"
    if placed is not None:
        p = placed.performance
        copies = f"{placed.copies_per_node} copies per instance, " if placed.copies_per_node > 1 else ""
        return (
            f"{place} for the load: {placed.instance_count} x {hit.instance_type} ({hit.gpu_count}x {hit.gpu_model}, "
            f"{copies}tensor parallel {p.tensor_parallel}) = {placed.replicas} replica(s) of "
            f"{p.requests_per_s:g} req/s and {p.max_concurrent_sequences} sequences each, "
            f"${hit.price_hourly_usd * HOURS_PER_MONTH * placed.instance_count:,.2f}/month in {hit.region}."
        )
    if not w.sizing.gpu_needed:
        return (
            f"{place} CPU instance with {hit.vcpu:g} vCPU and {hit.ram_gb:g} GB RAM "
            f"(needs {w.ram_needed_gb:g} GB) at ${hit.price_hourly_usd:.4g}/h in {hit.region}."
        )
    total = hit.total_vram_gb * nodes
    verdict = "fits" if fits and holds(w, hit, nodes) else "does NOT fit"
    nodes_text = f"{nodes} nodes x " if nodes > 1 else ""
    return (
        f"{place} {nodes_text}{hit.gpu_count}x {hit.gpu_model} = {total:g} GB VRAM {verdict} the "
        f"{w.sizing.required_vram_gb:g} GB needed, at ${hit.price_hourly_usd:.4g}/h in {hit.region}."
    )


def place_on(
    w: Workload, gpu_model: str | None, gpu_count: int, hourly_usd: float, fmt: WeightFormat | None = None
) -> placing.Placement | None:
    """The workload's model on one instance type (optionally in another weight format), priced; None when
    the GPU is unknown or one copy does not fit."""
    spec = gpu_spec(gpu_model)
    need = w.need
    if spec is None or not gpu_count or need is None:
        return None
    if fmt is not None and fmt != need.fmt:
        need = replace(need, fmt=fmt)
    placed = fleets.place(need, spec, gpu_count)
    return placed.priced(hourly_usd) if placed is not None else None


def _offer(hit: ComputeHit, spot: bool) -> fleets.Offer:
    return fleets.Offer(
        provider=hit.provider,
        instance_type=hit.instance_type,
        region=hit.region,
        gpu_model=hit.gpu_model,
        gpu_count=hit.gpu_count,
        total_vram_gb=hit.total_vram_gb,
        hourly_usd=_price(hit, spot),
    )


BudgetRule = Callable[[str, str, float, int], bool]
"""(provider, region, hourly price, instances) -> whether the plan's whole month stays within the budget."""


async def _select_for_load(
    conn: AsyncConnection[dict[str, Any]], w: Workload, within_budget: BudgetRule | None
) -> Selection | None:
    """LLM serving: the exact search (planning/fleet.py) over every offer the constraints allow, each at its
    cheapest region. None when the model could not be placed on any of them (memory-only path then)."""
    assert w.need is not None
    query = base_query(w)
    notes: list[str] = []
    hits = await compute.all_offers(conn, query)
    if not hits:
        query, hits, notes = await relax(conn, query, w, compute.all_offers)
    by_key = {(h.provider, h.instance_type): h for h in hits}
    offers = [_offer(h, query.spot) for h in hits]
    rule = (lambda o, n: within_budget(o.provider, o.region, o.hourly_usd, n)) if within_budget else None
    found = fleets.search(offers, w.need, gpu_spec, within_budget=rule, fastest=w.spec.ranking == "fastest")
    if not found:
        return None
    chosen = found[:MAX_RECOMMENDATIONS]
    placed = {(f.offer.provider, f.offer.instance_type): f.placement for f in chosen}
    hits_chosen = [by_key[(f.offer.provider, f.offer.instance_type)] for f in chosen]
    return Selection(recommend(hits_chosen, w, True, 1, placed), notes=notes, placements=placed)


async def select(conn: AsyncConnection[dict[str, Any]], w: Workload, within_budget: BudgetRule | None) -> Selection:
    """The instances for the workload: the exact fleet search for LLM serving; otherwise (and when no offer
    could be placed) the cheapest instances that hold the model, within the budget when any is.
    `within_budget` is the plan's one budget verdict for a priced fleet."""
    if w.need is not None and w.sizing.gpu_needed and nodes_for(w) == 1:
        chosen = await _select_for_load(conn, w, within_budget)
        if chosen is not None:
            return chosen
    query = base_query(w)
    notes: list[str] = []
    nodes = nodes_for(w)
    hits = await compute.search(conn, query)
    if not hits:
        query, hits, notes = await relax(conn, query, w)
    hits = [h for h in hits if not w.sizing.gpu_needed or holds(w, h, nodes)]
    if w.spec.ranking == "fastest":
        hits = sorted(hits, key=_bandwidth_first)
    if nodes > 1:
        notes.append(f"{w.spec.gpu_count} GPUs = {nodes} nodes of {GPUS_PER_NODE}; prices are per node.")
    if hits and within_budget is not None:
        count = w.replicas * nodes
        affordable = [h for h in hits if within_budget(h.provider, h.region, _price(h, query.spot), count)]
        if affordable:
            return Selection(recommend(distinct(affordable), w, True, nodes), notes=notes)
        return Selection(recommend(distinct(hits), w, True, nodes), notes=notes)
    if hits:
        return Selection(recommend(distinct(hits), w, True, nodes), notes=notes)
    return await _nothing_fits(conn, query, w, notes)


def _bandwidth_first(hit: ComputeHit) -> tuple[float, float]:
    """'Make it faster' without a performance estimate: decoding is bound by memory bandwidth, so the GPU
    with the most bandwidth per copy first, then the price."""
    spec = gpu_spec(hit.gpu_model)
    return (-(spec.memory_bandwidth_gbps if spec else 0.0), hit.price_hourly_usd)


Search = Callable[[AsyncConnection[dict[str, Any]], ComputeQuery], Awaitable[list[ComputeHit]]]


async def relax(
    conn: AsyncConnection[dict[str, Any]], query: ComputeQuery, w: Workload, search: Search = compute.search
) -> tuple[ComputeQuery, list[ComputeHit], list[str]]:
    """Drop soft preferences one at a time (GPU model, GPU count, area), saying which was dropped; `search`
    is the query to retry (the ranked search, or the per-instance-type offers)."""
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
        hits = await search(conn, query)
        if hits:
            return query, hits, notes
    return query, [], notes


def _nodes_to_hold(w: Workload, hit: ComputeHit) -> int:
    """Nodes of `hit` that hold one copy (by the workload's memory model); 0 when no number of them does."""
    if not hit.total_vram_gb:
        return 0
    if w.need is None:
        return math.ceil(w.sizing.required_vram_gb / hit.total_vram_gb)
    return next((n for n in range(1, 65) if holds(w, hit, n)), 0)


async def _nothing_fits(
    conn: AsyncConnection[dict[str, Any]], query: ComputeQuery, w: Workload, notes: list[str]
) -> Selection:
    biggest_query = query.model_copy(update={"min_vram_gb": None, "min_vram_per_gpu_gb": None, "top_k": 20})
    biggest = distinct(await compute.largest(conn, biggest_query))
    if not biggest:
        where = f" on {w.spec.provider}" if w.spec.provider else ""
        return Selection([], fits=False, notes=[*notes, f"The catalog has no matching instance{where}."])
    top = biggest[0]
    nodes = _nodes_to_hold(w, top)
    notes.append(
        f"No single instance has the {w.sizing.required_vram_gb:g} GB needed; "
        f"the largest has {top.total_vram_gb:g} GB. "
        f"It would take {nodes} such nodes with tensor + pipeline parallelism, or a smaller precision."
    )
    return Selection(recommend(biggest, w, False), fits=False, notes=notes)
