"""German phrasings of the requirement concepts (accent-folded: "ausführen" -> "ausfuhren")."""

from __future__ import annotations

TASK_WORDS: dict[str, tuple[str, ...]] = {
    "inference": (
        r"bereitstell(?:en|ung)",
        "deployen",
        "ausfuhren",
        "betreiben",
        "hosten",
        "inferenz",
        r"in echtzeit",
        r"live",
        r"beantworten",
        r"rund um die uhr",
        r"chatbot\w*",
        r"assistent\w*",
    ),
    "batch_inference": (
        "jede nacht",
        r"stapel\w*",
        r"uber nacht",
        r"einmalig\w*",
        r"archiv\w*",
        r"nachtlich\w*",
        r"bis monatsende",
        r"am wochenende",
    ),
    "training": (r"trainier\w*", r"vortrain\w*", r"von grund auf"),
    "fine_tuning": (r"feinabstimm(?:en|ung)", r"feintun\w*", r"feinjustier\w*", r"fine-tuning", r"nachtrainier\w*"),
}
DOMAIN_WORDS: dict[str, tuple[str, ...]] = {
    "nlp_free_text": (r"freitext\w*",),
    "nlp": (
        r"\w*sprachmodell\w*",
        r"ubersetz\w*",
        r"zusammenfass\w*",
        r"eingebettet",
        r"einbett\w*",
        r"vektorisier\w*",
        r"\w*texten?",
        r"\w*dokument\w*",
        r"\w*artikel\w*",
        r"\w*mails?",
        r"suchanfragen",
        r"wissensdatenbank\w*",
        r"klassifikator fur kundenmails",
        r"kundenanfragen",
        r"tickets?",
        r"\w*berichte\w*",
        r"\w*absatze\w*",
        r"\w*vertrag\w*",
        r"wissens\w*",
        r"\w*suche",
        r"kontext\w*",
        r"tokens?",
        r"antworten",
        r"beschwerden",
        r"absichten",
        r"stimmungsanalyse\w*",
        r"\w*kommentare?n?",
        r"verschlagwort\w*",
        r"\w*meldungen",
        r"presse\w*",
        r"chat\w*",
    ),
    "computer_vision": (
        r"\w*bild(?:er|ern)?",
        r"\w*bild\w+",
        r"\w*foto\w*",
        r"\w*kamera\w*",
        r"objekterkennung",
        r"objektdetektor\w*",
        r"\w*video\w*",
        r"qualitatsprufung",
        r"rontgen\w*",
        r"gescannt\w*",
        r"texterkennung",
    ),
    "audio": (
        "spracherkennung",
        r"transkri\w*",
        r"spracheingabe\w*",
        r"diktier\w*",
        r"\w*diktat\w*",
        r"sprachnotiz\w*",
        r"\w*audio\w*",
        r"gesprachsaufnahmen",
        r"sprachausgabe",
        r"sprachsynthese",
        r"telefonat\w*",
        r"anrufe",
        r"gesprache",
        r"callcenter\w*",
    ),
    "tabular": (r"tabellen\w*", r"tabellarisch\w*", r"betrug\w*", r"transaktionsdaten", r"strukturierte\w* daten"),
}
NO_GPU: tuple[str, ...] = (r"ohne gpus?", "nur cpu")
PROVIDER_NEGATION: tuple[str, ...] = (r"\bnicht",)
AREA_WORDS: dict[str, tuple[str, ...]] = {
    "eu": ("europa", "in der eu", "dsgvo"),
    "eu_strict": ("europaische union", "innerhalb der eu"),
    "germany": ("deutschland", "munchen"),
    "us": ("vereinigte staaten",),
    "na": ("nordamerika",),
    "asia": ("asien",),
    "apac": (r"asien[- ]pazifik",),
    "japan": ("japan",),
    "canada": ("kanada",),
    "france": ("frankreich",),
    "india": ("indien",),
    "australia": ("australien",),
    "brazil": ("brasilien",),
    "south_america": ("sudamerika",),
    "latin_america": ("lateinamerika",),
    "middle_east": ("naher osten", "nahen osten", "nahost"),
    "africa": ("afrika",),
    "singapore": ("singapur",),
    "korea": ("sudkorea", "suedkorea"),
    "nordics": ("skandinavien", "nordische lander"),
    "oceania": ("ozeanien",),
}
PERIOD_WORDS: dict[str, tuple[str, ...]] = {
    "month": ("monat", "monatlich"),
    "hour": ("stunde",),
    "day": ("tag",),
    "week": ("woche",),
    "year": ("jahr", r"jahrlich\w*", r"jahres\w*"),
    "quarter": ("quartal",),
}
RATE_PERIOD_WORDS: dict[str, tuple[str, ...]] = {
    "second": ("sekunde",),
    "minute": ("minut",),
    "hour": ("stunde",),
    "day": ("tag",),
    "week": ("woche",),
    "month": ("monat",),
}
PERIOD_PREPOSITIONS: tuple[str, ...] = ("pro", "im", "die", "je", "in der")
SCALES: dict[str, float] = {"tausend": 1e3, "mio": 1e6}
SCALE_WORDS: tuple[str, ...] = ("tausend", "mio")
NUMBER_WORDS: dict[str, int] = {"ein": 1, "eine": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4, "acht": 8}
BUDGET_NOUNS: tuple[str, ...] = ("kosten",)
REPLICA_NOUNS: tuple[str, ...] = (
    "repliken",
    r"replikate?n?",
)
HIGH_AVAILABILITY: tuple[str, ...] = (r"hochverfugbar(?:keit)?",)
USER_NOUNS: tuple[str, ...] = ("nutzer", "benutzer", "mitarbeiter")
REQUEST_NOUNS: tuple[str, ...] = ("anfragen",)
CONTEXT_NOUNS: tuple[str, ...] = (r"kontext(?:fenster|lange)?",)
DATA_NOUNS: tuple[str, ...] = ("daten",)
LIST_JOINERS: tuple[str, ...] = ("und", "oder", "noch")
LIST_ARTICLES: tuple[str, ...] = ("der", "die", "das", "den", "dem")
LIST_FILLERS: tuple[str, ...] = (
    "auf", "im", "bei", "mit", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem",
    "verwenden", "nutzen", "benutzen",
)  # fmt: skip
EXCLUDE_BEFORE: tuple[str, ...] = (
    "nicht", r"nie(?:mals)?", r"kein(?:e|en|er|es)?", "ohne", r"au(?:ß|ss)er(?:halb)?(?: von)?", r"vermeide[nt]?",
    r"ausschlie(?:ß|ss)en", "ausgeschlossen", "weder",
)  # fmt: skip
EXCLUDE_AFTER: tuple[str, ...] = (
    r"(?:ist|sind) (?:nicht|keine) (?:erlaubt|erwunscht|option|moglich)|(?:ist|sind) ausgeschlossen",
    "kommt nicht in frage",
    r"scheide[tn] aus",
    r"entf(?:a|ae)ll(?:t|en)",
)
LIFT_AFTER: tuple[str, ...] = (r"(?:ist|sind) (?:doch |wieder |auch )?(?:ok|okay|in ordnung|erlaubt|moglich)",)
LIFT_BEFORE: tuple[str, ...] = ("erlaube",)
TAKE_BACK_WORDS: dict[str, tuple[str, ...]] = {
    "budget": (
        r"kein(?:e|en)? budget(?:limit|grenze)?",
        r"budget (?:ist )?egal",
        "vergiss das budget",
        r"ohne budget(?:grenze|limit)?",
    ),
    "provider": (
        r"(?:jede[rns]?|beliebige[rns]?) (?:cloud|anbieter)",
        r"egal welche[rns]? (?:cloud|anbieter)",
        r"(?:cloud|anbieter) (?:ist )?egal",
    ),
    "region": (r"(?:jede|beliebige) region", r"region (?:ist )?egal", "egal welche region"),
    "gpu": (r"(?:jede|beliebige) gpu", r"gpu (?:ist )?egal"),
}
RANKING_WORDS: dict[str, tuple[str, ...]] = {
    "cheapest": (r"gunstig(?:er|ste[nr]?)?", r"billig(?:er|ste[nr]?)?", r"kostengunstig(?:er)?"),
    "fastest": ("schneller", "am schnellsten", r"(?:geringere|niedrigere) latenz"),
}
LICENSE_WORDS: dict[str, tuple[str, ...]] = {
    "commercial": (r"kommerziell\w*",),
    "open_source": ("quelloffen",),
}
