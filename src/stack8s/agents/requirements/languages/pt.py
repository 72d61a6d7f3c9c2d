"""Portuguese phrasings of the requirement concepts (accent-folded: "orçamento" -> "orcamento")."""

from __future__ import annotations

TASK_WORDS: dict[str, tuple[str, ...]] = {
    "inference": ("hospedar", "implantar", "servir", "inferencia"),
    "training": ("treinar", "treinamento"),
    "fine_tuning": ("ajuste fino", "afinar"),
}
DOMAIN_WORDS: dict[str, tuple[str, ...]] = {
    "computer_vision": ("imagens",),
    "audio": ("voz",),
}
NO_GPU: tuple[str, ...] = (r"sem gpus?", "apenas cpu")
PROVIDER_NEGATION: tuple[str, ...] = (r"\bsem",)
AREA_WORDS: dict[str, tuple[str, ...]] = {
    "eu": ("europa", "rgpd"),
    "eu_strict": ("uniao europeia",),
    "germany": ("alemanha",),
    "uk": ("reino unido",),
    "us": ("estados unidos",),
    "apac": (r"asia[- ]pacifico",),
    "japan": ("japao",),
    "france": ("franca",),
    "brazil": ("brasil",),
    "south_america": ("america do sul",),
    "latin_america": ("america latina",),
    "middle_east": ("medio oriente",),
    "singapore": ("singapura",),
    "korea": (r"coreia(?: do sul)?",),
    "nordics": ("escandinavia", "paises nordicos"),
}
PERIOD_WORDS: dict[str, tuple[str, ...]] = {
    "month": ("mes", "mensal"),
    "hour": ("hora",),
    "day": ("dia",),
    "week": ("semana",),
    "year": ("ano",),
}
RATE_PERIOD_WORDS: dict[str, tuple[str, ...]] = {
    "second": ("segundo",),
    "minute": ("minuto",),
    "hour": ("hora",),
    "day": ("dia",),
    "week": ("semana",),
    "month": ("mes",),
}
PERIOD_PREPOSITIONS: tuple[str, ...] = ("por", "ao")
SCALES: dict[str, float] = {"mil": 1e3}
SCALE_WORDS: tuple[str, ...] = ("mil",)
NUMBER_WORDS: dict[str, int] = {"um": 1, "duas": 2}
BUDGET_NOUNS: tuple[str, ...] = ("orcamento",)
REPLICA_NOUNS: tuple[str, ...] = ()
HIGH_AVAILABILITY: tuple[str, ...] = ("alta disponibilidade",)
USER_NOUNS: tuple[str, ...] = ("usuarios", "utilizadores")
REQUEST_NOUNS: tuple[str, ...] = ()
CONTEXT_NOUNS: tuple[str, ...] = ("contexto",)
DATA_NOUNS: tuple[str, ...] = ()
LIST_JOINERS: tuple[str, ...] = ("ou", "nem", "e")
LIST_ARTICLES: tuple[str, ...] = ("o", "os", "as")
LIST_FILLERS: tuple[str, ...] = (
    "em", "no", "na", "nos", "nas", "os", "as", "do", "da", "dos", "das", "com", "um", "uma",
)  # fmt: skip
EXCLUDE_BEFORE: tuple[str, ...] = (
    "nao", "sem", "exceto", "evitar", "excluir", "exclua", r"fora d(?:e|o|a|os|as)", r"nenhum(?:a)?", "nem",
)  # fmt: skip
EXCLUDE_AFTER: tuple[str, ...] = (r"(?:esta|estao) (?:excluid[oa]s?|proibid[oa]s?)|nao (?:e|sao) (?:uma )?opcao",)
LIFT_AFTER: tuple[str, ...] = ()  # the Portuguese forms share the Spanish row (es.LIFT_AFTER)
LIFT_BEFORE: tuple[str, ...] = ("permite", "permitir")
TAKE_BACK_WORDS: dict[str, tuple[str, ...]] = {
    "budget": (
        r"sem (?:limite de )?orcamento",
        "esqueca o orcamento",
        "orcamento ilimitado",
        "nao ha orcamento",
    ),
    "provider": (r"qualquer (?:nuvem|provedor)",),
    "region": ("qualquer regiao",),
    "gpu": ("qualquer gpu",),
}
RANKING_WORDS: dict[str, tuple[str, ...]] = {
    "cheapest": (r"(?:o )?mais barat[oa]",),
    "fastest": (r"(?:o )?mais rapido",),
}
LICENSE_WORDS: dict[str, tuple[str, ...]] = {
    "commercial": ("uso comercial",),
}
