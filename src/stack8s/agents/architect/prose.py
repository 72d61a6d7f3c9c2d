"""Understanding and tradeoffs from templates. Numbers in them are formatted from the plan, never typed."""

from __future__ import annotations

from stack8s.agents.architect.instances import Selection
from stack8s.agents.architect.workload import Workload
from stack8s.planning.placement import Placement
from stack8s.planning.plan import HOURS_PER_MONTH, CostEstimate, GpuRecommendation, Job
from stack8s.planning.spec import TaskType, WorkloadSpec

TASK_WORDS = {
    "inference": "serve",
    "batch_inference": "run batch jobs with",
    "training": "train",
    "fine_tuning": "fine-tune",
}


def understanding(w: Workload) -> str:
    s = w.spec
    verb = TASK_WORDS.get(str(s.task_type or "inference"), "run")
    what = (
        w.sizing.model_id
        or s.model_needs
        or (f"a {s.params_billion:g}B-parameter model" if s.params_billion else "a model")
    )
    parts = [f"You want to {verb} {what}"]
    if s.domain:
        parts.append(f"({str(s.domain).replace('_', ' ')})")
    if s.provider:
        parts.append(f"on {s.provider}" + (f" in {s.region}" if s.region else ""))
    elif s.regions:
        parts.append(f"in {len(s.regions)} allowed regions")
    if s.budget_monthly_usd is not None:
        parts.append(f"within ${s.budget_monthly_usd:,.0f} a month")
    if s.budget_total_usd is not None:
        parts.append(f"for ${s.budget_total_usd:,.0f} in total")
    if s.deadline_hours is not None:
        parts.append(f"within {s.deadline_hours:,.0f} hours")
    if s.concurrent_users:
        parts.append(f"for {s.concurrent_users} concurrent users")
    elif s.total_users:
        parts.append(f"for {s.total_users} users")
    text = " ".join(parts) + "."
    if w.sizing.gpu_needed:
        text += f" It needs about {w.sizing.required_vram_gb:g} GB of GPU memory ({w.sizing.method})."
    else:
        text += f" It runs on CPU with about {w.ram_needed_gb:g} GB of RAM."
    return text


def _budget_tradeoff(w: Workload, top: GpuRecommendation, cost: CostEstimate, alternative: str | None) -> str:
    budget = w.spec.budget_monthly_usd or 0
    text = (
        f"The cheapest fitting option costs ${cost.total_monthly_usd:,.2f}/month in total, above the "
        f"${budget:,.0f} budget."
    )
    ideas = []
    if alternative:
        ideas.append(alternative)
    if top.spot_price_hourly_usd is not None and not w.spec.spot:
        ideas.append(f"spot capacity at ${top.spot_price_hourly_usd:.4g}/h (interruptible)")
    if w.is_llm:
        ideas.append("a smaller model of the same family")
    return text + " To fit the budget: " + "; ".join(ideas) + "." if ideas else text


def _load_tradeoffs(w: Workload, sel: Selection, over_budget: bool, budget: float | None) -> list[str]:
    """Serving under a load: other shapes for the same load, what the budget buys, $/Mtok."""
    recs = [r for r in sel.recommendations if r.performance is not None]
    if not recs:
        return []
    top, items = recs[0], []
    p = top.performance
    assert p is not None
    for alt in recs[1:]:
        q = alt.performance
        assert q is not None
        shape = (
            "more, smaller instances"
            if alt.instance_count > top.instance_count
            else "fewer, larger instances"
            if alt.instance_count < top.instance_count
            else "another shape"
        )
        items.append(
            f"{shape.capitalize()}: {alt.instance_count} x {alt.instance_type} ({alt.gpu_count}x {alt.gpu_model}, "
            f"{alt.replicas} replica(s)) carries the same load for ${alt.total_monthly_usd:,.2f}/month with TTFT "
            f"{q.ttft_ms:,.0f} ms and ITL {q.itl_ms:.1f} ms (vs {p.ttft_ms:,.0f} / {p.itl_ms:.1f} ms)."
        )
    if p.cost_per_million_output_tokens_usd:
        items.append(
            f"Self-hosted cost: ${p.cost_per_million_output_tokens_usd:,.2f} per million output tokens when a "
            f"{top.instance_type} replica runs at its planned batch of {p.max_concurrent_sequences} (GKE's formula, "
            "input tokens at 1/4 the output price); at a lighter load the same instances cost more per token."
        )
    if budget is not None and over_budget and top.price_monthly_usd > 0:
        afford = int(budget // top.price_monthly_usd)
        copies = top.replicas // max(top.instance_count, 1)
        if afford >= 1:
            items.append(
                f"The compute budget of ${budget:,.0f}/month buys {afford} x {top.instance_type}: about "
                f"{afford * copies * p.requests_per_s:.3g} requests/s or "
                f"{afford * copies * p.max_concurrent_sequences} sequences at once at these latencies, "
                f"against the {top.replicas} replica(s) the load needs."
            )
        else:
            items.append(f"The budget does not buy one {top.instance_type} (${top.price_monthly_usd:,.2f}/month).")
    return items


def precision_tradeoff(top: GpuRecommendation, placed: Placement, other: Placement, fmt: str) -> str:
    """The same load with smaller weights on the same instance type, priced and timed by the estimator."""
    p, q = placed.performance, other.performance
    return (
        f"{fmt.upper()} weights on {top.instance_type} (tensor parallel {q.tensor_parallel}, "
        f"{other.copies_per_node} copies per instance): ITL {q.itl_ms:.1f} ms instead of {p.itl_ms:.1f} ms, "
        f"TTFT {q.ttft_ms:,.0f} ms instead of {p.ttft_ms:,.0f} ms, {other.instance_count} instance(s) instead of "
        f"{placed.instance_count} (${top.price_monthly_usd * other.instance_count:,.2f}/month); "
        + ("FP8 is close to lossless for most models." if fmt == "fp8" else "4-bit costs some quality.")
    )


def tradeoffs(
    w: Workload, sel: Selection, cost: CostEstimate, alternative: str | None, budget: float | None = None
) -> list[str]:
    items = list(sel.notes)
    recs = sel.recommendations
    over_budget = cost.within_budget is False  # the plan's one verdict (agents/architect.decide)
    if any(r.performance for r in recs):
        items += _load_tradeoffs(w, sel, over_budget, budget)
    if recs and over_budget:
        items.append(_budget_tradeoff(w, recs[0], cost, alternative))
    if not sel.fits:
        items.append(
            "Quantising the weights (8-bit halves, 4-bit quarters them) or sharding over more nodes "
            "would make the model fit."
        )
    if recs and (spot := recs[0].spot_price_hourly_usd) is not None and not over_budget:
        top = recs[0]
        saving = 1 - spot / top.price_hourly_usd if top.price_hourly_usd else 0
        items.append(
            f"Spot/preemptible {top.instance_type} is {saving:.0%} cheaper (${spot:.4g}/h) "
            "but can be reclaimed: fine for batch and training with checkpoints, risky for live serving."
        )
    if (
        w.is_llm
        and w.load is None
        and w.sizing.precision in ("fp16", "bf16")
        and w.task in (TaskType.inference, TaskType.batch_inference)
    ):
        items.append("FP8 or 4-bit AWQ/GPTQ weights cut weight memory by 2-4x for a small quality loss.")
    if len(recs) > 1 and recs[1].performance is None:
        alt = recs[1]
        items.append(
            f"{alt.instance_type} ({alt.provider}, {alt.gpu_count}x {alt.gpu_model or 'CPU'}) costs "
            f"${alt.price_monthly_usd:,.2f}/month: an alternative with different availability."
        )
    if recs and recs[0].replicas == 1 and w.task is TaskType.inference:
        items.append("One replica has no redundancy: run 2 for high availability (doubles compute cost).")
    return items


def job_summary(job: Job, rec: GpuRecommendation) -> str:
    """'about N GPU-hours, M hours on K x instance, $X' for the understanding and the markdown."""
    text = (
        f"About {job.gpu_hours:,.1f} GPU-hours: {job.wall_clock_hours:,.1f} hours on {job.instances} x "
        f"{job.instance_type} ({rec.gpu_count}x {rec.gpu_model}), ${job.job_cost_usd:,.2f}"
    )
    if job.runs_per_month:
        text += f" per run, ${job.monthly_cost_usd or 0:,.2f} a month for {job.runs_per_month:g} runs"
    if job.deadline_hours is not None:
        verdict = "meets" if job.meets_deadline else "misses"
        text += f"; {verdict} the {job.deadline_hours:,.0f}-hour deadline"
    return text + "."


def job_tradeoffs(w: Workload, recs: list[GpuRecommendation], none_meets: bool) -> list[str]:
    """Jobs: other instance types for the same work, spot with checkpoints, what a one-off budget buys,
    a missed deadline, and a recurring job against renting 24/7."""
    jobs = [(r, r.job) for r in recs if r.job is not None]
    if not jobs:
        return []
    (top, job), items = jobs[0], []
    for alt, other in jobs[1:]:
        items.append(
            f"{other.instances} x {alt.instance_type} ({alt.gpu_count}x {alt.gpu_model}) does the same work in "
            f"{other.wall_clock_hours:,.1f} h for ${other.job_cost_usd:,.2f} "
            f"(vs {job.wall_clock_hours:,.1f} h for ${job.job_cost_usd:,.2f})."
        )
    if job.spot_job_cost_usd is not None and not w.spec.spot and job.spot_job_cost_usd < job.job_cost_usd:
        items.append(
            f"On spot capacity the run costs ${job.spot_job_cost_usd:,.2f} instead of ${job.job_cost_usd:,.2f}: "
            "checkpoint to object storage (every 30-60 minutes) so a reclaimed instance loses little work."
        )
    if none_meets and job.deadline_hours is not None:
        items.append(
            f"No instance type in the catalog finishes within {job.deadline_hours:,.0f} h, even scaled out to "
            f"{job.instances} instances: the fastest shown takes {job.wall_clock_hours:,.0f} h. Less data, "
            "fewer epochs, LoRA instead of full training or a later deadline would."
        )
    budget = w.spec.budget_total_usd
    if budget is not None and job.job_cost_usd > budget:
        share = budget / job.job_cost_usd
        items.append(
            f"The ${budget:,.0f} budget buys {share:.0%} of the run on {job.instance_type} "
            f"(~{job.wall_clock_hours * share:,.1f} h): "
            + (
                f"about {w.spec.training_tokens * (w.spec.epochs or 1) * share:,.0f} training tokens."
                if w.spec.training_tokens
                else "a proportionally smaller job."
            )
        )
    elif budget is not None:
        items.append(f"The run costs ${job.job_cost_usd:,.2f} of the ${budget:,.0f} budget.")
    if job.runs_per_month:
        rent = top.price_hourly_usd * HOURS_PER_MONTH * job.instances
        items.append(
            f"Scheduled runs cost ${job.monthly_cost_usd or 0:,.2f} a month against ${rent:,.2f} for renting "
            f"{job.instances} x {top.instance_type} 24/7; start instances per run (a Kubernetes CronJob on an "
            "autoscaling node pool that scales to zero, or `sky jobs launch`) instead of keeping them up."
        )
    return items


CHANGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("model_id", "model"),
    ("task_type", "task"),
    ("provider", "provider"),
    ("region", "region"),
    ("regions", "allowed regions"),
    ("excluded_providers", "excluded providers"),
    ("excluded_gpus", "excluded GPUs"),
    ("excluded_regions", "excluded regions"),
    ("gpu_preference", "GPU"),
    ("gpu_count", "GPU count"),
    ("budget_monthly_usd", "monthly budget"),
    ("budget_total_usd", "total budget"),
    ("precision", "precision"),
    ("ranking", "ranking"),
    ("concurrent_users", "concurrent users"),
    ("total_users", "users"),
    ("requests_per_second", "requests/s"),
    ("deadline_hours", "deadline (hours)"),
    ("training_tokens", "training tokens"),
    ("epochs", "epochs"),
    ("spot", "spot"),
)


def _shown(value: object) -> str:
    if value in (None, [], ""):
        return "none"
    if isinstance(value, list):
        return ", ".join(map(str, value[:6])) + (f" and {len(value) - 6} more" if len(value) > 6 else "")
    if isinstance(value, float):
        return f"{value:,.10g}"
    return str(value)


def changes(previous: WorkloadSpec | None, current: WorkloadSpec) -> str | None:
    """'Changed from the last plan: provider aws -> none; excluded GPUs A10G -> none.' None when nothing
    the plan depends on changed, or there was no earlier plan."""
    if previous is None:
        return None
    items = []
    for name, label in CHANGE_FIELDS:
        before, after = getattr(previous, name), getattr(current, name)
        if before != after:
            items.append(f"{label} {_shown(before)} -> {_shown(after)}")
    return "Changed from the last plan: " + "; ".join(items) + "." if items else None
