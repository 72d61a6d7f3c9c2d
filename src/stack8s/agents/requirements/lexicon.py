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

# Region ids per provider (the catalogs' own spellings), each with the areas it belongs to. A region
# id alone implies its provider; when several providers share an id, the first provider listed in
# REGION_OWNERS is implied. An area lists its regions in table order (the order carries no meaning:
# search treats them as a set).
_REGION_AREAS: dict[str, dict[str, tuple[str, ...]]] = {
    "aws": {
        "us-east-1": ("us", "na"),
        "us-east-2": ("us", "na"),
        "us-west-1": ("us", "na"),
        "us-west-2": ("us", "na"),
        "ca-central-1": ("na",),
        "sa-east-1": (),
        "eu-west-1": ("eu",),
        "eu-west-2": ("eu", "uk"),
        "eu-west-3": ("eu",),
        "eu-central-1": ("eu", "germany"),
        "eu-central-2": ("eu",),
        "eu-north-1": ("eu",),
        "eu-south-1": ("eu",),
        "eu-south-2": ("eu",),
        "ap-northeast-1": ("asia", "japan"),
        "ap-northeast-2": ("asia",),
        "ap-northeast-3": ("asia", "japan"),
        "ap-southeast-1": ("asia",),
        "ap-southeast-2": ("asia",),
        "ap-southeast-3": ("asia",),
        "ap-southeast-5": (),
        "ap-south-1": ("asia",),
        "ap-south-2": (),
        "ap-east-1": ("asia",),
        "me-south-1": (),
        "me-central-1": (),
        "il-central-1": (),
        "af-south-1": (),
        "us-gov-east-1": (),
        "us-gov-west-1": (),
    },
    "gcp": {
        "us-central1": ("us", "na"),
        "us-central2": ("us", "na"),
        "us-east1": ("us", "na"),
        "us-east4": ("us", "na"),
        "us-east5": ("us", "na"),
        "us-south1": ("us", "na"),
        "us-west1": ("us", "na"),
        "us-west2": ("us", "na"),
        "us-west3": ("us", "na"),
        "us-west4": ("us", "na"),
        "northamerica-northeast1": ("na",),
        "northamerica-northeast2": ("na",),
        "northamerica-south1": (),
        "southamerica-east1": (),
        "southamerica-west1": (),
        "europe-west1": ("eu",),
        "europe-west2": ("eu", "uk"),
        "europe-west3": ("eu", "germany"),
        "europe-west4": ("eu",),
        "europe-west6": ("eu",),
        "europe-west8": ("eu",),
        "europe-west9": ("eu",),
        "europe-west10": ("eu", "germany"),
        "europe-west12": ("eu",),
        "europe-north1": ("eu",),
        "europe-north2": ("eu",),
        "europe-central2": ("eu",),
        "europe-southwest1": ("eu",),
        "asia-east1": ("asia",),
        "asia-east2": ("asia",),
        "asia-northeast1": ("asia", "japan"),
        "asia-northeast2": ("asia", "japan"),
        "asia-northeast3": ("asia",),
        "asia-south1": ("asia",),
        "asia-south2": ("asia",),
        "asia-southeast1": ("asia",),
        "asia-southeast2": ("asia",),
        "asia-southeast3": (),
        "australia-southeast1": (),
        "australia-southeast2": (),
        "me-west1": (),
        "me-central1": (),
        "me-central2": (),
        "africa-south1": (),
    },
    "azure": {
        "eastus": ("us", "na"),
        "eastus2": ("us", "na"),
        "westus": ("us", "na"),
        "westus2": ("us", "na"),
        "westus3": ("us", "na"),
        "centralus": ("us", "na"),
        "northcentralus": ("us", "na"),
        "southcentralus": ("us", "na"),
        "westcentralus": ("us", "na"),
        "canadacentral": ("na",),
        "canadaeast": ("na",),
        "brazilsouth": (),
        "brazilsoutheast": (),
        "mexicocentral": (),
        "northeurope": ("eu",),
        "westeurope": ("eu",),
        "uksouth": ("eu", "uk"),
        "ukwest": ("uk",),
        "francecentral": ("eu",),
        "francesouth": (),
        "germanywestcentral": ("eu", "germany"),
        "germanynorth": ("germany",),
        "swedencentral": ("eu",),
        "switzerlandnorth": ("eu",),
        "switzerlandwest": (),
        "norwayeast": ("eu",),
        "norwaywest": (),
        "polandcentral": ("eu",),
        "italynorth": ("eu",),
        "spaincentral": ("eu",),
        "austriaeast": (),
        "belgiumcentral": (),
        "denmarkeast": (),
        "japaneast": ("asia", "japan"),
        "japanwest": ("asia", "japan"),
        "koreacentral": ("asia",),
        "koreasouth": (),
        "southeastasia": ("asia",),
        "eastasia": ("asia",),
        "australiaeast": (),
        "australiasoutheast": (),
        "australiacentral": (),
        "centralindia": ("asia",),
        "southindia": ("asia",),
        "westindia": (),
        "uaenorth": (),
        "uaecentral": (),
        "qatarcentral": (),
        "israelcentral": (),
        "southafricanorth": (),
        "southafricawest": (),
        "indonesiacentral": (),
        "malaysiawest": (),
        "newzealandnorth": (),
    },
    "oci": {
        "us-ashburn-1": ("us", "na"),
        "us-phoenix-1": ("us", "na"),
        "us-sanjose-1": ("us", "na"),
        "us-chicago-1": ("us", "na"),
        "ca-toronto-1": ("na",),
        "ca-montreal-1": ("na",),
        "sa-saopaulo-1": (),
        "eu-frankfurt-1": ("eu", "germany"),
        "eu-amsterdam-1": ("eu",),
        "eu-paris-1": ("eu",),
        "eu-madrid-1": ("eu",),
        "eu-milan-1": ("eu",),
        "eu-stockholm-1": ("eu",),
        "eu-zurich-1": ("eu",),
        "eu-marseille-1": ("eu",),
        "uk-london-1": ("eu", "uk"),
        "uk-cardiff-1": ("uk",),
        "ap-tokyo-1": ("asia", "japan"),
        "ap-osaka-1": ("asia", "japan"),
        "ap-mumbai-1": ("asia",),
        "ap-hyderabad-1": ("asia",),
        "ap-singapore-1": ("asia",),
        "ap-sydney-1": (),
        "ap-melbourne-1": (),
        "ap-seoul-1": ("asia",),
        "me-dubai-1": (),
        "me-jeddah-1": (),
        "il-jerusalem-1": (),
    },
    "lambda": {
        "us-east-1": ("us", "na"),
        "us-east-2": ("us", "na"),
        "us-east-3": ("us", "na"),
        "us-west-1": ("us", "na"),
        "us-west-2": ("us", "na"),
        "us-west-3": ("us", "na"),
        "us-south-1": ("us", "na"),
        "us-south-2": ("us", "na"),
        "us-south-3": ("us", "na"),
        "us-midwest-1": ("us", "na"),
        "europe-central-1": ("eu", "germany"),
        "europe-south-1": ("eu",),
        "asia-northeast-1": ("asia", "japan"),
        "asia-northeast-2": ("asia", "japan"),
        "asia-south-1": ("asia",),
        "australia-east-1": (),
        "me-west-1": (),
    },
    "nebius": {
        "eu-north1": ("eu",),
        "eu-west1": ("eu",),
        "us-central1": ("us", "na"),
        "me-west1": (),
    },
    "ibm": {
        "us-east": ("us", "na"),
        "us-south": ("us", "na"),
        "ca-tor": ("na",),
        "br-sao": (),
        "eu-de": ("eu", "germany"),
        "eu-gb": ("eu", "uk"),
        "jp-tok": ("asia", "japan"),
        "jp-osa": ("asia", "japan"),
        "au-syd": (),
    },
    "do": {
        "nyc1": ("us", "na"),
        "nyc2": ("us", "na"),
        "nyc3": ("us", "na"),
        "sfo1": ("us", "na"),
        "sfo2": ("us", "na"),
        "sfo3": ("us", "na"),
        "tor1": ("na",),
        "ams3": ("eu",),
        "fra1": ("eu", "germany"),
        "lon1": ("eu", "uk"),
        "sgp1": ("asia",),
        "blr1": ("asia",),
        "syd1": (),
    },
    "seeweb": {
        "it-fr2": ("eu",),
        "it-mi2": ("eu",),
        "ch-lug1": ("eu",),
        "bg-sof1": ("eu",),
    },
}
REGION_OWNERS: tuple[str, ...] = ("aws", "gcp", "azure", "oci", "lambda", "nebius", "ibm", "do", "seeweb")

# Area words -> area key; AREA_REGIONS (below) gives each area's regions per provider, in this order.
AREAS = Table[str](
    [
        (r"(?-i:EU)(?!-)|europe|european(?: union)?|europa|in der eu|en europe|en europa|gdpr|dsgvo", "eu"),
        (r"germany|frankfurt|deutschland|berlin|munich|munchen|allemagne|alemania|alemanha", "germany"),
        (r"(?-i:UK)|united kingdom|britain|great britain|london|england|royaume-uni|reino unido", "uk"),
        (
            r"(?-i:US|USA|U\.S\.|U\.S\.A\.)(?!-)|united states|(?<!south )(?<!latin )america|american|stateside"
            r"|estados unidos|eeuu"
            r"|etats-unis|vereinigte staaten",
            "us",
        ),
        (r"north america|norteamerica|amerique du nord|nordamerika", "na"),
        (r"asia|asian|apac|asia[- ]pacific|asie|asien", "asia"),
        (r"japan|tokyo|osaka|japon|japao", "japan"),
    ]
)


def _in_area(area: str, regions: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(region for region, tags in regions.items() if area in tags)


def _area_regions(areas: Iterable[str]) -> dict[str, dict[str, tuple[str, ...]]]:
    """Area -> provider -> region ids, leaving out providers with no region in the area."""
    per_area = {area: {p: _in_area(area, regions) for p, regions in _REGION_AREAS.items()} for area in areas}
    return {area: {p: ids for p, ids in by_provider.items() if ids} for area, by_provider in per_area.items()}


REGIONS: dict[str, tuple[str, ...]] = {p: tuple(regions) for p, regions in _REGION_AREAS.items()}
AREA_REGIONS: dict[str, dict[str, tuple[str, ...]]] = _area_regions(dict.fromkeys(area for _, area in AREAS.rows))

# --------------------------------------------------------------------------- budgets
CURRENCY = r"(?:us)?\$|€|£|usd|eur|gbp|chf"
CURRENCY_WORDS = r"dollars?|bucks|euros?|pounds?|dolares|dolar|usd|eur|gbp"
NUMBER = r"\d{1,3}(?:[,.]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
SCALE_WORDS = r"k|m|thousand|million|grand|mil|tausend|mille|mio"
# A number with an optional scale word; `(?![a-z])` keeps "m" of "monthly" from reading as million.
AMOUNT = rf"(?P<num>{NUMBER})(?:\s?(?P<scale>{SCALE_WORDS})(?![a-z]))?"
# Period word -> multiplier to a month (730 hours per month, as the cost model uses).
PERIODS: tuple[tuple[str, float], ...] = (
    (r"month|mo|mth|monthly|pm|p/m|mes|mois|monat|monatlich|mensual|mensuel|mensuelle|mensal", 1.0),
    (r"hour|hr|h|hourly|hora|stunde|heure", float(HOURS_PER_MONTH)),
    (r"day|daily|dia|tag|jour", HOURS_PER_MONTH / 24),
    (r"week|wk|weekly|semana|woche|semaine", HOURS_PER_MONTH / 168),
    (r"year|yr|y|yearly|annual(?:ly)?|annum|pa|p\.a\.|ano|jahr|annee", 1.0 / 12),
)
PERIOD_LEAD = r"(?:\s?/\s?|\s+(?:per|a|an|each|every|por|pro|par|al|im|ao|au)\s+|\s+)"
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
