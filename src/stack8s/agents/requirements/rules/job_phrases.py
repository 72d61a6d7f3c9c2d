"""Jobs: training data, deadlines and batch volumes (read whatever the task; `finish._job_fields` keeps them only
for a job)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from stack8s.agents.requirements import lexicon as lx
from stack8s.agents.requirements.calendar_deadlines import calendar_deadline
from stack8s.agents.requirements.rules.money import _budget_matches
from stack8s.agents.requirements.rules.reading import (
    _CONTEXT,
    _FLAGS,
    _INPUT_TOKENS,
    _NUM_WORDS,
    _OUTPUT_TOKENS,
    _RPS,
    _TOKENS_PER_S,
    Message,
    Reading,
    State,
    _compile,
    _count,
    _first,
    _number,
    _overlap,
    _period_factor,
    _period_groups,
)
from stack8s.planning.plan import HOURS_PER_MONTH

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
    if numeric is None and msg.now is not None and (hours := calendar_deadline(msg.text.lower(), msg.now)):
        return {"deadline_hours": hours}  # "by Monday morning", "bis Freitag", "before 2027-01-15"
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
