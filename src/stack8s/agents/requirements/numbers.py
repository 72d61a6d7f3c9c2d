"""Numbers as people write them, in the five languages, rewritten as plain digits before any rule reads a message.

"zwei Millionen" -> "2000000", "5.000 $" -> "5000 $", "12,5 Tsd." -> "12500", "3 lakh" -> "300000",
"Twenty-five nurses" -> "25 nurses", "Eintausendfünfhundert" -> "1500", "a quarter million" -> "250000",
"20 to 30 people" -> "30 people" (a range is sized at its upper end, and `Canonical.ranges` says so).

The word tables are data (`languages/numbers.yaml`); which language's words apply comes from the message's most
frequent function words (`language_of`), so Portuguese "dos usuarios" (of the users) is never two users. A number
keeps a letter scale written against it ("20k", "7B", "10m tokens"): what it counts decides what "k" means (a
context of 32k is 32,768 tokens) and a model size stays a model size. Decimal marks: a separator followed by
exactly three digits groups thousands ("1,200", "1.800", "131.072"); any other is a decimal mark ("0,5", "1.5").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

TABLES = Path(__file__).with_name("languages") / "numbers.yaml"
LANGUAGES = ("en", "de", "fr", "es", "pt")


@dataclass(frozen=True)
class Words:
    """One language's number words (numbers.yaml)."""

    stopwords: frozenset[str]
    units: dict[str, float]
    hundreds: dict[str, float]
    scales: dict[str, float]
    fractions: dict[str, float]
    articles: frozenset[str]
    connectors: frozenset[str]
    compound: tuple[str, ...]
    range_words: tuple[str, ...]
    range_lead: tuple[str, ...]
    range_join: tuple[str, ...]

    def value(self, word: str) -> float | None:
        return self.units.get(word, self.hundreds.get(word, self.scales.get(word, self.fractions.get(word))))


@cache
def tables() -> dict[str, Words]:
    raw = yaml.safe_load(TABLES.read_text())
    out = {}
    for lang in LANGUAGES:
        t = raw[lang]
        out[lang] = Words(
            stopwords=frozenset(t["stopwords"]),
            units={k: float(v) for k, v in t["units"].items()},
            hundreds={k: float(v) for k, v in t["hundreds"].items()},
            scales={k: float(v) for k, v in t["scales"].items()},
            fractions={k: float(v) for k, v in t["fractions"].items()},
            articles=frozenset(t["articles"]),
            connectors=frozenset(t["connectors"]),
            compound=tuple(sorted(t.get("compound", ()), key=len, reverse=True)),
            range_words=tuple(t["range"]),
            range_lead=tuple(t["range_lead"]),
            range_join=tuple(t["range_join"]),
        )
    return out


@cache
def ambiguous() -> frozenset[str]:
    return frozenset(yaml.safe_load(TABLES.read_text())["ambiguous"])


def language_of(text: str) -> str:
    """The language whose function words the text uses most (English on a tie or none)."""
    words = [w.lower() for w in re.findall(r"[A-Za-z']+", text)]
    scores = {lang: sum(w in t.stopwords for w in words) for lang, t in tables().items()}
    best = max(LANGUAGES, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] > scores["en"] else "en"


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    text: str  # as written


@dataclass(frozen=True)
class Canonical:
    text: str
    language: str
    ranges: tuple[Range, ...] = field(default=())


def _digits(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"


# --------------------------------------------------------------------------- digits

# A grouped number (thousands separated by , . ' or a narrow space), or a plain one with an optional decimal part.
_GROUPED = re.compile(r"(?<![\w.,])(\d{1,3})((?:([,.'])\d{3})(?:\3\d{3})*)(?:([.,])(\d+))?(?![\d])")
_SPACED = re.compile(r"(?<![\w.,])(\d{1,3})((?: \d{3})+)(?![\d.,]?\d)")
_INDIAN = re.compile(r"(?<![\w.,])\d{1,2}(?:,\d{2}){1,3},\d{3}(?![\d,])")
_DECIMAL_BEFORE_SCALE = re.compile(
    r"(?<![\w.,])(\d{1,3}),(\d{3})(?=\s?(?:mrd|mio|milliard|million|milhao|milhoes|millones|millon|tsd|md)\w*)",
    re.IGNORECASE,
)
_DECIMAL_COMMA = re.compile(r"(?<![\w.,])(\d+),(\d{1,2}|\d{4,})(?![\d])")


def _plain_digits(text: str, language: str) -> str:
    text = _INDIAN.sub(lambda m: m.group().replace(",", ""), text)
    if language != "en":  # "2,628 Mrd.", "1,500 millions": a decimal comma before a scale word
        text = _DECIMAL_BEFORE_SCALE.sub(lambda m: f"{m.group(1)}.{m.group(2)}", text)

    def grouped(m: re.Match[str]) -> str:
        whole = m.group(1) + re.sub(r"[,.']", "", m.group(2))
        if m.group(4) and m.group(4) != m.group(3):
            return f"{whole}.{m.group(5)}"
        if m.group(4):  # the same mark again: not a grouping after all ("1.2.3")
            return m.group()
        return whole

    text = _GROUPED.sub(grouped, text)
    text = _SPACED.sub(lambda m: m.group(1) + m.group(2).replace(" ", ""), text)
    return _DECIMAL_COMMA.sub(lambda m: f"{m.group(1)}.{m.group(2)}", text)


# --------------------------------------------------------------------------- words


def _split_compound(word: str, parts: tuple[str, ...]) -> list[str] | None:
    """A German numeral written as one word, as its morphemes ("zweihundert" -> zwei, hundert), or None."""
    if not parts:
        return None
    out: list[str] = []
    i = 0
    while i < len(word):
        for p in parts:
            if word.startswith(p, i):
                out.append(p)
                i += len(p)
                break
        else:
            return None
    return [p for p in out if p != "und"]


def _is_digit(word: str) -> bool:
    return re.fullmatch(r"\d+(?:\.\d+)?", word) is not None


def _parts(word: str, words: Words) -> list[str] | None:
    """A token as number words ("twenty-five" -> twenty, five; "quatre-vingt-dix" -> quatre-vingt, dix;
    "funfundzwanzig" -> funf, zwanzig), or None when it is not one."""
    if _is_digit(word) or words.value(word) is not None or word in words.articles or word in words.connectors:
        return [word]
    if "-" in word:
        pieces = word.split("-")
        merged: list[str] = []
        for piece in pieces:
            if merged and f"{merged[-1]}-{piece}" in words.units:
                merged[-1] = f"{merged[-1]}-{piece}"
            else:
                merged.append(piece)
        if all(words.value(p) is not None or p in words.connectors or p in words.articles for p in merged):
            return merged
        return None
    return _split_compound(word, words.compound)


def _numeral(words: Words, seq: list[str]) -> float | None:
    """The value of a run of number words (and a digit before a scale), or None when it is not a number."""
    total, current, last_scale = 0.0, 0.0, 0.0
    for i, w in enumerate(seq):
        if _is_digit(w):
            current += float(w)
        elif w in words.units:
            current += words.units[w]
        elif w in words.articles:
            if not (current == 0 and total and i + 1 < len(seq) and seq[i + 1] in words.fractions):
                current = current or 1.0
        elif w in words.connectors:
            continue
        elif w in words.fractions and current == 0 and last_scale and total:
            total += words.fractions[w] * last_scale  # "a million and a half", "un million et demi"
        elif w in words.fractions:
            f = words.fractions[w]
            # "one and a half thousand": + 0.5; "half a million", "eine halbe Million": x 0.5
            after_and = (i >= 1 and seq[i - 1] in words.connectors) or (
                i >= 2 and seq[i - 1] in words.articles and seq[i - 2] in words.connectors
            )
            current = current + f if after_and else (current or 1.0) * f
        elif w in words.hundreds:
            current = (current or 1.0) * words.hundreds[w]
        elif w in words.scales:
            scale = words.scales[w]
            if current == 0 and total > 0 and scale > last_scale:
                total *= scale  # "mil millones", "mil milhoes"
            else:
                total += (current or 1.0) * scale
            current, last_scale = 0.0, scale
        else:
            return None
    value = total + current
    return value if value > 0 else None


MAX_VALUE = 1e15  # beyond any quantity a deployment names: left as written
LONE_SCALE_MAX = 1000.0  # "mil usuarios", "hundert", "mille": a scale alone is a number up to a thousand


def _accept(run: list[str], words: Words, ambiguous: frozenset[str]) -> bool:
    """Whether a run of number words is a number: not a lone digit, article or fraction, not "grand total"
    nor Spanish "mi" (my), and, in another language's message, not only words that are common words there."""
    digit = any(_is_digit(w) for w in run)
    meaningful = [w for w in run if not _is_digit(w) and words.value(w) is not None]
    if not meaningful or (digit and not any(w in words.scales or w in words.hundreds for w in meaningful)):
        return False
    if all(w in words.articles for w in meaningful):
        return False
    if len(run) == 1:
        w = run[0]
        if w in words.fractions or (w in words.scales and (words.scales[w] > LONE_SCALE_MAX or w == "grand")):
            return False
    return digit or not all(w in ambiguous for w in meaningful)


_NOT_A_COUNT_BEFORE = re.compile(r"(?:each|every|single|no|any|the|this|that|which|some|another)\s$", re.IGNORECASE)
# whole words and whole numbers only: "MI355X" and "H100" are names, never "mi" (a million) or 355
_TOKEN = re.compile(
    r"(?<![A-Za-z\d.])\d+(?:\.\d+)?(?![A-Za-z\d])|(?<![A-Za-z\d])[A-Za-z]+(?:-[A-Za-z]+)*(?![A-Za-z\d])"
)


def _word_numbers(text: str, words: Words, ambiguous: frozenset[str] = frozenset()) -> str:
    """Runs of number words (with a digit before a scale: "2 Millionen", "1.5 crore") as digits."""
    toks = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]
    pieces: list[tuple[int, int, float]] = []
    i = 0
    while i < len(toks):
        run: list[tuple[int, list[str]]] = []
        j = i
        while j < len(toks):
            if j > i and toks[j][0] > toks[j - 1][1] + 1:
                break  # next to each other: one space or nothing between
            parts = _parts(toks[j][2], words)
            if parts is None:
                break
            if parts == ["one"] and (
                _NOT_A_COUNT_BEFORE.search(text[: toks[j][0]]) or text[toks[j][1] :].startswith(" of ")
            ):
                break  # "each one", "every single one of them", "no one": a pronoun, not a count
            if run and _is_digit(run[0][1][0]) and not all(p in words.scales or p in words.hundreds for p in parts):
                break  # after a digit only a scale ("2 Millionen"), never "200 dos"
            if run and _is_digit(parts[0]):
                break
            run.append((j, parts))
            j += 1
        while run and all(p in words.connectors or p in words.articles for p in run[-1][1]):
            run.pop()
        while run and all(p in words.connectors for p in run[0][1]):
            run.pop(0)
        if run:
            flat = [p for _, ps in run for p in ps]
            if _accept(flat, words, ambiguous) and (value := _numeral(words, flat)) is not None:
                if value < MAX_VALUE:
                    pieces.append((toks[run[0][0]][0], toks[run[-1][0]][1], value))
            i = run[-1][0] + 1
        else:
            i += 1
    for s, e, v in reversed(pieces):
        text = text[:s] + _digits(v) + text[e:]
    return text


# --------------------------------------------------------------------------- ranges

_NUM = r"\d+(?:\.\d+)?"
_SUFFIX = r"(?:k|m|mn|b|bn|t)?"


def _ranges(text: str, words: Words) -> tuple[str, list[Range]]:
    """ "20 to 30", "20-30", "zwischen 800 und 1000", "3-4k": the upper end, with the range noted."""
    joins = "|".join(re.escape(w) for w in words.range_words if w != "-")
    leads = "|".join(re.escape(w) for w in words.range_lead)
    lead_joins = "|".join(re.escape(w) for w in words.range_join)
    found: list[Range] = []

    def keep_high(m: re.Match[str]) -> str:
        low, high, suffix = float(m.group("lo")), float(m.group("hi")), m.group("sfx") or ""
        if not low < high or high > 20 * low:
            return m.group()
        found.append(Range(low, high, m.group()))
        return f"{m.group('cur') or ''}{m.group('hi')}{suffix}"

    cur = r"(?P<cur>[$€£])?"
    patterns = [
        rf"(?<![\w.$€£-]){cur}(?P<lo>{_NUM})(?:{_SUFFIX})?\s?-\s?[$€£]?(?P<hi>{_NUM})(?P<sfx>{_SUFFIX})(?![\w-])",
        rf"(?<![\w.$€£-]){cur}(?P<lo>{_NUM})(?:{_SUFFIX})?\s(?:{joins})\s[$€£]?(?P<hi>{_NUM})(?P<sfx>{_SUFFIX})(?![\w-])",
    ]
    if leads:
        patterns.append(
            rf"(?<![\w])(?:{leads})\s{cur}(?P<lo>{_NUM})(?:{_SUFFIX})?\s(?:{lead_joins})\s[$€£]?(?P<hi>{_NUM})"
            rf"(?P<sfx>{_SUFFIX})(?![\w-])"
        )
    for p in patterns:
        text = re.sub(p, keep_high, text, flags=re.IGNORECASE)
    return text, found


# --------------------------------------------------------------------------- public


# Abbreviations whose dot is not the end of a sentence ("ca. 300 Tokens", "max. 500", "30 Mio. Tokens").
_ABBREVIATIONS = re.compile(
    r"(?<![A-Za-z])(ca|approx|max|min|mio|mrd|tsd|bzw|etc|evtl|inkl|zzgl|resp|vs|aprox|env|p\.ex|z\.b|u\.a|d\.h|mill)\.",
    re.IGNORECASE,
)


_ONE_SECOND = re.compile(
    r"\b(?P<lead>under|within|below|in|than|unter|innerhalb|binnen|als|sous|moins d'|en|de|em)\s"
    r"(?:a|one|einer|eine|une|un|um|uma)\s(?P<unit>second|sekunde|seconde|segundo)\b",
    re.IGNORECASE,
)


def canonical(text: str) -> Canonical:
    """`text` (already accent-folded) with its numbers as plain digits and ranges at their upper end."""
    text = _ABBREVIATIONS.sub(lambda m: m.group(1).replace(".", ""), text)
    text = _ONE_SECOND.sub(lambda m: f"{m.group('lead')} 1 {m.group('unit')}", text)  # "under a second"
    language = language_of(text)
    words = tables()[language]
    out = _word_numbers(_plain_digits(text, language), words)
    for other in LANGUAGES:  # another language's numerals ("2 million Tokens"), common words there left alone
        if other != language:
            out = _word_numbers(out, tables()[other], ambiguous())
    out, ranges = _ranges(out, words)
    if language != "en":
        out, more = _ranges(out, tables()["en"])
        ranges += more
    return Canonical(out, language, tuple(ranges))
