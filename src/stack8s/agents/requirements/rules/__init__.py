"""The deterministic Requirements engine: user messages -> WorkloadSpec, or clarifying questions.

Each user message goes through every extractor in `EXTRACTORS`; an extractor reads the message
(and the state so far) and returns only the fields it found. The fields are merged in message order,
so a later message overrides an earlier one ("make it Azure instead" changes the provider and keeps
the rest). `_finish` then derives what depends on several fields (GPU need, regions, replicas,
confidence). All phrasings live in `lexicon`; the text is only ever matched, never executed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from stack8s.agents.requirements.model_names import ModelLexicon
from stack8s.agents.requirements.numbers import canonical
from stack8s.agents.requirements.rules.directives import _directives
from stack8s.agents.requirements.rules.extract import EXTRACTORS
from stack8s.agents.requirements.rules.finish import JOB_FIELDS, _finish
from stack8s.agents.requirements.rules.reading import Message, Reading, State, clean
from stack8s.planning.spec import CRITICAL_FIELDS, WorkloadSpec

__all__ = [
    "EXTRACTORS",
    "JOB_FIELDS",
    "QUESTIONS",
    "Message",
    "Reading",
    "clarifying_questions",
    "clean",
    "extract_spec",
    "needs_clarification",
    "taken_back",
    "unknown_model_question",
]


def extract_spec(user_messages: Sequence[str], models: ModelLexicon, now: datetime | None = None) -> WorkloadSpec:
    """Read the user's messages in order (later ones override) and return what they ask for."""
    return _finish(_read(user_messages, models, now), models)


def _read(user_messages: Sequence[str], models: ModelLexicon, now: datetime | None = None) -> State:
    """The state after every message: first its exclusions, lifts and take-backs (`_directives`), then the
    extractors on the rest of the message, so that "exclude L4" never names the L4 as the GPU wanted."""
    state: State = {}
    for raw in user_messages:
        written = canonical(clean(raw or ""))
        if written.ranges:
            state["ranges"] = [*state.get("ranges", []), *written.ranges]
        directives, text = _directives(written.text, state)
        state.update(directives)
        model = models.resolve(text)
        message = Message(text, model, None if model else models.unknown(text), now or datetime.now(UTC))
        state["last_text"] = text
        for extractor in EXTRACTORS:
            state.update(extractor(message, state))
    return state


_NO_MODELS = ModelLexicon.from_rows([])


def taken_back(user_messages: Sequence[str]) -> frozenset[str]:
    """Spec fields the user took back ("forget the budget", "any cloud is fine now") and did not set again
    later: they are None on purpose, and another reading of the conversation (the LLM's) must not refill them."""
    state = _read(user_messages, _NO_MODELS)
    spec = _finish(state, _NO_MODELS).model_dump()
    return frozenset(name for name in state.get("taken_back", ()) if spec.get(name) in (None, []))


def needs_clarification(spec: WorkloadSpec) -> bool:
    return any(getattr(spec, name) is None for name in CRITICAL_FIELDS)


QUESTIONS: dict[str, str] = {
    "task_type": (
        "What do you want to do with the model: serve it for live inference (an API or a chatbot), run "
        "batch jobs over stored data, train a model from scratch, or fine-tune an existing one?"
    ),
    "domain": (
        "Which model or kind of model do you want to run — for example an LLM such as Llama 3.1 8B, an "
        "image model (classification, detection or Stable Diffusion), speech-to-text such as Whisper, or a "
        "tabular model such as XGBoost?"
    ),
    "gpu_needed": (
        "Should this run on GPUs, or does it have to be CPU-only (for example a small scikit-learn model or "
        "edge boxes without GPUs)? If you have a GPU in mind (T4, L4, A100, H100), say which."
    ),
}


def clarifying_questions(spec: WorkloadSpec) -> list[str]:
    """One question per missing critical field, in the order task, domain, GPU; [] when none is missing. A model
    the catalog does not know, with no size given and no family member to stand in, is asked about first."""
    questions = [QUESTIONS[name] for name in CRITICAL_FIELDS if getattr(spec, name) is None]
    if spec.unknown_model and spec.model_id is None and spec.params_billion is None:
        questions.insert(0, unknown_model_question(spec.unknown_model))
    return questions[:3]


def unknown_model_question(named: str) -> str:
    return (
        f"I don't know the model {named!r}: how many parameters does it have (for example '13B', or '400B with "
        "17B active' for a mixture of experts)? Or give me its config.json: `stack8s catalog import hf "
        f"path/to/config.json --model-id {named if '/' in named else 'ORG/NAME'}` adds it to the catalog with its "
        "architecture."
    )
