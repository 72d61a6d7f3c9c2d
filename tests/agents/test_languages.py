"""The requirement rules' phrasings, one module per language: every language names the same concepts, the
lexicon's tables are built from them (one fact, one place), and each language's words are read."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from tests.agents.test_requirements import spec_of

from stack8s.agents.requirements import languages
from stack8s.agents.requirements import lexicon as lx
from stack8s.agents.requirements.languages import de, en, es, fr, pt

NAMES = {lang.__name__.rsplit(".", 1)[-1]: lang for lang in languages.LANGUAGES}


def _concepts(lang: ModuleType) -> set[str]:
    return {name for name in vars(lang) if name.isupper() and not name.startswith("_")}


def _union(concept: str) -> list[str]:
    """The concept's fragments over all languages, in LANGUAGES order, each once."""
    return list(dict.fromkeys(w for lang in languages.LANGUAGES for w in getattr(lang, concept)))


def _keyed_union(concept: str, key: str) -> list[str]:
    return list(dict.fromkeys(w for lang in languages.LANGUAGES for w in getattr(lang, concept).get(key, ())))


def test_the_five_languages_come_first_english_leading() -> None:
    assert languages.LANGUAGES[:5] == (en, de, fr, es, pt)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_every_language_defines_the_same_concepts(name: str) -> None:
    lang = NAMES[name]
    assert _concepts(lang) == set(languages.CONCEPTS)
    for concept in languages.WORD_CONCEPTS:
        words = getattr(lang, concept)
        assert isinstance(words, tuple) and all(isinstance(w, str) and w for w in words), concept
    for concept in languages.KEYED_CONCEPTS:
        table = getattr(lang, concept)
        assert isinstance(table, dict), concept
        assert all(isinstance(ws, tuple) and all(isinstance(w, str) and w for w in ws) for ws in table.values())
    for concept in languages.NUMBER_CONCEPTS:
        assert all(isinstance(v, int | float) for v in getattr(lang, concept).values()), concept


# lexicon string -> the word concept it is built from
WORD_TABLES = {
    "USER_WORDS": "USER_NOUNS",
    "REQUEST_WORDS": "REQUEST_NOUNS",
    "CONTEXT_WORDS": "CONTEXT_NOUNS",
    "DATA_NOUNS": "DATA_NOUNS",
    "REPLICA_WORDS": "REPLICA_NOUNS",
    "BUDGET_WORDS": "BUDGET_NOUNS",
    "SCALE_WORDS": "SCALE_WORDS",
    "LIST_JOINERS": "LIST_JOINERS",
    "LIST_ARTICLES": "LIST_ARTICLES",
    "LIST_FILLERS": "LIST_FILLERS",
    "EXCLUDE_BEFORE": "EXCLUDE_BEFORE",
    "EXCLUDE_AFTER": "EXCLUDE_AFTER",
    "LIFT_BEFORE": "LIFT_BEFORE",
    "LIFT_AFTER": "LIFT_AFTER",
}


@pytest.mark.parametrize("table", sorted(WORD_TABLES))
def test_a_word_table_is_the_union_of_the_languages(table: str) -> None:
    assert getattr(lx, table) == "|".join(_union(WORD_TABLES[table]))


def test_regex_tables_are_the_union_of_the_languages() -> None:
    assert lx.HIGH_AVAILABILITY.pattern == "|".join(_union("HIGH_AVAILABILITY"))
    assert lx.NEGATION_BEFORE.pattern.startswith(f"(?:{'|'.join(_union('PROVIDER_NEGATION'))})")
    assert "|".join(_union("PERIOD_PREPOSITIONS")) in lx.PERIOD_LEAD
    assert lx.SCALE == {w: v for lang in languages.LANGUAGES for w, v in lang.SCALES.items()}
    assert lx.NUMBER_WORDS == {w: v for lang in languages.LANGUAGES for w, v in lang.NUMBER_WORDS.items()}


def _patterns(table: lx.Table[Any]) -> list[str]:
    return [regex.pattern for regex, _ in table.rows]


def _row(table: lx.Table[Any], fragment: str) -> bool:
    return any(f"(?:{fragment})" in pattern for pattern in _patterns(table))


@pytest.mark.parametrize(
    ("concept", "keys", "table"),
    [
        ("TASK_WORDS", ("inference", "batch_inference", "training", "fine_tuning", "adapter"), lx.TASKS),
        (
            "DOMAIN_WORDS",
            ("nlp", "nlp_weak", "nlp_free_text", "computer_vision", "audio", "tabular", "multimodal"),
            lx.DOMAINS,
        ),
        ("AREA_WORDS", tuple(dict.fromkeys(k for lang in languages.LANGUAGES for k in lang.AREA_WORDS)), lx.AREAS),
        ("TAKE_BACK_WORDS", ("budget", "provider", "region", "gpu", "gpu_count"), lx.TAKE_BACKS),
        ("RANKING_WORDS", ("cheapest", "fastest"), lx.RANKINGS),
        ("LICENSE_WORDS", ("commercial", "open_source"), lx.LICENSES),
    ],
)
def test_a_keyed_table_has_one_row_per_key_from_all_languages(
    concept: str, keys: tuple[str, ...], table: lx.Table[Any]
) -> None:
    used = {k for lang in languages.LANGUAGES for k in getattr(lang, concept)}
    assert used == set(keys), "a language names a key the lexicon does not build a row for"
    for key in keys:
        assert _row(table, "|".join(_keyed_union(concept, key))), key


def test_periods_and_no_gpu_are_the_union_of_the_languages() -> None:
    months = ("month", "hour", "day", "week", "year", "quarter")
    assert [p for p, _ in lx.PERIODS] == ["|".join(_keyed_union("PERIOD_WORDS", k)) for k in months]
    rates = ("second", "minute", "hour", "day", "week", "month")
    assert [p for p, _ in lx.RATE_PERIODS] == ["|".join(_keyed_union("RATE_PERIOD_WORDS", k)) for k in rates]
    assert _row(lx.GPU_EXPLICIT, "|".join(_union("NO_GPU")))


# (concept, messages per language en/de/fr/es/pt, spec field, expected value or None = same as English)
SAMPLES: list[tuple[str, tuple[str, str, str, str, str], str, Any]] = [
    (
        "TASK_WORDS training",
        ("train a model", "trainieren ein Modell", "entraîner un modèle", "entrenar un modelo", "treinar um modelo"),
        "task_type",
        "training",
    ),
    (
        "TASK_WORDS fine_tuning",
        (
            "fine-tune Llama",
            "Feinabstimmung von Llama",
            "affiner Llama",
            "ajuste fino de Llama",
            "ajuste fino do Llama",
        ),
        "task_type",
        "fine_tuning",
    ),
    (
        "AREA_WORDS germany",
        (
            "deploy Llama 3 8B in Germany",
            "Llama 3 8B in Deutschland bereitstellen",
            "déployer Llama 3 8B en Allemagne",
            "desplegar Llama 3 8B en Alemania",
            "implantar Llama 3 8B na Alemanha",
        ),
        "regions",
        None,
    ),
    (
        "NO_GPU",
        (
            "no GPU, a scikit-learn fraud model",
            "ohne GPU, a scikit-learn fraud model",
            "sans GPU, a scikit-learn fraud model",
            "sin GPU, a scikit-learn fraud model",
            "sem GPU, a scikit-learn fraud model",
        ),
        "gpu_needed",
        False,
    ),
    (
        "EXCLUDE_BEFORE",
        (
            "deploy Llama 3 8B, not AWS",
            "Llama 3 8B bereitstellen, nicht auf AWS",
            "déployer Llama 3 8B, sauf AWS",
            "desplegar Llama 3 8B, sin AWS",
            "implantar Llama 3 8B, sem AWS",
        ),
        "excluded_providers",
        ["aws"],
    ),
    (
        "BUDGET_NOUNS PERIOD_WORDS PERIOD_PREPOSITIONS",
        (
            "budget 500 euros per month",
            "Budget 500 Euro pro Monat",
            "budget de 500 euros par mois",
            "presupuesto de 500 euros al mes",
            "orçamento de 500 euros por mês",
        ),
        "budget_monthly_usd",
        None,
    ),
    (
        "RANKING_WORDS cheapest",
        ("make it cheaper", "günstiger bitte", "le moins cher", "lo más barato", "o mais barato"),
        "ranking",
        "cheapest",
    ),
    (
        "RANKING_WORDS fastest",
        ("make it faster", "schneller bitte", "le plus rapide", "lo más rápido", "o mais rápido"),
        "ranking",
        "fastest",
    ),
    (
        "USER_NOUNS",
        (
            "deploy Llama 3 8B for 200 users",
            "Llama 3 8B für 200 Nutzer",
            "Llama 3 8B pour 200 utilisateurs",
            "Llama 3 8B para 200 usuarios",
            "Llama 3 8B para 200 utilizadores",
        ),
        "total_users",
        200,
    ),
    (
        "LICENSE_WORDS commercial",
        (
            "a model for commercial use",
            "ein Modell, kommerziell nutzbar",
            "un modèle pour usage commercial",
            "un modelo para uso comercial",
            "um modelo para uso comercial",
        ),
        "license_filter",
        list(lx.PERMISSIVE),
    ),
    (
        "HIGH_AVAILABILITY",
        (
            "deploy Llama 3 8B with high availability",
            "Llama 3 8B mit Hochverfügbarkeit",
            "Llama 3 8B en haute disponibilité",
            "Llama 3 8B con alta disponibilidad",
            "Llama 3 8B com alta disponibilidade",
        ),
        "replicas",
        2,
    ),
]
CASES = [
    pytest.param(message, field, expected, samples[0], id=f"{concept}-{lang}")
    for concept, samples, field, expected in SAMPLES
    for lang, message in zip(("en", "de", "fr", "es", "pt"), samples, strict=True)
]


@pytest.mark.parametrize(("message", "field", "expected", "english"), CASES)
def test_each_language_phrasing_is_read(message: str, field: str, expected: Any, english: str) -> None:
    got = getattr(spec_of(message), field)
    want = getattr(spec_of(english), field) if expected is None else expected
    assert got == want and got not in (None, [])


@pytest.mark.parametrize(
    "take_back",
    ["forget the budget", "vergiss das Budget", "oubliez le budget", "sin presupuesto", "sem orçamento"],
)
def test_each_language_takes_a_budget_back(take_back: str) -> None:
    assert spec_of("budget 500 dollars per month").budget_monthly_usd == 500
    assert spec_of("budget 500 dollars per month", take_back).budget_monthly_usd is None
