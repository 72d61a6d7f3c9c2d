"""The spec from a reading: the fields that depend on several facts (GPU need, regions, defaults, job fields, budgets
in USD, confidence)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from stack8s.agents.requirements import lexicon as lx
from stack8s.agents.requirements.model_names import (
    ModelLexicon,
    ModelMatch,
)
from stack8s.agents.requirements.rules.money import Money, _budget_fields
from stack8s.agents.requirements.rules.reading import (
    _FLAGS,
    _NEURAL,
    _PRECISION_QUANT,
    Fields,
    Reading,
    State,
    _loose,
    _same,
    _unique,
)
from stack8s.planning.spec import CRITICAL_FIELDS, Confidence, Domain, TaskType, WorkloadSpec


def _finish(state: State, models: ModelLexicon) -> WorkloadSpec:
    model, params = _final_model(state, models)
    gpu = _gpu_needed(state, model, params)
    fields: Fields = {
        "task_type": state.get("task_type"),
        "domain": state.get("domain"),
        "gpu_needed": gpu,
        "model_id": model.model_id if model else None,
        "params_billion": params,
        "unknown_model": state.get("unknown_model"),
        "precision": state.get("precision"),
        "fine_tuning_method": state.get("fine_tuning_method"),
        **_exclusions(state),
        "gpu_count": state.get("gpu_count") if gpu is not False else None,
        "replicas": state.get("replicas") or (2 if state.get("high_availability") else None),
        "concurrent_users": state.get("concurrent_users"),
        "total_users": state.get("total_users"),
        "requests_per_second": state.get("requests_per_second") or _average_rate(state.get("requests_per_day")),
        "requests_per_day": state.get("requests_per_day"),
        "input_tokens": state.get("input_tokens"),
        "output_tokens": state.get("output_tokens"),
        "slo": _slo(state),
        "kv_cache_dtype": state.get("kv_cache_dtype"),
        "use_case": state.get("use_case"),
        "context_length": state.get("context_length"),
        "dataset_size_gb": state.get("dataset_size_gb"),
        "license_filter": state.get("license_filter", []),
        "spot": state.get("spot"),
        "kubernetes_needs": state.get("kubernetes_needs", []),
        **{name: _loose(state).get(name) for name in JOB_FIELDS},
        "ranking": state.get("ranking"),
        **_budget_fields(_job_budget(state)),
    }
    if gpu is False or any(_same(fields["gpu_preference"] or "", ex) for ex in fields["excluded_gpus"]):
        fields["gpu_preference"] = None
    fields["defaults_applied"] = _apply_defaults(fields, model is not None)
    fields.update(_job_fields(fields))
    if fields["domain"] is not None and fields["gpu_needed"] is None and fields["domain"] != Domain.tabular:
        fields["gpu_needed"] = _gpu_needed({**state, "domain": fields["domain"]}, model, params)
    fields["model_needs"] = _model_needs({**state, "domain": fields["domain"]}, model)
    missing = [name for name in CRITICAL_FIELDS if fields[name] is None]
    if model is None and params is None:
        missing.append("model_id")
    fields["missing_fields"] = missing
    fields["confidence"] = _confidence(missing)
    return WorkloadSpec(**fields)


_NOT_GENERATIVE = re.compile(
    r"classif|clasif|sentiment|detect|embed|rerank|recogni|reconoc|reconhec|ocr|asr|transcri|scor|moderat|klassif",
    _FLAGS,
)


def _slo(state: Reading) -> dict[str, float | None] | None:
    """The latency targets; a bare "latency" is how soon the answer starts for a generative model (time to first
    token) and the whole answer for a classifier, a recogniser or a detector (end to end)."""
    slo = dict(state.get("slo") or {})
    bare = state.get("bare_latency_ms")
    if bare is not None and not slo.get("ttft_ms") and not slo.get("e2e_ms"):
        generative = state.get("domain") in (Domain.nlp, Domain.multimodal, None) and not _NOT_GENERATIVE.search(
            state.get("last_text", "")
        )
        slo["ttft_ms" if generative else "e2e_ms"] = bare
    return slo or None


def _job_budget(state: State) -> State:
    """A budget with no period of its own in a job's request ("fine-tune ..., budget $900") is the job's total."""
    money: Money | None = state.get("budget_monthly")
    job = state.get("task_type") in (TaskType.training, TaskType.fine_tuning, TaskType.batch_inference)
    serving = any(state.get(k) for k in SERVING_SIGNALS)
    if money is None or money.period is not None or not job or serving or state.get("budget_total") is not None:
        return state
    return {**state, "budget_monthly": None, "budget_total": money}


def _average_rate(per_day: float | None) -> float | None:
    """A daily volume's average rate (the contract's requests_per_second; the load sizes for its peak)."""
    return round(per_day / 86400, 4) if per_day else None


LLM_SCALE_BILLION = 1.0  # a stated size of 1B+ parameters with no other domain signal is a language model


SERVING_SIGNALS = ("concurrent_users", "total_users", "requests_per_second", "requests_per_day", "replicas", "slo")


def _apply_defaults(fields: Fields, named_model: bool) -> list[str]:
    """Fill what any reader would infer, and say so: a named model or a serving signal (users, rps,
    replicas) with no task verb means serving; an LLM-scale size with no domain means NLP."""
    notes = []
    params = fields.get("params_billion")
    if fields["domain"] is None and params and params >= LLM_SCALE_BILLION:
        fields["domain"] = Domain.nlp
        notes.append(f"domain: nlp (a {params:g}B-parameter model is a language model)")
    if fields["task_type"] == TaskType.training and fields.get("fine_tuning_method") in ("lora", "qlora"):
        fields["task_type"] = TaskType.fine_tuning
        notes.append("task: fine-tuning (LoRA/QLoRA adapts an existing model)")
    serving = any(fields.get(k) for k in SERVING_SIGNALS)
    if fields["task_type"] is None and fields.get("epochs") and not serving:
        # epochs are passes of training over data: "40 epochs on 120,000 annotated volumes" trains a model
        fields["task_type"] = TaskType.training
        notes.append("task: training (epochs were stated)")
    if fields.get("use_case") == "rag" and fields["task_type"] in (None, TaskType.batch_inference):
        # "RAG over 2 million documents": the documents are the corpus a served assistant retrieves from
        fields["task_type"] = TaskType.inference
        notes.append("task: inference (a RAG assistant is served; its documents are the corpus it retrieves from)")
    volume = fields.get("job_items") or fields.get("audio_hours")
    if fields["task_type"] in (None, TaskType.inference) and volume and not serving and fields.get("use_case") != "rag":
        fields["task_type"] = TaskType.batch_inference
        notes.append("task: batch inference (a stated volume of stored items or audio to process)")
    if fields["task_type"] is None and fields.get("budget_total_usd") and not serving and not named_model:
        fields["task_type"] = TaskType.batch_inference
        notes.append("task: batch inference (a one-off total budget and no serving load: a job)")
    if fields["task_type"] is None and (named_model or params or serving):
        fields["task_type"] = TaskType.inference
        notes.append("task: inference (serving), since no training or fine-tuning was mentioned")
    if fields["gpu_needed"] is None and fields["task_type"] is not None and fields["domain"] in _NEURAL:
        fields["gpu_needed"] = True
        notes.append("GPU: yes, for a neural model (say 'CPU only' to plan without GPUs)")
    return notes


JOB_FIELDS = (
    "training_tokens",
    "training_tokens_basis",
    "epochs",
    "deadline_hours",
    "budget_total_usd",
    "job_items",
    "audio_hours",
    "runs_per_month",
)


_TRAINING_TASKS = (TaskType.training, TaskType.fine_tuning)


_TEXT_DOMAINS = (Domain.nlp, Domain.multimodal, None)  # where words, pages and examples become tokens


def _job_fields(fields: Fields) -> Fields:
    """Job fields count only for a job: tokens and epochs for training, volumes for batch work, deadlines and
    schedules for any job. A one-off budget is kept whatever the task: the user said it."""
    task = fields["task_type"]
    training, batch = task in _TRAINING_TASKS, task == TaskType.batch_inference
    converted = fields["training_tokens_basis"] not in (None, "stated")
    tokens = training and not (converted and fields["domain"] not in _TEXT_DOMAINS)
    job = training or batch
    return {
        "training_tokens": fields["training_tokens"] if tokens else None,
        "training_tokens_basis": fields["training_tokens_basis"] if tokens else None,
        "epochs": fields["epochs"] if training else None,
        "deadline_hours": fields["deadline_hours"] if job or task is None else None,
        "runs_per_month": fields["runs_per_month"] if job else None,
        "job_items": fields["job_items"] if batch or (training and fields["domain"] not in _TEXT_DOMAINS) else None,
        "audio_hours": fields["audio_hours"] if batch or (training and fields["domain"] == Domain.audio) else None,
    }


def _final_model(state: State, models: ModelLexicon) -> tuple[ModelMatch | None, float | None]:
    """The model last named, re-resolved with the final quantisation wish and any later size."""
    size: tuple[str, float] | None = state.get("size")
    model: ModelMatch | None = state.get("model")
    if model is None:
        return None, size[1] if size else None
    quant = state.get("quant_method") or _PRECISION_QUANT.get(str(state.get("precision") or ""))
    model = models.resolve(state.get("model_text") or "", quantization=quant) or model
    if size and not _fits(model, size[1]):
        model = models.resolve(f"{model.family} {size[0]}", quantization=quant)
        if model is None:
            return None, size[1]
    return model, model.params_billion if model.params_billion is not None else (size[1] if size else None)


def _fits(model: ModelMatch, size_b: float) -> bool:
    return model.params_billion is None or abs(model.params_billion - size_b) <= 0.2 * max(size_b, 0.001)


def _gpu_needed(state: State, model: ModelMatch | None, params: float | None) -> bool | None:
    if state.get("gpu_explicit") is not None:
        return bool(state["gpu_explicit"])
    model_domain = lx.PIPELINE_DOMAIN.get(model.pipeline_tag or "") if model else None
    if (model and model_domain != Domain.tabular) or params:
        return True
    if state.get("gpu_hint") is not None:
        return bool(state["gpu_hint"])
    task, domain = state.get("task_type"), state.get("domain")
    if task in (TaskType.training, TaskType.fine_tuning) and domain in _NEURAL:
        return True
    return False if domain == Domain.tabular else None


def _regions(area: str | None, provider: str | None, excluded_providers: Sequence[str] = ()) -> list[str]:
    if not area:
        return []
    per_provider = lx.AREA_REGIONS.get(area, {})
    if provider:
        return list(per_provider.get(provider, ()))
    return _unique(r for p in lx.REGION_OWNERS if p not in excluded_providers for r in per_provider.get(p, ()))


def _exclusions(state: State) -> Fields:
    """Provider, region, regions and GPU wanted, less what was ruled out: an excluded provider is never the
    provider; an excluded area is its regions (of the provider, else of every provider), never among `regions`."""
    excluded_providers = list(state.get("excluded_providers", []))
    provider = state.get("provider") if state.get("provider") not in excluded_providers else None
    excluded_regions = _unique(
        [
            *state.get("excluded_region_ids", []),
            *(r for area in state.get("excluded_areas", []) for r in _regions(area, provider)),
        ]
    )
    regions = _regions(state.get("area"), provider, excluded_providers)
    return {
        "provider": provider,
        "region": state.get("region") if state.get("region") not in excluded_regions else None,
        "regions": [r for r in regions if r not in excluded_regions],
        "gpu_preference": state.get("gpu_preference"),
        "excluded_providers": excluded_providers,
        "excluded_gpus": list(state.get("excluded_gpus", [])),
        "excluded_regions": excluded_regions,
    }


def _model_needs(state: State, model: ModelMatch | None) -> str | None:
    parts = [model.matched] if model else []
    parts += state.get("needs", [])
    if not parts and (domain := state.get("domain")):
        parts.append(lx.DOMAIN_NEEDS.get(domain, ""))
    text = " ".join(_unique(p for p in parts if p))
    return text[:200] or None


def _confidence(missing: list[str]) -> Confidence:
    if any(name in CRITICAL_FIELDS for name in missing):
        return Confidence.low
    return Confidence.medium if missing else Confidence.high
