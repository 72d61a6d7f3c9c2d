"""Spanish phrasings of the requirement concepts (accent-folded: "región" -> "region")."""

from __future__ import annotations

TASK_WORDS: dict[str, tuple[str, ...]] = {
    "inference": (
        "desplegar",
        "despliegue",
        "servir",
        "ejecutar",
        "inferencia",
        "en tiempo real",
        "en vivo",
        r"chatbot\w*",
        r"asistente\w*",
    ),
    "batch_inference": (
        "cada noche",
        "por lotes",
        "una vez",
        "una sola vez",
        "durante la noche",
        r"de una vez",
        r"archivo\w*",
        r"puntual\w*",
        "fin de semana",
    ),
    "training": (r"entren\w*", r"preentren\w*", r"desde cero"),
    "fine_tuning": ("ajuste fino", r"modelo ajustado", r"afin(?:ar|ado|amiento)", r"ajustar finamente"),
}
DOMAIN_WORDS: dict[str, tuple[str, ...]] = {
    "nlp_free_text": (
        r"texto libre",
        r"descripciones libres",
    ),
    "nlp": (
        "modelo de lenguaje",
        "lenguaje natural",
        r"tradu\w*",
        r"resum\w*",
        r"vectoriz\w*",
        r"textos?",
        r"documentos?",
        r"articulos?",
        r"fichas?",
        r"tickets?",
        r"correos?",
        r"busquedas?",
        r"descripciones",
        r"base de conocimiento",
        r"contratos?",
        r"informes?",
        r"parrafos",
        r"chate\w*",
        r"reclamaciones",
        r"intenciones",
        r"mensajes",
        r"sentimiento\w*",
        r"copiloto\w*",
        r"asistente\w*",
        r"consultas?",
        r"conversacion\w*",
        r"tokens?",
    ),
    "computer_vision": (
        r"imagen(?:es)?",
        "vision artificial",
        r"fotos?",
        r"camaras?",
        r"placas",
        r"matriculas",
        r"cascos?",
        r"videos?",
        r"deteccion de objetos",
        r"escane\w*",
        r"radiografias?",
    ),
    "audio": (
        "voz",
        "reconocimiento de voz",
        r"transcrib\w*",
        r"transcripcion\w*",
        r"dictado\w*",
        r"dictar",
        r"audio\w*",
        r"podcasts?",
        r"llamadas",
        r"grabaciones",
        r"sintesis de voz",
    ),
    "tabular": (r"tabular\w*", r"fraude\w*", r"datos estructurados"),
}
NO_GPU: tuple[str, ...] = (r"sin gpus?", "solo cpu")
PROVIDER_NEGATION: tuple[str, ...] = (r"\bsin",)
AREA_WORDS: dict[str, tuple[str, ...]] = {
    "eu": ("europa", "en europa", "rgpd"),
    "eu_strict": ("union europea",),
    "germany": ("alemania",),
    "uk": ("reino unido",),
    "us": ("estados unidos", "eeuu"),
    "na": ("norteamerica",),
    "asia": ("asia",),
    "apac": (r"asia[- ]pacifico",),
    "japan": ("japon",),
    "france": ("francia",),
    "australia": ("australia",),
    "brazil": ("brasil",),
    "south_america": ("sudamerica", "suramerica", "america del sur"),
    "latin_america": ("latinoamerica", "america latina"),
    "middle_east": ("oriente medio", "medio oriente"),
    "korea": (r"corea(?: del sur)?",),
    "nordics": ("escandinavia", "paises nordicos"),
}
PERIOD_WORDS: dict[str, tuple[str, ...]] = {
    "month": ("mes", "mensual"),
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
PERIOD_PREPOSITIONS: tuple[str, ...] = ("por", "al")
SCALES: dict[str, float] = {"mil": 1e3}
SCALE_WORDS: tuple[str, ...] = ("mil",)
NUMBER_WORDS: dict[str, int] = {"uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "ocho": 8}
BUDGET_NOUNS: tuple[str, ...] = ("presupuesto", "costo")
REPLICA_NOUNS: tuple[str, ...] = (r"replicas?",)
HIGH_AVAILABILITY: tuple[str, ...] = ("alta disponibilidad",)
USER_NOUNS: tuple[str, ...] = ("usuarios",)
REQUEST_NOUNS: tuple[str, ...] = ("solicitudes", "peticiones")
CONTEXT_NOUNS: tuple[str, ...] = ("contexto",)
DATA_NOUNS: tuple[str, ...] = ("datos",)
LIST_JOINERS: tuple[str, ...] = ("ni", "y", "o", "u")
LIST_ARTICLES: tuple[str, ...] = ("el", "la", "los", "las")
LIST_FILLERS: tuple[str, ...] = ("el", "los", "las", "del", "con", "una", "usar", "uses", "utilizar")
EXCLUDE_BEFORE: tuple[str, ...] = (
    "ni", "nunca", "jamas", "sin", "excepto", "salvo", r"evita[rn]?", "evite", "excluye", "excluyendo", "fuera de",
    "excluir", "nada de", r"ningun(?:a|o)?", r"(?:todo|cualquier cosa|cualquiera) menos",
)  # fmt: skip
EXCLUDE_AFTER: tuple[str, ...] = (r"(?:esta|estan) (?:excluid[oa]s?|prohibid[oa]s?)|no (?:es|son) (?:una )?opcion",)
# Spanish and Portuguese forms share this row ("esta bien", "esta permitido", "e ok", "estao permitidos").
LIFT_AFTER: tuple[str, ...] = (r"(?:esta|estan|estao|e) (?:bien|bem|ok|permitid[oa]s?|aceptable)",)
LIFT_BEFORE: tuple[str, ...] = ("permite", "permitir")
TAKE_BACK_WORDS: dict[str, tuple[str, ...]] = {
    "budget": (
        r"sin (?:limite de )?presupuesto",
        r"olvida(?:te del| el)? presupuesto",
        "no hay presupuesto",
        "presupuesto ilimitado",
    ),
    "provider": (r"cualquier (?:nube|proveedor)", r"(?:la nube|el proveedor) (?:da igual|no importa)"),
    "region": ("cualquier region", r"(?:la )?region (?:da igual|no importa)"),
    "gpu": ("cualquier gpu",),
}
RANKING_WORDS: dict[str, tuple[str, ...]] = {
    "cheapest": (r"(?:lo )?mas barat[oa]", "menos caro"),
    "fastest": (r"(?:lo )?mas rapido", "menor latencia"),
}
LICENSE_WORDS: dict[str, tuple[str, ...]] = {
    "commercial": ("uso comercial",),
    "open_source": ("codigo abierto",),
}
