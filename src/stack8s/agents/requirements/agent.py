"""The Requirements agent: the whole conversation -> WorkloadSpec, or 1-3 clarifying questions."""

from __future__ import annotations

from dataclasses import dataclass, field

from stack8s.agents.deps import AgentDeps
from stack8s.agents.requirements import rules
from stack8s.agents.requirements.llm_extract import llm_spec, merge
from stack8s.planning.spec import CRITICAL_FIELDS, WorkloadSpec


@dataclass
class RequirementsResult:
    spec: WorkloadSpec
    questions: list[str] = field(default_factory=list)


def _finish(spec: WorkloadSpec) -> WorkloadSpec:
    missing = [f for f in CRITICAL_FIELDS if getattr(spec, f) is None]
    extra = [f for f in spec.missing_fields if f not in CRITICAL_FIELDS and getattr(spec, f, None) in (None, [])]
    return spec.model_copy(update={"missing_fields": [*missing, *extra]})


async def extract_requirements(user_messages: list[str], deps: AgentDeps) -> RequirementsResult:
    spec = rules.extract_spec(user_messages, deps.lexicon)
    if deps.chat_model is not None:
        spec = merge(spec, await llm_spec(deps.chat_model, user_messages, deps.settings.llm_timeout_seconds))
        if spec.model_id and spec.model_id not in deps.lexicon:
            spec = spec.model_copy(update={"model_id": None})
    spec = _finish(spec)
    return RequirementsResult(spec, rules.clarifying_questions(spec))
