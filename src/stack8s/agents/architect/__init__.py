"""The Architect agent: tools in, DeploymentPlan out. Every number comes from the catalog or planning/."""

from __future__ import annotations

import logging
import math

from stack8s.agents.architect import instances, prose, stack, steps
from stack8s.agents.architect import jobs as job_planning
from stack8s.agents.architect.artifacts import build_artifacts
from stack8s.agents.architect.models import model_note, recommend_models
from stack8s.agents.architect.narrate import narrate
from stack8s.agents.architect.prices import freshness
from stack8s.agents.architect.workload import Workload, plan_workload
from stack8s.agents.deps import AgentDeps
from stack8s.catalogs import cloud_costs
from stack8s.catalogs.gpus import gpu_spec
from stack8s.planning import cost as costing
from stack8s.planning import placement as placing
from stack8s.planning import sizing
from stack8s.planning.plan import (
    ChartRecommendation,
    CostEstimate,
    DeploymentPlan,
    GpuRecommendation,
    Load,
    ModelRecommendation,
)
from stack8s.planning.spec import WorkloadSpec
from stack8s.planning.vllm_memory import GIB, WeightFormat
from stack8s.tools import hf
from stack8s.tools.local import ClusterStatus

log = logging.getLogger(__name__)
EGRESS_GB_PER_MONTH = 100  # serving traffic allowance; stated in the cost line's assumption


def _storage_gb(w: Workload) -> float:
    """Block storage: weights, checkpoints, the OS and images (datasets are priced as object storage)."""
    task = str(w.spec.task_type or "inference")
    method = str(w.spec.fine_tuning_method or "full") if task in ("training", "fine_tuning") else None
    return costing.storage_gb_for(
        params_billion=w.sizing.params_billion or 0.0,
        precision=w.sizing.precision or "fp16",
        task=task,
        fine_tuning_method=method,
    )


def _cost(w: Workload, top: GpuRecommendation | None, prices: costing.ProviderPrices | None = None) -> CostEstimate:
    """The month at the top recommendation's price; storage, load balancer, egress and the managed
    Kubernetes control plane at its provider's list prices in its region (or `prices`)."""
    serving = str(w.spec.task_type or "inference") == "inference"
    placed = top is not None and top.performance is not None
    prices = prices or (cloud_costs.prices_for(top.provider, top.region) if top else None)
    return costing.estimate_cost(
        instance_hourly_usd=top.price_hourly_usd if top else 0.0,
        instance_count=(top.instance_count if placed else top.nodes) if top else 1,
        replicas=1 if placed else w.replicas,
        storage_gb=_storage_gb(w),
        dataset_gb=w.spec.dataset_size_gb or 0.0,
        load_balancer=serving,
        egress_gb=EGRESS_GB_PER_MONTH if serving else 0,
        prices=prices,
        kubernetes_control_plane=True,
        budget_monthly_usd=w.spec.budget_monthly_usd,
        spot=bool(w.spec.spot and top and top.spot_price_hourly_usd is not None),
        spot_hourly_usd=top.spot_price_hourly_usd if top else None,
    )


def _place_on_node(w: Workload, top: GpuRecommendation) -> None:
    """Tensor-parallel size for serving: the fewest GPUs of the node that hold one copy; the node's
    other GPUs run more copies at no extra cost. Training shards over every GPU of the node."""
    serving = str(w.spec.task_type or "inference") in ("inference", "batch_inference")
    tp = sizing.tensor_parallel_gpus(w.sizing.required_vram_gb, top.vram_per_gpu_gb) if serving else None
    tp = tp if tp and tp <= top.gpu_count else top.gpu_count
    w.sizing = w.sizing.model_copy(update={"tensor_parallel": tp})
    w.copies_per_node = max(1, top.gpu_count // tp)
    if w.copies_per_node > 1:
        w.assumptions.append(
            f"One copy of the model needs {tp} GPU(s); the {top.gpu_count}-GPU node runs {w.copies_per_node} "
            f"copies (tensor parallel {tp} each), {w.copies_per_node}x the sized capacity at no extra cost."
        )


def _size_from_placement(w: Workload, placed: placing.Placement) -> None:
    """The sizing of one replica as placed by vLLM's memory budget (GB = 1e9 bytes)."""
    m, tp, gb = placed.memory, placed.tensor_parallel, GIB / 1e9
    weights = round(m.weights_gib * tp * gb, 2)
    overhead = round((m.activation_gib + m.non_torch_gib) * tp * gb, 2)
    assert w.load is not None
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
    kv = round(min(m.kv_bytes_per_token * tp * sequences * per_sequence / 1e9, m.kv_cache_gib * tp * gb), 2)
    method = (
        f"one replica on {tp} GPU(s): weights {weights} GB ({m.weight_format}) + KV {kv} GB for "
        f"{sequences} sequence(s) of {per_sequence:,} tokens {at} + activations and runtime {overhead} GB "
        f"(vLLM profile {m.profile.name})"
    )
    notes = [
        f"Memory per GPU as vLLM budgets it: {m.method()}.",
        f"vLLM --max-model-len {w.max_model_len:,}; KV cache capacity {m.kv_cache_tokens:,} tokens per replica.",
        f"Activation and non-torch memory from measured vLLM profiles: {m.profile.source}.",
    ]
    w.sizing = w.sizing.model_copy(
        update={
            "weights_gb": weights,
            "kv_cache_gb": kv,
            "overhead_gb": overhead,
            "required_vram_gb": round(weights + kv + overhead, 2),
            "tensor_parallel": tp,
            "method": method,
            "notes": notes,
        }
    )
    w.copies_per_node = placed.copies_per_node
    if placed.copies_per_node > 1:
        w.assumptions.append(
            f"One copy of the model needs {tp} GPU(s); each {placed.copies_per_node * tp}-GPU node runs "
            f"{placed.copies_per_node} copies (tensor parallel {tp} each) at no extra cost."
        )
    w.replicas = placed.instance_count  # instances, each running copies_per_node vLLM servers


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
    if str(w.spec.task_type or "inference") != "inference" or top is None:
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


def _compute_budget(w: Workload) -> float | None:
    """What is left of the budget for instances once storage, load balancer, egress and the control plane
    are paid: at the named provider's prices, else at the dearest provider's (the instances' provider is
    not chosen yet)."""
    if w.spec.budget_monthly_usd is None:
        return None
    providers = [w.spec.provider] if w.spec.provider else list(cloud_costs.cloud_costs().providers)
    fixed = max(_cost(w, None, cloud_costs.prices_for(p, w.spec.region)).total_monthly_usd for p in providers)
    return max(w.spec.budget_monthly_usd - fixed, 0.0)


async def _charts_and_models(
    deps: AgentDeps, w: Workload, gpu_model: str | None
) -> tuple[list[ChartRecommendation], list[ModelRecommendation], list[str]]:
    """The Helm charts and the model table of the plan, and what the plan says about either."""
    await deps.report("charts")
    charts, missing = await stack.choose_stack(deps.conn, w, gpu_model)
    notes = [f"No chart for '{m}' in the catalog." for m in missing]
    await deps.report("model_search")
    models = await recommend_models(deps, w.spec, w.model)
    if (note := model_note(w.spec, w.model, models)) is not None:
        notes.append(note)
    return charts, models, notes


async def _cheaper_alternative(deps: AgentDeps, spec: WorkloadSpec, w: Workload, budget: float | None) -> str | None:
    """When over budget: price the same workload at 4-bit, by the same sizing and search."""
    if not w.is_llm or w.sizing.precision == "int4" or budget is None:
        return None
    quantised = plan_workload(spec.model_copy(update={"precision": "int4"}), w.model)
    sel = await instances.select(deps.conn, quantised, budget)
    if not sel.recommendations or sel.over_budget or not sel.fits:
        return None
    top = sel.recommendations[0]
    return (
        f"4-bit weights need {quantised.sizing.required_vram_gb:g} GB and fit {top.instance_type} "
        f"({top.provider}) at ${top.price_monthly_usd:,.2f}/month"
    )


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


async def _build(spec: WorkloadSpec, deps: AgentDeps) -> DeploymentPlan:
    await deps.report("sizing")
    cluster = await deps.cluster.status() if deps.cluster else ClusterStatus(connected=False, reason="not checked")
    named = await hf.get_model(deps.conn, spec.model_id) if spec.model_id else None
    w = plan_workload(spec, named)
    await deps.report("compute_search")
    if job_planning.is_job(w):
        planned = await _plan_job(w, deps, cluster)
        if planned is not None:
            return planned
    budget = _compute_budget(w)
    selection = await instances.select(deps.conn, w, budget)
    top = selection.recommendations[0] if selection.recommendations else None
    placed = selection.placements.get((top.provider, top.instance_type)) if top else None
    if placed is not None:
        _size_from_placement(w, placed)
    else:
        w.assumptions.extend([*w.memory_only_notes, *_no_performance(w, top)])
        if top is not None and w.shardable and top.gpu_count:
            _place_on_node(w, top)
    if steps.vllm_serves(w):
        update = {"max_model_len": steps.vllm_max_model_len(w), "quantization": steps.vllm_quantization(w)}
        w.sizing = w.sizing.model_copy(update=update)
    cost = _cost(w, top)
    alternative = await _cheaper_alternative(deps, spec, w, budget) if selection.over_budget else None
    charts, models, notes = await _charts_and_models(deps, w, top.gpu_model if top else None)
    return DeploymentPlan(
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
        deployment_steps=steps.build_steps(w, top, charts),
        cost_estimate=cost,
        tradeoffs=[*prose.tradeoffs(w, selection, cost, alternative, budget), *_what_if(w, top, placed), *notes],
        local_cluster=cluster.model_dump(),
        load=_load(w),
    )


async def _plan_job(w: Workload, deps: AgentDeps, cluster: ClusterStatus) -> DeploymentPlan | None:
    """Training, fine-tuning and batch jobs priced by how long they run; None (the monthly-rent plan, with
    the reason stated) when the work or the GPUs lack the figures a duration needs."""
    work = job_planning.job_work(w)
    selection = await job_planning.select(deps.conn, w, work.work) if work.work is not None else None
    if selection is None:
        why = work.reason or "no candidate instance has a GPU with known performance figures"
        w.assumptions.append(f"No job duration: {why}. Priced as instances rented for a month.")
        return None
    top = selection.recommendations[0]
    job = selection.job
    assert job is not None
    if w.shardable and top.gpu_count:
        _place_on_node(w, top)
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
