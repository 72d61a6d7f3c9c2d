"""French phrasings of the requirement concepts (accent-folded: "déployer" -> "deployer")."""

from __future__ import annotations

TASK_WORDS: dict[str, tuple[str, ...]] = {
    "inference": (
        "deployer",
        "deploiement",
        "servir",
        "executer",
        "en temps reel",
        "en direct",
        r"chatbot\w*",
        r"assistant\w*",
        r"courriers?",
        r"reclamations?",
        r"intentions?",
        "au fil de l'eau",
    ),
    "batch_inference": (
        "chaque nuit",
        "en lot",
        r"par lots?",
        "une fois",
        "pendant la nuit",
        r"sur un week-end",
        "d'ici la fin",
        r"archives?",
        r"ponctuel\w*",
        "en une fois",
    ),
    "training": (r"entrain\w*", r"pre-?entrain\w*", r"a partir de zero"),
    "fine_tuning": (r"affin(?:er|age|ement)", r"ajust\w* fin\w*", r"reglage fin"),
}
DOMAIN_WORDS: dict[str, tuple[str, ...]] = {
    "nlp_free_text": (
        r"descriptions? libres?",
        r"textes? libres?",
    ),
    "nlp": (
        "modele de langage",
        r"tradu\w*",
        r"resum\w*",
        r"vectoris\w*",
        r"plongements?",
        r"texte\w*",
        r"documents?",
        r"documentaire\w*",
        r"articles?",
        r"fiches?",
        r"tickets?",
        r"courriels?",
        r"e-mails?",
        r"recherches?",
        r"base de connaissances",
        r"libelles?",
        r"contrats?",
        r"rapports?",
        r"assistant\w*",
        r"conversation\w*",
        r"tokens?",
    ),
    "computer_vision": (
        r"images?",
        r"photos?",
        r"cameras?",
        r"videos?",
        "detection d'objets",
        r"scann\w*",
        r"vision par ordinateur",
        r"radiographies?",
    ),
    "audio": (
        r"transcri(?:re|ption\w*|vez|t|vons)",
        r"dictee\w*",
        r"dicter",
        r"audio\w*",
        r"podcasts?",
        r"appels",
        r"synthese vocale",
        r"reconnaissance vocale",
        r"voix",
        r"enregistrements?",
    ),
    "tabular": (r"tabulaire\w*", r"fraude\w*", r"donnees structurees"),
}
NO_GPU: tuple[str, ...] = (r"sans gpus?", r"uniquement (?:sur )?cpu")
PROVIDER_NEGATION: tuple[str, ...] = (r"\bpas",)
AREA_WORDS: dict[str, tuple[str, ...]] = {
    "eu": ("europe", "en europe", "rgpd"),
    "eu_strict": ("union europeenne",),
    "germany": ("allemagne",),
    "uk": ("royaume-uni",),
    "us": ("etats-unis",),
    "na": ("amerique du nord",),
    "asia": ("asie",),
    "apac": (r"asie[- ]pacifique",),
    "japan": ("japon",),
    "canada": ("canada",),
    "france": ("france",),
    "india": ("inde",),
    "australia": ("australie",),
    "brazil": ("bresil",),
    "south_america": ("amerique du sud",),
    "latin_america": ("amerique latine",),
    "middle_east": (r"moyen[- ]orient",),
    "africa": ("afrique",),
    "china": ("chine",),
    "singapore": ("singapour",),
    "korea": (r"coree(?: du sud)?",),
    "nordics": ("scandinavie", "pays nordiques"),
    "oceania": ("oceanie",),
}
PERIOD_WORDS: dict[str, tuple[str, ...]] = {
    "month": ("mois", "mensuel", "mensuelle"),
    "hour": ("heure",),
    "day": ("jour",),
    "week": ("semaine",),
    "year": ("annee", r"annuel\w*", r"an"),
    "quarter": ("trimestre", r"trimestriel\w*"),
}
RATE_PERIOD_WORDS: dict[str, tuple[str, ...]] = {
    "second": ("seconde",),
    "hour": ("heure",),
    "day": ("jour",),
    "week": ("semaine",),
    "month": ("mois",),
}
PERIOD_PREPOSITIONS: tuple[str, ...] = ("par", "au")
SCALES: dict[str, float] = {"mille": 1e3}
SCALE_WORDS: tuple[str, ...] = ("mille",)
NUMBER_WORDS: dict[str, int] = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "huit": 8}
BUDGET_NOUNS: tuple[str, ...] = ("cout",)
REPLICA_NOUNS: tuple[str, ...] = ("repliques",)
HIGH_AVAILABILITY: tuple[str, ...] = ("haute disponibilite",)
USER_NOUNS: tuple[str, ...] = ("utilisateurs",)
REQUEST_NOUNS: tuple[str, ...] = ("requetes",)
CONTEXT_NOUNS: tuple[str, ...] = ("contexte",)
DATA_NOUNS: tuple[str, ...] = ("donnees",)
LIST_JOINERS: tuple[str, ...] = ("et", "ou", "ni")
LIST_ARTICLES: tuple[str, ...] = ("le", "la", "les")
LIST_FILLERS: tuple[str, ...] = (
    "sur", "chez", "en", "au", "aux", "dans", "le", "la", "les", "de", "du", "des", "un", "une", "utiliser", "avec",
)  # fmt: skip
EXCLUDE_BEFORE: tuple[str, ...] = (
    "ni", "pas", "jamais", "sans", "sauf", "excepte", "hormis", r"hors(?: de)?", "en dehors de", r"evite[rz]?",
    r"exclu(?:re|ez|ant|t|ons)", r"aucun(?:e)?",
)  # fmt: skip
EXCLUDE_AFTER: tuple[str, ...] = (r"(?:est|sont) exclue?s?|(?:est|sont) interdite?s?|n'est pas (?:une )?option",)
LIFT_AFTER: tuple[str, ...] = (r"(?:est|sont) (?:bien|ok|acceptable|acceptee?s?|possible|autorisee?s?)",)
LIFT_BEFORE: tuple[str, ...] = (r"autorise[rz]?",)
TAKE_BACK_WORDS: dict[str, tuple[str, ...]] = {
    "budget": (
        r"pas de (?:limite de )?budget",
        r"sans (?:limite de )?budget",
        r"oubliez? le budget",
        "budget illimite",
    ),
    "provider": (r"n'importe quel (?:cloud|fournisseur)", r"peu importe (?:le )?(?:cloud|fournisseur)"),
    "region": ("n'importe quelle region", r"peu importe (?:la )?region"),
    "gpu": (r"n'importe quel(?:le)? gpu",),
}
RANKING_WORDS: dict[str, tuple[str, ...]] = {
    "cheapest": (r"(?:le )?moins cher", "moins couteux"),
    "fastest": (r"(?:le )?plus rapide", "moins de latence"),
}
LICENSE_WORDS: dict[str, tuple[str, ...]] = {
    "commercial": ("usage commercial",),
}
