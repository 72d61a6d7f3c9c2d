"""The cheapest fleet that carries a serving load: an exact search over every offer.

For each offer (an instance type at its cheapest allowed region) the model is placed by `placement.place`:
every tensor-parallel size vLLM accepts on the instance's GPUs, the fewest replicas that carry the load
within the latency targets (the estimator's batch bisection), and the instances those replicas take. The
fleet's cost is the instance price x the instances. Fleets are ranked by staying within the budget, meeting
the targets, then cost (or, when the user asked for speed, by ITL and TTFT before cost).

Exactness: nothing is pre-filtered by a second memory model. The only pruning is by bounds that are never
above the true cost: a placement depends on the GPU and its count only, so offers sharing both are placed
once; and a group whose cheapest instance a month is already dearer than the `limit`-th best fleet that is
within the budget and meets the targets cannot enter the ranking (every fleet costs at least one instance).

Pure: the caller passes the offers, the GPU facts and the budget rule. Placements are cached per (model,
workload, GPU, count) across calls, so a warm turn re-prices fleets without re-running the estimator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from stack8s.planning import placement as placing
from stack8s.planning.arch import ModelArch
from stack8s.planning.hardware import GpuSpec
from stack8s.planning.load import LoadTarget
from stack8s.planning.plan import HOURS_PER_MONTH
from stack8s.planning.vllm_memory import WeightFormat

MAX_FLEETS = 3


@dataclass(frozen=True)
class ServingNeed:
    """What a serving placement depends on, resolved once from the request: model, weights, load, engine."""

    arch: ModelArch
    fmt: WeightFormat
    load: LoadTarget
    max_model_len: int
    min_replicas: int = 1
    kv_dtype: str = "auto"
    sequence_tokens: int | None = None  # tokens every sequence may hold (a stated context), else prompt + answer

    def key(self) -> tuple[object, ...]:
        """Hashable identity for the placement cache (the load's notes do not change a placement)."""
        load = self.load
        return (
            self.arch,
            self.fmt,
            load.input_tokens,
            load.output_tokens,
            load.requests_per_second,
            load.concurrent_sequences,
            load.targets,
            self.max_model_len,
            self.min_replicas,
            self.kv_dtype,
            self.sequence_tokens,
        )


@dataclass(frozen=True)
class Offer:
    """One instance type where it is cheapest among the allowed regions."""

    provider: str
    instance_type: str
    region: str
    gpu_model: str | None
    gpu_count: int
    total_vram_gb: float
    hourly_usd: float  # the price the fleet pays (spot when spot was asked for)


@dataclass(frozen=True)
class Fleet:
    offer: Offer
    placement: placing.Placement  # priced at the offer's hourly price
    monthly_usd: float  # instances x hourly x hours a month, rounded to cents
    within_budget: bool | None  # None without a budget

    @property
    def meets(self) -> bool:
        return self.placement.meets_slo


def fleet_monthly(offer: Offer, instances: int) -> float:
    """What `instances` of the offer cost a month (the one formula the search and its readers share)."""
    return round(offer.hourly_usd * HOURS_PER_MONTH * instances, 2)


_PLACEMENTS: dict[tuple[object, ...], placing.Placement | None] = {}
_CACHE_LIMIT = 8192  # (model, workload, GPU, count) entries; emptied whole when full (placements are cheap to redo)


def place(need: ServingNeed, gpu: GpuSpec, gpu_count: int) -> placing.Placement | None:
    """The placement of `need` on `gpu_count` x `gpu` (cached), unpriced; None when one copy does not fit."""
    key = (need.key(), gpu, gpu_count)
    if key not in _PLACEMENTS:
        if len(_PLACEMENTS) >= _CACHE_LIMIT:
            _PLACEMENTS.clear()
        _PLACEMENTS[key] = placing.place(
            need.arch,
            gpu,
            gpu_count,
            0.0,
            need.load,
            fmt=need.fmt,
            max_model_len=need.max_model_len,
            min_replicas=need.min_replicas,
            sequence_tokens=need.sequence_tokens,
            kv_dtype=need.kv_dtype,
        )
    return _PLACEMENTS[key]


def rank_key(fleet: Fleet, fastest: bool = False) -> tuple[object, ...]:
    """Within the budget first, then meeting the targets, then cost (speed first when asked), then the
    catalog's tie-breaks (more memory, more GPUs, then names) so the order is total."""
    o, p = fleet.offer, fleet.placement.performance
    speed = (round(p.itl_ms, 1), round(p.ttft_ms)) if fastest else ()
    return (
        fleet.within_budget is False,
        not fleet.meets,
        *speed,
        fleet.monthly_usd,
        -o.total_vram_gb,
        -o.gpu_count,
        o.provider,
        o.instance_type,
        o.region,
    )


def search(
    offers: Sequence[Offer],
    need: ServingNeed,
    gpu_of: Callable[[str | None], GpuSpec | None],
    *,
    within_budget: Callable[[Offer, int], bool] | None = None,
    fastest: bool = False,
    limit: int = MAX_FLEETS,
) -> list[Fleet]:
    """Every fleet the pruning cannot rule out, ranked (see the module docstring); the first `limit` are
    exactly the first `limit` of a brute-force search over all offers."""
    groups: dict[tuple[str | None, int], list[Offer]] = {}
    for offer in offers:
        if offer.gpu_count > 0:
            groups.setdefault((offer.gpu_model, offer.gpu_count), []).append(offer)
    order = sorted(groups.items(), key=lambda item: min(o.hourly_usd for o in item[1]))
    fleets: list[Fleet] = []
    best: list[float] = []  # costs of the cheapest fleets that are within the budget and meet the targets
    for (gpu_model, count), members in order:
        floor = min(o.hourly_usd for o in members) * HOURS_PER_MONTH
        if not fastest and len(best) >= limit and floor > best[limit - 1]:
            break  # groups are in order of their cheapest instance: no later group can enter either
        gpu = gpu_of(gpu_model)
        placed = place(need, gpu, count) if gpu is not None else None
        if placed is None:
            continue
        for offer in members:
            monthly = fleet_monthly(offer, placed.instance_count)
            within = within_budget(offer, placed.instance_count) if within_budget is not None else None
            fleets.append(Fleet(offer, placed.priced(offer.hourly_usd), monthly, within))
            if placed.meets_slo and within is not False:
                best = sorted([*best, monthly])[:limit]
    fleets.sort(key=lambda f: rank_key(f, fastest))
    return fleets
