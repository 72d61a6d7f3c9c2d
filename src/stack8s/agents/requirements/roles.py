"""A grammar of roles: what each number in a message is, from its unit and its cue, whatever the noun.

Runs on the canonical text (`numbers.canonical`: numbers already plain digits, ranges at their upper end). Each
number is read with the words after it (its unit: "tokens", "epochs", "days", a counted noun) and the words near
it in its sentence (its cue: "at the same time", "per day", "each", "answers", "within"):

- a count with a simultaneity cue is concurrency ("12 support agents typing at the same time", "8 simultaneous
  video streams", "Zwölf Entwickler ... parallel"); the number nearest the cue wins ("1,200 employees, at most 150
  at once" is 150 at once);
- counted people without one are the population ("3 lakh users", "10K MAU");
- a count with a rate cue is a rate ("86,400 scans per day", "25 frames per second", "2400 rpm", "1 req every 2
  seconds"); "N x, M y each" multiplies ("40k chats a day, about 8 turns each"); of several rates the peak wins;
- tokens go to the prompt or the answer by the nearest prompt or answer word ("each question comes with 6,000
  tokens of retrieved chunks and the answer is maybe 400 tokens"), to the context window only when a window is
  named, and to training when the sentence trains on them;
- epochs, and durations after a deadline word ("within 3 days", "binnen 12 Stunden", "in 36 hrs").

The words are data (`languages/roles.yaml`); this module holds only the grammar. The result is a typed `Roles`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

TABLE = Path(__file__).with_name("languages") / "roles.yaml"

PERIOD_SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0, "week": 7 * 86400.0}
PERIOD_SECONDS["month"] = 730 * 3600.0  # a month of 730 hours, as the cost model counts it
DURATION_HOURS = {"hour": 1.0, "day": 24.0, "week": 168.0, "month": 730.0}
SUFFIX = {"k": 1e3, "m": 1e6, "mn": 1e6, "mio": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}
DAY_S = 86400.0
MAX_QUANTITY = 1e15
_TOTAL_TOKENS = re.compile(r"tokens? (?:in total|au total|insgesamt|en total|no total|overall)|across \d+ epochs")
TRAINING_TOKENS_MIN = 1e5  # a token count to train on is a dataset, never one prompt


@dataclass(frozen=True)
class Roles:
    """The numbers of one message, by role (None: not said)."""

    concurrent_users: int | None = None
    total_users: int | None = None
    requests_per_second: float | None = None
    requests_per_day: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    context_length: int | None = None
    training_tokens: float | None = None
    epochs: float | None = None
    deadline_hours: float | None = None
    job_items: float | None = None
    params_billion: float | None = None
    audio_hours: float | None = None
    ttft_ms: float | None = None
    itl_ms: float | None = None
    e2e_ms: float | None = None
    latency_ms: float | None = None  # a bare "latency": how soon the answer starts for an LLM, all of it otherwise

    def fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _alt(items: list[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


@dataclass(frozen=True)
class _Words:
    simultaneous: re.Pattern[str]
    people: re.Pattern[str]
    periods: tuple[tuple[re.Pattern[str], float], ...]  # right after a number
    periods_anywhere: tuple[tuple[re.Pattern[str], float], ...]  # said before it ("pro Stunde kommen 7.200 Fotos")
    rate_units: tuple[tuple[re.Pattern[str], float], ...]
    peak: re.Pattern[str]
    average: re.Pattern[str]
    each: re.Pattern[str]
    tokens: re.Pattern[str]
    input: re.Pattern[str]
    output: re.Pattern[str]
    window: re.Pattern[str]
    epochs: re.Pattern[str]
    one_epoch: re.Pattern[str]
    epoch_label: re.Pattern[str]
    durations: tuple[tuple[re.Pattern[str], float], ...]
    deadline_lead: re.Pattern[str]
    deadline_after: re.Pattern[str]
    total: re.Pattern[str]
    params: re.Pattern[str]
    daily_volume: re.Pattern[str]
    job_nouns: re.Pattern[str]
    items: re.Pattern[str]
    audio: re.Pattern[str]
    slo_ttft: re.Pattern[str]
    slo_itl: re.Pattern[str]
    slo_e2e: re.Pattern[str]
    slo_latency: re.Pattern[str]


def _word(fragment: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9])(?:{fragment})(?![a-z0-9])")


@cache
def words() -> _Words:
    t = yaml.safe_load(TABLE.read_text())
    return _Words(
        simultaneous=_word(_alt(t["simultaneous"])),
        people=_word(_alt(t["people"])),
        periods=tuple(
            (re.compile(rf"^\s*(?:{_alt(ws)})(?![a-z0-9])"), PERIOD_SECONDS[k]) for k, ws in t["rate_period"].items()
        ),
        periods_anywhere=tuple(
            (re.compile(rf"(?<![a-z])(?:{_alt(ws)})(?![a-z0-9])"), PERIOD_SECONDS[k])
            for k, ws in t["rate_period"].items()
        ),
        rate_units=tuple(
            (re.compile(rf"^\s?(?:{_alt(ws)})(?![a-z0-9])"), PERIOD_SECONDS[k]) for k, ws in t["rate_units"].items()
        ),
        peak=_word(_alt(t["peak"])),
        average=_word(_alt(t["average"])),
        each=_word(_alt(t["each"])),
        tokens=re.compile(rf"^[\s-]?(?:[a-z]+[\s-])?(?:{_alt(t['tokens'])})(?![a-z])"),
        input=_word(_alt(t["input"])),
        output=_word(_alt(t["output"])),
        window=_word(_alt(t["context_window"])),
        epochs=re.compile(rf"^\s?(?:x\s?)?(?:{_alt(t['epochs'])})(?![a-z])"),
        epoch_label=re.compile(rf"(?<![a-z])(?:{_alt(t['epochs'])})\s?(?:[:=]|of|is|to)\s?$"),
        one_epoch=re.compile(
            rf"(?<![a-z])(?:an?|one|single|eine?|une?|una?|uma?)\s(?:single\s|seule\s|einzige\s|sola\s|unica\s)?"
            rf"(?:{_alt(t['epochs'])})(?![a-z])"
        ),
        durations=tuple(
            (re.compile(rf"^[\s-]?(?:{_alt(ws)})(?![a-z0-9])"), DURATION_HOURS[k]) for k, ws in t["duration"].items()
        ),
        deadline_lead=re.compile(rf"(?<![a-z0-9])(?:{_alt(t['deadline_lead'])})\s*(?:about |around |~|ca\. |etwa )?$"),
        deadline_after=re.compile(rf"^\s*(?:{_alt(t['deadline_after'])})(?![a-z])"),
        total=_word(_alt(t["total"])),
        params=re.compile(rf"^\s?(?:de\s)?(?:{_alt(t['params'])})(?![a-z])"),
        daily_volume=re.compile(rf"(?<![a-z])(?:{_alt(t['daily_volume'])})\s*$"),
        job_nouns=_word(_alt(t["job_nouns"])),
        items=re.compile(rf"^\s?(?:[a-z'-]+\s){{0,2}}?(?:{_alt(t['items'])})(?![a-z])"),
        audio=re.compile(rf"^\s?(?:{_alt(t['audio_hours'])})(?![a-z])"),
        slo_ttft=_word(_alt(t["slo"]["ttft"])),
        slo_itl=_word(_alt(t["slo"]["itl"])),
        slo_e2e=_word(_alt(t["slo"]["e2e"])),
        slo_latency=_word(_alt(t["slo"]["latency"])),
    )


# --------------------------------------------------------------------------- numbers and what stands after them

_MENTION = re.compile(r"(?<![\w.,/-])(?P<n>\d+(?:\.\d+)?)(?P<sfx>\s?(?:mio|mn|bn|k|m|b|t)(?![a-z0-9]))?(?![\d])")
_SKIP_AFTER = re.compile(
    r"^\s?(?:%|x\b|ms\b|milli|s\b|secs?\b|seconds?\b|sek\w*|gb|tb|mb|gib|tib|usd|eur|gbp|chf|inr|brl|mxn|dollars?"
    r"|euros?|\$|€|£|us-dollar|reais|pesos|rupees|/(?:month|mo|hour|hr|h)\b|-?bit\b|[a-z]*\d|/\d|\s?h\s?/\s?\d"
    r"|minut\w*|mins?\b|second\w*|segund\w*|sekund\w*)"
)
_SKIP_BEFORE = re.compile(r"(?:[$€£₹]|\busd|\beur|\bp|\btp|\bv|\bversion|\bx)\s?$")
_CLAUSE_END = re.compile(r"[;!?\n]|[.,](?=\s|$)")
_SENTENCE_END = re.compile(r"[.;!?\n](?=\s|$)")


@dataclass
class _Mention:
    start: int
    end: int  # after the suffix
    value: float
    raw: float
    suffix: str
    role: str = ""


def _mentions(text: str) -> list[_Mention]:
    out = []
    for m in _MENTION.finditer(text):
        sfx = (m.group("sfx") or "").strip()
        if (
            sfx in ("b", "bn")
            and not words().tokens.match(text[m.end() :])
            and not re.match(r"^[\s-]?(?:[a-z]+\s)?(?:tokens?|words|images|documents|rows|samples)", text[m.end() :])
        ):
            continue  # a model size ("8B", "1.3B-Modell")
        if sfx in ("m", "t") and m.group("sfx").startswith(" ") and not re.match(r"^\s?[a-z]", text[m.end() :]):
            continue
        if _SKIP_AFTER.match(text[m.end() :]) or _SKIP_BEFORE.search(text[max(0, m.start() - 8) : m.start()]):
            continue
        raw = float(m.group("n"))
        if len(m.group("n")) > 15:
            continue  # no quantity a deployment names has more digits; a flood of them is not read
        out.append(_Mention(m.start(), m.end(), raw * SUFFIX.get(sfx, 1.0), raw, sfx))
    return out


@lru_cache(maxsize=64)
def _boundaries(text: str, pattern: re.Pattern[str]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    found = list(pattern.finditer(text))
    return tuple(m.start() for m in found), tuple(m.end() for m in found)


def _span(text: str, at: int, pattern: re.Pattern[str]) -> tuple[int, int]:
    """The sentence or clause around `at`: after the last boundary before it, up to the next one (once per text)."""
    starts, ends = _boundaries(text, pattern)
    i = bisect.bisect_right(starts, at - 1)  # boundaries starting before `at`
    start = ends[i - 1] if i else 0
    j = bisect.bisect_left(starts, at)
    return start, starts[j] if j < len(starts) else len(text)


def _sentence(text: str, at: int) -> tuple[int, int]:
    return _span(text, at, _SENTENCE_END)


def _clause(text: str, at: int) -> tuple[int, int]:
    return _span(text, at, _CLAUSE_END)


# --------------------------------------------------------------------------- roles


def _tokens(text: str, ms: list[_Mention], w: _Words) -> dict[str, Any]:
    out: dict[str, Any] = {}
    token_ms = [m for m in ms if w.tokens.match(text[m.end :])]
    for m in ms:
        lead = text[max(0, m.start - 25) : m.start]
        window_after = re.match(r"^\s?(?:context|kontext|contexte|contexto)\b", text[m.end :]) and m.suffix == "k"
        if m not in token_ms and (_WINDOW_THEN_NUMBER.search(lead) or window_after):
            m.role = "tokens"
            out.setdefault("context_length", int(m.raw * 1024 if m.suffix == "k" else m.value))
    for m in token_ms:
        m.role = "tokens"
        value = m.value if m.suffix != "k" else m.raw * 1000
        c0, c1 = _clause(text, m.start)
        s0, s1 = _sentence(text, m.start)
        previous = max((n.end for n in token_ms if c0 <= n.end <= m.start), default=c0)
        before = text[previous : m.start]
        unit = w.tokens.match(text[m.end :])
        unit_end = m.end + (unit.end() if unit else 0)
        per_request = _PER_REQUEST.search(text[unit_end : unit_end + 25])
        bare_context = re.search(r"(?<![a-z])(?:context|contexto|contexte|kontext)\s(?:of|de|von)\s$", before)
        if (
            w.window.search(text[max(c0, m.start - 40) : m.start])
            or w.window.search(text[unit_end : min(c1, unit_end + 30)])
            or (bare_context and not per_request)
        ):
            out.setdefault("context_length", int(m.raw * 1024 if m.suffix == "k" else m.value))
            continue
        training = _TRAINING.search(text[s0:s1]) is not None or (value >= 1e7 and _TRAINING.search(text) is not None)
        each = _EACH_BEFORE.search(text[max(s0, m.start - 16) : m.start]) or _EACH_AFTER.match(text[unit_end:])
        count = next((n for n in reversed(ms) if s0 <= n.start < m.start and not n.role and n.value >= 100), None)
        if training and each and count is not None:
            count.role = "items"  # "2 million examples of 200 tokens each": tokens per epoch = examples x tokens
            out.setdefault("training_tokens", count.value * value)
            continue
        if value >= TRAINING_TOKENS_MIN and training:
            out.setdefault("training_tokens", value)
            continue
        inner = text[m.end : unit_end]
        role = "output" if w.output.search(inner) else "input" if w.input.search(inner) else None
        role = role or _side(before, text[unit_end:c1], w) or _side(text[s0 : m.start], "", w)
        if role is None and len(token_ms) == 1:
            role = "input"
        if role is None and ("output_tokens" in out) != ("input_tokens" in out):
            role = "input" if "output_tokens" in out else "output"
        if role == "output":
            out.setdefault("output_tokens", int(value))
        elif role == "input":
            out.setdefault("input_tokens", int(value))
    for m in token_ms:
        if ("input_tokens" in out) != ("output_tokens" in out) and m.value not in (
            out.get("input_tokens"),
            out.get("output_tokens"),
            out.get("context_length"),
            out.get("training_tokens"),
        ):
            out["input_tokens" if "output_tokens" in out else "output_tokens"] = int(
                m.value if m.suffix != "k" else m.raw * 1000
            )
    if token_ms:  # "outputs about 700", "answers around 1k": a bare number after a side word, tokens said elsewhere
        for m in ms:
            if m.role:
                continue
            c0, _ = _sentence(text, m.start)
            lead = text[max(c0, m.start - 30) : m.start]
            if re.match(r"^[\s-]?[a-z]{3,}", text[m.end :]) and not _SIDE_AFTER.match(text[m.end :]):
                continue  # "a 2-page resume": a counted noun, not a length
            tail = re.search(rf"(?:{w.output.pattern})[^0-9]{{0,22}}$", lead)
            head = re.search(rf"(?:{w.input.pattern})[^0-9]{{0,22}}$", lead)
            side_after = _SIDE_AFTER.match(text[m.end :])
            if side_after:
                key = "output_tokens" if w.output.search(side_after.group()) else "input_tokens"
                if key not in out:
                    out[key] = int(m.value)
                    m.role = "tokens"
                continue
            if tail and "output_tokens" not in out:
                out["output_tokens"] = int(m.value)
                m.role = "tokens"
            elif head and "input_tokens" not in out and re.search(r"prompt|promt|input|eingab|entr", head.group()):
                out["input_tokens"] = int(m.value)
                m.role = "tokens"
    return out


_LINK = (
    r"\s*(?:(?:of|in|as|for|with|an|im|von|fur|de|d'|du|des|do|da|em|del|en|the|la|le|les|der|die|das)\s+)*"
    r"(?:(?!and\b|und\b|et\b|y\b|e\b|but\b|or\b|oder\b|ou\b|o\b)[a-z]+\s+)?"
)


_WINDOW_THEN_NUMBER = re.compile(
    r"(?:window\w*|length|size|lange|contexto|fenetre|contexte|ctx|kontextfenster)\s?(?:of|de|von|:|=|is)?\s?"
    r"(?:up to |hasta |bis zu )?$"
)
_SIDE_AFTER = re.compile(
    r"^\s(?:en |in |de |as |of )?(?:sortie|entree|out|output|in|input|salida|entrada|saida|ausgabe|eingabe)\b"
)
_PER_REQUEST = re.compile(
    r"^\s?(?:per|each|a|pro|je|par|por|cada)\s(?:prompt|request|query|question|message|anfrage|frage|requete|pregunta"
    r"|solicitud|pergunta|pedido)"
)


_TRAINING = re.compile(
    r"train|pretrain|pre-train|fine-?tun|finetun|lora|qlora|epoch|corpus|dataset|vortrain|entrain|entren|trein"
    r"|feintun|ajust|afinar|continued"
)
_EACH_BEFORE = re.compile(r"(?:each|je|jeweils|chacun\w*|cada|per)\s(?:about |around |~|ca |etwa |unos |cerca de )?$")
_EACH_AFTER = re.compile(r"^\s?(?:\)\s)?(?:each|apiece|jeweils|chacun\w*|cada uno|cada um)")


def _side(before: str, after: str, w: _Words) -> str | None:
    """Prompt or answer, by the nearest side word before or after the tokens in their clause."""
    best: tuple[int, str] | None = None
    after = re.split(r"\d", after[:40], maxsplit=1)[0]  # a side word after the tokens, before any other number
    for role, pattern in (("input", w.input), ("output", w.output)):
        for m in pattern.finditer(before):
            d = len(before) - m.end()
            if best is None or d < best[0]:
                best = (d, role)
        if (m2 := pattern.search(after)) and re.fullmatch(_LINK, after[: m2.start()]):
            d = m2.start() + 1  # "tokens of context", "Tokens Kontext": the side word right after
            if best is None or d < best[0]:
                best = (d, role)
    return best[1] if best else None


def _epochs(text: str, ms: list[_Mention], w: _Words) -> dict[str, Any]:
    for m in ms:
        if not m.role and w.epochs.match(text[m.end :]):
            m.role = "epochs"
            return {"epochs": m.value}
    for m in ms:
        if not m.role and w.epoch_label.search(text[max(0, m.start - 14) : m.start]):
            m.role = "epochs"  # "epochs: 4"
            return {"epochs": m.value}
    if re.search(r"\b(?:twice|zweimal|deux fois|dos veces|duas vezes)\b", text) and _TRAINING.search(text):
        return {"epochs": 2.0}  # "the data will be run through twice"
    if w.one_epoch.search(text):
        return {"epochs": 1.0}
    return {}


_ONE_UNIT = re.compile(
    r"(?<![a-z])(?:within|in|inside|en|em|in|innerhalb|binnen|dans|dentro de)\s(?:a|one|una|uma|einer|une|un)\s"
    r"(?P<u>week|day|month|fortnight|semana|semaine|woche|dia|jour|tag|mes|mois|monat|quinzaine|quincena)(?![a-z])"
)
_ONE_UNIT_HOURS = {
    "fortnight": 336.0,
    "quinzaine": 336.0,
    "quincena": 336.0,
    "week": 168.0,
    "semana": 168.0,
    "semaine": 168.0,
    "woche": 168.0,
    "day": 24.0,
    "dia": 24.0,
    "jour": 24.0,
    "tag": 24.0,
    "month": 730.0,
    "mes": 730.0,
    "mois": 730.0,
    "monat": 730.0,
}


def _deadline(text: str, ms: list[_Mention], w: _Words) -> dict[str, Any]:
    for m in ms:
        if m.role:
            continue
        rest = text[m.end :]
        if (a := w.audio.match(rest)) and _AUDIO_NOUNS.search(rest[a.end() : a.end() + 40]):
            continue  # "700 hours of meeting recordings" is audio to process, not a deadline
        for unit, hours in w.durations:
            if u := unit.match(text[m.end :]):
                lead = w.deadline_lead.search(text[max(0, m.start - 40) : m.start])
                tail = w.deadline_after.match(text[m.end + u.end() :])
                if lead or tail:
                    m.role = "deadline"
                    return {"deadline_hours": m.value * hours}
                break
    if one := _ONE_UNIT.search(text):
        return {"deadline_hours": _ONE_UNIT_HOURS[one.group("u")]}
    return {}


def _rates(text: str, ms: list[_Mention], w: _Words) -> dict[str, Any]:
    rates: list[tuple[float, float, bool, _Mention]] = []  # (per second, period, peak, mention)
    last_unit: tuple[float, _Mention] | None = None
    for i, m in enumerate(ms):
        if m.role:
            continue
        rest = text[m.end :]
        period = None
        for unit, seconds in w.rate_units:
            if unit.match(rest):
                period = seconds
        if period is None:
            _, c1 = _clause(text, m.start)
            window = text[m.end : c1]
            nxt = next((n.start - m.end for n in ms[i + 1 :] if n.start < c1), len(window))
            window = window[:nxt]
            words_after = re.match(r"^(?:\s*[\w/'()-]+){0,7}", window)
            span = words_after.group() if words_after else ""
            for pos in [0, *[k.end() for k in re.finditer(r"\s", span)], *[k.start() for k in re.finditer("/", span)]]:
                for unit, seconds in w.periods:
                    if unit.match(span[pos:]):
                        rest_words = span[pos:].split()[1:4]
                        if w.people.search(span[:pos]) or any(w.people.fullmatch(x) for x in rest_words):
                            break  # "300k daily active users": people, not a rate
                        period = seconds
                        break
                if period is not None:
                    break
            end = _PERIOD_END.search(text, m.end)
            every = _EVERY.search(text, m.end, end.start() if end else len(text))
            if period is None and every and not any(m.end < n.start < every.start() for n in ms if not n.role):
                period = _every_seconds(every)
        if period is None and w.daily_volume.search(text[max(0, m.start - 30) : m.start]):
            period = DAY_S
        if period is None:
            c0, _ = _sentence(text, m.start)
            lead = text[c0 : m.start]
            if not re.search(r"\d", lead) and re.match(r"^\s?(?:[a-z'-]+\s){0,2}?(?:" + _COUNTED + ")", text[m.end :]):
                for unit, seconds in w.periods_anywhere:
                    if unit.search(lead) or _PERIOD_ADVERB.get(seconds, _NEVER).search(lead):
                        period = seconds
                        break
        if period is None:
            peak_lead = w.peak.search(text[max(0, m.start - 25) : m.start])
            peak_after = w.peak.search(text[m.end : m.end + 18])
            bare = not re.match(r"^\s?[a-z]{3,}", text[m.end :]) or peak_after is not None
            if (peak_lead or (peak_after and bare)) and last_unit is not None:
                period = last_unit[0]  # "40/s on average, 120 at peak", "the worst minute was 4,800"
            else:
                continue
        m.role = "rate"
        if more := _GIVE_OR_TAKE.match(text, m.end):
            m.value += float(more.group("n"))  # "95 a second, give or take 10": sized at the upper end
        s0, _ = _sentence(text, m.start)
        lead = text[max(s0, m.start - 30) : m.start]
        _, c1 = _clause(text, m.start)
        peak = (bool(w.peak.search(lead)) and not w.average.search(lead)) or bool(w.peak.search(text, m.end, c1))
        rates.append((m.value / period, period, peak, m))
        last_unit = (period, m)
    if not rates:
        return {}
    per_s, period, _, m = max(rates, key=lambda r: (r[2], r[0]))
    factor = _multiplier(text, ms, m, w)
    per_s *= factor if factor != 1.0 else _groups(text, ms, m)
    out: dict[str, Any] = {"requests_per_second": round(per_s, 4)}
    if period >= DAY_S:
        out["requests_per_day"] = round(per_s * DAY_S, 2)
    return out


_GIVE_OR_TAKE = re.compile(r"[^.;\d]{0,30}?(?:give or take|plus or minus|plus minus|±)\s?(?P<n>\d+(?:\.\d+)?)")
_EVERY = re.compile(
    r"\b(?:every|each|alle|toutes les|tous les|cada|a cada)\s(?:~|about |around |ca |environ |unos |uns )?"
    r"(?P<k>\d+(?:\.\d+)?\s)?"
    r"(?P<u>s\b|secs?\b|seconds?|sekunden?|secondes?|segundos?|min\w*|hours?|stunden?|heures?|horas?)"
)


def _every_seconds(found: re.Match[str]) -> float:
    k = float(found.group("k") or 1)
    unit = found.group("u")
    return k * (
        60.0 if unit.startswith("min") else 3600.0 if unit[0] in "hs" and unit[:2] in ("ho", "st", "he") else 1.0
    )


_NEVER = re.compile(r"(?!)")
_PERIOD_ADVERB = {
    3600.0: re.compile(r"\b(?:hourly|stundlich|pro stunde|par heure|por hora)\b"),
    DAY_S: re.compile(
        r"\b(?:daily|taglich|quotidiennement|chaque jour|diariamente|todos los dias|todos os dias|por dia)\b"
    ),
    7 * DAY_S: re.compile(r"\b(?:weekly|wochentlich|chaque semaine|semanalmente|cada semana|toda semana)\b"),
    730 * 3600.0: re.compile(
        r"\b(?:monthly|monatlich|chaque mois|mensuellement|mensualmente|mensalmente|cada mes|todo mes)\b"
    ),
}
_COUNTED = (
    r"[a-z-]+s\b|[a-z-]+en\b|[a-z-]+es\b|fotos|mails|chats|requests|anfragen|requetes|solicitudes|pedidos|photos|images"
)
_PERIOD_END = re.compile(r"[.!?\n](?=\s|$)")
_EACH_OF = re.compile(
    r"(?:each|every one) of\s(?:our\s|the\s|these\s)?$|chacune? de (?:nos|ces|les)\s$|cada uno de (?:nuestros|los)\s$"
    r"|cada uma? d(?:os|as) (?:nossos\s|nossas\s)?$|jede[rsn]? (?:unserer|der)\s$"
)


_DISTRIBUTIVE = re.compile(
    r"\b(?:per|each|every|par|pro|je|por|cada|in jedem|in jeder|dans chaque|en cada|em cada)\s(?:of (?:our |the )?)?"
    r"(?P<noun>[a-z]{3,})"
)
_TIME_NOUNS = re.compile(
    r"^(?:second|minute|hour|day|week|month|year|sekunde|minute|stunde|tag|woche|monat|jahr|seconde"
    r"|heure|jour|semaine|mois|segundo|minuto|hora|dia|semana|mes|ano|shift|night|weekday)\w*$"
)


def _groups(text: str, ms: list[_Mention], rate: _Mention) -> float:
    """ "48 a minute per store, 350 supermarkets", "600 pro Stunde und Zweigstelle, mal 12 Zweigstellen", "10 fps
    from every camera, and there are six cameras": a rate said per member of a group, times the group's count
    (another count in the message, followed by a noun, no other role)."""
    window = text[max(0, rate.start - 60) : rate.end + 60]
    per = [d for d in _DISTRIBUTIVE.finditer(window) if not _TIME_NOUNS.match(d.group("noun"))]
    if not per:
        return 1.0
    for m in ms:
        if m is rate or m.role or m.value < 2 or m.value != int(m.value):
            continue
        if re.match(r"^\s?(?:[a-z'-]+\s){0,2}?[a-z]{3,}", text[m.end :]) and not _TIME_AFTER.match(text[m.end :]):
            m.role = "multiplier"
            return m.value
    return 1.0


_TIME_AFTER = re.compile(r"^\s?(?:%|ms|s\b|sec|min|hours?|hrs?|days?|weeks?|months?|stunden|tage|jours|dias|heures)")


def _multiplier(text: str, ms: list[_Mention], rate: _Mention, w: _Words) -> float:
    """ "40k chats a day, about 8 turns each", "300k users, each sends about 10 messages a day", "Each of our 20
    agents triggers one request per minute", "1,000 devices, each sends a snapshot every 10 seconds"."""
    s0 = max((k.end() for k in _PERIOD_END.finditer(text, 0, rate.start)), default=0)
    end = _PERIOD_END.search(text, rate.end)
    s1 = end.start() if end else len(text)
    for m in ms:
        if m is rate or not (s0 <= m.start < s1) or m.role in ("tokens", "epochs", "deadline", "rate", "concurrent"):
            continue
        if m.start > rate.end:
            tail = text[m.end : min(s1, m.end + 40)]
            if re.match(r"^\s?(?:[a-z'-]+\s){0,2}?(?:each|apiece|pro \w+|per \w+|par \w+|por \w+|cada\b|chacun)", tail):
                if not re.match(
                    r"^\s?(?:[a-z-]+\s){0,2}?(?:per|pro|par|por)\s(?:second|minute|hour|day|week|month"
                    r"|sekunde|minute|stunde|tag|seconde|heure|jour|segundo|minuto|hora|dia)",
                    tail,
                ):
                    m.role = "multiplier"
                    return m.value
        else:
            between = text[m.end : rate.start]
            if re.search(r"\beach\b|\bjede[rsn]?\b|\bchacun\w*|\bcada\b|\bje\b", between) or _EACH_OF.search(
                text[max(s0, m.start - 24) : m.start]
            ):
                m.role = "multiplier"
                return m.value
    return 1.0


def _params(text: str, ms: list[_Mention], w: _Words) -> dict[str, Any]:
    for m in ms:
        if not m.role and w.params.match(text[m.end :]) and m.value >= 1e6:
            m.role = "params"
            return {"params_billion": m.value / 1e9}
    return {}


_GROUPS_OF = re.compile(
    r"(?P<n>\d+)\s(?:[a-z'-]+\s){1,3}?(?:x|×|times|with|mit|avec|con|com)\s(?:je|jeweils|each|chacun\w*|cada)?\s?$"
    r"|(?P<m>\d+)\s(?:[a-z'-]+\s){1,4}?(?:je|jeweils|chacun\w*|cada una?)\s$"
)
_PERCENT_AT_ONCE = re.compile(r"(?<![\d.])(?P<p>\d{1,3}(?:\.\d{1,3})?)\s?%")
_IN_TOTAL = re.compile(
    r"^\s?(?:people |users |staff )?(?:in total|au total|insgesamt|en total|no total|overall|all told)\b"
)
_TIMES_AFTER = re.compile(r"\s(?:[a-z'-]+\s){1,2}?(?:x|×|times)\s(?P<n>\d+)\s[a-z]")
_PEAK_COUNT = re.compile(
    r"(?:in der spitze|peaks?(?: of| at)?|spitze|au pic|en pointe|no pico|en el pico|pico de)\s(?P<n>\d+)\b(?!\s?[%$])"
)
_REVISED = re.compile(
    r"^[^.;!?\d]{0,30}?,\s*(?:maybe|perhaps|possibly|or|up to|vielleicht|peut-etre|quizas|talvez)\s(?P<n>\d+)\b"
    r"(?!\s?[a-z%$])"
)


def _users(text: str, ms: list[_Mention], w: _Words) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # a group counted for a rate may also be the concurrency ("each of our 3,000 riders queries the app every
    # 5 minutes, and all of them work at the same time")
    free = [m for m in ms if m.role in ("", "multiplier") and m.value >= 1 and m.value == int(m.value)]
    cues = list(w.simultaneous.finditer(text))
    best: tuple[float, _Mention] | None = None
    for cue in cues:
        s0, s1 = _sentence(text, cue.start())
        for m in free:
            if not (s0 <= m.start < s1):
                continue
            d = cue.start() - m.end if m.end <= cue.start() else (m.start - cue.end()) * 1.5
            if best is None or d < best[0]:
                best = (d, m)
    pct = _PERCENT_AT_ONCE.search(text)
    in_sentence = pct is not None and any(_sentence(text, pct.start()) == _sentence(text, cue.start()) for cue in cues)
    if pct and in_sentence:
        population = max((m for m in free if not m.role and m.value >= 100), key=lambda m: m.value, default=None)
        if population is not None:
            population.role = "population"
            out["total_users"] = int(population.value)
            out["concurrent_users"] = round(population.value * float(pct.group("p")) / 100)
            return out  # "of 250,000 students, 3% use the tutor at the same time"
    if best is not None and best[0] < 120:
        best[1].role = "concurrent"
        out["concurrent_users"] = int(best[1].value)
        s0, s1 = _sentence(text, best[1].start)
        group = _GROUPS_OF.search(text[s0 : best[1].start])
        groups = float(group.group("n") or group.group("m")) if group else 0.0
        if groups >= 2:
            # "35 classrooms x 30 tablets", "45 Filialen stehen je 4 Tablets": the groups times each group's count
            out["concurrent_users"] = int(groups * best[1].value)
        times = _TIMES_AFTER.match(text, best[1].end)
        if times:
            out["concurrent_users"] = int(best[1].value * float(times.group("n")))  # "35 classrooms x 30 tablets"
        peak = _PEAK_COUNT.search(text, best[1].end, s1)
        if peak and best[1].value < float(peak.group("n")):
            out["concurrent_users"] = int(float(peak.group("n")))  # "40 at once on average, 150 at peak"
        revised = _REVISED.match(text[best[1].end :])
        if revised and best[1].value < float(revised.group("n")) <= 3 * best[1].value:
            out["concurrent_users"] = int(revised.group("n"))  # "60 ppl at once, maybe 70": sized for the upper
    for m in ms:
        if m.role not in ("", "multiplier") or m.value < 1:
            continue
        after = text[m.end : m.end + 40]
        label = re.search(
            r"(?:mau|dau|users?|subscribers?|members?|population|seats?)\s(?:is|are|of|=|:)\s?(?:about |~)?$",
            text[max(0, m.start - 24) : m.start],
        )
        if label or _IN_TOTAL.match(after):
            m.role = "population"
            out.setdefault("total_users", int(m.value))
            continue
        if re.match(rf"^\s?(?:d'|de\s|of\s)?(?:[a-z-]+\s){{0,2}}?(?:{w.people.pattern})", after) or re.match(
            r"^\s?(?:mau|dau)\b", after
        ):
            m.role = "population"
            out.setdefault("total_users", int(m.value))
    return out


_DURATION = re.compile(
    r"(?<![\w.])(?P<v>\d+(?:\.\d+)?)\s?(?P<u>ms|milliseconds?|millisekunden|millisecondes|milisegundos|s|secs?|seconds?|sekunden?|secondes?|segundos?)(?![a-z])"
)


_AUDIO_NOUNS = re.compile(
    r"audio|recording|podcast|call|meeting|aufnahme|gesprach|enregistrement|grabacion|gravac|interview|speech"
    r"|episod|lecture|video|entrevist|cours|audienc|aula|llamad|appel|chamad|reunion|sesion|sitzung|vortrag"
)


_PER_TOKEN_AFTER = re.compile(
    r"^\s?(?:/\s?|per |a |each |pro |je |par |por )(?:output |generated )?(?:token|tok)\b"
    r"|^\s?(?:between|entre|zwischen) (?:output |two )?tokens"
    r"|^\s?(?:je|per|pro|par|por) (?:weiteres?|next|additional|further|following|nouveau|siguiente) (?:token|tok)"
)
_PER_ITEM_AFTER = re.compile(
    r"^\s?(?:latenz |latency |latence |latencia )?(?:max(?:imum|imo)? |en total |in total |insgesamt )?"
    r"(?:/\s?|per |a |each |pro |je |par |por )"
    r"(?:image|request|call|item|prediction|frame|fotograma|page|document|case|claim|decision|transaction|enunciado"
    r"|utterance|query|message"
    r"|photo|bild|fall|anfrage|requete|imagen|solicitud|imagem|requisicao|pedido|caso)"
)


_BARE_LIMIT = re.compile(
    r"(?:within|under|below|less than|come back in|return(?:ed)? in|unter|innerhalb(?: von)?|weniger als|moins de"
    r"|en moins de|menos de|em menos de|max(?:imal|imum|imo)?|hochstens|como maximo|no maximo|in)\s?$"
)


def _slo(text: str, w: _Words) -> dict[str, Any]:
    """Latency targets, each duration by the nearest cue before it in its clause (first token, per token, end to
    end, a bare latency) or right after it ("30 ms per token", "120 ms per image")."""
    out: dict[str, Any] = {}
    for d in _DURATION.finditer(text):
        ms = float(d.group("v")) * (1.0 if d.group("u").startswith("m") else 1000.0)
        c0, _ = _clause(text, d.start())
        before = text[max(c0, d.start() - 45) : d.start()]
        rest = text[d.end() :]
        if _PER_TOKEN_AFTER.match(rest):
            out.setdefault("itl_ms", ms)
            continue
        if _PER_ITEM_AFTER.match(rest):
            out.setdefault("e2e_ms", ms)
            continue
        cues = [
            (max((m.end() for m in p.finditer(before)), default=-1), kind)
            for kind, p in (("ttft_ms", w.slo_ttft), ("itl_ms", w.slo_itl), ("e2e_ms", w.slo_e2e))
        ]
        end, kind = max(cues)
        if end < 0 and (w.slo_latency.search(before) or _BARE_LIMIT.search(before)):
            end, kind = 0, "latency_ms"  # a bare latency or limit: how soon the answer starts, or all of it
        if end < 0:
            after = rest[:25]
            kind = next((k for k, p in (("ttft_ms", w.slo_ttft), ("e2e_ms", w.slo_e2e)) if p.search(after)), "")
        if kind:
            out.setdefault(kind, ms)
    if "itl_ms" not in out and (per_user := _TOKENS_PER_USER.search(text)) and float(per_user.group("n")) > 0:
        out["itl_ms"] = round(1000 / float(per_user.group("n")), 2)  # "at least 25 tokens/s per user"
    return out


# per user only: "5,000 tokens/s" alone is a throughput, not a latency target
_TOKENS_PER_USER = re.compile(
    r"(?<![\d.])(?P<n>\d+(?:\.\d+)?)\s?(?:tokens?/s|tok/s|tokens? (?:per|a) second)"
    r" (?:per|for each|each) (?:user|request|stream)"
)


def _items(text: str, ms: list[_Mention], w: _Words) -> dict[str, Any]:
    """A stored volume of work: "30 million paragraphs", "150.000 Bildern", "700 hours of recordings"."""
    out: dict[str, Any] = {}
    for m in ms:
        if m.role:
            continue
        rest = text[m.end :]
        if (a := w.audio.match(rest)) and _AUDIO_NOUNS.search(rest[a.end() : a.end() + 40]):
            m.role = "audio"
            out.setdefault("audio_hours", m.value)
            continue
        if w.items.match(rest) and m.value >= 10:
            m.role = "items"
            out.setdefault("job_items", m.value)
    return out


def one_off_sentence(text: str, at: int) -> bool:
    """Whether the sentence around `at` speaks of one total for a job ("the whole thing should cost less than",
    "Spend cap for the complete transcription batch", "insgesamt", "en tout")."""
    w = words()
    low = text.lower()
    s0, s1 = _sentence(low, at)
    return bool(w.total.search(low, s0, s1) or w.job_nouns.search(low, s0, s1))


def read_roles(text: str) -> Roles:
    """The roles of the numbers in one message's canonical text."""
    w = words()
    low = text.lower()
    ms = _mentions(low)
    found: dict[str, Any] = {}
    for reader in (_tokens, _epochs, _deadline, _params, _rates, _users, _items):
        for key, value in reader(low, ms, w).items():
            found.setdefault(key, value)
    found.update(_slo(low, w))
    if found.get("training_tokens") and found.get("epochs") and _TOTAL_TOKENS.search(low):
        found["training_tokens"] = found["training_tokens"] / found["epochs"]  # "8B tokens in total across 4 epochs"
    # no deployment names more than 10^15 of anything: a product of two misread numbers is dropped, not planned
    found = {k: v for k, v in found.items() if not isinstance(v, int | float) or 0 <= v < MAX_QUANTITY}
    return Roles(**found)
