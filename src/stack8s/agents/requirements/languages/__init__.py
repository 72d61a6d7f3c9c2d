"""The requirement rules' phrasings, one module per language; `lexicon` builds its tables from them.

Every language module defines the same concepts, as plain constants of regex fragments (matched
case-insensitively on accent-folded text, as whole words):

- word lists, ``tuple[str, ...]``: NO_GPU, PROVIDER_NEGATION, PERIOD_PREPOSITIONS, SCALE_WORDS, BUDGET_NOUNS,
  REPLICA_NOUNS, HIGH_AVAILABILITY, USER_NOUNS, REQUEST_NOUNS, CONTEXT_NOUNS, DATA_NOUNS, LIST_JOINERS,
  LIST_ARTICLES, LIST_FILLERS, EXCLUDE_BEFORE, EXCLUDE_AFTER, LIFT_AFTER, LIFT_BEFORE;
- keyed word lists, ``dict[str, tuple[str, ...]]`` (a key the language has no words for is left out):
  TASK_WORDS, DOMAIN_WORDS, AREA_WORDS, PERIOD_WORDS, RATE_PERIOD_WORDS, TAKE_BACK_WORDS, RANKING_WORDS,
  LICENSE_WORDS;
- numbers, ``dict[str, float]`` / ``dict[str, int]``: SCALES, NUMBER_WORDS.

A concept merged across languages keeps the order of LANGUAGES (English first) and, within a language, the
module's order; a fragment two languages share appears once, where it first occurs. A regex alternation
tries its alternatives in order, so keep a longer spelling before a shorter one that is its prefix.
"""

from __future__ import annotations

from types import ModuleType
from typing import cast

from stack8s.agents.requirements.languages import de, en, es, fr, it, pt

LANGUAGES: tuple[ModuleType, ...] = (en, de, fr, es, pt, it)

WORD_CONCEPTS: tuple[str, ...] = (
    "NO_GPU",
    "PROVIDER_NEGATION",
    "PERIOD_PREPOSITIONS",
    "SCALE_WORDS",
    "BUDGET_NOUNS",
    "REPLICA_NOUNS",
    "HIGH_AVAILABILITY",
    "USER_NOUNS",
    "REQUEST_NOUNS",
    "CONTEXT_NOUNS",
    "DATA_NOUNS",
    "LIST_JOINERS",
    "LIST_ARTICLES",
    "LIST_FILLERS",
    "EXCLUDE_BEFORE",
    "EXCLUDE_AFTER",
    "LIFT_AFTER",
    "LIFT_BEFORE",
)
KEYED_CONCEPTS: tuple[str, ...] = (
    "TASK_WORDS",
    "DOMAIN_WORDS",
    "AREA_WORDS",
    "PERIOD_WORDS",
    "RATE_PERIOD_WORDS",
    "TAKE_BACK_WORDS",
    "RANKING_WORDS",
    "LICENSE_WORDS",
)
NUMBER_CONCEPTS: tuple[str, ...] = ("SCALES", "NUMBER_WORDS")
CONCEPTS: tuple[str, ...] = WORD_CONCEPTS + KEYED_CONCEPTS + NUMBER_CONCEPTS


def _unique(fragments: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(fragments))


def words(concept: str) -> tuple[str, ...]:
    """A word-list concept merged across languages."""
    return _unique([w for lang in LANGUAGES for w in cast(tuple[str, ...], getattr(lang, concept))])


def keyed_words(concept: str, key: str) -> tuple[str, ...]:
    """The words of one key of a keyed concept, merged across languages."""
    return _unique(
        [w for lang in LANGUAGES for w in cast(dict[str, tuple[str, ...]], getattr(lang, concept)).get(key, ())]
    )


def alternation(concept: str) -> str:
    """A word-list concept as one regex alternation."""
    return "|".join(words(concept))


def keyed_alternation(concept: str, key: str) -> str:
    """One key of a keyed concept as one regex alternation."""
    return "|".join(keyed_words(concept, key))


def numbers(concept: str) -> dict[str, float]:
    """A number concept merged across languages (a word two languages share must mean the same)."""
    merged: dict[str, float] = {}
    for lang in LANGUAGES:
        for word, value in cast(dict[str, float], getattr(lang, concept)).items():
            if merged.setdefault(word, value) != value:
                raise ValueError(f"{concept}: {word!r} means {merged[word]} and {value}")
    return merged
