"""The Requirements engine's vocabulary: plain tables of patterns and what they mean.

Every table is a sequence of ``(regex, value)`` rows compiled into a `Table`. Patterns are matched
case-insensitively on accent-folded text (``déployer`` -> ``deployer``), as whole words; where case
matters (``US`` the country, not ``us`` the pronoun) a pattern says so with ``(?-i:...)``. When two
rows overlap, the leftmost and then the longest match wins, so ``"text-to-image"`` is one hit and not
``"text"`` plus ``"image"``. Adding a phrasing means adding a row, never a branch in the code.

Words of a human language (German "nicht", French "par mois", Spanish "presupuesto", ...) live in
`stack8s.agents.requirements.languages`, one module per language; the tables below that mix languages are
built from those modules (English first, then German, French, Spanish, Portuguese), so a phrasing is added
to its language's module. Language-neutral patterns (numbers, currencies, GPU and region names) stay here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from stack8s.agents.requirements.languages import alternation, keyed_alternation, numbers
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
        (keyed_alternation("TASK_WORDS", "inference"), (TaskType.inference, 1.0)),
        (keyed_alternation("TASK_WORDS", "batch_inference"), (TaskType.batch_inference, 2.0)),
        (keyed_alternation("TASK_WORDS", "training"), (TaskType.training, 3.0)),
        (keyed_alternation("TASK_WORDS", "fine_tuning"), (TaskType.fine_tuning, 4.0)),
        (keyed_alternation("TASK_WORDS", "adapter"), (TaskType.fine_tuning, 0.5)),
    ]
)

# --------------------------------------------------------------------------- domains
# (Domain, weight) summed per message. Specific phrases weigh more than generic nouns.
DOMAINS = Table[tuple[Domain, float]](
    [
        (keyed_alternation("DOMAIN_WORDS", "nlp"), (Domain.nlp, 2.0)),
        (keyed_alternation("DOMAIN_WORDS", "nlp_weak"), (Domain.nlp, 1.0)),
        # free text outweighs what the text is about: "fraud detection from free-text claim notes" reads text
        (keyed_alternation("DOMAIN_WORDS", "nlp_free_text"), (Domain.nlp, 3.0)),
        (keyed_alternation("DOMAIN_WORDS", "computer_vision"), (Domain.computer_vision, 2.0)),
        (keyed_alternation("DOMAIN_WORDS", "audio"), (Domain.audio, 2.0)),
        (keyed_alternation("DOMAIN_WORDS", "tabular"), (Domain.tabular, 2.0)),
        (keyed_alternation("DOMAIN_WORDS", "multimodal"), (Domain.multimodal, 3.0)),
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
        (alternation("NO_GPU"), False),
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
        (r"mx-?fp4", (Precision.mxfp4, "mxfp4")),
        (r"(?:nv-?)?fp-?4", (Precision.nvfp4, "nvfp4")),
        (r"4[- ]?bits?|int-?4|w4a16|nf4|q4(?:_k_m)?", (Precision.int4, "int4")),
        (r"awq", (Precision.int4, "awq")),
        (r"gptq", (Precision.int4, "gptq")),
        (r"gguf", (Precision.int4, "gguf")),
        (r"mxfp-?4", (Precision.mxfp4, "mxfp4")),
        (r"nv-?fp-?4|fp-?4", (Precision.nvfp4, "nvfp4")),  # "fp4" alone: NVIDIA's FP4 (Blackwell's format)
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
            r"|full[- ]parameter|full[- ]weights?|all (?:the )?weights|full[- ]ft"
            r"|voll(?:e[sn]?|standig\w*)? (?:fine[- ]?tuning|feintuning)"
            r"|(?:fine[- ]?tuning|ajuste fino) (?:complet[oe]?|integral)"
            r"|affinage complet|entrainement complet|every weight|all (?:the )?weights|alle gewichte|tous les poids"
            r"|todos los pesos|todos os pesos|no adapters?|keine?n? adapter|sans adaptateurs?|sin adaptadores",
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
NEGATION_BEFORE = re.compile(rf"(?:{alternation('PROVIDER_NEGATION')})\W*(?:\w+\W+)?$", re.IGNORECASE)

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
_AREA_KEYS = (
    "eu",
    "eu_strict",
    "germany",
    "uk",
    "us",
    "na",
    "asia",
    "apac",
    "japan",
    "canada",
    "france",
    "india",
    "australia",
    "brazil",
    "south_america",
    "latin_america",
    "middle_east",
    "africa",
    "china",
    "singapore",
    "korea",
    "nordics",
    "oceania",
    "uae",
)
_AREA_WORDS: list[tuple[str, str]] = [(keyed_alternation("AREA_WORDS", area), area) for area in _AREA_KEYS]
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
    ("USD", r"(?:us|u\.s\.|american)[- ]dollars?|dollars?|bucks|dolares|dolar|usd"),
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
SCALE_WORDS = alternation("SCALE_WORDS")
# An amount in Indian grouping ("₹1,00,000", "12,50,000"), up to 99 crore; money amounts only.
INDIAN_NUMBER = r"\d{1,2}(?:,\d{2}){1,3},\d{3}(?:\.\d+)?(?![\d,])"
# A number with an optional scale word; `(?![a-z])` keeps "m" of "monthly" from reading as million.
AMOUNT = rf"(?P<num>{INDIAN_NUMBER}|{NUMBER})(?:\s?(?P<scale>{SCALE_WORDS})(?![a-z]))?"
# Period word -> multiplier to a month (730 hours per month, as the cost model uses).
PERIODS: tuple[tuple[str, float], ...] = (
    (keyed_alternation("PERIOD_WORDS", "month"), 1.0),
    (keyed_alternation("PERIOD_WORDS", "hour"), float(HOURS_PER_MONTH)),
    (keyed_alternation("PERIOD_WORDS", "day"), HOURS_PER_MONTH / 24),
    (keyed_alternation("PERIOD_WORDS", "week"), HOURS_PER_MONTH / 168),
    (keyed_alternation("PERIOD_WORDS", "year"), 1.0 / 12),
    (keyed_alternation("PERIOD_WORDS", "quarter"), 1.0 / 3),
)
PERIOD_LEAD = (
    r"(?:\s?\(\s?(?:usd|us\$|eur|€|\$|dollars?)\s?\))?"  # "0.90 dollars (USD) per hour"
    rf"(?:\s?/\s?|\s+(?:{alternation('PERIOD_PREPOSITIONS')})\s+|\s+(?:de|a|par) l'|\s+)"
)
# The name of each PERIODS row, by its multiplier (for notes: "€2/hour = €1,460/month").
PERIOD_NAMES: dict[float, str] = {
    1.0: "month",
    float(HOURS_PER_MONTH): "hour",
    HOURS_PER_MONTH / 24: "day",
    HOURS_PER_MONTH / 168: "week",
    1.0 / 12: "year",
    1.0 / 3: "quarter",
}
SCALE: dict[str, float] = numbers("SCALES")
BUDGET_WORDS = alternation("BUDGET_NOUNS")

# --------------------------------------------------------------------------- counts and sizes
NUMBER_WORDS: dict[str, int] = {word: int(n) for word, n in numbers("NUMBER_WORDS").items()}
# GPU models come from the spelling rules of catalogs/data/gpus.yaml ("4 B300s", "2 A30s", "4 MI355Xs");
# the words after them are spellings that file does not name a canonical GPU for.
GPU_NAMES = rf"(?:{gpu_name_regex()}|(?:nvidia\s+)?(?:b100|rtx[- ]?a?\d{{4}})|gpus?|graphics cards?)"
REPLICA_WORDS = alternation("REPLICA_NOUNS")
HIGH_AVAILABILITY = re.compile(alternation("HIGH_AVAILABILITY"), re.IGNORECASE)
USER_WORDS = alternation("USER_NOUNS")
REQUEST_WORDS = alternation("REQUEST_NOUNS")
# "per X" -> divisor to a second.
RATE_PERIODS: tuple[tuple[str, float], ...] = (
    (keyed_alternation("RATE_PERIOD_WORDS", "second"), 1.0),
    (keyed_alternation("RATE_PERIOD_WORDS", "minute"), 60.0),
    (keyed_alternation("RATE_PERIOD_WORDS", "hour"), 3600.0),
    (keyed_alternation("RATE_PERIOD_WORDS", "day"), 86400.0),
    (keyed_alternation("RATE_PERIOD_WORDS", "week"), 7 * 86400.0),
    (keyed_alternation("RATE_PERIOD_WORDS", "month"), 730 * 3600.0),
)
DAILY_PERIOD_S = 86400.0  # rates over a day or longer are volumes: the load applies a peak factor
CONTEXT_WORDS = alternation("CONTEXT_NOUNS")
DATA_NOUNS = alternation("DATA_NOUNS")
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
# Deadlines said as a day (overnight, a weekday, the end of the month, a date) are counted from when the message is
# read by calendar_deadlines.py; these are the English spans it does not name.
DEADLINE_PHRASES = Table[float](
    [
        (r"by tomorrow(?: morning)?|by (?:the )?end of (?:the )?day|by eod|by tonight", 24.0),
        (r"by (?:the )?end of (?:the |this )?week|by eow|by next week|within the week", 168.0),
        (r"by next month|within the month", float(HOURS_PER_MONTH)),
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
        (keyed_alternation("LICENSE_WORDS", "commercial"), PERMISSIVE),
        (keyed_alternation("LICENSE_WORDS", "open_source"), OPEN_SOURCE),
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
        (
            r"prometheus|grafana|monitoring|observability|alerting|dashboards?|monitori[sz]acion|monitorizacao"
            r"|monitoramento|surveillance|uberwachung",
            "monitoring",
        ),
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
    (
        r"coding assistant|code assistant|copilot|code completion|code generation|coding|developers|devs|coder"
        r"|\bide\b|ide plugin|autocomplete|code review|codebase",
        "code",
    ),
    (r"\brag\b|retrieval[- ]augmented|document q&?a|knowledge base|search over (?:our )?doc", "rag"),
    (r"summari[sz]", "summarization"),
    # an AI agent, not people called agents ("12 support agents typing at the same time")
    (
        r"agentic|tool[- ]calls?|tool[- ]use|(?:ai|llm|autonomous|coding|research) agents?|agent (?:loops?|workflows?)",
        "agent",
    ),
    (r"chat ?bot|chat|assistant|faq|customer support|support bot|conversation|typing|chatting", "chat"),
)


# --------------------------------------------------------------------------- exclusions, lifts and take-backs
# A "list" is one or more things joined by LIST_JOINERS: providers, GPU models, areas and region ids
# ("L4 and L40S", "AWS or Azure", "the UK"). Each thing may carry ITEM_SUFFIX ("A10G GPUs", "L4s", "UK regions").
LIST_JOINERS = alternation("LIST_JOINERS")
LIST_ARTICLES = alternation("LIST_ARTICLES")
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
EXCLUDE_BEFORE = alternation("EXCLUDE_BEFORE")
# Words between the lead and the first thing ("not on the", "never use", "pas sur", "nicht in der", "no en").
LIST_FILLERS = alternation("LIST_FILLERS")
# Elided articles, written against the next word ("hors de l'Europe", "pas d'AWS").
LIST_ELISIONS = r"l'|d'"
# ...or a list followed by one of these ("AWS is not an option", "L4s are out", "Azure ist nicht erlaubt").
EXCLUDE_AFTER = alternation("EXCLUDE_AFTER")
# A later message lifts an exclusion: "Actually A10G is fine", "AWS is ok again", "the UK is fine too",
# "allow L4 again". Only a thing that is excluded is lifted; otherwise the words are an ordinary mention.
LIFT_AFTER = alternation("LIFT_AFTER")
LIFT_BEFORE = alternation("LIFT_BEFORE")
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
# Taking a field back, whatever its value was: the budget, the provider (and its region), the region or area,
# the GPU model, the GPU count. A take-back in a later message overrides what earlier messages said.
TAKE_BACKS = Table[str](
    (keyed_alternation("TAKE_BACK_WORDS", field), field)
    for field in ("budget", "provider", "region", "gpu", "gpu_count")
)

# --------------------------------------------------------------------------- ranking
# What the instance ranking favours: "make it cheaper", "cut the cost" -> cheapest; "faster", "lower latency" ->
# fastest. The last one named in a message wins.
RANKINGS = Table[str](
    [
        (keyed_alternation("RANKING_WORDS", "cheapest"), "cheapest"),
        (keyed_alternation("RANKING_WORDS", "fastest"), "fastest"),
    ]
)
