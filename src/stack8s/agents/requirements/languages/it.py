"""Italian phrasings of the requirement concepts: only the few the rules have needed so far."""

from __future__ import annotations

TASK_WORDS: dict[str, tuple[str, ...]] = {"training": ("addestrare",)}
DOMAIN_WORDS: dict[str, tuple[str, ...]] = {}
NO_GPU: tuple[str, ...] = ()
PROVIDER_NEGATION: tuple[str, ...] = ()
AREA_WORDS: dict[str, tuple[str, ...]] = {}
PERIOD_WORDS: dict[str, tuple[str, ...]] = {}
RATE_PERIOD_WORDS: dict[str, tuple[str, ...]] = {}
PERIOD_PREPOSITIONS: tuple[str, ...] = ()
SCALES: dict[str, float] = {}
SCALE_WORDS: tuple[str, ...] = ()
NUMBER_WORDS: dict[str, int] = {}
BUDGET_NOUNS: tuple[str, ...] = ()
REPLICA_NOUNS: tuple[str, ...] = ()
HIGH_AVAILABILITY: tuple[str, ...] = ()
USER_NOUNS: tuple[str, ...] = ()
REQUEST_NOUNS: tuple[str, ...] = ()
CONTEXT_NOUNS: tuple[str, ...] = ()
DATA_NOUNS: tuple[str, ...] = ()
LIST_JOINERS: tuple[str, ...] = ()
LIST_ARTICLES: tuple[str, ...] = ()
LIST_FILLERS: tuple[str, ...] = ()
EXCLUDE_BEFORE: tuple[str, ...] = ()
EXCLUDE_AFTER: tuple[str, ...] = ()
LIFT_AFTER: tuple[str, ...] = ()
LIFT_BEFORE: tuple[str, ...] = ()
TAKE_BACK_WORDS: dict[str, tuple[str, ...]] = {}
RANKING_WORDS: dict[str, tuple[str, ...]] = {}
LICENSE_WORDS: dict[str, tuple[str, ...]] = {}
