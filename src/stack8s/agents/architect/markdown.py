"""Markdown for a person: a short summary, then tables of instances and models, cost, next steps."""

from __future__ import annotations

from stack8s.planning.plan import DeploymentPlan
from stack8s.planning.spec import WorkloadSpec


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def plan_markdown(plan: DeploymentPlan) -> str:
    lines = ["## Deployment plan", "", plan.understanding, ""]
    if plan.load is not None:
        lines += _load_lines(plan)
    if plan.job is not None:
        lines += _job_table(plan)
    elif any(r.performance for r in plan.gpu_recommendations):
        lines += _performance_table(plan)
    elif plan.gpu_recommendations:
        lines += [
            "### Instances",
            "",
            "| # | provider | instance | region | GPUs | VRAM | $/hour | $/month | fits |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in plan.gpu_recommendations:
            gpus = f"{r.gpu_count}x {r.gpu_model}" if r.gpu_count else f"CPU ({r.vcpu:g} vCPU, {r.ram_gb:g} GB)"
            lines.append(
                f"| {r.rank} | {r.provider} | {_cell(r.instance_type)} | {r.region} | {gpus} | "
                f"{r.total_vram_gb:g} GB | {r.price_hourly_usd:.4g} | {r.price_monthly_usd:,.2f} | "
                f"{'yes' if r.fits else 'no'} |"
            )
    if plan.components:
        lines += _parts_table(plan)
    if plan.model_recommendations:
        lines += ["", "### Models", "", "| # | model | task | license | params | score |", "|---|---|---|---|---|---|"]
        for m in plan.model_recommendations:
            params = f"{m.params_billion:g}B" if m.params_billion else "-"
            lines.append(
                f"| {m.rank} | {_cell(m.model_id)} | {m.pipeline_tag or '-'} | {m.license or '-'} | "
                f"{params} | {m.score:.2f} |"
            )
    cost = plan.cost_estimate
    budget = {True: " (within budget)", False: " (over budget)", None: ""}[cost.within_budget]
    if plan.job is not None:
        job = plan.job
        runs = f" per run, ${job.monthly_cost_usd or 0:,.2f} a month" if job.runs_per_month else ""
        head = (
            f"### Cost: ${job.job_cost_usd:,.2f} for the job{runs}{budget} "
            f"(${cost.total_monthly_usd:,.2f} a month if the instances were kept running)"
        )
    else:
        head = f"### Cost: ${cost.total_monthly_usd:,.2f} per month{budget}"
    lines += ["", head, ""]
    lines += [f"- {c.item}: ${c.monthly_usd:,.2f} — {c.assumption}" for c in cost.breakdown]
    if plan.kubernetes_stack:
        lines += ["", "### Kubernetes stack", ""]
        lines += [f"- **{c.chart}** ({c.repository}): {c.purpose}" for c in plan.kubernetes_stack]
    lines += ["", "### Steps", ""]
    for step in plan.deployment_steps:
        lines.append(f"{step.order}. **{step.title}**: {step.details}")
        if step.commands:
            lines += ["", "   ```bash", *(f"   {line}" for c in step.commands for line in c.splitlines()), "   ```"]
    if plan.tradeoffs:
        lines += ["", "### Tradeoffs", ""] + [f"- {t}" for t in plan.tradeoffs]
    if plan.assumptions:
        lines += ["", "### Assumptions", ""] + [f"- {a}" for a in plan.assumptions]
    return "\n".join(lines)


def duration(hours: float) -> str:
    """'2.3 h', or '14.5 min' under an hour."""
    return f"{hours:,.1f} h" if hours >= 1 else f"{max(hours * 60, 0.1):,.1f} min"


ROLE_WORDS = {"generator": "generator LLM", "embedder": "embedding model", "vector_store": "vector store"}


def _parts_table(plan: DeploymentPlan) -> list[str]:
    """A multi-model plan's parts: which model does what, where it runs, what it costs a month."""
    lines = [
        "",
        "### Parts",
        "",
        "| part | model | runs on | instances | $/month | what it does |",
        "|---|---|---|---|---|---|",
    ]
    for c in plan.components:
        if c.instance_type is None:
            where = f"the {ROLE_WORDS[c.shares_instances_with or 'generator']}'s nodes"
        elif c.gpu_count:
            where = f"{c.instance_type} ({c.gpu_count}x {c.gpu_model}, {c.provider} {c.region})"
        else:
            where = f"{c.instance_type} ({c.vcpu or 0:g} vCPU, {c.ram_gb or 0:g} GB RAM, {c.provider} {c.region})"
        model = c.model_id or ("Qdrant" if c.role == "vector_store" else "see the model table")
        lines.append(
            f"| {ROLE_WORDS[c.role]} | {_cell(model)} | {_cell(where)} | {c.instances} | {c.monthly_usd:,.2f} | "
            f"{_cell(c.purpose)} |"
        )
    for c in plan.components:
        if c.job is not None:
            job = c.job
            lines += [
                "",
                f"One-off: embedding the corpus takes about {duration(job.wall_clock_hours)} on {job.instances} x "
                f"{job.instance_type} ({job.provider}): ${job.job_cost_usd:,.2f}, not in the monthly total.",
            ]
    return lines


def _load_lines(plan: DeploymentPlan) -> list[str]:
    load = plan.load
    assert load is not None
    chain = []
    if load.total_users is not None:
        chain.append(f"{load.total_users:,} users")
    if load.requests_per_day is not None:
        chain.append(f"{load.requests_per_day:,.0f} requests/day")
    if load.requests_per_second is not None:
        chain.append(f"{load.requests_per_second:.3g} requests/s")
    if load.concurrent_sequences is not None:
        chain.append(f"{load.concurrent_sequences:g} sequences in flight")
    top = plan.gpu_recommendations[0] if plan.gpu_recommendations else None
    if top is not None and top.performance is not None:
        chain.append(f"{top.replicas} replica(s) on {top.instance_count} x {top.instance_type}")
    targets = ", ".join(f"{k.removesuffix('_ms').upper()} <= {v:g} ms" for k, v in load.slo.items())
    lines = ["### Load", "", " -> ".join(chain) if chain else "No load stated: one replica.", ""]
    lines.append(f"Requests of {load.input_tokens:,} prompt and {load.output_tokens:,} answer tokens.")
    if targets:
        lines.append(f"Latency targets: {targets}.")
    return [*lines, ""]


def _job_table(plan: DeploymentPlan) -> list[str]:
    job = plan.job
    assert job is not None
    flops = f"{job.flops:.3g} FLOPs, " if job.flops else ""
    mfu = f"MFU {job.mfu:g}, " if job.mfu else ""
    lines = [
        "### Job",
        "",
        f"{flops}{mfu}about {job.gpu_hours:,.1f} GPU-hours: {job.wall_clock_hours:,.1f} h on {job.instances} x "
        f"{job.instance_type}, ${job.job_cost_usd:,.2f}"
        + (
            f" per run ({job.runs_per_month:g} runs/month: ${job.monthly_cost_usd or 0:,.2f})"
            if job.runs_per_month
            else ""
        )
        + ".",
        "",
        "### Instances",
        "",
        "| # | provider | instance | region | GPUs | instances | hours | GPU-hours | $/hour | job $ | deadline |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in plan.gpu_recommendations:
        j = r.job
        if j is None:
            continue
        deadline = {True: "meets", False: "misses", None: "-"}[j.meets_deadline]
        lines.append(
            f"| {r.rank} | {r.provider} | {_cell(r.instance_type)} | {r.region} | {r.gpu_count}x {r.gpu_model} | "
            f"{j.instances} | {j.wall_clock_hours:,.1f} | {j.gpu_hours:,.1f} | {r.price_hourly_usd:.4g} | "
            f"{j.job_cost_usd:,.2f} | {deadline} |"
        )
    return lines


def _performance_table(plan: DeploymentPlan) -> list[str]:
    lines = [
        "### Instances",
        "",
        "| # | provider | instance | region | GPUs | TP | replicas | instances | $/month total | TTFT ms | ITL ms "
        "| tok/s per replica | req/s per replica | $/Mtok out | meets target | error TTFT / ITL |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in plan.gpu_recommendations:
        p = r.performance
        if p is None:
            continue
        cost = f"{p.cost_per_million_output_tokens_usd:,.2f}" if p.cost_per_million_output_tokens_usd else "-"
        meets = {True: "yes", False: "no", None: "-"}[p.meets_slo]
        error = (
            f"±{p.ttft_error_pct:.0f}% / ±{p.tpot_error_pct:.0f}%"
            if p.ttft_error_pct is not None and p.tpot_error_pct is not None
            else "-"
        )
        lines.append(
            f"| {r.rank} | {r.provider} | {_cell(r.instance_type)} | {r.region} | "
            f"{r.gpu_count}x {r.gpu_model} | "
            f"{p.tensor_parallel} | {r.replicas} | {r.instance_count} | {r.total_monthly_usd:,.2f} | "
            f"{p.ttft_ms:,.0f} | {p.itl_ms:.1f} | {p.output_tokens_per_s:,.0f} | {p.requests_per_s:.3g} | "
            f"{cost} | {meets} | {error} |"
        )
    return lines


def clarification_markdown(spec: WorkloadSpec, questions: list[str]) -> str:
    known = [
        f"{k.replace('_', ' ')}: {v}"
        for k, v in spec.model_dump(exclude_none=True).items()
        if k not in ("confidence", "missing_fields") and v not in ([], "")
    ]
    lines = ["To plan this I need a little more information:", ""]
    lines += [f"{i}. {q}" for i, q in enumerate(questions, start=1)]
    if known:
        lines += ["", "So far I have: " + "; ".join(known) + "."]
    return "\n".join(lines)
