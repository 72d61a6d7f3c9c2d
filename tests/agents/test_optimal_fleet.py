"""The plan's top fleet is the cheapest that meets the load, proven against a brute-force search (issue 17).

The brute force here is written independently of `planning/fleet.py` and `agents/architect/instances.py`: it
reads every instance row of the catalog (every region, no SQL filter, no pruning, no dominance), tries every
tensor-parallel size on it through the public estimator functions (`vllm_memory`, `performance.step_model`,
`best_batch`, `load.replicas_needed`), takes the fewest replicas and the instances they need, and ranks the
fleets by the same rule a user is promised: within the budget, meeting the targets, then the lowest cost.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.rows import dict_row
from tests.agents.test_architect import plan_for

from stack8s.agents import architect
from stack8s.agents.architect import job_selection as job_planning
from stack8s.agents.architect.workload import Workload, plan_workload
from stack8s.catalogs.gpus import gpu_spec
from stack8s.planning import jobs
from stack8s.planning import performance as perf
from stack8s.planning.fleet import ServingNeed
from stack8s.planning.hardware import GpuSpec
from stack8s.planning.load import replicas_needed
from stack8s.planning.plan import HOURS_PER_MONTH
from stack8s.planning.spec import Slo, WorkloadSpec
from stack8s.planning.vllm_memory import tensor_parallel_problem, vllm_memory, weights_floor_gb
from stack8s.tools import hf

TP_SIZES = (1, 2, 4, 8)
MODELS = [
    "meta-llama/Llama-3.1-8B-Instruct",
    "meta-llama/Llama-3.3-70B-Instruct",
    "Qwen/Qwen2.5-32B-Instruct",
    "Qwen/Qwen3-30B-A3B-Instruct-2507",
    "mistralai/Mistral-Small-3.2-24B-Instruct-2506",
    "google/gemma-3-27b-it",
    "openai/gpt-oss-120b",
    "mistralai/Mixtral-8x7B-Instruct-v0.1",
]


@dataclass(frozen=True)
class Brute:
    cost: float
    within: bool | None
    meets: bool
    where: str


_MEMO: dict[tuple[object, ...], tuple[int, bool] | None] = {}


def _per_instance(need: ServingNeed, gpu: GpuSpec, count: int) -> tuple[int, bool] | None:
    """(fewest instances, meets the targets) of `count` x `gpu` for the load, the best over every TP (memoised:
    the same inputs give the same answer; nothing is skipped)."""
    key = (need.key(), gpu, count)
    if key not in _MEMO:
        _MEMO[key] = _brute_instance(need, gpu, count)
    return _MEMO[key]


def _brute_instance(need: ServingNeed, gpu: GpuSpec, count: int) -> tuple[int, bool] | None:
    work = perf.RequestShape(need.load.input_tokens, need.load.output_tokens)
    best: tuple[bool, int] | None = None
    for tp in TP_SIZES:
        if tp > count or tensor_parallel_problem(need.arch, tp):
            continue
        memory = vllm_memory(
            need.arch,
            usable_gib=gpu.usable_memory_gib,
            tensor_parallel=tp,
            fmt=need.fmt,
            kv_dtype=need.kv_dtype,
            max_model_len=need.max_model_len,
        )
        if not memory.fits:
            continue
        limit = perf.max_batch(memory, work, need.sequence_tokens)
        if limit < 1:
            continue
        model = perf.step_model(need.arch, gpu, memory)
        point, meets = perf.best_batch(model, work, limit, need.load.targets)
        replicas = max(need.min_replicas, replicas_needed(need.load, point.requests_per_s, point.batch))
        instances = math.ceil(replicas / (count // tp))
        option = (not meets, instances)
        best = option if best is None or option < best else best
    return (best[1], not best[0]) if best is not None else None


def _allowed(row: dict[str, Any], spec: WorkloadSpec) -> bool:
    if spec.provider and row["provider"] != spec.provider.lower():
        return False
    if spec.region and row["region"] != spec.region:
        return False
    return not (spec.spot and row["spot_price_hourly_usd"] is None)


def brute_force(rows: tuple[dict[str, Any], ...], w: Workload) -> Brute | None:
    need = w.need
    assert need is not None
    rule = architect.budget_rule(w)
    floor = weights_floor_gb(need.arch, need.fmt)
    spec = w.spec
    # as documented: when the constraints leave no instance with room for the weights, the region and then the
    # provider are dropped, and the plan says so
    for relaxed in (
        spec,
        spec.model_copy(update={"region": None}),
        spec.model_copy(update={"region": None, "provider": None}),
    ):
        allowed = [r for r in rows if _allowed(r, relaxed) and r["total_vram_gb"] >= floor]
        if allowed:
            break
    best: tuple[tuple[bool, bool, float], Brute] | None = None
    for row in allowed:
        gpu = gpu_spec(row["gpu_model"])
        if gpu is None or not row["gpu_count"]:
            continue
        placed = _per_instance(need, gpu, row["gpu_count"])
        if placed is None:
            continue
        instances, meets = placed
        price = row["spot_price_hourly_usd"] if w.spec.spot else row["price_hourly_usd"]
        cost = round(price * HOURS_PER_MONTH * instances, 2)
        within = rule(row["provider"], row["region"], price, instances) if rule else None
        key = (within is False, not meets, cost)
        if best is None or key < best[0]:
            where = f"{instances} x {row['provider']} {row['instance_type']} {row['region']}"
            best = (key, Brute(cost, within, meets, where))
    return best[1] if best else None


@cache
def _rows(db_dsn: str) -> tuple[dict[str, Any], ...]:
    with psycopg.connect(db_dsn, row_factory=dict_row) as conn:
        return tuple(conn.execute("SELECT * FROM cloud.instances WHERE gpu_count > 0").fetchall())


@pytest.fixture
def rows(db_dsn: str) -> tuple[dict[str, Any], ...]:
    return _rows(db_dsn)


async def _decide(db_dsn: str, spec: WorkloadSpec) -> tuple[Workload, architect.Decision]:
    async with await psycopg.AsyncConnection.connect(db_dsn, row_factory=dict_row) as conn:
        named = await hf.get_model(conn, spec.model_id) if spec.model_id else None
        w = plan_workload(spec, named)
        return w, await architect.decide(conn, w)


def check_optimal(db_dsn: str, rows: tuple[dict[str, Any], ...], spec: WorkloadSpec) -> architect.Decision:
    w, d = asyncio.run(_decide(db_dsn, spec))
    expected = brute_force(rows, w)
    if expected is None:
        assert d.placement is None, "the search placed a fleet the brute force could not"
        return d
    assert d.top is not None and d.top.performance is not None, f"brute force found {expected}"
    found = (d.cost.within_budget is False, not d.top.performance.meets_slo)
    assert found == (expected.within is False, not expected.meets), (d.top.rationale, expected)
    assert d.cost.compute_monthly_usd == pytest.approx(expected.cost, rel=0.005), (d.top.rationale, expected)
    # one verdict: within_budget is the month's total against the budget, and the search agreed with it
    budget = spec.budget_monthly_usd
    assert d.cost.within_budget == (None if budget is None else d.cost.total_monthly_usd <= budget)
    return d


def _spec(**fields: Any) -> WorkloadSpec:
    return WorkloadSpec(task_type="inference", domain="nlp", **fields)


providers = st.sampled_from([None, "aws", "gcp", "azure", "lambda", "runpod", "oci"])
loads = st.one_of(
    st.builds(lambda r: {"requests_per_second": r}, st.sampled_from([0.5, 2.0, 8.0, 30.0])),
    st.builds(lambda u: {"total_users": u}, st.sampled_from([20, 300, 2000])),
    st.builds(lambda c: {"concurrent_users": c}, st.sampled_from([4, 40, 200])),
)
slos = st.one_of(
    st.none(),
    st.builds(Slo, ttft_ms=st.sampled_from([500.0, 1000.0, 3000.0])),
    st.builds(Slo, itl_ms=st.sampled_from([30.0, 60.0])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    model=st.sampled_from(MODELS),
    precision=st.sampled_from([None, "fp8", "int4"]),
    load=loads,
    slo=slos,
    provider=providers,
    budget=st.sampled_from([None, 800.0, 5000.0, 15000.0, 60000.0]),
    spot=st.sampled_from([False, False, True]),
)
def test_the_top_fleet_is_the_brute_force_optimum(
    db_dsn: str,
    model: str,
    precision: str | None,
    load: dict[str, Any],
    slo: Slo | None,
    provider: str | None,
    budget: float | None,
    spot: bool,
) -> None:
    spec = _spec(
        model_id=model, precision=precision, slo=slo, provider=provider, budget_monthly_usd=budget, spot=spot, **load
    )
    check_optimal(db_dsn, _rows(db_dsn), spec)


def test_a_region_is_honoured(db_dsn: str, rows: tuple[dict[str, Any], ...]) -> None:
    spec = _spec(model_id="meta-llama/Llama-3.1-8B-Instruct", provider="aws", region="eu-west-1", requests_per_second=5)
    d = check_optimal(db_dsn, rows, spec)
    assert d.top is not None and d.top.region == "eu-west-1"


# --- the examples, through HTTP -----------------------------------------------------------------


def test_70b_for_300_employees_on_aws_budget_verdict_agrees_with_the_cheapest_fleet(
    client: httpx.Client, db_dsn: str, rows: tuple[dict[str, Any], ...]
) -> None:
    """The budget verdict is the cheapest fleet's price against the budget, and that fleet is the cheapest
    that meets the target (brute force). With measured kernels a 4x L40S node no longer meets a 1 s first
    token for a 70B model (its PCIe all-reduces: AIConfigurator measured 3.3 ms per 8 MB on 4 L40S)."""
    text = "Serve Llama 3.3 70B Instruct to 300 employees on AWS, first token under 1 s, budget $15k a month"
    body = plan_for(client, text)
    plan = body["deployment_plan"]
    top = plan["gpu_recommendations"][0]
    total = plan["cost_estimate"]["total_monthly_usd"]
    assert plan["cost_estimate"]["within_budget"] is (total <= 15000)
    assert top["performance"]["meets_slo"] is True and top["performance"]["ttft_ms"] <= 1000
    assert ("over budget" in body["response"].lower() or "above" in body["response"].lower()) is (total > 15000)
    check_optimal(db_dsn, rows, WorkloadSpec.model_validate(plan["workload_spec"]))


def test_32b_for_40_sessions_on_gcp_is_the_cheapest(
    client: httpx.Client, db_dsn: str, rows: tuple[dict[str, Any], ...]
) -> None:
    """Was 1 x g2-standard-96 (8x L4) at $5,842 while one A100-80GB node at $3,700 carries the same load."""
    plan = plan_for(client, "Qwen2.5 32B Instruct on GCP for 40 concurrent chat sessions")["deployment_plan"]
    top = plan["gpu_recommendations"][0]
    assert top["provider"] == "gcp" and top["total_monthly_usd"] <= 3700 * 1.005, top["rationale"]
    check_optimal(db_dsn, rows, WorkloadSpec.model_validate(plan["workload_spec"]))


def test_over_budget_advice_only_when_nothing_fits_the_budget(client: httpx.Client) -> None:
    within = plan_for(client, "Serve Llama 3.1 8B Instruct at 2 requests per second on AWS, budget $3,000 a month")
    plan = within["deployment_plan"]
    assert plan["cost_estimate"]["within_budget"] is True
    assert plan["cost_estimate"]["total_monthly_usd"] <= 3000
    assert not any("above the" in t for t in plan["tradeoffs"])
    over = plan_for(client, "Serve Llama 3.3 70B Instruct at 20 requests per second on AWS, budget $2,000 a month")
    plan = over["deployment_plan"]
    assert plan["cost_estimate"]["within_budget"] is False
    assert plan["cost_estimate"]["total_monthly_usd"] > 2000
    assert any("above the" in t for t in plan["tradeoffs"])


# --- jobs: the cheapest run that meets the deadline --------------------------------------------------------


async def _job(db_dsn: str, spec: WorkloadSpec) -> tuple[Workload, Any, Any]:
    async with await psycopg.AsyncConnection.connect(db_dsn, row_factory=dict_row) as conn:
        named = await hf.get_model(conn, spec.model_id) if spec.model_id else None
        w = plan_workload(spec, named)
        work = job_planning.job_work(w).work
        assert work is not None
        return w, work, await job_planning.select(conn, w, work)


@pytest.mark.parametrize(
    "fields",
    [
        {"model_id": "meta-llama/Llama-3.1-8B-Instruct", "fine_tuning_method": "lora", "deadline_hours": 12},
        {"model_id": "meta-llama/Llama-3.1-8B-Instruct", "fine_tuning_method": "full", "deadline_hours": 48},
        {
            "model_id": "Qwen/Qwen2.5-32B-Instruct",
            "fine_tuning_method": "qlora",
            "deadline_hours": 24,
            "provider": "aws",
        },
    ],
)
def test_a_job_is_the_cheapest_run_that_meets_its_deadline(
    db_dsn: str, rows: tuple[dict[str, Any], ...], fields: dict[str, Any]
) -> None:
    spec = WorkloadSpec(task_type="fine_tuning", domain="nlp", training_tokens=200_000_000, **fields)
    w, work, selection = asyncio.run(_job(db_dsn, spec))
    need = w.sizing.required_vram_gb
    costs = []
    for row in rows:
        gpu = gpu_spec(row["gpu_model"])
        if gpu is None or not _allowed(row, spec) or row["total_vram_gb"] < need:
            continue
        run = jobs.run_on(work, gpu, row["gpu_count"], row["price_hourly_usd"], spec.deadline_hours)
        if run is not None and run.meets_deadline:
            costs.append(run.cost_usd)
    assert costs, "some instance meets the deadline"
    job = selection.job
    assert job.meets_deadline is True
    # ranked by cost, runs within 3% of the cheapest counted as ties and taken by fewer hours (planning/jobs.py)
    assert min(costs) - 0.01 <= job.job_cost_usd <= min(costs) * (1 + jobs.SAME_COST_SHARE) + 0.01
