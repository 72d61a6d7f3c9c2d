"""The deterministic Requirements engine: user messages -> WorkloadSpec, or clarifying questions.

Each user message goes through every extractor in `EXTRACTORS`; an extractor reads the message
(and the state so far) and returns only the fields it found. The fields are merged in message order,
so a later message overrides an earlier one ("make it Azure instead" changes the provider and keeps
the rest). `_finish` then derives what depends on several fields (GPU need, regions, replicas,
confidence). All phrasings live in `lexicon`; the text is only ever matched, never executed.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypedDict, cast

from stack8s.agents.requirements import lexicon as lx
from stack8s.agents.requirements.model_names import (
    COUNT_NOUNS,
    MAX_TEXT_CHARS,
    FuzzyVocab,
    ModelLexicon,
    ModelMatch,
    UnknownModel,
)
from stack8s.agents.requirements.numbers import Range, canonical
from stack8s.agents.requirements.roles import one_off_sentence, read_roles
from stack8s.catalogs import fx
from stack8s.catalogs.gpus import gpu_name_regex, match_gpu_preference
from stack8s.planning.plan import HOURS_PER_MONTH
from stack8s.planning.spec import CRITICAL_FIELDS, Confidence, Domain, Precision, TaskType, WorkloadSpec


@dataclass(frozen=True, slots=True)
class Message:
    text: str  # accents folded, dashes and spaces normalised, case kept
    model: ModelMatch | None
    unknown: UnknownModel | None = None  # a model named that the catalog does not know (when `model` is None)


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
_FILLER = (
    r"(?:\s+(?:is|of|at|around|about|approx\.?|approximately|roughly|up to|under|below|max(?:imum)?"
    r"|at most|de|von|ist|es|est|da|do|only|just|a|an|per|monthly|total|will be|would be))"
)
_BUDGET_KEYWORD = _compile(
    rf"(?:{lx.BUDGET_WORDS}){_FILLER}{{0,4}}\s*[:=~]?\s*(?:{lx.CURRENCY})?\s?{lx.AMOUNT}{_CUR_AFTER}?"
    rf"(?![a-z0-9]){_PERIOD}?"
)
_BUDGET_MONEY = (
    re.compile(rf"(?P<cur>{lx.CURRENCY})\s?{lx.AMOUNT}{_CUR_AFTER}?(?![a-z0-9]){_PERIOD}?", _FLAGS),
    *_compile(rf"{lx.AMOUNT}\s?(?P<cur>{lx.CURRENCY}|{lx.CURRENCY_WORDS})(?![a-z]){_PERIOD}?"),
    *_compile(rf"{lx.AMOUNT}\s?/\s?(?:{_period_groups(lx.PERIODS)})(?![a-z0-9])"),
)
_GPU_COUNT = _compile(
    rf"{_COUNT}\s?[-x]?\s?(?:{lx.GPU_NAMES})s?(?![a-z0-9])",
    rf"(?:{lx.GPU_NAMES})(?:[- ]?\d{{2,3}}\s?gb)?s?\s?x\s?(?P<n>\d{{1,2}})(?![\d.a-z])",  # "A100-80GB x 4"
)
_REPLICAS = _compile(
    rf"{_COUNT}\s?(?:{lx.REPLICA_WORDS})(?![a-z])",
    r"replica(?:s| count)?\s?(?:of|:|=)?\s?(?P<n>\d{1,3})(?!\d)",
)
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
_UNITS = "|".join(sorted(lx.SIZE_UNITS, key=len, reverse=True))
_DATASET_SIZE = _compile(
    rf"{_NUM}\s?(?P<unit>{_UNITS})\s(?:of\s)?(?:[a-z]+\s){{0,2}}?(?:{lx.DATA_NOUNS})(?![a-z])",
    rf"(?:dataset|data set|corpus|training data|data)\s"
    rf"(?:(?:is|of|size|totals?|with|around|about|~)\s){{0,3}}"
    rf"{_NUM}\s?(?P<unit>{_UNITS})(?![a-z])",
)
_DATASET_ITEMS = _compile(
    rf"(?P<n>{lx.NUMBER})\s?(?P<scale>k|m|million|thousand|mio)?\s(?:[a-z]+\s)?(?:{_period_groups(lx.ITEM_SIZE_KB)})"
    rf"(?![a-z])"
)
_NOT_A_COUNT = r"(?!\s+(?:" + "|".join(sorted(COUNT_NOUNS)) + r")\b)"
_STATED_SIZE = _compile(
    r"(?P<n>\d+(?:\.\d+)?)\s?(?:b|bn|billion)(?:[- ]param(?:eter)?s?)?(?![a-z0-9])" + _NOT_A_COUNT,
    r"(?P<e>\d+)x(?P<n>\d+(?:\.\d+)?)b(?![a-z0-9])",
    r"(?P<m>\d+(?:\.\d+)?)\s?(?:m|million)[- ]param(?:eter)?s?(?![a-z])",
)
_REGION_IDS = sorted(
    {r for rs in lx.REGIONS.values() for r in rs if re.search(r"\d", r) or "-" not in r}, key=len, reverse=True
)
_REGION = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, _REGION_IDS)) + r")(?![\w-])", _FLAGS)
_REGION_OWNERS = {r: tuple(p for p in lx.REGION_OWNERS if r in lx.REGIONS.get(p, ())) for r in _REGION_IDS}
_PROVIDER_VOCAB = FuzzyVocab(lx.PROVIDER_WORDS)
# Money amounts, removed before looking for GPU names so that "$4090" is not an RTX 4090.
_MONEY = re.compile(
    rf"(?:{lx.CURRENCY})\s?[\d.,]+|(?<![\d.,])[\d.,]+\s?(?:{lx.CURRENCY}|{lx.CURRENCY_WORDS})(?![a-z])",
    _FLAGS,
)
_SENTENCE = re.compile(r"[^.!?;\n]+")
_DOMAIN_ORDER = (Domain.multimodal, Domain.audio, Domain.computer_vision, Domain.tabular, Domain.nlp)
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


# --------------------------------------------------------------------------- extractors


def _task(msg: Message, state: Reading) -> State:
    hits = lx.TASKS.values(msg.text)
    if not hits:
        return {}
    task, _ = max(hits, key=lambda h: h[1])
    return {"task_type": task}


def _domain(msg: Message, state: Reading) -> State:
    scores: dict[Domain, float] = {}
    for domain, weight in lx.DOMAINS.values(msg.text):
        scores[domain] = scores.get(domain, 0.0) + weight
    model_domain = lx.PIPELINE_DOMAIN.get(msg.model.pipeline_tag or "") if msg.model else None
    if model_domain:
        scores[model_domain] = scores.get(model_domain, 0.0) + 5.0
    if not scores:
        return {}
    return {"domain": max(_DOMAIN_ORDER, key=lambda d: (scores.get(d, 0.0), -_DOMAIN_ORDER.index(d)))}


def _gpu(msg: Message, state: Reading) -> State:
    out: State = {}
    hedged = _hedged_sentences(msg.text)
    explicit = [h for h in lx.GPU_EXPLICIT.hits(msg.text) if not (h.value and _inside(h.start, hedged))]
    preference = match_gpu_preference(_MONEY.sub(" ", msg.text))
    if any(not hit.value for hit in explicit):
        out["gpu_explicit"] = False
    elif explicit or preference:
        out["gpu_explicit"] = True
    hints = lx.GPU_HINTS.values(msg.text)
    if hints:
        out["gpu_hint"] = any(hints)
    if preference and out.get("gpu_explicit", True):
        out["gpu_preference"] = preference
        out.update(_lift_named(state, "excluded_gpus", preference))
    return out


def _hedged_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences that hedge ("not sure we need a GPU"): GPU words there decide nothing."""
    return [(s.start(), s.end()) for s in _SENTENCE.finditer(text) if lx.GPU_HEDGE.search(s.group())]


def _inside(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    index = bisect.bisect_right(spans, (position, MAX_TEXT_CHARS + 1)) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def _gpu_count(msg: Message, state: Reading) -> State:
    found = _first(_GPU_COUNT, msg.text)
    count = _count(found.group("n")) if found else 0
    return {"gpu_count": count} if 0 < count <= 1024 else {}


def _model(msg: Message, state: Reading) -> State:
    out: State = {}
    sized = _first(_STATED_SIZE, msg.text)
    if sized:
        out["size"] = _size_of(sized)
    if msg.model:
        out["model"], out["model_text"], out["size"], out["unknown_model"] = msg.model, msg.text, out.get("size"), None
    elif msg.unknown:
        # Never a silent default: the closest known member of the family is planned and the plan says so;
        # with none, the user is asked for the size (or for the config.json) unless they stated it.
        out["model"], out["model_text"], out["unknown_model"] = msg.unknown.closest, msg.text, msg.unknown.named
    return out


def _size_of(found: re.Match[str]) -> tuple[str, float]:
    groups = found.groupdict()
    if groups.get("m"):
        return f"{groups['m']}m", float(groups["m"]) / 1000
    if groups.get("e"):
        return f"{groups['e']}x{groups['n']}b", float(groups["e"]) * float(groups["n"])
    return f"{groups['n']}b", float(groups["n"])


_KV_FP8 = re.compile(r"(?:fp8|8-bit) kv(?:[- ]cache)?|kv[- ]cache (?:in |as |of )?(?:fp8|8-bit)", _FLAGS)


def _precision(msg: Message, state: Reading) -> State:
    out: State = {}
    text = msg.text
    if kv := _KV_FP8.search(text):
        # "an FP8 KV cache" sets the cache's dtype, not the weights'.
        out["kv_cache_dtype"] = "fp8"
        text = text[: kv.start()] + " " + text[kv.end() :]
    hits = lx.PRECISIONS.values(text)
    if hits:
        out["precision"], out["quant_method"] = hits[0]
    return out


def _fine_tuning(msg: Message, state: Reading) -> State:
    """The first method named and not ruled out: "fully fine-tune it (not LoRA)" is full fine-tuning."""
    hits = lx.FINE_TUNING_METHODS.hits(msg.text)
    wanted = [hit.value for hit in hits if not _negated(msg.text, hit.start)]
    if wanted:
        return {"fine_tuning_method": wanted[0]}
    if state.get("fine_tuning_method") in {hit.value for hit in hits}:
        return {"fine_tuning_method": None}  # "actually, not LoRA" takes back the method named before
    return {}


@dataclass(frozen=True, slots=True)
class Money:
    """A budget as the user stated it: `amount` of `currency` per `period` ("hour", "month"...; None: as a
    one-off total, or a monthly budget with no period word), and the same per month (the total for a one-off)."""

    amount: float
    currency: str  # ISO 4217, a row of catalogs/data/fx.yaml
    period: str | None
    monthly: float


_CURRENCY_SPELLINGS = tuple(
    (re.compile(pattern, _FLAGS), code)
    for code, pattern in (
        *lx.CURRENCY_SYMBOLS,
        *((code, rf"(?<![a-z])(?:{words})(?![a-z])") for code, words in lx.CURRENCY_CODES),
    )
)
_CURRENCY_NAME = rf"(?:{lx.CURRENCY}|{lx.CURRENCY_WORDS})(?![a-z])"
_CURRENCY_SWITCH = _compile(rf"(?:{lx.CURRENCY_SWITCH})\s+{_CURRENCY_NAME}")
_IN_CURRENCY = _compile(rf"in\s+{_CURRENCY_NAME}")  # "budget 1000 per month, in euros"
_ONLY_A_CURRENCY = re.compile(
    rf"^\W*(?:(?:sorry|oops|actually|no|wait|oh)\W+)*(?:(?:in|i meant|meant)\s+)?{_CURRENCY_NAME}\W*"
    rf"(?:(?:not|rather than|instead of)\s+{_CURRENCY_NAME}\W*)?$",
    _FLAGS,
)


def _currency_of(text: str) -> str | None:
    """The currency first named in `text` (leftmost, then longest spelling), as an ISO code."""
    found = [(m.start(), m.start() - m.end(), code) for rx, code in _CURRENCY_SPELLINGS for m in rx.finditer(text)]
    return min(found)[2] if found else None


def _currency_switch(text: str) -> str | None:
    """'Sorry, I meant euros', 'that's in pounds', 'the budget is in GBP': the currency the budget was in."""
    found = _first(_CURRENCY_SWITCH, text)
    if found is not None:
        return _currency_of(found.group())
    whole = _ONLY_A_CURRENCY.match(text) if len(text) <= 80 else None  # "sorry, I meant euros" is short
    return _currency_of(whole.group()) if whole else None


def _budget(msg: Message, state: Reading) -> State:
    """The first monthly budget and the first one-off budget ("$500 in total", "a total budget of $2,000"), in
    the currency they were stated in. A message that only names a currency ("I meant euros") re-reads the
    budgets said before in that currency."""
    out: dict[str, Money] = {}
    switch = _currency_switch(msg.text)
    in_currency = _first(_IN_CURRENCY, msg.text)
    unstated = switch or (_currency_of(in_currency.group()) if in_currency else None) or "USD"
    for found in _budget_matches(msg.text):
        key = "budget_total" if _one_off(msg.text, found) else "budget_monthly"
        if key in out:
            continue
        currency = _currency_of(found.group()) or unstated
        amount = _number(found.group("num"), found.group("scale"), currency in lx.DOT_THOUSANDS_CURRENCIES)
        period = _stated_period(msg.text, found)
        factor = lx.PERIODS[period][1] if period is not None else 1.0
        name = lx.PERIOD_NAMES[lx.PERIODS[period][1]] if period is not None else None
        if amount * factor > 0:
            out[key] = Money(amount, currency, name, amount * factor)
        if len(out) == 2:
            break
    if not out and switch:
        for key in ("budget_monthly", "budget_total"):
            if (said := _loose(state).get(key)) is not None:
                out[key] = replace(said, currency=switch)
    return cast(Reading, out)


def _budget_fields(state: Reading) -> Fields:
    """The budgets in USD, and how any other currency was converted (rate and the rate table's date)."""
    out: Fields = {"budget_monthly_usd": None, "budget_total_usd": None, "currency_note": None}
    notes = []
    for key, source in (("budget_monthly_usd", "budget_monthly"), ("budget_total_usd", "budget_total")):
        money: Money | None = _loose(state).get(source)
        if money is None:
            continue
        usd, rate_note = fx.to_usd(money.monthly, money.currency)
        out[key] = round(usd, 2)
        if rate_note:
            notes.append(_currency_note(money, key == "budget_total_usd", usd, rate_note))
    out["currency_note"] = "; ".join(notes) or None
    return out


def _currency_note(money: Money, total: bool, usd: float, rate_note: str) -> str:
    """'£1,200/month = $1,582/month at 1.318 USD per GBP (ECB reference rates, 2026-11-27)'."""
    if total:
        return f"{_money(money.amount, money.currency)} in total = {_money(usd, 'USD')} in total at {rate_note}"
    stated = _money(money.amount, money.currency) + f"/{money.period or 'month'}"
    if money.period not in (None, "month"):
        stated += f" = {_money(money.monthly, money.currency)}/month"
    return f"{stated} = {_money(usd, 'USD')}/month at {rate_note}"


def _money(amount: float, currency: str) -> str:
    """'£1,200', '$1,582' (whole units from 100 up), '€2.50', '900 CHF' (a currency with no symbol)."""
    number = f"{amount:,.0f}" if amount >= 100 or abs(amount - round(amount)) < 0.005 else f"{amount:,.2f}"
    symbol = fx.rate(currency).symbol
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


def _budget_matches(text: str) -> list[re.Match[str]]:
    """Budget phrases in order of preference: keyword phrases ("budget of $2k") first, then bare amounts
    that are not part of one, in text order."""
    keyword = [m for p in _BUDGET_KEYWORD for m in p.finditer(text)]
    spans = [m.span() for m in keyword]
    money: list[re.Match[str]] = []
    for found in sorted((m for p in _BUDGET_MONEY for m in p.finditer(text)), key=lambda m: (m.start(), -m.end())):
        if not _inside(found.start(), spans) and not (money and found.start() < money[-1].end()):
            money.append(found)
    # an amount under a limit word ("has to come in under $6k") before one spent today ("we burn $9k on OpenAI")
    money.sort(key=lambda m: _LIMIT_BEFORE.search(text[max(0, m.start() - 24) : m.start()]) is None)
    return keyword + money


_LIMIT_BEFORE = re.compile(
    r"(?:under|below|less than|at most|max(?:imum)?|up to|no more than|within|cap(?:ped)?(?: at)?|limit(?: of)?"
    r"|unter|hochstens|maximal|moins de|au plus|menos de|como maximo|no maximo|ate)\s*[:~]?\s*$",
    _FLAGS,
)


def _one_off(text: str, found: re.Match[str]) -> bool:
    """An amount with no period of its own, next to "total", "one-off", "for the whole run" or the like."""
    if any(found.groupdict().get(f"p{i}") for i in range(len(lx.PERIODS))):
        return False
    before = text[max(0, found.start() - 40) : found.start()]
    after = text[found.end() : found.end() + 60]
    if lx.TOTAL_BEFORE.search(before) is not None or lx.TOTAL_AFTER.match(after) is not None:
        return True
    return one_off_sentence(text, found.start()) and _stated_period(text, found) is None


def _stated_period(text: str, found: re.Match[str]) -> int | None:
    """The PERIODS row an amount states, after it ("$500 a month") or as an adjective before it ("annual budget
    of $60,000", "Hourly budget of $4.10"), in its sentence."""
    period = next((i for i in range(len(lx.PERIODS)) if found.groupdict().get(f"p{i}")), None)
    if period is not None:
        return period
    before = text[max(0, found.start() - 30) : found.start() + 16]  # "annual budget of": the adjective may lead
    before = re.split(r"[.;!?]\s", before)[-1]
    noun = rf"(?:{lx.BUDGET_WORDS}|spend|cap|limit|presupuesto|orcamento)"
    for i, (pattern, _) in enumerate(lx.PERIODS):
        word = rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])"
        if re.search(rf"{word}\s+{noun}|{noun}\s+{word}", before, _FLAGS):  # "annual budget", "budget annuel"
            return i
    return None


def _provider(msg: Message, state: Reading) -> State:
    """The provider, region and area last named. Naming one that an earlier message ruled out lifts that
    exclusion ("no AWS" ... "ok, use AWS after all")."""
    out: State = {}
    mentions = [(h.start, h.value) for h in lx.PROVIDERS.hits(msg.text)] + _fuzzy_providers(msg.text)
    wanted = [p for start, p in sorted(mentions) if not _negated(msg.text, start)]
    if wanted:
        out["provider"] = wanted[-1]
    regions = [m.group().lower() for m in _REGION.finditer(msg.text)]
    provider = out.get("provider", state.get("provider"))
    excluded = out.get("excluded_providers", state.get("excluded_providers", ()))
    if regions:
        owners = _REGION_OWNERS[regions[-1]]
        allowed = [owner for owner in owners if owner not in excluded]
        if provider not in owners and "provider" not in out and allowed:
            out["provider"] = provider = allowed[0]
        if provider in owners:
            out["region"] = regions[-1]
    region = out.get("region", state.get("region"))
    if region and provider and region not in lx.REGIONS.get(provider, ()):
        out["region"] = None
    areas = lx.AREAS.values(msg.text)
    if areas:
        out["area"] = areas[-1]
    out.update(_lift_named(state, "excluded_providers", out.get("provider")))
    out.update(_lift_named(state, "excluded_areas", out.get("area")))
    out.update(_lift_named(state, "excluded_region_ids", out.get("region")))
    return out


def _lift_named(state: Reading, key: str, named: str | None) -> State:
    excluded: list[str] = _loose(state).get(key, [])
    if named is None or not any(_same(named, ex) for ex in excluded):
        return {}
    return cast(Reading, {key: [ex for ex in excluded if not _same(named, ex)]})


def _same(a: str, b: str) -> bool:
    """The same thing, or a GPU and its memory variant ("A100" and "A100-80GB")."""
    return a == b or a.startswith(f"{b}-") or b.startswith(f"{a}-")


def _negated(text: str, start: int) -> bool:
    return lx.NEGATION_BEFORE.search(text[max(0, start - 30) : start]) is not None


def _fuzzy_providers(text: str) -> list[tuple[int, str]]:
    found = []
    for word in re.finditer(r"[A-Za-z]{5,}", text):
        token = word.group().lower()
        corrected = _PROVIDER_VOCAB.correct(token)
        if corrected and corrected != token:
            found.append((word.start(), lx.PROVIDER_WORDS[corrected]))
    return found


def _replicas(msg: Message, state: Reading) -> State:
    out: State = {}
    found = _first(_REPLICAS, msg.text)
    if found and 0 < _count(found.group("n")) <= 1000:
        out["replicas"] = _count(found.group("n"))
    if lx.HIGH_AVAILABILITY.search(msg.text):
        out["high_availability"] = True
    return out


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
_DURATION = r"(?P<v>\d+(?:\.\d+)?)\s?(?P<u>ms|milliseconds?|s|secs?|seconds?)(?![a-z])"
_TTFT = _compile(
    rf"(?:first token|ttft|time to first token)[^.;,]{{0,30}}?(?:under|below|within|<|<=|less than|at most|in)\s?"
    rf"{_DURATION}",
    rf"{_DURATION} (?:to |for the )?(?:first token|ttft)",
)
_LATENCY = _compile(
    rf"(?<!end-to-end )(?<!end to end )(?<!total )(?:p\d{{2}} )?latenc(?:y|ies)[^.;,]{{0,20}}?(?:under|below|within|<|"
    rf"<=|less than|at most|of)\s?{_DURATION}",
)
_E2E = _compile(
    rf"(?:end[- ]to[- ]end|e2e|total|full) (?:latency|response time)[^.;,]{{0,20}}?(?:under|below|within|<|<=|"
    rf"less than|at most|of)\s?{_DURATION}",
    rf"(?:respond|answers?|replies|responses?) (?:with)?in (?:under |less than )?{_DURATION}",
)
_TOKENS_PER_S = _compile(
    # per user only: "5,000 tokens/s" alone is a throughput, not a latency target
    r"(?P<n>\d+(?:\.\d+)?)\s?(?:tokens?/s|tok/s|tokens? (?:per|a) second)"
    r" (?:per|for each|each) (?:user|request|stream)",
)
_ITL = _compile(rf"(?:itl|inter[- ]token latency|tpot|time per (?:output )?token)[^.;,]{{0,20}}?{_DURATION}")


def _ms(found: re.Match[str]) -> float:
    value = float(found.group("v"))
    return value if found.group("u").startswith("m") else value * 1000


def _tokens(found: re.Match[str]) -> int:
    return int(_number(found.group("n"), found.group("scale")))


def _load_shape(msg: Message, state: Reading) -> State:
    """Tokens per request and latency targets ('500-token prompts', 'first token under 300 ms',
    'p95 latency under 2 s', 'at least 30 tokens/s per user')."""
    out: State = {}
    if found := _first(_INPUT_TOKENS, msg.text):
        out["input_tokens"] = _tokens(found)
    if found := _first(_OUTPUT_TOKENS, msg.text):
        out["output_tokens"] = _tokens(found)
    slo = dict(state.get("slo") or {})
    if found := _first(_TTFT, msg.text) or _first(_LATENCY, msg.text):
        # A bare "latency" of a streaming service is how soon the answer starts: time to first token.
        slo["ttft_ms"] = _ms(found)
    if found := _first(_ITL, msg.text):
        slo["itl_ms"] = _ms(found)
    elif (found := _first(_TOKENS_PER_S, msg.text)) and float(found.group("n")) > 0:
        slo["itl_ms"] = round(1000 / float(found.group("n")), 2)
    if found := _first(_E2E, msg.text):
        slo["e2e_ms"] = _ms(found)
    if slo != (state.get("slo") or {}):
        out["slo"] = slo
    for pattern, case in _USE_CASES:
        if pattern.search(msg.text):
            out["use_case"] = case
            break
    return out


_USE_CASES = tuple((re.compile(p, _FLAGS), case) for p, case in lx.USE_CASE_WORDS)


def _context(msg: Message, state: Reading) -> State:
    found = _first(_CONTEXT, msg.text)
    if not found:
        return {}
    scale = {"k": 1024, "m": 1024 * 1024}.get((found.group("scale") or "").lower(), 1)
    tokens = int(_number(found.group("n")) * scale)
    return {"context_length": tokens} if 1 <= tokens <= 100_000_000 else {}


def _dataset(msg: Message, state: Reading) -> State:
    sized = _first(_DATASET_SIZE, msg.text)
    if sized:
        unit = lx.SIZE_UNITS[sized.group("unit").lower()]
        return {"dataset_size_gb": round(_number(sized.group("n"), sized.group("scale")) * unit, 3)}
    items = _first(_DATASET_ITEMS, msg.text)
    if not items:
        return {}
    count = _number(items.group("n"), items.group("scale"))
    kilobytes = _period_factor(items, lx.ITEM_SIZE_KB, 0.0)
    if kilobytes <= 0 or _RATE_AFTER_ITEMS.match(msg.text, items.end()):
        return {}  # "3 pages per second" is a rate, not a stored dataset
    return {"dataset_size_gb": round(count * kilobytes / 1e6, 3)}


_RATE_AFTER_ITEMS = re.compile(
    rf"\s?(?:per|a|an|each|every|/|pro|par|por)\s?(?:{_period_groups(lx.RATE_PERIODS)})(?![a-z])", _FLAGS
)


# --------------------------------------------------------------------------- jobs: training data, epochs,
# deadlines and batch volumes. Read whatever the task; `_job_fields` keeps them only for a job.

_COUNT_SCALES = "|".join(sorted(map(re.escape, lx.COUNT_SCALE), key=len, reverse=True))
_BIG = rf"(?P<n>{lx.NUMBER})(?:\s?(?P<scale>{_COUNT_SCALES})(?![a-z]))?"  # "50M", "1.5 trillion", "20,000"
_APPROX = r"(?:(?:about|around|roughly|approximately|approx\.?|some|over|up to|~)\s?)?"
# Words that may stand between a count and its noun ("20,000 labelled chat examples"), never a preposition.
_ADJ = (
    r"(?:(?!(?:of|on|in|for|with|and|or|to|from|at|per|by|a|an|the|every|each|epochs?|hours?|hrs?|minutes?"
    r"|mins?|tokens?)\b)[a-z-]+\s)"
)
_RATE_AFTER = (
    r"\s?(?:/|per|a|an|each|every)\s?(?:s|sec|second|min|minute|h|hr|hour|day|week|month|request|user|query"
    r"|prompt|answer|response|call|generation|example|sample|sequence)s?(?![a-z])"
)
_LENGTH_AFTER = (
    r"\s(?:of\s)?(?:context|input|output|prompts?|answers?|responses?|sequences?|per|each|long|length|window)"
    r"(?![a-z])"
)
_STATED_TOKENS = _compile(
    rf"{_BIG}\s?(?:(?:training|text|pre-?training|fine-?tuning|unique|clean|high-quality)\s)?tokens?(?![a-z/-])"
    rf"(?!{_RATE_AFTER})(?!{_LENGTH_AFTER})"
)
_PER_EXAMPLE = rf"(?P<per>{lx.NUMBER})\s?(?P<pscale>k)?"
_EXAMPLES = _compile(
    rf"{_BIG}\s{_ADJ}{{0,2}}?(?:{lx.EXAMPLE_NOUNS})(?![a-z])"
    rf"(?:(?:,?\s|\s\()(?:each|of|at|with|averaging|on average|about|around|roughly|approximately|avg\.?|average"
    rf"|up to|~)){{1,3}}\s?~?{_PER_EXAMPLE}[- ]?tokens?",
    rf"{_BIG}\s{_PER_EXAMPLE}[- ]tokens?\s{_ADJ}?(?:{lx.EXAMPLE_NOUNS})(?![a-z])",
    rf"{_BIG}\s{_ADJ}{{0,2}}?(?:{lx.EXAMPLE_NOUNS})(?![a-z])",
)
_CORPUS_WORDS = _compile(rf"{_BIG}[\s-]{_ADJ}?(?:(?P<page>pages?)|words?)(?![a-z])")
_DEADLINE_COUNT = rf"(?P<n>\d+(?:\.\d+)?|{_NUM_WORDS}|an?)"
_DEADLINE_UNIT = rf"(?:{_period_groups(lx.PERIODS)})s?(?![a-z0-9])"
_DEADLINE = _compile(
    rf"(?:{lx.DEADLINE_LEAD})\s(?:about |around |roughly |~)?{_DEADLINE_COUNT}[\s-]?{_DEADLINE_UNIT}",
    rf"{_DEADLINE_COUNT}[\s-]{_DEADLINE_UNIT}\s(?:deadline|window|time ?frame|turnaround)",
)
_AUDIO_UNIT = _period_groups(lx.AUDIO_UNITS)
_AUDIO = _compile(
    rf"{_BIG}\s?(?:{_AUDIO_UNIT})\s(?:of\s)?{_ADJ}{{0,2}}?(?:{lx.AUDIO_NOUNS})(?![a-z])",
    rf"{_BIG}\s?(?:audio|speech|call|recording|podcast)[- ](?:{_AUDIO_UNIT})(?![a-z])",
    rf"transcri(?:be|bing)\s{_APPROX}{_BIG}\s?(?:{_AUDIO_UNIT})(?![a-z])",
)
_ITEMS = _compile(
    rf"(?:{lx.JOB_VERBS})\s(?:(?:all|our|the|of|a|an|total of|roughly|about|around|some|over|up to|~)\s?){{0,3}}"
    rf"(?:(?:{lx.JOB_COLLECTIONS})\sof\s)?{_APPROX}{_BIG}\s{_ADJ}{{0,2}}?(?:{lx.JOB_ITEM_NOUNS})(?![a-z])",
    rf"(?:{lx.JOB_COLLECTIONS})\s(?:of\s)?{_APPROX}{_BIG}\s{_ADJ}{{0,2}}?(?:{lx.JOB_ITEM_NOUNS})(?![a-z])",
)
_TRAIN_ITEMS = _compile(
    rf"(?:train|fine[- ]?tun)\w*\b[^.;]{{0,60}}?\bon\s{_APPROX}{_BIG}\s{_ADJ}{{0,2}}?"
    r"(?:images|photos|pictures|samples|clips|videos|frames|records|rows)(?![a-z])",
)
_AFTER_VOLUME = re.compile(rf"\s*,?\s*{lx.SCHEDULE_AFTER_VOLUME}(?![a-z])", _FLAGS)


def _count_of(found: re.Match[str], number: str = "n", scale: str = "scale") -> float:
    return _number(found.group(number)) * lx.COUNT_SCALE.get((found.group(scale) or "").lower(), 1.0)


def _training_data(msg: Message, state: Reading) -> State:
    """Tokens per epoch: stated ("on 50B tokens"), or converted from examples, words or pages (the basis says how)."""
    examples = _first(_EXAMPLES, msg.text)
    reading = _stated_tokens(msg.text, examples) or _example_tokens(examples) or _corpus_tokens(msg.text)
    if reading is None:
        return {}
    return {"training_tokens": reading[0], "training_tokens_basis": reading[1]}


_SERVING_TOKENS = (*_INPUT_TOKENS, *_OUTPUT_TOKENS, *_CONTEXT, *_TOKENS_PER_S)
_NEAR = 80  # characters either side of a token count where a serving phrase that reads it could be


def _stated_tokens(text: str, examples: re.Match[str] | None) -> tuple[int, str] | None:
    """The first "N tokens" big enough for a dataset that no example count or serving phrase reads
    ("20,000 examples of 500 tokens", "prompts of 2k tokens", "a context of 32,000 tokens")."""
    for found in (m for p in _STATED_TOKENS for m in p.finditer(text)):
        tokens = int(_count_of(found))
        if tokens < lx.MIN_TRAINING_TOKENS or (examples and _overlap(found, examples)):
            continue
        lo, hi = max(0, found.start() - _NEAR), found.end() + _NEAR
        if not any(_overlap(found, m) for p in _SERVING_TOKENS for m in p.finditer(text, lo, hi)):
            return tokens, "stated"
    return None


def _overlap(a: re.Match[str], b: re.Match[str]) -> bool:
    return a.start() < b.end() and b.start() < a.end()


def _example_tokens(found: re.Match[str] | None) -> tuple[int, str] | None:
    if found is None or _count_of(found) < 1:
        return None
    count = _count_of(found)
    if found.groupdict().get("per"):
        per = _count_of(found, "per", "pscale")
        return int(count * per), f"{count:,.0f} examples x {per:,.0f} tokens"
    per = lx.DEFAULT_TOKENS_PER_EXAMPLE
    return int(count * per), f"{count:,.0f} examples x {per} tokens per example (assumed; no length was given)"


def _corpus_tokens(text: str) -> tuple[int, str] | None:
    found = _first(_CORPUS_WORDS, text)
    if found is None or _count_of(found) < 1:
        return None
    count = _count_of(found)
    if found.group("page"):
        words = count * lx.WORDS_PER_PAGE
        basis = f"{count:,.0f} pages x {lx.WORDS_PER_PAGE} words per page x {lx.TOKENS_PER_WORD} tokens per word"
        return round(words * lx.TOKENS_PER_WORD), basis
    return round(count * lx.TOKENS_PER_WORD), f"{count:,.0f} words x {lx.TOKENS_PER_WORD} tokens per word"


def _deadline(msg: Message, state: Reading) -> State:
    """'within a month' (730 h), 'in two weeks' (336), 'in 48 hours', 'by tomorrow' (24), 'overnight' (12)."""
    numeric = _first(_DEADLINE, msg.text)
    phrases = lx.DEADLINE_PHRASES.hits(msg.text)
    if phrases and (numeric is None or phrases[0].start < numeric.start()):
        return {"deadline_hours": phrases[0].value}
    if numeric is None:
        return {}
    word = numeric.group("n")
    count = float(word) if word[0].isdigit() else 1.0 if word.lower() in ("a", "an") else float(_count(word))
    hours = round(count * HOURS_PER_MONTH / _period_factor(numeric, lx.PERIODS, 1.0), 2)
    return {"deadline_hours": hours} if hours > 0 else {}


def _batch_volume(msg: Message, state: Reading) -> State:
    """Hours of audio or items one batch run processes, and how often it runs ("every night", "per month")."""
    out: State = {}
    audio = _first(_AUDIO, msg.text)
    items = _first(_ITEMS, msg.text) or _first(_TRAIN_ITEMS, msg.text)
    if items and audio and _overlap(items, audio):
        items = None  # "transcribe 2000 hours of recordings" is audio, not 2000 recordings
    if audio:
        hours = _count_of(audio) * _period_factor(audio, lx.AUDIO_UNITS, 1.0)
        out["audio_hours"] = round(hours, 2)
    if items:
        out["job_items"] = _count_of(items)
        out.update(_not_a_serving_volume(msg.text, items))
    runs = _runs_per_month(msg.text, [m.end() for m in (audio, items) if m])
    if runs:
        out["runs_per_month"] = runs
    return out


def _not_a_serving_volume(text: str, items: re.Match[str]) -> State:
    """'classify 200k images every week' is a job's volume, not a daily request rate of a service."""
    rate = _first(_RPS, text)
    if rate is not None and _overlap(rate, items) and _period_factor(rate, lx.RATE_PERIODS, 1.0) >= lx.DAILY_PERIOD_S:
        return {"requests_per_day": None}
    return {}


def _runs_per_month(text: str, volume_ends: Sequence[int]) -> float | None:
    for end in volume_ends:
        if after := _AFTER_VOLUME.match(text, end):
            unit = next(name for name, value in after.groupdict().items() if value)
            return round(lx.SCHEDULE_AFTER_VOLUME_RUNS[unit], 2)
    budgets = sorted(m.span() for m in _budget_matches(text))
    for hit in lx.RUN_SCHEDULES.hits(text):
        if not any(start <= hit.start < end for start, end in budgets):
            return round(hit.value, 2)
    return None


def _licenses(msg: Message, state: Reading) -> State:
    hits = lx.LICENSES.values(msg.text)
    return {"license_filter": _unique(lid for ids in hits for lid in ids)} if hits else {}


def _spot(msg: Message, state: Reading) -> State:
    hits = lx.SPOT.values(msg.text)
    return {"spot": hits[-1]} if hits else {}


def _ranking(msg: Message, state: Reading) -> State:
    """'make it cheaper', 'cut the cost' -> cheapest; 'faster', 'lower latency' -> fastest (the last one named)."""
    hits = lx.RANKINGS.values(msg.text)
    return {"ranking": hits[-1]} if hits else {}


def _roles(msg: Message, state: Reading) -> State:
    """What each number is by its unit and cue (roles.py): it overrides the older phrase rules it agrees with
    and fills what they missed."""
    found = read_roles(msg.text).fields()
    if (billion := found.pop("params_billion", None)) is not None and msg.model is None:
        found["size"] = (f"{billion:g}b", billion)
    slo = {k: found.pop(k) for k in ("ttft_ms", "itl_ms", "e2e_ms") if k in found}
    latency = found.pop("latency_ms", None)
    if slo or latency:
        merged = dict(state.get("slo") or {})
        if latency is not None and not slo:
            # a bare "latency": replace what the older rule read as time to first token; `_finish` decides
            merged.pop("ttft_ms", None)
            found["bare_latency_ms"] = latency
        found["slo"] = {**merged, **slo}
    volume = _batch_volume(msg, state)
    if volume.get("job_items") or volume.get("audio_hours"):
        # a stored volume processed on a schedule ("summarise 50k documents a day") is a job, not a serving rate
        found.pop("requests_per_second", None)
        found.pop("requests_per_day", None)
    if "concurrent_users" in found and "total_users" not in found:
        found["total_users"] = (
            state.get("total_users") if state.get("total_users") != found["concurrent_users"] else None
        )
    if "requests_per_second" in found and "requests_per_day" not in found:
        found["requests_per_day"] = None
    return cast(Reading, found)


def _accumulate(key: str, table: lx.Table[str]) -> Extractor:
    def extract(msg: Message, state: Reading) -> State:
        found = table.values(msg.text)
        return cast(Reading, {key: _unique([*_loose(state).get(key, []), *found])}) if found else {}

    return extract


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


EXTRACTORS: tuple[Extractor, ...] = (
    _task,
    _domain,
    _gpu,
    _gpu_count,
    _model,
    _precision,
    _fine_tuning,
    _budget,
    _provider,
    _replicas,
    _load_shape,
    _context,
    _dataset,
    _training_data,
    _deadline,
    _batch_volume,
    _licenses,
    _spot,
    _ranking,
    _accumulate("kubernetes_needs", lx.KUBERNETES_NEEDS),
    _accumulate("needs", lx.MODEL_NEEDS),
    _roles,
)


# --------------------------------------------------------------------------- exclusions, lifts and take-backs
# Read before the extractors, and cut out of the message they read ("exclude L4 and L40S, and move to GCP" leaves
# "; , and move to GCP"), so a GPU, provider or area ruled out, lifted or taken back is never the one wanted.


@dataclass(frozen=True, slots=True)
class _Item:
    """A thing a list names: a provider, a GPU model, an area or a region id. `end` is after its suffix."""

    start: int
    end: int
    kind: str  # provider | gpu | area | region
    value: str


_EXCLUDED_KEYS = {
    "provider": "excluded_providers",
    "gpu": "excluded_gpus",
    "area": "excluded_areas",
    "region": "excluded_region_ids",
}
_WANTED_KEYS = {"provider": "provider", "gpu": "gpu_preference", "area": "area", "region": "region"}
# What taking a thing back clears ("drop the AWS requirement"), and the spec fields that become None.
_ITEM_TAKE_BACKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "provider": (("provider", "region"), ("provider", "region")),
    "gpu": (("gpu_preference",), ("gpu_preference",)),
    "area": (("area", "region"), ("region", "regions")),
    "region": (("region",), ("region",)),
}
_FIELD_TAKE_BACKS: dict[str, tuple[State, tuple[str, ...]]] = {
    "budget": (
        {"budget_monthly": None, "budget_total": None},
        ("budget_monthly_usd", "budget_total_usd", "currency_note"),
    ),
    "provider": ({"provider": None, "region": None}, ("provider", "region")),
    "region": ({"region": None, "area": None}, ("region", "regions")),
    "gpu": ({"gpu_preference": None, "gpu_explicit": True}, ("gpu_preference",)),
    "gpu_count": ({"gpu_count": None}, ("gpu_count",)),
}
_NOT_IN_WORD = r"(?<![A-Za-z0-9'])"
_WORD_END = r"(?![A-Za-z0-9'])"
_GPU_NAME = re.compile(rf"(?<![A-Za-z0-9])(?:{gpu_name_regex()})", _FLAGS)
_GPU_MEMORY = re.compile(r"[- ]?\d{2,3}\s?gb(?![a-z])", _FLAGS)
_ITEM_SUFFIX = re.compile(rf"(?:(?:s|'s)(?![a-z]))?{lx.ITEM_SUFFIX}", _FLAGS)
_NOT_AN_ITEM = re.compile(rf"\s+(?:{lx.ITEM_NOT_BEFORE}){_WORD_END}", _FLAGS)
_JOIN = re.compile(rf"\s*(?P<comma>[,&/])?\s*(?:(?P<word>{lx.LIST_JOINERS})\s+)?(?:(?:{lx.LIST_ARTICLES})\s+)?", _FLAGS)
_THEN_FILLERS = (
    rf"{_WORD_END}[\s:]*(?:(?:(?:{lx.LIST_FILLERS}){_WORD_END}|{_NOT_IN_WORD}(?:{lx.LIST_ELISIONS}))[\s:]*){{0,4}}$"
)


@dataclass(frozen=True, slots=True)
class _ListForm:
    """Where a list stands: after a lead ("not on the"), before a predicate ("is not an option"), or, with
    `both`, between the two ("drop the ... requirement"). `probe` finds either anywhere, so a message with
    neither costs no look for lists."""

    before: re.Pattern[str]
    after: re.Pattern[str]
    probe: re.Pattern[str]
    both: bool = False


def _form(before: str, after: str, both: bool = False) -> _ListForm:
    return _ListForm(
        re.compile(rf"{_NOT_IN_WORD}(?:{before}){_THEN_FILLERS}", _FLAGS),
        re.compile(rf"\s+(?:{after}){_WORD_END}", _FLAGS),
        re.compile(rf"{_NOT_IN_WORD}(?:{before}){_WORD_END}|\s(?:{after}){_WORD_END}", _FLAGS),
        both,
    )


_EXCLUDE = _form(lx.EXCLUDE_BEFORE, lx.EXCLUDE_AFTER)
_LIFT = _form(lx.LIFT_BEFORE, lx.LIFT_AFTER)
_TAKE_BACK_NAMED = _form(lx.TAKE_BACK_ITEM_BEFORE, lx.TAKE_BACK_ITEM_NOUN, both=True)
_TAKE_BACK_SOFTLY = _form(lx.TAKE_BACK_ITEM_SOFT, lx.TAKE_BACK_ITEM_AFTER)
# A budget amount right after "forget the budget" belongs to it: "forget the budget of $500" sets no budget.
_TAKEN_AMOUNT = re.compile(
    rf"\s*(?:of|at|is|was|:|=)?\s*(?:{lx.CURRENCY})?\s?{lx.AMOUNT}(?:{_CUR_AFTER})?(?![a-z0-9]){_PERIOD}?", _FLAGS
)
_LEAD_WINDOW = 120  # characters before a list where its lead ("not on the", "exclude") must be


def _directives(text: str, state: Reading) -> tuple[State, str]:
    """A message's exclusions ("not on L4", "no AWS", "outside the EU"), lifts ("A10G is fine again") and
    take-backs ("forget the budget", "drop the AWS requirement", "any region"), in that order: the state they
    change, and the message with their words cut out."""
    out: dict[str, Any] = {}
    said = _loose(state)
    excluded: dict[str, list[str]] = {key: list(said.get(key, [])) for key in _EXCLUDED_KEYS.values()}
    cleared: list[str] = []
    text, ruled_out = _cut(text, _find_lists(text, _EXCLUDE))
    for item in ruled_out:
        key, wanted = _EXCLUDED_KEYS[item.kind], _WANTED_KEYS[item.kind]
        if item.value not in excluded[key]:
            excluded[key].append(item.value)
        if said.get(wanted) is not None and _same(said[wanted], item.value):
            out[wanted] = None
            if item.kind == "provider":
                out["region"] = None

    def is_excluded(item: _Item) -> bool:
        return any(_same(item.value, ex) for ex in excluded[_EXCLUDED_KEYS[item.kind]])

    text, lifted = _cut(text, _find_lists(text, _LIFT), keep=is_excluded)
    for item in lifted:
        key = _EXCLUDED_KEYS[item.kind]
        excluded[key] = [ex for ex in excluded[key] if not _same(item.value, ex)]
    text, named = _cut(text, _find_lists(text, _TAKE_BACK_NAMED))
    text, softly = _cut(text, _find_lists(text, _TAKE_BACK_SOFTLY))
    for item in [*named, *softly]:
        keys, fields = _ITEM_TAKE_BACKS[item.kind]
        out.update(dict.fromkeys(keys))
        cleared += fields
    for hit in lx.TAKE_BACKS.hits(text):
        updates, fields = _FIELD_TAKE_BACKS[hit.value]
        out.update(updates)
        cleared += fields
        end = hit.end
        if hit.value == "budget" and (amount := _TAKEN_AMOUNT.match(text, end)):
            end = amount.end()
        text = _mask(text, hit.start, end)
    for key, values in excluded.items():
        if values != list(said.get(key, [])):
            out[key] = values
    if cleared:
        out["taken_back"] = _unique([*state.get("taken_back", []), *cleared])
    return cast(Reading, out), re.sub(r"\s*;[;\s]*", " ; ", text).strip() if ";" in text else text


def _items(text: str) -> list[_Item]:
    """Providers, GPU models, areas and region ids named in `text`, leftmost then longest, not overlapping."""
    found = [(h.start, h.end, "provider", h.value) for h in lx.PROVIDERS.hits(text)]
    found += [(h.start, h.end, "area", h.value) for h in lx.AREAS.hits(text)]
    found += [(m.start(), m.end(), "region", m.group().lower()) for m in _REGION.finditer(text)]
    for m in _GPU_NAME.finditer(text):
        end = memory.end() if (memory := _GPU_MEMORY.match(text, m.end())) else m.end()
        gpu = match_gpu_preference(text[m.start() : end])
        if gpu:
            found.append((m.start(), end, "gpu", gpu))
    found.sort(key=lambda f: (f[0], f[0] - f[1]))
    items: list[_Item] = []
    for start, end, kind, value in found:
        if not items or start >= items[-1].end:
            suffix = _ITEM_SUFFIX.match(text, end)
            end = suffix.end() if suffix else end
            if not _NOT_AN_ITEM.match(text, end):  # "not a US company", "no AWS credits"
                items.append(_Item(start, end, kind, value))
    return items


def _chains(text: str) -> list[tuple[list[_Item], list[bool]]]:
    """Runs of items joined by commas or words ("L4 and L40S", "AWS, Azure or GCP"), with, for each join,
    whether it was a word ("and", "or", "ni") rather than only a comma."""
    chains: list[tuple[list[_Item], list[bool]]] = []
    for item in _items(text):
        join = _JOIN.fullmatch(text, chains[-1][0][-1].end, item.start) if chains else None
        if join is not None and (join.group("comma") or join.group("word")):
            chains[-1][0].append(item)
            chains[-1][1].append(bool(join.group("word")))
        else:
            chains.append(([item], []))
    return chains


def _find_lists(text: str, form: _ListForm) -> list[tuple[int, int, list[_Item]]]:
    """Lists in `form`'s place: (start, end, items) of the words to cut. A list joined by commas alone is one
    item next to the lead or predicate: "not on AWS, GCP please" rules out AWS only; "no AWS, Azure or GCP"
    all three."""
    if form.probe.search(text) is None:
        return []
    found = []
    for items, words in _chains(text):
        start, end = items[0].start, items[-1].end
        lead = form.before.search(text, max(0, start - _LEAD_WINDOW), start)
        tail = form.after.match(text, end)
        if form.both and not (lead and tail):
            continue
        if lead:
            kept = items[: max((i + 1 for i, word in enumerate(words) if word), default=0) + 1]
            found.append((lead.start(), tail.end() if tail and len(kept) == len(items) else kept[-1].end, kept))
        elif tail:
            kept = items if words and words[-1] else items[-1:]
            found.append((kept[0].start, tail.end(), kept))
    return found


def _cut(
    text: str, lists: Sequence[tuple[int, int, list[_Item]]], keep: Callable[[_Item], bool] | None = None
) -> tuple[str, list[_Item]]:
    """The text without the lists' words, and their items (only those `keep` accepts; a list with none is left)."""
    taken: list[_Item] = []
    for start, end, items in lists:
        kept = [item for item in items if keep is None or keep(item)]
        if kept:
            taken += kept
            text = _mask(text, start, end)
    return text, taken


def _mask(text: str, start: int, end: int) -> str:
    """Words cut out, the length kept (positions found before stay valid); ";" stops phrases reading across."""
    width = end - start
    return text[:start] + (f" {';' * (width - 2)} " if width > 2 else " " * width) + text[end:]


# --------------------------------------------------------------------------- public API


def extract_spec(user_messages: Sequence[str], models: ModelLexicon) -> WorkloadSpec:
    """Read the user's messages in order (later ones override) and return what they ask for."""
    return _finish(_read(user_messages, models), models)


def _read(user_messages: Sequence[str], models: ModelLexicon) -> State:
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
        message = Message(text, model, None if model else models.unknown(text))
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


# --------------------------------------------------------------------------- derived fields


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
