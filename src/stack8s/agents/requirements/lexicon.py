"""The Requirements engine's vocabulary: plain tables of patterns and what they mean.

Every table is a sequence of ``(regex, value)`` rows compiled into a `Table`. Patterns are matched
case-insensitively on accent-folded text (``déployer`` -> ``deployer``), as whole words; where case
matters (``US`` the country, not ``us`` the pronoun) a pattern says so with ``(?-i:...)``. When two
rows overlap, the leftmost and then the longest match wins, so ``"text-to-image"`` is one hit and not
``"text"`` plus ``"image"``. Adding a phrasing means adding a row, never a branch in the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from stack8s.catalogs.gpus import gpu_name_regex
from stack8s.planning.plan import HOURS_PER_MONTH
from stack8s.planning.spec import Domain, FineTuningMethod, Precision, TaskType

V = TypeVar("V")

_WORD = r"(?<![A-Za-z0-9])(?:{})(?![A-Za-z0-9])"


@dataclass(frozen=True, slots=True)
class Hit(Generic[V]):
    start: int
    end: int
    value: V
    text: str


class Table(Generic[V]):
    """Compiled ``(regex, value)`` rows; `hits` returns non-overlapping matches in text order."""

    def __init__(self, rows: Iterable[tuple[str, V]]) -> None:
        self.rows = tuple((re.compile(_WORD.format(pattern), re.IGNORECASE), value) for pattern, value in rows)

    def hits(self, text: str) -> list[Hit[V]]:
        found = [
            Hit(m.start(), m.end(), value, m.group())
            for regex, value in self.rows
            for m in regex.finditer(text)
            if m.end() > m.start()
        ]
        found.sort(key=lambda h: (h.start, h.start - h.end))
        kept: list[Hit[V]] = []
        for hit in found:
            if not kept or hit.start >= kept[-1].end:
                kept.append(hit)
        return kept

    def values(self, text: str) -> list[V]:
        return [hit.value for hit in self.hits(text)]


# --------------------------------------------------------------------------- task verbs
# (TaskType, weight): the heaviest task named in a message wins. Fine-tuning outranks training,
# which outranks batch work, which outranks plain serving ("train it, then deploy it" is training).
# LoRA/QLoRA/adapt weigh less than serving: "deploy Llama with our LoRA adapter" is inference.
TASKS = Table[tuple[TaskType, float]](
    [
        (
            r"deploy(?:s|ing|ment|ed)?|serv(?:e|es|ing)|host(?:s|ing|ed)?|run(?:s|ning)?|inference|infer"
            r"|chat ?bots?|apis?|endpoints?|set ?up|generat(?:e|es|ing)|predictions?|real[- ]time|online"
            r"|transcri(?:be|bing)|in production|production",
            (TaskType.inference, 1.0),
        ),
        (
            r"desplegar|despliegue|bereitstell(?:en|ung)|deployen|deployer|deploiement|servir|hospedar"
            r"|implantar|ejecutar|ausfuhren|betreiben|hosten|executer|inferencia|inferenz",
            (TaskType.inference, 1.0),
        ),
        (
            r"batch(?! ?sizes?)(?:es|ed)?|every night|nightly|overnight|offline|back ?catalog(?:ue)?s?|backlog"
            r"|archives?|scheduled|cron(?: ?jobs?)?|bulk|daily jobs?|once a (?:day|week|night)"
            r"|jede nacht|cada noche|chaque nuit|por lotes|stapelverarbeitung|en lot",
            (TaskType.batch_inference, 2.0),
        ),
        (
            r"train(?:s|ing)?|pre-?train(?:s|ing)?|from scratch|trainieren|entrenar|entrenamiento"
            r"|entrainer|entrainement|treinar|treinamento|addestrare",
            (TaskType.training, 3.0),
        ),
        (
            r"fine[- ]?tun(?:e|es|ing)|finetun(?:e|es|ing)|ajuste fino|feinabstimm(?:en|ung)|affiner"
            r"|afinar|sft|instruction[- ]tun(?:e|ing)",
            (TaskType.fine_tuning, 4.0),
        ),
        (r"q?lora|peft|adapt(?:s|ing)?|domain adaptation", (TaskType.fine_tuning, 0.5)),
    ]
)

# --------------------------------------------------------------------------- domains
# (Domain, weight) summed per message. Specific phrases weigh more than generic nouns.
DOMAINS = Table[tuple[Domain, float]](
    [
        (
            r"llms?|large language models?|language models?|chat ?bots?|gpt|rag|retrieval[- ]augmented"
            r"|embeddings?|semantic search|e5|bert|roberta|sentence[- ]transformers?"
            r"|summari[sz](?:e|es|ation|ing|er)"
            r"|translat(?:e|es|ion|ing|or)|sentiment|named entit(?:y|ies)|question answering|text classification"
            r"|text generation|nlp|natural language|faq|support bot|customer support|copilot|code generation"
            r"|coding assistant|rerank(?:er|ing)|sprachmodell|modelo de lenguaje|modele de langage"
            r"|lenguaje natural",
            (Domain.nlp, 2.0),
        ),
        (r"text|documents?|prompts?|chat|assistant|conversational", (Domain.nlp, 1.0)),
        (
            r"computer vision|vision|images?|photos?|pictures?|object detection|detect(?:ing)? objects"
            r"|segmentation|image classif(?:ier|iers|ication)|resnet|yolo\w*|ocr|face recognition|videos?|cctv"
            r"|cameras?|vit|detr|stable diffusion|sdxl|flux|text[- ]to[- ]image|image generation"
            r"|generat(?:e|ing) images|dall-?e|midjourney|bild(?:er)?|imagen(?:es)?|imagens|vision artificial",
            (Domain.computer_vision, 2.0),
        ),
        (
            r"whisper|speech|audio|podcasts?|tts|text[- ]to[- ]speech|speech[- ]to[- ]text"
            r"|transcri(?:be|bing|ption|ptions)"
            r"|asr|voice|call recordings?|music|dictation|spracherkennung|voz|reconocimiento de voz",
            (Domain.audio, 2.0),
        ),
        (
            r"scikit[- ]?learn|sklearn|xgboost|lightgbm|catboost|tabular|fraud|churn|forecast(?:s|ing)?"
            r"|time[- ]series|recommend(?:er|ers|ation|ations)(?: systems?)?|credit scor(?:e|ing)"
            r"|random forests?"
            r"|logistic regression|structured data|csv|anomaly detection|feature engineering",
            (Domain.tabular, 2.0),
        ),
        (
            r"vlms?|vision[- ]language(?: models?)?|multi[- ]?modal|image[- ]text|images? and text"
            r"|text and images?"
            r"|images? ?\+ ?text|llava|visual question answering|vqa|image captioning|describe images",
            (Domain.multimodal, 3.0),
        ),
    ]
)

# Hugging Face pipeline tag -> domain, for a model the user named.
PIPELINE_DOMAIN: dict[str, Domain] = {
    **dict.fromkeys(
        (
            "text-generation",
            "text2text-generation",
            "feature-extraction",
            "sentence-similarity",
            "fill-mask",
            "token-classification",
            "text-classification",
            "summarization",
            "translation",
            "question-answering",
            "zero-shot-classification",
            "text-ranking",
        ),
        Domain.nlp,
    ),
    **dict.fromkeys(
        (
            "image-classification",
            "object-detection",
            "image-segmentation",
            "mask-generation",
            "depth-estimation",
            "zero-shot-object-detection",
            "image-feature-extraction",
            "image-to-image",
            "text-to-image",
            "unconditional-image-generation",
            "video-classification",
            "text-to-video",
            "image-to-video",
            "zero-shot-image-classification",
        ),
        Domain.computer_vision,
    ),
    **dict.fromkeys(
        (
            "image-to-text",
            "image-text-to-text",
            "visual-question-answering",
            "document-question-answering",
            "video-text-to-text",
            "any-to-any",
        ),
        Domain.multimodal,
    ),
    **dict.fromkeys(
        (
            "automatic-speech-recognition",
            "text-to-speech",
            "audio-classification",
            "text-to-audio",
            "audio-to-audio",
            "voice-activity-detection",
        ),
        Domain.audio,
    ),
    **dict.fromkeys(("tabular-classification", "tabular-regression", "time-series-forecasting"), Domain.tabular),
}

# --------------------------------------------------------------------------- GPU need
# True = the user asks for GPUs, False = the user rules them out. Negations are longer than the
# bare word, so "no GPUs" wins over "GPUs" at the same place.
GPU_EXPLICIT = Table[bool](
    [
        (r"gpus?|graphics cards?|cuda|vram|nvidia|accelerators?", True),
        (
            r"(?:no|zero|without(?: an?)?|not on(?: an?)?|sin|ohne|sans|sem) gpus?|cpu[- ]?only"
            r"|only (?:on )?cpus?"
            r"|(?:on|with|using) (?:the |an? |our |plain |regular )?"
            r"(?:cpus?|cpu (?:box|boxes|machines?|nodes?|servers?|instances?))"
            r"|cpus? (?:is|are) (?:fine|enough|ok|okay)|gpu[- ]free"
            r"|(?:do(?:n'?t| not)|does(?:n'?t| not)|won'?t) need (?:an? |any )?gpus?"
            r"|no need for (?:an? |any )?gpus?"
            r"|solo cpu|nur cpu|uniquement (?:sur )?cpu|apenas cpu|cpu[- ]based",
            False,
        ),
    ]
)
# A GPU mention inside a question or a hedge ("not sure we need a GPU") decides nothing.
GPU_HEDGE = re.compile(
    r"not sure|unsure|whether|do (?:i|we) (?:really )?need|if (?:i|we) need|wondering", re.IGNORECASE
)
# Words for workloads that want a GPU (True) or usually run on CPU (False), when nothing explicit is said.
GPU_HINTS = Table[bool](
    [
        (
            r"llms?|large language models?|chat ?bots?|diffusion|sdxl|flux|text[- ]to[- ]image|image generation"
            r"|whisper|vlms?|deep learning|neural net(?:work)?s?|pytorch|gpt"
            r"|speech[- ]to[- ]text|text[- ]to[- ]speech|transcri(?:be|bing|ption|ptions)",
            True,
        ),
        (
            r"scikit[- ]?learn|sklearn|xgboost|lightgbm|catboost|tabular|random forests?|logistic regression"
            r"|linear regression|fraud|churn",
            False,
        ),
    ]
)

# --------------------------------------------------------------------------- precision and methods
# (Precision, quantisation method asked for, or None).
PRECISIONS = Table[tuple[Precision, str | None]](
    [
        (r"4[- ]?bits?|int-?4|w4a16|nf4|q4(?:_k_m)?", (Precision.int4, "int4")),
        (r"awq", (Precision.int4, "awq")),
        (r"gptq", (Precision.int4, "gptq")),
        (r"gguf", (Precision.int4, "gguf")),
        (r"8[- ]?bits?|int-?8|w8a8", (Precision.int8, "int8")),
        (r"fp-?8|float-?8|e4m3", (Precision.fp8, "fp8")),
        (r"fp-?16|float-?16|half[- ]precision|16[- ]bits?", (Precision.fp16, None)),
        (r"bf-?16|bfloat-?16", (Precision.bf16, None)),
        (r"fp-?32|float-?32|full precision|single precision|32[- ]bits?", (Precision.fp32, None)),
    ]
)
FINE_TUNING_METHODS = Table[FineTuningMethod](
    [
        (r"q-?lora", FineTuningMethod.qlora),
        (r"lora|low[- ]rank adaptation|peft", FineTuningMethod.lora),
        (
            r"(?:fully|full(?:[- ]parameter| weights?)?)[- ]?(?:fine[- ]?tun(?:e|es|ed|ing)|finetun(?:e|es|ed|ing))"
            r"|full[- ]parameter|full[- ]weights?|all (?:the )?weights|full[- ]ft",
            FineTuningMethod.full,
        ),
    ]
)

# --------------------------------------------------------------------------- providers and regions
# SkyPilot cloud names. CoreWeave has none; it maps to itself.
PROVIDERS = Table[str](
    [
        (r"aws|amazon web services|amazon(?: cloud)?(?![/-]\w)|ec2|eks|sagemaker|aws lambda", "aws"),
        (
            r"gcp|google cloud(?: platform)?|google(?![/-]\w|'s| (?:gemma|t5|flan|vit|bert|siglip|deepmind))"
            r"|gce|gke"
            r"|vertex(?: ai)?",
            "gcp",
        ),
        (r"(?:microsoft )?azure|microsoft(?![/-]\w|'s| (?:phi|resnet|florence|trocr|git|swin))|aks|azur", "azure"),
        (r"lambda ?labs|lambda cloud|lambda(?! functions?)", "lambda"),
        (r"oci(?! (?:images?|registry|registries|artifacts?|compliant|containers?))|oracle(?: cloud)?", "oci"),
        (r"run ?pod", "runpod"),
        (r"paperspace", "paperspace"),
        (r"nebius", "nebius"),
        (r"digital ?ocean", "do"),
        (r"ibm(?: cloud)?(?![/-]\w| granite)", "ibm"),
        (r"vast\.ai|vast ai|vastai", "vast"),
        (r"fluidstack", "fluidstack"),
        (r"coreweave", "coreweave"),
        (r"cudo(?: ?compute)?", "cudo"),
        (r"hyperstack", "hyperstack"),
        (r"hyperbolic", "hyperbolic"),
        (r"seeweb", "seeweb"),
        (r"verda|datacrunch", "verda"),
        (r"shadeform", "shadeform"),
    ]
)
# Single-word nicknames that may be misspelt ("azrue", "amazn", "runpdo"); the fuzzy matcher uses them.
PROVIDER_WORDS: dict[str, str] = {
    "amazon": "aws",
    "google": "gcp",
    "azure": "azure",
    "microsoft": "azure",
    "lambda": "lambda",
    "oracle": "oci",
    "runpod": "runpod",
    "paperspace": "paperspace",
    "nebius": "nebius",
    "digitalocean": "do",
    "fluidstack": "fluidstack",
    "coreweave": "coreweave",
    "hyperstack": "hyperstack",
}
# A provider mention right after one of these is one the user does not want ("not AWS", "instead of GCP").
NEGATION_BEFORE = re.compile(
    r"(?:\bnot|\bno|instead of|rather than|other than|except|\bfrom|without|avoid|away from|\bnicht|\bpas"
    r"|\bsin|\bsem|\bleave|\bmove off|switch(?:ing)? from|migrat(?:e|ing) from)\W*(?:\w+\W+)?$",
    re.IGNORECASE,
)

# Region ids, their providers and the areas ("in Europe") all come from catalogs/data/regions.yaml, read
# by stack8s.catalogs.regions: one fact, one place. REGIONS: per provider, the region ids the rules look
# for in messages (lower-case ids a user would type; upper-case ids such as RunPod's "EU-RO-1" are left
# out because the rules look a match up in lower case). A region id alone implies its provider; when
# several providers share an id, the first provider listed in REGION_OWNERS is implied.
from stack8s.catalogs import regions as _region_facts  # noqa: E402 (kept inside the region section)

REGIONS: dict[str, tuple[str, ...]] = _region_facts.mentionable_regions()
REGION_OWNERS: tuple[str, ...] = _region_facts.providers()

# Area words -> area key; AREA_REGIONS (below) gives each area's regions per provider. A country with a
# region in some area but no row here is matched by its English name (rows generated at the end).
# Plain "EU", "Europe" and "GDPR" mean the wide "eu" area (EEA + UK + Switzerland); "European Union",
# "EU only", "stay in the EU" mean "eu_strict" (EU member states only).
_AREA_WORDS: list[tuple[str, str]] = [
    (r"(?-i:EU)(?!-)|europe|european|europa|in der eu|en europe|en europa|gdpr|dsgvo|rgpd", "eu"),
    (
        r"european union|(?-i:EU) member states?|(?-i:EU)[- ]only"
        r"|(?:(?:stay|stays|staying|remain|remains|kept) (?:in|inside|within)|inside|within|only in)"
        r" (?:the )?(?-i:EU)(?!-)"
        r"|union europea|union europeenne|europaische union|uniao europeia|innerhalb der eu",
        "eu_strict",
    ),
    (r"germany|frankfurt|deutschland|berlin|munich|munchen|allemagne|alemania|alemanha", "germany"),
    (r"(?-i:UK)|united kingdom|britain|great britain|london|england|royaume-uni|reino unido", "uk"),
    (
        r"(?-i:US|USA|U\.S\.|U\.S\.A\.)(?!-)|united states|(?<!south )(?<!latin )america|american|stateside"
        r"|estados unidos|eeuu"
        r"|etats-unis|vereinigte staaten",
        "us",
    ),
    (r"north america|norteamerica|amerique du nord|nordamerika", "na"),
    (r"asia|asian|asie|asien", "asia"),
    (r"apac|asia[- ]pacific|asie[- ]pacifique|asien[- ]pazifik|asia[- ]pacifico", "apac"),
    (r"japan|tokyo|osaka|japon|japao", "japan"),
    (r"canada|canadian|kanada|toronto|montreal", "canada"),
    (r"france|frankreich|francia|franca|paris|marseille", "france"),
    (r"india|indien|inde|mumbai|bombay|delhi|new delhi|bangalore|bengaluru|hyderabad|chennai|pune", "india"),
    (r"australia|australian|australien|australie|sydney|melbourne", "australia"),
    (r"brazil|brasil|bresil|brasilien|sao paulo", "brazil"),
    (
        r"south america|sudamerica|suramerica|america del sur|america do sul|amerique du sud|sudamerika",
        "south_america",
    ),
    (r"latin america|latam|latinoamerica|america latina|amerique latine|lateinamerika", "latin_america"),
    (
        r"middle east|mideast|naher osten|nahen osten|nahost|moyen[- ]orient|oriente medio|medio oriente",
        "middle_east",
    ),
    (r"africa|african|afrika|afrique", "africa"),
    (r"china|mainland china|chine", "china"),
    (r"singapore|singapur|singapour|singapura", "singapore"),
    (
        r"korea|south korea|seoul|coree(?: du sud)?|corea(?: del sur)?|coreia(?: do sul)?|sudkorea|suedkorea",
        "korea",
    ),
    (
        r"nordics|nordic(?: countries| region)?|scandinavia|scandinavian|skandinavien|scandinavie|escandinavia"
        r"|nordische lander|pays nordiques|paises nordicos",
        "nordics",
    ),
    (r"oceania|ozeanien|oceanie", "oceania"),
    (r"(?-i:UAE)|united arab emirates|emirates|dubai|abu dhabi", "uae"),
]
_WORDED_AREAS = {area for _, area in _AREA_WORDS}
_COUNTRY_WORDS = [(re.escape(n.lower()), a) for a, n in _region_facts.country_areas().items() if a not in _WORDED_AREAS]
# A place that names a currency ("US dollars", "canadian dollars", "South African rand") is not an area.
_NOT_MONEY = (
    r"(?!\s(?:dollars?|yen|yuan|renminbi|rupees?|won|kron(?:a|e|or|er)|zlot\w*|korun[ay]|forints?|reais|real"
    r"|pesos?|rands?|francs?|franken|pounds?|sterling|euros?)(?![a-z]))"
)
AREAS = Table[str]((f"(?:{pattern}){_NOT_MONEY}", area) for pattern, area in _AREA_WORDS + _COUNTRY_WORDS)
AREA_REGIONS: dict[str, dict[str, tuple[str, ...]]] = _region_facts.area_regions()

# --------------------------------------------------------------------------- budgets
# Currency spellings -> ISO 4217 code; the rates to USD are in catalogs/data/fx.yaml. Words and codes are matched
# as whole words; the leftmost, then longest, spelling wins ("canadian dollars" is CAD, "dollars" alone USD).
CURRENCY_CODES: tuple[tuple[str, str], ...] = (
    ("USD", r"(?:us|u\.s\.|american) dollars?|dollars?|bucks|dolares|dolar|usd"),
    ("EUR", r"euros?|eur"),
    ("GBP", r"pounds?(?: sterling)?|sterling|quid|libras?(?: esterlinas?)?|livres?(?: sterling)?|pfund|gbp"),
    ("CHF", r"(?:swiss )?francs?(?: suisses?)?|(?:schweizer )?franken|sfr|chf"),
    ("CAD", r"canadian dollars?|cad"),
    ("AUD", r"australian dollars?|aud"),
    ("NZD", r"new zealand dollars?|nzd"),
    ("JPY", r"(?:japanese )?yen|jpy"),
    ("INR", r"(?:indian )?rupees?|inr|rs\.?"),
    ("CNY", r"(?:chinese )?yuan|renminbi|rmb|cny"),
    ("HKD", r"hong kong dollars?|hkd"),
    ("SGD", r"singapore dollars?|sgd"),
    ("KRW", r"(?:south )?korean won|krw"),
    ("SEK", r"swedish kron(?:or|a)|kronor|sek"),
    ("NOK", r"norwegian kron(?:er|e)|nok"),
    ("DKK", r"danish kron(?:er|e)|dkk"),
    ("PLN", r"(?:polish )?zlot(?:y|ys|ych)|pln"),
    ("CZK", r"czech korun(?:a|y)|korun(?:a|y)|czk"),
    ("HUF", r"(?:hungarian )?forints?|huf"),
    ("BRL", r"(?:brazilian )?reais|brl"),
    ("MXN", r"mexican pesos?|pesos mexicanos|mxn"),
    ("ZAR", r"(?:south african )?rands?|zar"),
)
# Symbols, which may touch the amount ("£1,200", "800€", "C$500"). A letter before a "$" names the dollar
# ("C$", "A$", "R$" is the Brazilian real) only when that letter starts a word: "it's $500" is US dollars.
CURRENCY_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("USD", r"(?<![a-z])us\$|\$"),
    ("EUR", r"€"),
    ("GBP", r"£"),
    ("JPY", r"¥"),
    ("INR", r"₹"),
    ("KRW", r"₩"),
    ("CAD", r"(?<![a-z])(?:c|ca)\$"),
    ("AUD", r"(?<![a-z])(?:a|au)\$"),
    ("NZD", r"(?<![a-z])nz\$"),
    ("HKD", r"(?<![a-z])hk\$"),
    ("SGD", r"(?<![a-z])s\$"),
    ("BRL", r"(?<![a-z])r\$"),
    ("MXN", r"(?<![a-z])mx\$"),
)
# Written before an amount ("$500", "CHF 900", "Rs. 40,000"): symbols, and codes as whole words.
CURRENCY = (
    r"(?:(?<![a-z])(?:us|c|ca|a|au|nz|hk|s|r|mx))?\$|€|£|¥|₹|₩"
    r"|(?<![a-z])(?:usd|eur|gbp|chf|sfr|jpy|cad|aud|nzd|inr|rs\.?|cny|rmb|hkd|sgd|krw|sek|nok|dkk|pln|czk|huf|brl"
    r"|mxn|zar)(?![a-z])"
)
# Written after an amount ("1,200 pounds", "500 canadian dollars", "50,000 rupees").
CURRENCY_WORDS = "|".join(spellings for _, spellings in CURRENCY_CODES)
# Currencies whose amounts are often written with a dot between thousands ("2.000 €", "R$ 5.000").
DOT_THOUSANDS_CURRENCIES = frozenset({"EUR", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "BRL"})
# A message that says which currency the budget was in, without an amount ("sorry, I meant euros",
# "that's in pounds", "the budget is in GBP"): the currency follows one of these.
CURRENCY_SWITCH = (
    r"(?:i |we )?meant(?: in)?|(?:that|it|this|those|these|the budget|budget|the amount|amounts?|the figures?"
    r"|figures?|the numbers?|numbers?)(?:'s|'re| is| was| are| were)(?: all)?(?: in)?"
)
NUMBER = r"\d{1,3}(?:[,.]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
SCALE_WORDS = r"k|m|thousand|million|grand|mil|tausend|mille|mio|lakhs?|lacs?|crores?"
# An amount in Indian grouping ("₹1,00,000", "12,50,000"), up to 99 crore; money amounts only.
INDIAN_NUMBER = r"\d{1,2}(?:,\d{2}){1,3},\d{3}(?:\.\d+)?(?![\d,])"
# A number with an optional scale word; `(?![a-z])` keeps "m" of "monthly" from reading as million.
AMOUNT = rf"(?P<num>{INDIAN_NUMBER}|{NUMBER})(?:\s?(?P<scale>{SCALE_WORDS})(?![a-z]))?"
# Period word -> multiplier to a month (730 hours per month, as the cost model uses).
PERIODS: tuple[tuple[str, float], ...] = (
    (r"month|mo|mth|monthly|pm|p/m|mes|mois|monat|monatlich|mensual|mensuel|mensuelle|mensal", 1.0),
    (r"hour|hr|h|hourly|hora|stunde|heure", float(HOURS_PER_MONTH)),
    (r"day|daily|dia|tag|jour", HOURS_PER_MONTH / 24),
    (r"week|wk|weekly|semana|woche|semaine", HOURS_PER_MONTH / 168),
    (r"year|yr|y|yearly|annual(?:ly)?|annum|pa|p\.a\.|ano|jahr|annee", 1.0 / 12),
)
PERIOD_LEAD = r"(?:\s?/\s?|\s+(?:per|a|an|each|every|por|pro|par|al|im|ao|au)\s+|\s+)"
# The name of each PERIODS row, by its multiplier (for notes: "€2/hour = €1,460/month").
PERIOD_NAMES: dict[float, str] = {
    1.0: "month",
    float(HOURS_PER_MONTH): "hour",
    HOURS_PER_MONTH / 24: "day",
    HOURS_PER_MONTH / 168: "week",
    1.0 / 12: "year",
}
SCALE: dict[str, float] = {
    "k": 1e3,
    "thousand": 1e3,
    "grand": 1e3,
    "mil": 1e3,
    "tausend": 1e3,
    "mille": 1e3,
    "m": 1e6,
    "million": 1e6,
    "mio": 1e6,
    "lakh": 1e5,  # Indian numbering: a lakh is 100,000, a crore 10 million
    "lakhs": 1e5,
    "lac": 1e5,
    "lacs": 1e5,
    "crore": 1e7,
    "crores": 1e7,
}
BUDGET_WORDS = (
    r"budget(?:ed)?|presupuesto|orcamento|spend(?:ing)?|afford|kosten|costo|cout|maximum spend|cost cap|limit"
)

# --------------------------------------------------------------------------- counts and sizes
NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "single": 1,
    "a single": 1,
    "two": 2,
    "dual": 2,
    "a pair of": 2,
    "three": 3,
    "four": 4,
    "quad": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "sixteen": 16,
    "uno": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "ocho": 8,
    "ein": 1,
    "eine": 1,
    "einer": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "acht": 8,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "huit": 8,
    "um": 1,
    "duas": 2,
}
# GPU models come from the spelling rules of catalogs/data/gpus.yaml ("4 B300s", "2 A30s", "4 MI355Xs");
# the words after them are spellings that file does not name a canonical GPU for.
GPU_NAMES = rf"(?:{gpu_name_regex()}|(?:nvidia\s+)?(?:b100|rtx[- ]?a?\d{{4}})|gpus?|graphics cards?)"
REPLICA_WORDS = r"replicas?|instances|copies|pods|repliken|repliques"
HIGH_AVAILABILITY = re.compile(
    r"high(?:ly)?[- ]availab(?:le|ility)|(?<![A-Za-z])(?-i:HA)(?![A-Za-z])|redundan(?:t|cy)|failover"
    r"|fault[- ]toleran(?:t|ce)|no single point of failure|hochverfugbar(?:keit)?|alta disponibilidad"
    r"|haute disponibilite|alta disponibilidade",
    re.IGNORECASE,
)
USER_WORDS = (
    r"users?|people|customers|clients|sessions|chat sessions|developers|devs|engineers|employees"
    r"|agents|seats|staff|students|usuarios|nutzer|benutzer|utilisateurs|utilizadores|mitarbeiter"
)
REQUEST_WORDS = (
    r"requests?|reqs?|queries|query|calls|inferences|predictions|prompts|messages|images|generations"
    r"|transcriptions|documents|docs|embeddings|anfragen|solicitudes|peticiones|requetes"
    r"|conversations|chats|questions|tickets|completions"
)
# "per X" -> divisor to a second.
RATE_PERIODS: tuple[tuple[str, float], ...] = (
    (r"second|sec|s|segundo|sekunde|seconde", 1.0),
    (r"minute|min|minuto|minut", 60.0),
    (r"hour|hr|h|hora|stunde|heure", 3600.0),
    (r"day|dia|tag|jour", 86400.0),
    (r"week|semana|woche|semaine", 7 * 86400.0),
    (r"month|mes|monat|mois", 730 * 3600.0),
)
DAILY_PERIOD_S = 86400.0  # rates over a day or longer are volumes: the load applies a peak factor
CONTEXT_WORDS = (
    r"context(?:[- ]window|[- ]length|[- ]size)?|ctx|sequence length|seq(?:uence)? len|input length"
    r"|prompt length|max(?:imum)? (?:input|sequence) length|kontext(?:fenster|lange)?|contexto|contexte"
)
DATA_NOUNS = (
    r"data|dataset|datasets|data set|images|photos|pictures|videos?|audio|text|logs|documents|files|corpus"
    r"|recordings|daten|datos|donnees"
)
SIZE_UNITS: dict[str, float] = {
    "tb": 1000.0,
    "tib": 1099.5,
    "terabyte": 1000.0,
    "terabytes": 1000.0,
    "gb": 1.0,
    "gib": 1.074,
    "gigabyte": 1.0,
    "gigabytes": 1.0,
    "gigs": 1.0,
    "mb": 0.001,
    "mib": 0.00105,
    "megabytes": 0.001,
    "pb": 1e6,
    "petabytes": 1e6,
}
# Estimated stored size of one item in KB when the user gives a count instead of a size. Documented
# estimates, not facts: a JPEG photo as in ImageNet (~110 KB), a PDF/office document (~100 KB), a
# table row or record (~1 KB), an hour of 128 kbit/s MP3 audio (~57.6 MB), an hour of 1080p H.264
# video at ~2.2 Mbit/s (~1 GB).
ITEM_SIZE_KB: tuple[tuple[str, float], ...] = (
    (r"images|photos|pictures|imagenes|bilder|jpe?gs|pngs", 110.0),
    (r"documents|docs|pdfs|pages", 100.0),
    (r"rows|records|transactions|samples|examples", 1.0),
    (r"hours of (?:audio|speech|recordings?|podcasts?)|audio hours|hours of calls", 57_600.0),
    (r"hours of video|video hours", 1_000_000.0),
)

# --------------------------------------------------------------------------- jobs: training data, deadlines, volumes
# Scale words of counts ("50M tokens", "100B tokens", "1.5 trillion tokens", "200k images").
COUNT_SCALE: dict[str, float] = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
}
# A training set read as "N tokens" is at least this big; a smaller "N tokens" in a training message is a
# sequence length ("sequences of 2048 tokens"), not a dataset.
MIN_TRAINING_TOKENS = 10_000
# Tokens per example when the user counts examples but gives no length: an assumption, said in the basis.
# 512 is a common max_seq_length for supervised fine-tuning of short instruction/answer pairs.
DEFAULT_TOKENS_PER_EXAMPLE = 512
# OpenAI, "What are tokens and how to count them?": one token is about 0.75 English words, i.e. ~1.33
# tokens per word; 1.3 rounded down.
TOKENS_PER_WORD = 1.3
# A single-spaced page of prose holds about 500 words (the usual manuscript rule of thumb).
WORDS_PER_PAGE = 500
# What one training example is called ("20,000 examples", "50k instruction pairs", "10k conversations").
EXAMPLE_NOUNS = (
    r"examples|samples|conversations|dialogues|dialogs|demonstrations|instructions"
    r"|(?:instruction|prompt[- ]response|question[- ]answer|q&a|qa|training) pairs|pairs"
)
# Verbs of a batch job over stored items, and the items ("summarise 1 million documents", "embed 10M docs").
JOB_VERBS = (
    r"summari[sz](?:e|ing)|classify(?:ing)?|categori[sz](?:e|ing)|label(?:l?ing)?|tag(?:ging)?|embed(?:ding)?"
    r"|index(?:ing)?|process(?:ing)?|translat(?:e|ing)|transcrib(?:e|ing)|caption(?:ing)?|scor(?:e|ing)"
    r"|extract(?:ing)?|analy[sz](?:e|ing)|moderat(?:e|ing)|ocr|pars(?:e|ing)|enrich(?:ing)?|convert(?:ing)?"
    r"|run (?:\w+ )?(?:on|over|through)|go through|chew through"
)
JOB_ITEM_NOUNS = (
    r"documents|docs|pdfs|pages|files|images|photos|pictures|frames|videos|records|rows|prompts|texts|articles"
    r"|emails|tickets|reviews|products|calls|recordings|transcripts|contracts|invoices|chunks|passages|sentences"
    r"|messages|comments|posts|items|clips|episodes|podcasts|receipts|forms|resumes|reports"
)
# A stored collection that a job works through ("a backlog of 2M documents").
JOB_COLLECTIONS = r"backlog|archive|back ?catalog(?:ue)?|corpus|collection|batch|dump|library"
# Audio length units -> hours ("2000 hours of recordings", "500,000 minutes of audio").
AUDIO_UNITS: tuple[tuple[str, float], ...] = ((r"hours?|hrs?|h", 1.0), (r"minutes?|mins?", 1 / 60))
AUDIO_NOUNS = (
    r"audio|speech|recordings?|calls?|call recordings?|podcasts?|meetings?|interviews?|voice(?:mails?)?"
    r"|lectures?|videos?|episodes?|dictations?|conversations?"
)
# How often a recurring job runs -> runs per month (730 h per month, as PERIODS and the cost model).
_DAYS_PER_MONTH = HOURS_PER_MONTH / 24  # 30.4
_WEEKS_PER_MONTH = HOURS_PER_MONTH / 168  # 4.35
RUN_SCHEDULES = Table[float](
    [
        (
            r"(?:every|each|per|once (?:a|per|every)) (?:night|evening|day|24 ?h(?:ours)?)|nightly|daily"
            r"|/ ?(?:day|night)|jede nacht|cada noche|chaque nuit|(?:jeden|cada|chaque) (?:tag|dia|jour)",
            _DAYS_PER_MONTH,
        ),
        (r"twice (?:a|per) day|twice daily|every 12 ?h(?:ours)?", 2 * _DAYS_PER_MONTH),
        (r"(?:every|each|per|once (?:a|per|every)) week|weekly|/ ?week", _WEEKS_PER_MONTH),
        (r"every (?:two|2|other) weeks|bi-?weekly|fortnightly", _WEEKS_PER_MONTH / 2),
        (r"(?:every|each|per|once (?:a|per|every)) month|monthly|/ ?month", 1.0),
        (r"(?:every|each|per|once (?:a|per|every)) quarter|quarterly", 1 / 3),
        (r"(?:every|each|per|once (?:a|per|every)) year|yearly|annually", 1 / 12),
        (r"(?:every|each|per|once (?:an|per|every)) hour|hourly", float(HOURS_PER_MONTH)),
    ]
)
# Right after a volume, "a" is a schedule too ("2000 hours of recordings a month"); elsewhere "a month" is
# just as often a deadline ("within a month") or a budget's period ("$500 a month").
SCHEDULE_AFTER_VOLUME = r"(?:a|an) (?:(?P<day>day|night)|(?P<week>week)|(?P<month>month)|(?P<year>year))"
SCHEDULE_AFTER_VOLUME_RUNS = {"day": _DAYS_PER_MONTH, "week": _WEEKS_PER_MONTH, "month": 1.0, "year": 1 / 12}
# Deadlines: a lead word, then a count and a PERIODS unit ("within 10 days", "in two weeks", "in 48 hours").
DEADLINE_LEAD = (
    r"in|within|inside(?: of)?|under|in under|in less than|less than|no (?:more|longer) than|at most"
    r"|deadline(?: of| is)?:?|(?:done|finished|ready|complete) in"
)
OVERNIGHT_HOURS = 12.0  # an evening-to-morning run
DEADLINE_PHRASES = Table[float](
    [
        (r"overnight", OVERNIGHT_HOURS),
        (r"by tomorrow(?: morning)?|by (?:the )?end of (?:the )?day|by eod|by tonight", 24.0),
        (r"by (?:the )?end of (?:the |this )?week|by eow|by next week|by the weekend|within the week", 168.0),
        (
            r"by (?:the )?end of (?:the |this )?month|by eom|by next month|within the month",
            float(HOURS_PER_MONTH),
        ),
    ]
)
# A money amount right after these words, or followed by TOTAL_AFTER, is a one-off budget for the whole job.
TOTAL_BEFORE = re.compile(
    r"(?:total|one[- ]?off|one[- ]?time|overall|lump[- ]sum|all[- ]in)"
    r"(?: (?:budget|spend|cost|amount|cap|limit))?"
    r"(?: (?:of|is|=|at most|up to|under|around|about|roughly|max(?:imum)?))*\s*[:=~]?\s*$",
    re.IGNORECASE,
)
TOTAL_AFTER = re.compile(
    r"^\s*\(?\s*(?:in total|total|all[- ]in|overall|all told|one[- ]?off|one[- ]?time|in one go"
    r"|(?:for|on) (?:the |this |our |a |one )?(?:whole |entire |full |complete |single )?"
    r"(?:job|run|project|experiment|training(?: run| job)?|fine[- ]?tun(?:e|ing)(?: run| job)?|pre-?training run))"
    r"(?![a-z])",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- licenses
PERMISSIVE = (
    "apache-2.0",
    "mit",
    "bsd-3-clause",
    "bsd-2-clause",
    "cc-by-4.0",
    "openrail",
    "openrail++",
    "creativeml-openrail-m",
)
OPEN_SOURCE = (
    "apache-2.0",
    "mit",
    "bsd-3-clause",
    "bsd-2-clause",
    "gpl-3.0",
    "lgpl-3.0",
    "agpl-3.0",
    "mpl-2.0",
)
LICENSES = Table[tuple[str, ...]](
    [
        (r"apache[- ]?2(?:\.0)?(?:[- ]licen[cs]ed| licen[cs]e)?|apache[- ]licen[cs](?:e|ed)", ("apache-2.0",)),
        (r"(?-i:MIT)(?:[- ]licen[cs]ed| licen[cs]e)?|mit[- ]licen[cs]ed|mit licen[cs]e", ("mit",)),
        (r"bsd(?:[- ]licen[cs]ed)?", ("bsd-3-clause", "bsd-2-clause")),
        (r"cc[- ]by(?:[- ]4\.0)?", ("cc-by-4.0",)),
        (
            r"commercial(?:ly)?[- ](?:use|usage|usable|friendly|purposes?|products?|licen[cs]e|applications?)"
            r"|permissive(?:ly)?(?: licen[cs](?:e|es|ed))?|business use|uso comercial|kommerziell\w*"
            r"|usage commercial",
            PERMISSIVE,
        ),
        (r"open[- ]source|osi[- ]approved|codigo abierto|quelloffen", OPEN_SOURCE),
        (r"llama (?:community )?licen[cs]e", ("llama2", "llama3", "llama3.1", "llama3.2", "llama3.3")),
    ]
)

# --------------------------------------------------------------------------- spot capacity
SPOT = Table[bool](
    [
        (
            r"(?<!sweet )spot(?! on\b)(?: instances?| vms?| pricing| capacity| nodes?)?|preemptible|pre-emptible"
            r"|interruptible|low[- ]priority(?: vms?)?",
            True,
        ),
        (r"on[- ]demand(?: only)?|no spot|not spot|without spot|avoid spot|reserved instances?", False),
    ]
)

# --------------------------------------------------------------------------- kubernetes needs
KUBERNETES_NEEDS = Table[str](
    [
        (r"ml ?flow|experiment tracking|track(?:ing)? (?:the |our )?experiments|model registry", "mlflow"),
        (r"prometheus|grafana|monitoring|observability|alerting|dashboards?", "monitoring"),
        (r"loki|logging|log aggregation|fluentd|fluent[- ]bit|promtail|centrali[sz]ed logs", "logging"),
        (r"kafka|event streaming|redpanda", "kafka"),
        (r"redis|valkey", "redis"),
        (r"postgres(?:ql)?|psql", "postgresql"),
        (r"mysql|mariadb", "mysql"),
        (r"airflow", "airflow"),
        (r"(?:py)?spark|apache spark", "spark"),
        (r"minio|object storage|s3(?:[- ]compatible)?(?: storage| buckets?)?|blob storage", "minio"),
        (
            r"vector (?:db|dbs|database|databases|store|stores|search|index)|qdrant|milvus|weaviate|pgvector"
            r"|chroma(?:db)?|pinecone",
            "vector-database",
        ),
        (r"jupyter(?:hub|lab)?|notebooks?", "jupyterhub"),
        (r"kuberay|(?<!x-)(?<!x )ray(?: serve| train| tune| cluster)?", "ray"),
        (r"kserve|kf ?serving|inferenceservice", "kserve"),
        (r"vllm", "vllm"),
        (r"ollama", "ollama"),
        (r"open[- ]?webui", "open-webui"),
        (r"argo(?: ?cd| workflows?)?|gitops", "argo"),
        (r"keda|auto-?scal(?:e|es|ing|er)|scale to zero|hpa", "keda"),
        (r"ingress(?:-nginx)?|nginx ingress|load balanc(?:er|ing)|traefik", "ingress"),
        (r"cert-?manager|tls|https(?!:)|ssl(?: certificates?)?|let'?s ?encrypt", "cert-manager"),
        (r"elastic ?search|elk|opensearch|full[- ]text search", "elasticsearch"),
        (r"rabbit ?mq|amqp|message (?:queue|broker)s?|celery", "rabbitmq"),
        (r"mongo(?:db)?", "mongodb"),
        (r"clickhouse", "clickhouse"),
        (r"label[- ]?studio|data label(?:l)?ing|annotation tool", "label-studio"),
        (r"gpu[- ]operator|(?:nvidia )?device plugin|dcgm", "gpu-operator"),
        (r"kubeflow", "kubeflow"),
        (r"kueue|job queu(?:e|ing)", "kueue"),
    ]
)

# --------------------------------------------------------------------------- model search text
# Phrases that describe what kind of model is wanted; joined into `model_needs`.
MODEL_NEEDS = Table[str](
    [
        (r"object detection|detect(?:ing)? objects", "object detection"),
        (r"image classif(?:ier|iers|ication)|classify images", "image classification"),
        (r"segmentation", "image segmentation"),
        (r"ocr|text recognition", "ocr"),
        (r"face recognition", "face recognition"),
        (
            r"text[- ]to[- ]image|image generation|generat(?:e|ing) (?:marketing |product )?images|diffusion",
            "text-to-image generation",
        ),
        (r"embeddings?", "text embeddings"),
        (r"semantic search", "semantic search"),
        (r"rag|retrieval[- ]augmented(?: generation)?", "retrieval augmented generation"),
        (r"chat ?bots?|support bot|faq(?: bot)?|assistant", "chat assistant"),
        (r"summari[sz](?:e|es|ation|ing|er)", "summarization"),
        (r"translat(?:e|es|ion|ing|or)", "translation"),
        (r"sentiment", "sentiment analysis"),
        (r"code generation|coding assistant|copilot", "code generation"),
        (r"transcri(?:be|bing|ption|ptions)|speech[- ]to[- ]text|asr|speech recognition", "speech recognition"),
        (r"tts|text[- ]to[- ]speech", "text-to-speech"),
        (
            r"vlms?|vision[- ]language|image captioning|visual question answering|describe images",
            "vision language model",
        ),
        (r"fraud(?: detection)?", "fraud detection"),
        (r"churn", "churn prediction"),
        (r"forecast(?:s|ing)?|time[- ]series", "time series forecasting"),
        (r"recommend(?:er|ers|ation|ations)(?: systems?)?", "recommender"),
    ]
)
DOMAIN_NEEDS: dict[Domain, str] = {
    Domain.nlp: "text generation",
    Domain.computer_vision: "computer vision",
    Domain.audio: "speech recognition",
    Domain.multimodal: "vision language model",
    Domain.tabular: "tabular classification",
}


# --------------------------------------------------------------------------- use cases (serving load)
# Words that name the kind of traffic; the load module has the token sizes and think times of each.
USE_CASE_WORDS: tuple[tuple[str, str], ...] = (
    (r"coding assistant|code assistant|copilot|code completion|code generation|coding|developers|devs", "code"),
    (r"\brag\b|retrieval[- ]augmented|document q&?a|knowledge base|search over (?:our )?doc", "rag"),
    (r"summari[sz]", "summarization"),
    (r"\bagents?\b|agentic|tool calls?", "agent"),
    (r"chat ?bot|chat|assistant|faq|customer support|support bot|conversation", "chat"),
)


# --------------------------------------------------------------------------- exclusions, lifts and take-backs
# A "list" is one or more things joined by LIST_JOINERS: providers, GPU models, areas and region ids
# ("L4 and L40S", "AWS or Azure", "the UK"). Each thing may carry ITEM_SUFFIX ("A10G GPUs", "L4s", "UK regions").
LIST_JOINERS = r"and|or|nor|plus|und|oder|noch|et|ou|ni|nem|y|o|e|u"
LIST_ARTICLES = r"the|an?|any|le|la|les|el|los|las|der|die|das|den|dem|o|os|as"
ITEM_SUFFIX = (
    r"(?:[- ](?:gpus?|cards?|instances?|nodes?|machines?|vms?|boxes|chips?|regions?|zones?|data ?cent(?:er|re)s?"
    r"|clouds?|servers?|based|hosted|side|family|series)(?![a-z])){0,2}"
)
# A thing followed by one of these is not a place or a product the user rules out: "we are not a US company".
ITEM_NOT_BEFORE = (
    r"compan(?:y|ies)|customers?|clients?|users?|teams?|business(?:es)?|firms?|startups?|citizens?|employees?"
    r"|staff|laws?|regulations?|market|office|entity|subsidiary|headquarters|hq|account|credits?|contract"
)
# A list the user rules out follows one of these ("not on L4", "no AWS", "exclude L4 and L40S", "except GCP",
# "avoid Azure", "never on Oracle", "outside the EU", "nicht auf AWS", "sauf GCP", "sin Azure", "fora da Europa").
# "but" rules out only after "anything", "anywhere" or "any cloud" ("anything but AWS or Azure").
EXCLUDE_BEFORE = (
    r"(?<!why )(?<!if )(?<!or )(?<!whether )not|never|no|neither|none of"
    r"|exclud(?:e|es|ed|ing)|except(?: for)?|excepting|avoid(?:s|ed|ing)?|without|outside(?: of)?|other than"
    r"|rule out|ruling out|leave out|leaving out|skip|ban|blacklist|steer clear of|stay away from"
    r"|keep (?:it |us |this )?(?:off|away from|out of)"
    r"|(?:(?<=anything )|(?<=anywhere )|(?<=everything )|(?<=any cloud )|(?<=any gpu )|(?<=any region ))but"
    r"|(?:(?:do|does|did|could|would|must|should)(?:n'?t| not)|can'?t|can not|cannot|won'?t|will not|shall not|dont)"
    r" (?:want|use|like|trust|allow|go with|be|run|deploy|host|touch|put it)"
    # German, French, Spanish, Portuguese
    r"|ni|nem|nicht|nie(?:mals)?|kein(?:e|en|er|es)?|ohne|au(?:ß|ss)er(?:halb)?(?: von)?|vermeide[nt]?"
    r"|ausschlie(?:ß|ss)en|ausgeschlossen|weder"
    r"|pas|jamais|sans|sauf|excepte|hormis|hors(?: de)?|en dehors de|evite[rz]?|exclu(?:re|ez|ant)|aucun(?:e)?"
    r"|nunca|jamas|sin|excepto|salvo|evita[rn]?|evite|excluye|excluyendo|fuera de|nada de|ningun(?:a|o)?"
    r"|(?:todo|cualquier cosa|cualquiera) menos"
    r"|nao|sem|exceto|evitar|excluir|exclua|fora d(?:e|o|a|os|as)|nenhum(?:a)?|nem"
)
# Words between the lead and the first thing ("not on the", "never use", "pas sur", "nicht in der", "no en").
LIST_FILLERS = (
    r"on|in|at|to|into|inside|within|with|using|use|via|from|for|the|an?|any|of|our|run|running|deploy(?:ed)?"
    r"|host(?:ed)?|be|go|want|touch|regions?|data ?cent(?:er|re)s?|anything|something"
    r"|auf|im|bei|mit|der|die|das|den|dem|des|ein|eine|einen|einem|verwenden|nutzen|benutzen"
    r"|sur|chez|en|au|aux|dans|le|la|les|de|du|des|un|une|utiliser|avec"
    r"|el|los|las|del|con|una|usar|uses|utilizar"
    r"|em|no|na|nos|nas|os|as|do|da|dos|das|com|um|uma"
)
# Elided articles, written against the next word ("hors de l'Europe", "pas d'AWS").
LIST_ELISIONS = r"l'|d'"
# ...or a list followed by one of these ("AWS is not an option", "L4s are out", "Azure ist nicht erlaubt").
EXCLUDE_AFTER = (
    r"(?:is|are) not (?:an option|allowed|ok|okay|acceptable|possible|permitted|wanted|welcome)"
    r"|(?:isn'?t|aren'?t) (?:an option|allowed|ok|okay|acceptable|possible|permitted|wanted|welcome)"
    r"|(?:is|are) (?:out(?! there| of)|off the table|excluded|banned|forbidden|prohibited|a no-?go|not for us"
    r"|a non-?starter|off[- ]limits|out of the question)"
    r"|(?:ist|sind) (?:nicht|keine) (?:erlaubt|erwunscht|option|moglich)|(?:ist|sind) ausgeschlossen"
    r"|kommt nicht in frage|(?:est|sont) exclue?s?|(?:est|sont) interdite?s?|n'est pas (?:une )?option"
    r"|(?:esta|estan) (?:excluid[oa]s?|prohibid[oa]s?)|no (?:es|son) (?:una )?opcion"
    r"|(?:esta|estao) (?:excluid[oa]s?|proibid[oa]s?)|nao (?:e|sao) (?:uma )?opcao"
)
# A later message lifts an exclusion: "Actually A10G is fine", "AWS is ok again", "the UK is fine too",
# "allow L4 again". Only a thing that is excluded is lifted; otherwise the words are an ordinary mention.
LIFT_AFTER = (
    r"(?:is|are|'s|'re|would be|will be)(?: (?:also|actually|now|still|totally|perfectly))? (?:fine|ok|okay|allowed"
    r"|acceptable|alright|all right|good|possible|an option|permitted|no problem|not a problem|back on the table"
    r"|back in)|works?(?: too| again| as well)?"
    r"|(?:ist|sind) (?:doch |wieder |auch )?(?:ok|okay|in ordnung|erlaubt|moglich)"
    r"|(?:est|sont) (?:bien|ok|acceptable|acceptee?s?|possible|autorisee?s?)"
    r"|(?:esta|estan|estao|e) (?:bien|bem|ok|permitid[oa]s?|aceptable)"
)
LIFT_BEFORE = (
    r"(?:re-?)?allow|(?:re-?)?include|un-?exclude|permit|bring back|add back|put back|(?:you|we) can (?:also )?use"
    r"|ok(?:ay)? to use|feel free to use|erlaube|autorise[rz]?|permite|permitir"
)
# Taking a thing back: "drop the AWS requirement" (a noun after the list is needed), "doesn't have to be AWS",
# "AWS is no longer required". A provider taken back clears the provider, a GPU the GPU, an area or region the region.
TAKE_BACK_ITEM_BEFORE = r"drop|forget(?: about)?|remove|ignore|lift|scrap|ditch|relax|disregard|never ?mind|get rid of"
TAKE_BACK_ITEM_NOUN = (
    r"(?:requirement|constraint|restriction|preference|condition|rule|choice|limitation|part|bit|thing|only)s?"
)
TAKE_BACK_ITEM_SOFT = (
    r"(?:does|do|need)(?:n'?t| not) (?:have|need) to be(?: on| in)?|not necessarily(?: on| in)?|no need for"
    r"|no longer (?:need|require)|need not be(?: on| in)?"
)
TAKE_BACK_ITEM_AFTER = (
    r"(?:is|are) (?:no longer|not) (?:required|needed|necessary|a (?:requirement|must))|(?:is|are) optional"
    r"|(?:isn'?t|aren'?t) (?:required|needed|necessary|a (?:requirement|must))"
)
_DROP = r"(?:drop|forget(?: about)?|remove|ignore|scrap|ditch|lose|lift|clear|delete|disregard|never ?mind|get rid of"
_DROP += r"|cancel)"
_THE = r"(?:(?:the|that|this|our|my|your|any) )?"
# Taking a field back, whatever its value was: the budget, the provider (and its region), the region or area,
# the GPU model, the GPU count. A take-back in a later message overrides what earlier messages said.
TAKE_BACKS = Table[str](
    [
        (
            rf"{_DROP} {_THE}(?:budget(?: (?:limit|cap|ceiling|constraint|restriction|requirement|thing|part|bit))?"
            r"|(?:cost|price|spend(?:ing)?) (?:limit|cap|ceiling|constraint|restriction))"
            r"|no (?:budget|spending)(?: (?:limit|cap|ceiling|constraint|restriction|requirement))?"
            r"|no (?:cost|price) (?:limit|cap|ceiling|constraint|restriction)"
            r"|(?:without|with no) (?:a |any )?(?:budget|spending)(?: (?:limit|cap|ceiling|constraint))?"
            r"|(?:unlimited|infinite|open[- ]ended|no fixed) budget|money is no object|cost is no object"
            r"|(?:the )?budget(?: is|'s)? (?:not an issue|no issue|no object|no concern|not a concern|unlimited"
            r"|irrelevant|not important|doesn'?t matter|does not matter)"
            r"|kein(?:e|en)? budget(?:limit|grenze)?|budget (?:ist )?egal|vergiss das budget"
            r"|ohne budget(?:grenze|limit)?"
            r"|pas de (?:limite de )?budget|sans (?:limite de )?budget|oubliez? le budget|budget illimite"
            r"|sin (?:limite de )?presupuesto|olvida(?:te del| el)? presupuesto|no hay presupuesto"
            r"|presupuesto ilimitado|sem (?:limite de )?orcamento|esqueca o orcamento|orcamento ilimitado"
            r"|nao ha orcamento",
            "budget",
        ),
        (
            r"any (?:other )?(?:cloud|provider|vendor|hyperscaler)s?(?: provider)?|any of the (?:clouds|providers)"
            r"|(?:whatever|whichever) (?:cloud|provider)|(?:cloud|provider|vendor)[- ]agnostic"
            r"|(?:the )?(?:cloud|provider) (?:doesn'?t|does not|won'?t) matter|doesn'?t matter which (?:cloud|provider)"
            r"|no (?:cloud|provider) (?:preference|requirement|constraint)"
            r"|no preference (?:on|for|about|regarding) (?:the )?(?:cloud|provider)"
            rf"|{_DROP} {_THE}(?:cloud|provider)(?: (?:requirement|constraint|restriction|preference|choice))?"
            r"|don'?t care (?:about|which) (?:the )?(?:cloud|provider)|open to (?:any|other|all) (?:clouds?|providers?)"
            r"|(?:jede[rns]?|beliebige[rns]?) (?:cloud|anbieter)|egal welche[rns]? (?:cloud|anbieter)"
            r"|(?:cloud|anbieter) (?:ist )?egal|n'importe quel (?:cloud|fournisseur)"
            r"|peu importe (?:le )?(?:cloud|fournisseur)|cualquier (?:nube|proveedor)"
            r"|(?:la nube|el proveedor) (?:da igual|no importa)|qualquer (?:nuvem|provedor)",
            "provider",
        ),
        (
            r"any (?:region|location|data ?cent(?:er|re)|country|geography|zone)s?(?! in)"
            r"|anywhere(?: in the world)?(?! (?:in|but|except|outside))"
            r"|(?:the )?(?:region|location|geography)s? (?:doesn'?t|does not|don'?t|do not|won'?t) matter"
            r"|doesn'?t matter where|no (?:region|location|geo(?:graphic)?(?:al)?) (?:preference|requirement|constraint"
            r"|restriction)s?|no preference (?:on|for|about|regarding) (?:the )?(?:region|location)s?"
            rf"|{_DROP} {_THE}(?:region|location|geo(?:graphic)?(?:al)?|data residency)"
            r"(?: (?:requirement|constraint|restriction|preference|choice))?"
            r"|don'?t care (?:about (?:the )?(?:region|location)|which region|where)"
            r"|(?:jede|beliebige) region|region (?:ist )?egal|egal welche region|n'importe quelle region"
            r"|peu importe (?:la )?region|cualquier region|(?:la )?region (?:da igual|no importa)|qualquer regiao",
            "region",
        ),
        (
            r"any (?:gpu|graphics card|card|accelerator)s?(?: (?:type|model|kind))?"
            r"|(?:whatever|whichever) (?:gpu|card)|gpu[- ]agnostic"
            r"|(?:the )?gpu(?: type| model)? (?:doesn'?t|does not|won'?t) matter|doesn'?t matter which gpu"
            r"|no (?:gpu|card|accelerator)(?: type| model)? (?:preference|requirement)"
            r"|no preference (?:on|for|about|regarding) (?:the )?(?:gpu|card|accelerator)s?(?: type| model)?"
            rf"|{_DROP} {_THE}gpu(?: type| model)? (?:preference|choice)"
            rf"|{_DROP} {_THE}gpu (?:type|model) (?:requirement|constraint|restriction)"
            r"|don'?t care (?:about|which) (?:the )?gpu"
            r"|(?:jede|beliebige) gpu|gpu (?:ist )?egal|n'importe quel(?:le)? gpu|cualquier gpu|qualquer gpu",
            "gpu",
        ),
        (
            r"any (?:number of gpus|gpu count)|(?:however|as) many gpus(?: as (?:needed|necessary|it takes))?"
            rf"|{_DROP} {_THE}(?:gpu )?count|no (?:gpu )?count (?:preference|requirement)",
            "gpu_count",
        ),
    ]
)

# --------------------------------------------------------------------------- ranking
# What the instance ranking favours: "make it cheaper", "cut the cost" -> cheapest; "faster", "lower latency" ->
# fastest. The last one named in a message wins.
RANKINGS = Table[str](
    [
        (
            r"cheap(?:er|est|ly)?|less expensive|least expensive|lowest (?:price|cost)s?|lower (?:the |our )?(?:price"
            r"|cost|bill)s?|cut (?:the |our |down )?(?:cost|price|bill|spend)s?|reduce (?:the |our )?(?:cost|price|bill"
            r"|spend)s?|save (?:money|costs?)|cost[- ](?:effective|efficient|optimi[sz]ed|optimal)|budget[- ]friendly"
            r"|(?:most|more) affordable|minimi[sz]e (?:the )?costs?|best value|best price"
            r"|gunstig(?:er|ste[nr]?)?|billig(?:er|ste[nr]?)?|kostengunstig(?:er)?|(?:le )?moins cher|moins couteux"
            r"|(?:lo )?mas barat[oa]|menos caro|(?:o )?mais barat[oa]",
            "cheapest",
        ),
        (
            r"fast(?:er|est)(?![- ]whisper)|quick(?:er|est)|speed (?:it |things )?up|low(?:er|est)? latency"
            r"|less latency|reduce (?:the )?latency|minimi[sz]e (?:the )?latency|snappier|more performance"
            r"|(?:best|highest|max(?:imum)?) performance|as fast as possible|(?:higher|more|max(?:imum)?) throughput"
            r"|schneller|am schnellsten|(?:geringere|niedrigere) latenz|(?:le )?plus rapide|moins de latence"
            r"|(?:lo )?mas rapido|menor latencia|(?:o )?mais rapido",
            "fastest",
        ),
    ]
)
