"""What the rules read into: the message as they see it (`Message`), the typed intermediate result (`Reading`),
and the text helpers and shared phrase patterns every part uses."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict, cast

from stack8s.agents.requirements import lexicon as lx
from stack8s.agents.requirements.model_names import (
    MAX_TEXT_CHARS,
    ModelMatch,
    UnknownModel,
)
from stack8s.agents.requirements.numbers import Range
from stack8s.planning.spec import Domain, Precision, TaskType

if TYPE_CHECKING:
    from stack8s.agents.requirements.rules.money import Money


@dataclass(frozen=True, slots=True)
class Message:
    text: str  # accents folded, dashes and spaces normalised, case kept
    model: ModelMatch | None
    unknown: UnknownModel | None = None  # a model named that the catalog does not know (when `model` is None)
    now: datetime | None = None  # when the message is read: a deadline named as a day counts from here


class Reading(TypedDict, total=False):
    """What the messages said so far, field by field, before `_finish` derives the spec: the typed intermediate
    result every extractor returns a part of (a later message's part overrides an earlier one's)."""

    task_type: TaskType | None
    domain: Domain | None
    gpu_preference: str | None
    gpu_explicit: bool | None
    gpu_hint: bool | None
    gpu_count: int | None
    model: ModelMatch | None
    model_text: str | None
    size: tuple[str, float] | None
    unknown_model: str | None
    precision: Precision | str | None
    quant_method: str | None
    kv_cache_dtype: str | None
    fine_tuning_method: str | None
    budget_monthly: Money | None
    budget_total: Money | None
    provider: str | None
    region: str | None
    area: str | None
    excluded_providers: list[str]
    excluded_gpus: list[str]
    excluded_areas: list[str]
    excluded_region_ids: list[str]
    replicas: int | None
    high_availability: bool
    concurrent_users: int | None
    total_users: int | None
    requests_per_second: float | None
    requests_per_day: float | None
    input_tokens: int | None
    output_tokens: int | None
    slo: dict[str, float | None]
    bare_latency_ms: float
    use_case: str | None
    context_length: int | None
    dataset_size_gb: float | None
    training_tokens: float | None
    training_tokens_basis: str | None
    epochs: float | None
    deadline_hours: float | None
    job_items: float | None
    audio_hours: float | None
    runs_per_month: float | None
    license_filter: list[str]
    spot: bool | None
    ranking: str | None
    kubernetes_needs: list[str]
    needs: list[str]
    taken_back: list[str]
    ranges: list[Range]
    last_text: str


State = Reading


Fields = dict[str, Any]  # WorkloadSpec fields by name, as `_finish` assembles them


def _loose(reading: Reading) -> dict[str, Any]:
    """The reading by a field name held in a variable (exclusion kinds, job fields): the names are checked where
    they are declared (`_EXCLUDED_KEYS`, `JOB_FIELDS`), not here."""
    return cast(dict[str, Any], reading)


Extractor = Callable[[Message, Reading], Reading]


_FLAGS = re.IGNORECASE


_DASHES = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00d7": "x",
        "\u2019": "'",
        "\u00a0": " ",
    }
)


_NUM_WORDS = "|".join(sorted(map(re.escape, lx.NUMBER_WORDS), key=len, reverse=True))


_COUNT = rf"(?P<n>\d{{1,4}}|{_NUM_WORDS})"


_NUM = rf"(?P<n>{lx.NUMBER})(?:\s?(?P<scale>k|m)(?![a-z]))?"


def _period_groups(periods: Sequence[tuple[str, float]]) -> str:
    return "|".join(f"(?P<p{i}>{pattern})" for i, (pattern, _) in enumerate(periods))


def _compile(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"(?<![A-Za-z0-9]){p}", _FLAGS) for p in patterns)


_PERIOD = rf"(?:{lx.PERIOD_LEAD}(?:{_period_groups(lx.PERIODS)})(?![a-z0-9]))"


_CUR_AFTER = rf"(?:\s?(?:in\s)?(?:{lx.CURRENCY}|{lx.CURRENCY_WORDS})(?![a-z]))"


_VOLUME = rf"(?P<n>{lx.NUMBER})(?:\s?(?P<scale>{lx.SCALE_WORDS})(?![a-z]))?"  # "1 million", "20k"


_RPS = _compile(
    rf"{_NUM}\s?(?:rps|qps|req/s|(?:requests?|queries|calls)\s?/\s?s(?:ec)?)(?![a-z])",
    rf"{_VOLUME}\s?(?:{lx.REQUEST_WORDS})\s?(?:per|a|an|each|every|/|por|pro|par)\s?"
    rf"(?:{_period_groups(lx.RATE_PERIODS)})(?![a-z])",
)


_CONTEXT = _compile(
    rf"{_NUM}\s?(?:-?tokens?\s)?(?:of\s)?(?:{lx.CONTEXT_WORDS})(?![a-z])",
    rf"(?:{lx.CONTEXT_WORDS})\s?(?:of|:|=|is|up to|to|about|around|~|with)?\s?(?:up to\s)?{_NUM}(?![\d,])",
    rf"(?:prompts?|inputs?|documents?) (?:of )?(?:up to |about |around )?{_NUM}\s?tokens",
)


_REGION_IDS = sorted(
    {r for rs in lx.REGIONS.values() for r in rs if re.search(r"\d", r) or "-" not in r}, key=len, reverse=True
)


_REGION = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, _REGION_IDS)) + r")(?![\w-])", _FLAGS)


_REGION_OWNERS = {r: tuple(p for p in lx.REGION_OWNERS if r in lx.REGIONS.get(p, ())) for r in _REGION_IDS}


_SENTENCE = re.compile(r"[^.!?;\n]+")


_NEURAL = {Domain.nlp, Domain.computer_vision, Domain.audio, Domain.multimodal}


_PRECISION_QUANT: dict[str, str] = {Precision.fp16: "none", Precision.bf16: "none", Precision.fp32: "none"}


def clean(text: str) -> str:
    """Accents folded ("déployer" -> "deployer"), unicode dashes made ASCII, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text[:MAX_TEXT_CHARS].translate(_DASHES))
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", folded).strip()


def _number(raw: str, scale: str | None = None, european: bool = False) -> float:
    if european and re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
        raw = raw.replace(".", "")
    if re.fullmatch(lx.INDIAN_NUMBER, raw):
        raw = raw.replace(",", "")
    thousands = re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw)
    raw = raw.replace(",", "") if thousands else raw.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return 0.0
    return value * lx.SCALE.get((scale or "").lower(), 1.0)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else lx.NUMBER_WORDS.get(word.lower(), 0)


def _period_factor(found: re.Match[str], periods: Sequence[tuple[str, float]], default: float) -> float:
    groups = found.groupdict()
    return next((factor for i, (_, factor) in enumerate(periods) if groups.get(f"p{i}")), default)


def _first(patterns: Iterable[re.Pattern[str]], text: str) -> re.Match[str] | None:
    found = [m for p in patterns for m in p.finditer(text)]
    return min(found, key=lambda m: (m.start(), -m.end()), default=None)


def _hedged_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences that hedge ("not sure we need a GPU"): GPU words there decide nothing."""
    return [(s.start(), s.end()) for s in _SENTENCE.finditer(text) if lx.GPU_HEDGE.search(s.group())]


def _inside(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    index = bisect.bisect_right(spans, (position, MAX_TEXT_CHARS + 1)) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def _same(a: str, b: str) -> bool:
    """The same thing, or a GPU and its memory variant ("A100" and "A100-80GB")."""
    return a == b or a.startswith(f"{b}-") or b.startswith(f"{a}-")


def _negated(text: str, start: int) -> bool:
    return lx.NEGATION_BEFORE.search(text[max(0, start - 30) : start]) is not None


_TOKENS_NUM = rf"(?P<n>{lx.NUMBER})\s?(?P<scale>k)?"  # lx.NUMBER, not [\d,]*: linear on "1,1,1,..."


_INPUT_TOKENS = _compile(
    rf"{_TOKENS_NUM}[- ]?tokens?[- ](?:long )?(?:prompts?|inputs?|requests?|questions?|contexts? per request)",
    rf"(?:prompts?|inputs?|requests?) (?:of |are |with )?(?:about |around |roughly |~|up to )?{_TOKENS_NUM}"
    rf"[- ]?tokens?",
    rf"{_TOKENS_NUM}[- ]?tokens? (?:in|of input|input)(?![a-z])",
)


_OUTPUT_TOKENS = _compile(
    rf"{_TOKENS_NUM}[- ]?tokens?[- ](?:long )?(?:answers?|outputs?|responses?|replies|completions?)",
    rf"(?:answers?|outputs?|responses?|replies|completions?) (?:of |are |with )?(?:about |around |roughly |~|up to )?"
    rf"{_TOKENS_NUM}[- ]?tokens?",
    rf"{_TOKENS_NUM}[- ]?tokens? (?:out|of output|output)(?![a-z])",
)


_TOKENS_PER_S = _compile(
    # per user only: "5,000 tokens/s" alone is a throughput, not a latency target
    r"(?P<n>\d+(?:\.\d+)?)\s?(?:tokens?/s|tok/s|tokens? (?:per|a) second)"
    r" (?:per|for each|each) (?:user|request|stream)",
)


def _overlap(a: re.Match[str], b: re.Match[str]) -> bool:
    return a.start() < b.end() and b.start() < a.end()


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
