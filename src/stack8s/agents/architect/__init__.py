"""The Architect agent: tools in, DeploymentPlan out. Every number comes from the catalog or planning/."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from typing import Any

from psycopg import AsyncConnection

from stack8s.agents.architect import instances, prose, rag, stack, steps
from stack8s.agents.architect import job_selection as job_planning
from stack8s.agents.architect.artifacts import build_artifacts
from stack8s.agents.architect.model_table import model_note, recommend_models
from stack8s.agents.architect.narrate import narrate
from stack8s.agents.architect.prices import freshness
from stack8s.agents.architect.workload import Workload, plan_workload, serves_rag, serving_sizing
from stack8s.agents.deps import AgentDeps
from stack8s.catalogs import cloud_costs
from stack8s.catalogs.gpus import gpu_spec
from stack8s.planning import cost as costing
from stack8s.planning import placement as placing
from stack8s.planning import sizing
from stack8s.planning.plan import (
    HOURS_PER_MONTH,
    ChartRecommendation,
    CostEstimate,
    DeploymentPlan,
    GpuRecommendation,
    Load,
    ModelRecommendation,
    VllmServing,
)
from stack8s.planning.spec import TaskType, WorkloadSpec
from stack8s.planning.vllm_memory import WeightFormat, replica_need
from stack8s.tools import hf
from stack8s.tools.cluster import ClusterStatus
from stack8s.tools.schemas import CatalogModel

log = logging.getLogger(__name__)
EGRESS_GB_PER_MONTH = 100  # serving traffic allowance; stated in the cost line's assumption


def _storage_gb(w: Workload) -> float:
    """Block storage: weights, checkpoints, the OS and images (datasets are priced as object storage)."""
    task = w.task
    method = str(w.spec.fine_tuning_method or "full") if task in (TaskType.training, TaskType.fine_tuning) else None
    return costing.storage_gb_for(
        params_billion=w.sizing.params_billion or 0.0,
        precision=w.sizing.precision or "fp16",
        task=task,
        fine_tuning_method=method,
    )


def _month(
    w: Workload,
    provider: str | None,
    region: str | None,
    hourly_usd: float,
    instances: int,
    spot_hourly: float | None,
    parts: rag.RagParts | None = None,
) -> CostEstimate:
    """The plan's month for `instances` at `hourly_usd` (spot at `spot_hourly` when spot was asked for and the
    instance has a spot price), a RAG plan's embedder and vector store where the instances run, storage, load
    balancer, egress and the managed Kubernetes control plane at the provider's list prices in its region.
    The one place a plan's total and its budget verdict come from."""
    serving = w.task is TaskType.inference
    prices = cloud_costs.prices_for(provider, region) if provider else None
    return costing.estimate_cost(
        instance_hourly_usd=hourly_usd,
        instance_count=max(1, instances),
        storage_gb=_storage_gb(w),
        dataset_gb=w.spec.dataset_size_gb or 0.0,
        load_balancer=serving,
        egress_gb=EGRESS_GB_PER_MONTH if serving else 0,
        prices=prices,
        kubernetes_control_plane=True,
        budget_monthly_usd=w.spec.budget_monthly_usd,
        spot=bool(w.spec.spot and spot_hourly is not None),
        spot_hourly_usd=spot_hourly,
        parts=parts.cost_parts(provider, region) if parts is not None else (),
    )


def plan_cost(w: Workload, top: GpuRecommendation | None, parts: rag.RagParts | None = None) -> CostEstimate:
    """The month at the top recommendation: every instance it counts (the load's fleet, or nodes x replicas)."""
    if top is None:
        return _month(w, None, None, 0.0, 1, None)
    count = top.instance_count if top.performance is not None else top.nodes * w.replicas
    return _month(w, top.provider, top.region, top.price_hourly_usd, count, top.spot_price_hourly_usd, parts)


def budget_rule(w: Workload, parts: rag.RagParts | None = None) -> instances.BudgetRule | None:
    """Whether a priced fleet keeps the plan's whole month within the budget, by `_month` itself (the fixed
    costs per provider and region are cached, and only totals within a cent of the budget are recomputed)."""
    budget = w.spec.budget_monthly_usd
    if budget is None:
        return None
    fixed: dict[tuple[str, str], float] = {}

    def within(provider: str, region: str, hourly_usd: float, count: int) -> bool:
        if (provider, region) not in fixed:
            fixed[(provider, region)] = _month(w, provider, region, 0.0, 1, None, parts).total_monthly_usd
        approx = hourly_usd * HOURS_PER_MONTH * count + fixed[(provider, region)]
        if abs(approx - budget) > 0.05:
            return approx <= budget
        # spot prices arrive as the hourly price already, so the month is priced on demand at that price
        return _month(w, provider, region, hourly_usd, count, None, parts).within_budget is True

    return within


def _place_on_node(w: Workload, top: GpuRecommendation) -> Workload:
    """The workload on the chosen node without a load placement. Tensor-parallel size for serving: the fewest
    GPUs of the node that hold one copy; the node's other GPUs run more copies at no extra cost. Training
    shards over every GPU of the node."""
    serving = w.task in (TaskType.inference, TaskType.batch_inference)
    if w.need is not None:
        fit = instances.smallest_fit_on(w.need, top.gpu_model, top.vram_per_gpu_gb, top.gpu_count)
        tp: int | None = fit.tensor_parallel if fit is not None else None
    else:
        tp = sizing.tensor_parallel_gpus(w.sizing.required_vram_gb, top.vram_per_gpu_gb) if serving else None
    tp = tp if tp and tp <= top.gpu_count else top.gpu_count
    copies = max(1, top.gpu_count // tp)
    notes = (
        [
            f"One copy of the model needs {tp} GPU(s); the {top.gpu_count}-GPU node runs {copies} "
            f"copies (tensor parallel {tp} each), {copies}x the sized capacity at no extra cost."
        ]
        if copies > 1
        else []
    )
    sized = w.sizing.model_copy(update={"tensor_parallel": tp})
    return replace(w, sizing=sized, copies_per_node=copies, assumptions=(*w.assumptions, *notes))


def _size_from_placement(w: Workload, placed: placing.Placement) -> Workload:
    """The workload as placed: one replica's sizing by the same memory model (`vllm_memory.replica_need`),
    the copies per node and the instances the load takes."""
    m, tp = placed.memory, placed.tensor_parallel
    assert w.load is not None and w.need is not None
    if w.load.requests_per_second is None and w.load.concurrent_sequences is None:
        # No load stated: what a replica needs to start, vLLM's KV for one sequence of --max-model-len (the
        # rest of the budget is KV cache for whatever load comes; its capacity is in the notes).
        sequences, per_sequence, at = 1, w.max_model_len, "(the least vLLM starts with; no load stated)"
    else:
        # KV in use at the load: the sequences one replica holds, each at the stated context (worst case)
        # or at prompt + answer tokens.
        sequences = max(1, math.ceil(placed.load_point.batch - 1e-9))
        per_sequence = w.spec.context_length or (w.load.input_tokens + w.load.output_tokens)
        at = "at the load"
    need = replica_need(
        w.need.arch,
        fmt=m.weight_format,
        tensor_parallel=tp,
        kv_dtype=w.need.kv_dtype,
        sequences=sequences,
        tokens_per_sequence=per_sequence,
        profile=m.profile,
    )
    sized = serving_sizing(need, w.sizing.params_billion or 0.0, w.sizing.precision or "bf16", at)
    notes = [
        f"Memory per GPU as vLLM budgets it: {m.method()}.",
        f"vLLM --max-model-len {w.max_model_len:,}; KV cache capacity {m.kv_cache_tokens:,} tokens per replica.",
        f"Activation and non-torch memory from measured vLLM profiles: {m.profile.source}.",
    ]
    sizing = w.sizing.model_copy(
        update={
            "weights_gb": sized.weights_gb,
            "kv_cache_gb": sized.kv_cache_gb,
            "overhead_gb": sized.overhead_gb,
            "required_vram_gb": sized.required_vram_gb,
            "tensor_parallel": tp,
            "method": f"{sized.method} (vLLM profile {m.profile.name})",
            "notes": notes,
        }
    )
    copies = placed.copies_per_node
    shared = (
        [
            f"One copy of the model needs {tp} GPU(s); each {copies * tp}-GPU node runs "
            f"{copies} copies (tensor parallel {tp} each) at no extra cost."
        ]
        if copies > 1
        else []
    )
    # replicas: instances, each running copies_per_node vLLM servers
    return replace(
        w,
        sizing=sizing,
        copies_per_node=copies,
        replicas=placed.instance_count,
        assumptions=(*w.assumptions, *shared),
    )


def placed_workload(w: Workload, d: Decision) -> Workload:
    """The workload as the decision places it (a new value; the resolved workload is never changed): the
    replica's sizing and copies from the chosen placement, or, without one, the node's tensor parallelism
    and why there is no performance figure; vLLM's max model length and quantisation when vLLM serves."""
    if d.placement is not None:
        w = _size_from_placement(w, d.placement)
    else:
        w = replace(w, assumptions=(*w.assumptions, *_no_performance(w, d.top)))
        if d.top is not None and w.shardable and d.top.gpu_count:
            w = _place_on_node(w, d.top)
    if steps.vllm_serves(w):
        update = {"max_model_len": steps.vllm_max_model_len(w), "quantization": steps.vllm_quantization(w)}
        w = replace(w, sizing=w.sizing.model_copy(update=update))
    return w


def _what_if(w: Workload, top: GpuRecommendation | None, placed: placing.Placement | None) -> list[str]:
    """16-bit serving: the same load with FP8 weights (or 4-bit where the GPU has no FP8) on the same
    instance type, so the plan states what quantising would change."""
    if top is None or placed is None or w.weight_format not in (WeightFormat.bf16, WeightFormat.fp32):
        return []
    gpu = gpu_spec(top.gpu_model)
    fmt = WeightFormat.fp8 if gpu is not None and gpu.fp8_tflops else WeightFormat.int4
    other = instances.place_on(w, top.gpu_model, top.gpu_count, top.price_hourly_usd, fmt)
    return [prose.precision_tradeoff(top, placed, other, str(fmt))] if other is not None else []


def _no_performance(w: Workload, top: GpuRecommendation | None) -> list[str]:
    """Serving without a performance figure says why, instead of showing a made-up number."""
    if w.task is not TaskType.inference or top is None:
        return []
    if not w.sizing.gpu_needed:
        why = "it runs on CPU, and the estimator models LLM decoding on GPUs"
    elif w.load is None:
        why = f"the estimator models transformer LLM decoding; {w.spec.domain or 'this'} models are sized by memory"
    elif top.nodes > 1 or not top.fits:
        why = "one copy of the model does not fit a single node, and multi-node serving is not estimated"
    else:
        why = f"{top.gpu_model} has no performance row in catalogs/data/gpus.yaml"
    return [f"No latency or throughput estimate: {why}. Size replicas with a load test before going live."]


def _load(w: Workload) -> Load | None:
    if w.load is None:
        return None
    load = w.load
    targets = {
        k: v
        for k, v in (
            ("ttft_ms", load.targets.ttft_ms),
            ("itl_ms", load.targets.itl_ms),
            ("e2e_ms", load.targets.e2e_ms),
        )
        if v is not None
    }
    return Load(
        total_users=load.total_users,
        active_share=load.active_share,
        concurrent_sequences=load.concurrent_sequences,
        requests_per_day=load.requests_per_day,
        requests_per_second=round(load.requests_per_second, 4) if load.requests_per_second is not None else None,
        input_tokens=load.input_tokens,
        output_tokens=load.output_tokens,
        source=load.source,
        method=load.method(),
        slo=targets,
    )


async def _charts_and_models(
    deps: AgentDeps, w: Workload, gpu_model: str | None, values: dict[str, list[str]] | None = None
) -> tuple[list[ChartRecommendation], list[ModelRecommendation], list[str]]:
    """The Helm charts and the model table of the plan, and what the plan says about either."""
    await deps.report("charts")
    charts, missing = await stack.choose_stack(deps.conn, w, gpu_model, values)
    notes = [f"No chart for '{m}' in the catalog." for m in missing]
    await deps.report("model_search")
    models = await recommend_models(deps, w.spec, w.model)
    if (note := model_note(w.spec, w.model, models)) is not None:
        notes.append(note)
    return charts, models, notes


async def _cheaper_alternative(
    deps: AgentDeps, spec: WorkloadSpec, w: Workload, parts: rag.RagParts | None
) -> str | None:
    """When over budget: price the same workload at 4-bit, by the same search and budget verdict."""
    if not w.is_llm or w.sizing.precision == "int4" or spec.budget_monthly_usd is None:
        return None
    quantised = plan_workload(spec.model_copy(update={"precision": "int4"}), w.model)
    d = await decide(deps.conn, quantised, parts)
    top = d.top
    if top is None or d.over_budget or not d.selection.fits:
        return None
    return (
        f"4-bit weights fit {top.instance_count} x {top.instance_type} ({top.provider}) at "
        f"${top.total_monthly_usd:,.2f}/month for the instances"
    )


@dataclass(frozen=True)
class Decision:
    """The plan's one verdict: the chosen fleet, its month, and whether that month is within the budget."""

    selection: instances.Selection
    top: GpuRecommendation | None
    placement: placing.Placement | None
    cost: CostEstimate
    budget_monthly_usd: float | None

    @property
    def over_budget(self) -> bool:
        return self.cost.within_budget is False

    @property
    def compute_budget(self) -> float | None:
        """What the budget leaves for the model's instances once the plan's other lines (at the chosen provider,
        a RAG plan's embedder and vector store among them) are paid."""
        if self.budget_monthly_usd is None:
            return None
        model = sum(c.monthly_usd for c in self.cost.breakdown if c.item == "compute")
        return max(self.budget_monthly_usd - (self.cost.total_monthly_usd - model), 0.0)


async def decide(conn: AsyncConnection[dict[str, Any]], w: Workload, parts: rag.RagParts | None = None) -> Decision:
    """Search the instances for the resolved workload and price the chosen fleet: the plan's one decision
    (`within_budget` is the month's total against the budget, the same rule the search filtered by; a RAG
    plan's embedder and vector store are in both)."""
    selection = await instances.select(conn, w, budget_rule(w, parts))
    top = selection.recommendations[0] if selection.recommendations else None
    placed = selection.placements.get((top.provider, top.instance_type)) if top else None
    return Decision(selection, top, placed, plan_cost(w, top, parts), w.spec.budget_monthly_usd)


async def build_plan(spec: WorkloadSpec, deps: AgentDeps, previous: WorkloadSpec | None = None) -> DeploymentPlan:
    """The plan for `spec`, its prose rewritten by the LLM when one is configured."""
    return await narrate(await plan_for(spec, deps, previous), deps.chat_model, deps.settings.llm_timeout_seconds)


async def plan_for(spec: WorkloadSpec, deps: AgentDeps, previous: WorkloadSpec | None = None) -> DeploymentPlan:
    """The plan for `spec` from the catalog and planning/ (no LLM call); `previous` is the spec of the
    conversation's last plan (what changed is said)."""
    plan = await _build(spec, deps)
    await deps.report("plan")
    plan = plan.model_copy(update={"artifacts": build_artifacts(plan)})
    changed = prose.changes(previous, spec)
    if changed:
        plan = plan.model_copy(update={"understanding": f"{plan.understanding} {changed}"})
    return plan


def _generator_request(spec: WorkloadSpec, named: CatalogModel | None) -> tuple[WorkloadSpec, CatalogModel | None]:
    """The model the plan serves: a RAG request naming only its embedding model ("RAG with bge-m3") serves an
    LLM the plan picks, and the named model embeds."""
    if rag.is_rag(spec) and rag.is_embedder(named):
        return spec.model_copy(update={"model_id": None, "params_billion": None}), None
    return spec, named


async def _build(spec: WorkloadSpec, deps: AgentDeps) -> DeploymentPlan:
    await deps.report("sizing")
    cluster = await deps.cluster.status() if deps.cluster else ClusterStatus(connected=False, reason="not checked")
    named = await hf.get_model(deps.conn, spec.model_id) if spec.model_id else None
    served, model = _generator_request(spec, named)
    w = plan_workload(served, model)
    await deps.report("compute_search")
    if job_planning.is_job(w):
        planned = await _plan_job(w, deps, cluster)
        if isinstance(planned, DeploymentPlan):
            return planned
        w = replace(w, assumptions=(*w.assumptions, planned))  # why the job is priced as a month of rent
    parts = await rag.resolve(deps, w, named if model is not named else None) if serves_rag(w) else None
    d = await decide(deps.conn, w, parts)
    selection, top, placed, cost = d.selection, d.top, d.placement, d.cost
    w = placed_workload(w, d)
    vllm = steps.vllm_serving(w, top)
    alternative = await _cheaper_alternative(deps, served, w, parts) if d.over_budget else None
    values = rag.chart_values(parts, top) if parts is not None else None
    charts, models, notes = await _charts_and_models(deps, w, top.gpu_model if top else None, values)
    plan = DeploymentPlan(
        understanding=prose.understanding(w),
        assumptions=[
            *w.assumptions,
            *w.sizing.notes,
            *freshness(selection.recommendations, deps.settings.price_max_age_days),
        ],
        workload_spec=spec,
        sizing=w.sizing,
        gpu_recommendations=selection.recommendations,
        model_recommendations=models,
        kubernetes_stack=charts,
        deployment_steps=steps.build_steps(w, top, charts, vllm),
        cost_estimate=cost,
        tradeoffs=[
            *prose.tradeoffs(w, selection, cost, alternative, d.compute_budget),
            *_what_if(w, top, placed),
            *notes,
        ],
        local_cluster=cluster.model_dump(),
        load=_load(w),
        vllm=vllm,
    )
    if parts is None or top is None:
        return plan
    return await _with_rag_parts(plan, deps, parts, w, d, charts, vllm)


async def _with_rag_parts(
    plan: DeploymentPlan,
    deps: AgentDeps,
    parts: rag.RagParts,
    w: Workload,
    d: Decision,
    charts: list[ChartRecommendation],
    vllm: VllmServing | None,
) -> DeploymentPlan:
    """The RAG plan: the generator's plan with the embedder and the vector store as parts of their own (placed
    and priced in the same month), the corpus embedding job, and their steps."""
    top = d.top
    assert top is not None
    job = await rag.corpus_job(deps, parts, w.spec, top.provider)
    corpus_job = job if isinstance(job, rag.CorpusJob) else None
    parts_list = rag.components(parts, w, top, d.cost, corpus_job)
    extra = [*rag.serve_steps(parts, top, corpus_job)]
    notes = [*parts.notes, *rag.placement_notes(parts, top)]
    notes += corpus_job.notes if corpus_job is not None else ([job] if isinstance(job, str) else [])
    return plan.model_copy(
        update={
            "understanding": f"{plan.understanding} {rag.summary(parts_list)}",
            "assumptions": [*plan.assumptions, *notes],
            "deployment_steps": steps.build_steps(w, top, charts, vllm, rag.pool_steps(parts, top), extra),
            "tradeoffs": [*plan.tradeoffs, *rag.tradeoffs(parts)],
            "model_recommendations": rag.with_embedder(plan.model_recommendations, parts, w.sizing.model_id),
            "components": parts_list,
        }
    )


async def _plan_job(w: Workload, deps: AgentDeps, cluster: ClusterStatus) -> DeploymentPlan | str:
    """Training, fine-tuning and batch jobs priced by how long they run; otherwise the reason the plan falls
    back to a month of rent (the work or the GPUs lack the figures a duration needs)."""
    work = job_planning.job_work(w)
    selection = await job_planning.select(deps.conn, w, work.work) if work.work is not None else None
    if selection is None:
        why = work.reason or "no candidate instance has a GPU with known performance figures"
        return f"No job duration: {why}. Priced as instances rented for a month."
    top = selection.recommendations[0]
    job = selection.job
    assert job is not None
    if w.shardable and top.gpu_count:
        w = _place_on_node(w, top)
    spot = bool(w.spec.spot and top.spot_price_hourly_usd is not None)
    cost = costing.estimate_job_cost(
        hourly_usd=top.spot_price_hourly_usd if spot and top.spot_price_hourly_usd else top.price_hourly_usd,
        instances=job.instances,
        wall_clock_hours=job.wall_clock_hours,
        runs_per_month=w.spec.runs_per_month,
        storage_gb=_storage_gb(w),
        dataset_gb=w.spec.dataset_size_gb or 0.0,
        prices=cloud_costs.prices_for(top.provider, top.region),
        kubernetes_control_plane=True,
        budget_total_usd=w.spec.budget_total_usd,
        budget_monthly_usd=w.spec.budget_monthly_usd,
        spot=spot,
    )
    charts, models, notes = await _charts_and_models(deps, w, top.gpu_model)
    return DeploymentPlan(
        understanding=f"{prose.understanding(w)} {prose.job_summary(job, top)}",
        assumptions=[
            *w.assumptions,
            *work.notes,
            f"Duration: {job.method}.",
            *w.sizing.notes,
            *freshness(selection.recommendations, deps.settings.price_max_age_days),
        ],
        workload_spec=w.spec,
        sizing=w.sizing,
        gpu_recommendations=selection.recommendations,
        model_recommendations=models,
        kubernetes_stack=charts,
        deployment_steps=steps.build_job_steps(w, top, job, charts),
        cost_estimate=cost,
        tradeoffs=[
            *selection.notes,
            *prose.job_tradeoffs(w, selection.recommendations, selection.none_meets_deadline),
            *notes,
        ],
        local_cluster=cluster.model_dump(),
        job=job,
    )
