"""The Requirements agent: the whole conversation -> WorkloadSpec, or 1-3 clarifying questions."""

from __future__ import annotations

from dataclasses import dataclass, field

from stack8s.agents.requirements import rules
from stack8s.agents.requirements.llm_extract import llm_spec, merge
from stack8s.agents.requirements.model_names import ModelLexicon
from stack8s.llm import ChatModel
from stack8s.planning.spec import CRITICAL_FIELDS, WorkloadSpec


@dataclass
class RequirementsResult:
    spec: WorkloadSpec
    questions: list[str] = field(default_factory=list)


PLATFORM_NEEDS = frozenset(
    {
        "mlflow",
        "kubeflow",
        "airflow",
        "spark",
        "kafka",
        "minio",
        "jupyterhub",
        "ray",
        "argo",
        "label-studio",
        "vector-database",
        "feature-store",
        "postgresql",
        "mysql",
        "redis",
        "clickhouse",
        "elasticsearch",
        "rabbitmq",
        "mongodb",
        "kueue",
    }
)
"""Charts that make a platform on their own (MLOps, data, storage): a request for them needs no model."""


def _platform(spec: WorkloadSpec) -> WorkloadSpec:
    """An MLOps or data stack without a model ("MLflow and MinIO, one small GPU for experiments") is a plan of
    the stack: the model questions are not asked; the GPU is planned only when one was asked for."""
    asked = PLATFORM_NEEDS.intersection(spec.kubernetes_needs)
    if not asked or spec.model_id or spec.params_billion or spec.domain is not None:
        return spec
    gpu = bool(spec.gpu_needed)  # a domain-less spec has gpu_needed only from the user's words
    note = f"a platform stack ({', '.join(sorted(asked))}) without a model: planned as the stack" + (
        " with the GPU asked for" if gpu else " on CPU nodes"
    )
    return spec.model_copy(
        update={
            "domain": "other",
            "gpu_needed": gpu,
            "task_type": spec.task_type or "inference",
            "gpu_count": spec.gpu_count or (1 if gpu else None),
            "defaults_applied": [*spec.defaults_applied, note],
            "missing_fields": [f for f in spec.missing_fields if f not in ("domain", "gpu_needed", "model_id")],
        }
    )


def _finish(spec: WorkloadSpec) -> WorkloadSpec:
    missing = [f for f in CRITICAL_FIELDS if getattr(spec, f) is None]
    extra = [f for f in spec.missing_fields if f not in CRITICAL_FIELDS and getattr(spec, f, None) in (None, [])]
    return spec.model_copy(update={"missing_fields": [*missing, *extra]})


async def extract_requirements(
    user_messages: list[str], lexicon: ModelLexicon, chat_model: ChatModel | None, llm_timeout_seconds: float
) -> RequirementsResult:
    """The rule engine's reading, merged with the LLM's when one is configured and time is left."""
    spec = rules.extract_spec(user_messages, lexicon)
    if chat_model is not None and llm_timeout_seconds > 0:
        spec = merge(spec, await llm_spec(chat_model, user_messages, llm_timeout_seconds))
        if spec.model_id and spec.model_id not in lexicon:
            spec = spec.model_copy(update={"model_id": None})
    spec = _finish(_platform(spec))
    return RequirementsResult(spec, rules.clarifying_questions(spec))
