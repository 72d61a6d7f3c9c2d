"""Portuguese phrasings of the requirement concepts (accent-folded: "orçamento" -> "orcamento")."""

from __future__ import annotations

TASK_WORDS: dict[str, tuple[str, ...]] = {
    "inference": (
        "hospedar",
        "implantar",
        "servir",
        "inferencia",
        "em tempo real",
        "ao vivo",
        r"chatbot\w*",
        r"assistente\w*",
        r"reclamacoes",
        r"intencoes",
        r"mensagens",
        r"sentimento\w*",
    ),
    "batch_inference": (
        "uma vez",
        "uma unica vez",
        "em lote",
        r"por lotes?",
        "durante a noite",
        r"de uma vez",
        r"arquivo\w*",
        r"pontual\w*",
        "fim de semana",
    ),
    "training": (r"trein\w*", r"pre-?trein\w*", r"do zero"),
    "fine_tuning": ("ajuste fino", r"modelo ajustado", r"afin(?:ar|ado|amiento)"),
}
DOMAIN_WORDS: dict[str, tuple[str, ...]] = {
    "nlp_free_text": (
        r"texto livre",
        r"descricoes livres",
    ),
    "nlp": (
        "modelo de linguagem",
        "linguagem natural",
        r"tradu\w*",
        r"resum\w*",
        r"vetoriz\w*",
        r"textos?",
        r"documentos?",
        r"artigos?",
        r"fichas?",
        r"tickets?",
        r"e-mails?",
        r"buscas?",
        r"descricoes",
        r"base de conhecimento",
        r"contratos?",
        r"relatorios?",
        r"paragrafos",
        r"embeddings?",
        r"assistente\w*",
        r"conversac\w*",
        r"tokens?",
    ),
    "computer_vision": (
        "imagens",
        r"imagem",
        r"fotos?",
        r"cameras?",
        r"videos?",
        r"deteccao de objetos",
        r"digitaliz\w*",
        r"radiografias?",
    ),
    "audio": (
        "voz",
        r"transcrev\w*",
        r"transcric\w*",
        r"ditar",
        r"ditado\w*",
        r"audiencias",
        r"audio\w*",
        r"podcasts?",
        r"ligacoes",
        r"chamadas",
        r"gravacoes",
        r"sintese de voz",
    ),
    "tabular": (r"tabular\w*", r"fraude\w*", r"dados estruturados"),
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
    "year": ("ano", r"anual\w*"),
    "quarter": ("trimestre", r"trimestral\w*"),
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
REPLICA_NOUNS: tuple[str, ...] = (r"replicas?",)
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
