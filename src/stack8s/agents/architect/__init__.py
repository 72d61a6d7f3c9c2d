"""The Architect agent: tools in, DeploymentPlan out. Every number comes from the catalog or planning/."""

from __future__ import annotations

import logging

from stack8s.agents.architect import instances, prose, stack, steps
from stack8s.agents.architect.models import recommend_models
from stack8s.agents.architect.narrate import narrate
from stack8s.agents.architect.workload import Workload, plan_workload
from stack8s.agents.deps import AgentDeps
from stack8s.planning import cost as costing
from stack8s.planning import sizing
from stack8s.planning.plan import CostEstimate, DeploymentPlan, GpuRecommendation
from stack8s.planning.spec import WorkloadSpec
from stack8s.tools import hf
from stack8s.tools.local import ClusterStatus

log = logging.getLogger(__name__)
EGRESS_GB_PER_MONTH = 100  # serving traffic allowance; stated in the cost line's assumption


def _storage_gb(w: Workload) -> float:
    task = str(w.spec.task_type or "inference")
    method = str(w.spec.fine_tuning_method or "full") if task in ("training", "fine_tuning") else None
    return costing.storage_gb_for(
        params_billion=w.sizing.params_billion or 0.0,
        precision=w.sizing.precision or "fp16",
        task=task,
        fine_tuning_method=method,
        dataset_size_gb=w.spec.dataset_size_gb,
    )


def _cost(w: Workload, top: GpuRecommendation | None) -> CostEstimate:
    serving = str(w.spec.task_type or "inference") == "inference"
    return costing.estimate_cost(
        instance_hourly_usd=top.price_hourly_usd if top else 0.0,
        instance_count=top.nodes if top else 1,
        replicas=w.replicas,
        storage_gb=_storage_gb(w),
        load_balancer=serving,
        egress_gb=EGRESS_GB_PER_MONTH if serving else 0,
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


def _compute_budget(w: Workload) -> float | None:
    """What is left of the budget for instances once storage, load balancer and egress are paid."""
    if w.spec.budget_monthly_usd is None:
        return None
    fixed = _cost(w, None).total_monthly_usd
    return max(w.spec.budget_monthly_usd - fixed, 0.0)


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


async def build_plan(spec: WorkloadSpec, deps: AgentDeps) -> DeploymentPlan:
    cluster = await deps.cluster.status() if deps.cluster else ClusterStatus(connected=False, reason="not checked")
    named = await hf.get_model(deps.conn, spec.model_id) if spec.model_id else None
    w = plan_workload(spec, named)
    budget = _compute_budget(w)
    selection = await instances.select(deps.conn, w, budget)
    top = selection.recommendations[0] if selection.recommendations else None
    if top is not None and w.shardable and top.gpu_count:
        _place_on_node(w, top)
    cost = _cost(w, top)
    alternative = await _cheaper_alternative(deps, spec, w, budget) if selection.over_budget else None
    charts, missing = await stack.choose_stack(deps.conn, w, top.gpu_model if top else None)
    notes = [f"No chart for '{m}' in the catalog." for m in missing]
    plan = DeploymentPlan(
        understanding=prose.understanding(w),
        assumptions=[*w.assumptions, *w.sizing.notes],
        workload_spec=spec,
        sizing=w.sizing,
        gpu_recommendations=selection.recommendations,
        model_recommendations=await recommend_models(deps, spec, named),
        kubernetes_stack=charts,
        deployment_steps=steps.build_steps(w, top, charts),
        cost_estimate=cost,
        tradeoffs=[*prose.tradeoffs(w, selection, cost, alternative), *notes],
        local_cluster=cluster.model_dump(),
    )
    return await narrate(plan, deps.chat_model)
