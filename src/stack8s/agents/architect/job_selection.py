"""Jobs with an end (training, fine-tuning, batch inference): what the work is, and the instance types
that do it cheapest within the deadline. The arithmetic is in `planning/jobs.py`; this reads the spec and
the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection

from stack8s.agents.architect import instances
from stack8s.agents.architect.workload import Workload, arch_of, serving_format
from stack8s.catalogs.gpus import gpu_spec
from stack8s.planning import jobs
from stack8s.planning.load import USE_CASES, use_case_of
from stack8s.planning.plan import HOURS_PER_MONTH, GpuRecommendation, Job
from stack8s.tools import compute
from stack8s.tools.schemas import ComputeHit

DEFAULT_EPOCHS = {"training": 1.0, "fine_tuning": 3.0}
"""Pretraining reads its corpus once; fine-tuning defaults to 3 epochs (Hugging Face Trainer's
num_train_epochs default)."""

DEFAULT_VISION_EPOCHS = 10.0
"""Vision training from a pretrained backbone: 10 epochs (a stated assumption)."""

JOB_TASKS = ("training", "fine_tuning", "batch_inference")
EMBEDDING_TAGS = ("feature-extraction", "sentence-similarity")
SPEECH_TAGS = ("automatic-speech-recognition",)


@dataclass
class JobWork:
    work: jobs.Work | None
    notes: list[str]  # assumptions the plan states
    reason: str | None = None  # why there is no estimate


def is_job(w: Workload) -> bool:
    return w.task in JOB_TASKS


def job_work(w: Workload) -> JobWork:
    """The work the spec describes, with every assumption stated; work None with the reason otherwise."""
    task = w.task
    if task in ("training", "fine_tuning"):
        return _llm_training(w) if w.is_llm else _vision_training(w)
    return _batch(w)


def _llm_training(w: Workload) -> JobWork:
    spec, notes = w.spec, []
    tokens: float | None = spec.training_tokens
    if tokens is not None:
        basis = spec.training_tokens_basis or "stated"
        notes.append(f"Training data: {tokens:,.0f} tokens per epoch ({basis}).")
    elif spec.dataset_size_gb:
        tokens = spec.dataset_size_gb * jobs.TEXT_TOKENS_PER_GB
        notes.append(
            f"Training data: {spec.dataset_size_gb:g} GB of text x {jobs.TEXT_TOKENS_PER_GB / 1e6:.0f}M tokens/GB "
            f"(about 4 bytes per token) = {tokens:,.0f} tokens per epoch."
        )
    if not tokens:
        reason = "say how much data the run reads (tokens, examples x tokens each, or GB of text)"
        return JobWork(None, notes, reason)
    task = str(spec.task_type)
    epochs = spec.epochs or DEFAULT_EPOCHS[task]
    if not spec.epochs:
        notes.append(f"Epochs: {epochs:g} (not stated).")
    method = str(spec.fine_tuning_method or ("full" if task == "training" else "lora"))
    seq_len = spec.context_length or 2048
    arch = arch_of(w)
    work = jobs.llm_training_work(arch, tokens, epochs, method, seq_len, pretraining=task == "training")
    notes.append(f"Compute: {work.chain}.")
    return JobWork(work, notes)


def _vision_training(w: Workload) -> JobWork:
    model_id = w.sizing.model_id or w.spec.model_id or ""
    tag = w.model.row.pipeline_tag if w.model else None
    if w.spec.audio_hours is not None and (tag in SPEECH_TAGS or w.spec.domain == "audio"):
        epochs = w.spec.epochs or DEFAULT_EPOCHS["fine_tuning"]
        speech = jobs.speech_training_work(w.spec.audio_hours, w.sizing.params_billion or 1.55, epochs)
        notes = [] if w.spec.epochs else [f"Epochs: {epochs:g} (not stated)."]
        return JobWork(speech, [*notes, f"Compute: {speech.chain}."])
    if w.spec.domain == "tabular":
        return JobWork(None, [], "tabular models train on CPU in minutes to hours depending on rows and trees")
    if w.spec.job_items is None:
        return JobWork(None, [], "say how many images or samples the run trains on")
    epochs = w.spec.epochs or DEFAULT_VISION_EPOCHS
    work = jobs.vision_training_work(model_id, w.spec.job_items, epochs)
    if work is None:
        why = f"no FLOPs-per-sample figure for {model_id or 'this model'} (ResNet-50, ViT and YOLOv8 are known)"
        return JobWork(None, [], why)
    notes = [] if w.spec.epochs else [f"Epochs: {epochs:g} (not stated)."]
    return JobWork(work, [*notes, f"Compute: {work.chain}."])


def _batch(w: Workload) -> JobWork:
    spec = w.spec
    tag = w.model.row.pipeline_tag if w.model else None
    if spec.audio_hours is not None and (tag in SPEECH_TAGS or spec.domain == "audio"):
        work = jobs.speech_work(spec.audio_hours, w.sizing.params_billion)
        return JobWork(work, [f"Work: {work.chain} ({jobs.WHISPER_REFERENCE_SPEED:.1f}x real time on an A100)."])
    if spec.job_items is None:
        return JobWork(None, [], "say how much the batch processes (documents, requests, images or hours of audio)")
    if tag in EMBEDDING_TAGS:
        work = jobs.embedding_work(w.sizing.params_billion or 0.1, spec.job_items, jobs.EMBEDDING_TOKENS_PER_ITEM)
        return JobWork(work, [f"Compute: {work.chain}; {jobs.EMBEDDING_TOKENS_PER_ITEM} tokens per item assumed."])
    if (vision := jobs.vision_batch_work(w.sizing.model_id or spec.model_id or "", spec.job_items)) is not None:
        return JobWork(vision, [f"Compute: {vision.chain}."])
    if w.is_llm:
        case = USE_CASES[use_case_of(spec)]
        i, o = spec.input_tokens or case.input_tokens, spec.output_tokens or case.output_tokens
        notes = []
        if not (spec.input_tokens and spec.output_tokens):
            notes.append(f"Tokens per item: {i:,} in, {o:,} out ({case.source}).")
        fmt = serving_format(spec.precision, w.model.row.quantization if w.model else None)
        work = jobs.llm_batch_work(arch_of(w), fmt, spec.job_items, i, o)
        return JobWork(work, [*notes, f"Work: {work.chain}."])
    return JobWork(None, [], f"batch throughput of {spec.domain or 'this'} models is not estimated")


# --- choosing instances by the cost of the job ----------------------------------------------------------


@dataclass
class JobSelection:
    recommendations: list[GpuRecommendation]
    job: Job | None
    runs: dict[tuple[str, str], jobs.JobRun]
    notes: list[str]
    none_meets_deadline: bool = False
    over_budget: bool = False


def _job(hit: ComputeHit, run: jobs.JobRun, work: jobs.Work, w: Workload) -> Job:
    spec = w.spec
    cost = round(run.cost_usd, 2)
    spot = hit.spot_price_hourly_usd
    method = f"{work.chain}; {run.rate_note}" + (f"; {'; '.join(run.notes)}" if run.notes else "")
    return Job(
        instance_type=hit.instance_type,
        provider=hit.provider,
        instances=run.instances,
        gpu_hours=round(run.gpu_hours, 4),
        wall_clock_hours=round(run.wall_clock_hours, 4),
        job_cost_usd=cost,
        flops=work.flops,
        mfu=run.mfu,
        deadline_hours=spec.deadline_hours,
        meets_deadline=run.meets_deadline,
        budget_total_usd=spec.budget_total_usd,
        within_budget=None if spec.budget_total_usd is None else cost <= spec.budget_total_usd,
        runs_per_month=spec.runs_per_month,
        monthly_cost_usd=round(cost * spec.runs_per_month, 2) if spec.runs_per_month else None,
        spot_job_cost_usd=round(run.wall_clock_hours * run.instances * spot, 2) if spot is not None else None,
        method=method,
    )


def _recommendation(rank: int, hit: ComputeHit, run: jobs.JobRun, job: Job, w: Workload) -> GpuRecommendation:
    monthly = round(hit.price_hourly_usd * HOURS_PER_MONTH, 2)
    place = "Cheapest" if rank == 1 else f"Option {rank}:"
    deadline = ""
    if run.meets_deadline is not None:
        deadline = " (meets the deadline)" if run.meets_deadline else " (misses the deadline)"
    rationale = (
        f"{place} for the job: about {run.gpu_hours:,.1f} GPU-hours, {run.wall_clock_hours:,.1f} h on "
        f"{run.instances} x {hit.instance_type} ({hit.gpu_count}x {hit.gpu_model}){deadline}, "
        f"${run.cost_usd:,.2f} at ${hit.price_hourly_usd:.4g}/h in {hit.region}."
    )
    return GpuRecommendation(
        rank=rank,
        **hit.model_dump(exclude={"source", "as_of", "price_monthly_usd"}),
        price_source=hit.source,
        price_as_of=hit.as_of.isoformat() if hit.as_of else None,
        price_monthly_usd=monthly,
        nodes=1,
        fits=hit.total_vram_gb >= w.sizing.required_vram_gb,
        rationale=rationale,
        replicas=1,
        instance_count=run.instances,
        total_monthly_usd=round(monthly * run.instances, 2),
        job=job,
    )


async def select(conn: AsyncConnection[dict[str, Any]], w: Workload, work: jobs.Work) -> JobSelection | None:
    """Every instance type that holds the job in memory, priced for the whole job; ranked by meeting the
    deadline, staying within the one-off budget, then the job's cost (ties within 3% by fewer hours).
    None when no candidate has the GPU figures the estimate needs."""
    query = instances.base_query(w)
    notes: list[str] = []
    hits = await compute.all_offers(conn, query)  # every instance type: the cheapest job is not the cheapest hour
    if not hits:
        query, hits, notes = await instances.relax(conn, query, w, compute.all_offers)
    runs: dict[tuple[str, str], jobs.JobRun] = {}
    for hit in hits:
        gpu = gpu_spec(hit.gpu_model)
        price = hit.spot_price_hourly_usd if query.spot and hit.spot_price_hourly_usd else hit.price_hourly_usd
        if gpu is None or not hit.gpu_count:
            continue
        run = jobs.run_on(work, gpu, hit.gpu_count, price, w.spec.deadline_hours)
        if run is not None:
            runs[(hit.provider, hit.instance_type)] = run
    candidates = [h for h in hits if (h.provider, h.instance_type) in runs]
    if not candidates:
        return None
    budget = w.spec.budget_total_usd
    eligible = [
        runs[(h.provider, h.instance_type)]
        for h in candidates
        if runs[(h.provider, h.instance_type)].meets_deadline is not False
        and (budget is None or runs[(h.provider, h.instance_type)].cost_usd <= budget)
    ]
    cheapest = min(r.cost_usd for r in (eligible or list(runs.values())))
    fastest = w.spec.ranking == "fastest"
    ranked = sorted(
        candidates,
        key=lambda h: (
            *jobs.rank_key(runs[(h.provider, h.instance_type)], cheapest, budget, fastest),
            -h.total_vram_gb,
            h.provider,
            h.instance_type,
        ),
    )
    chosen = instances.distinct(ranked)
    recs = []
    for rank, hit in enumerate(chosen, start=1):
        run = runs[(hit.provider, hit.instance_type)]
        recs.append(_recommendation(rank, hit, run, _job(hit, run, work, w), w))
    top = recs[0]
    return JobSelection(
        recommendations=recs,
        job=top.job,
        runs=runs,
        notes=notes,
        none_meets_deadline=top.job is not None and top.job.meets_deadline is False,
        over_budget=budget is not None and top.job is not None and top.job.job_cost_usd > budget,
    )
