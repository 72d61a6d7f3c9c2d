"""Model recommendations: the named model (when resolved) plus RAG search by task, domain, license."""

from __future__ import annotations

from stack8s.agents.deps import AgentDeps
from stack8s.planning.plan import ModelRecommendation
from stack8s.planning.spec import WorkloadSpec
from stack8s.tools import hf
from stack8s.tools.schemas import CatalogModel, ModelHit, ModelQuery

MAX_MODELS = 5
# (task, domain) -> the Hub pipeline tag that serves it; keywords in model_needs refine it.
DOMAIN_TAGS = {
    "audio": "automatic-speech-recognition",
    "nlp": "text-generation",
    "tabular": "tabular-classification",
    "multimodal": "image-text-to-text",
    "computer_vision": None,
    "other": None,
}
KEYWORD_TAGS = [
    (("fraud", "transaction", "churn", "credit scor"), "tabular-classification"),
    (("detect", "yolo", "detr"), "object-detection"),
    (("segment",), "image-segmentation"),
    (("classif", "resnet", "imagenet"), "image-classification"),
    (
        ("diffusion", "sdxl", "text-to-image", "image generation", "generate image", "generating", "flux"),
        "text-to-image",
    ),
    (("embedding", "semantic search", "sentence", "e5", "bge", "retrieval"), "sentence-similarity"),
    (("transcri", "speech-to-text", "speech recognition", "asr", "whisper"), "automatic-speech-recognition"),
    (("text-to-speech", "tts", "voice synthesis"), "text-to-speech"),
    (("rerank",), "text-ranking"),
    (("ocr",), "image-to-text"),
    (("forecast", "time series", "time-series"), "time-series-forecasting"),
]
VISION_TAGS = frozenset(
    {"object-detection", "image-segmentation", "image-classification", "text-to-image", "image-to-text"}
)
DOMAIN_KEYWORD_TAGS: dict[str, frozenset[str]] = {
    "nlp": frozenset({"sentence-similarity", "text-ranking"}),
    "tabular": frozenset({"tabular-classification", "time-series-forecasting"}),
    "audio": frozenset({"automatic-speech-recognition", "text-to-speech"}),
    "computer_vision": VISION_TAGS,
    "multimodal": VISION_TAGS | {"sentence-similarity", "automatic-speech-recognition", "text-to-speech"},
}
"""The keyword tags a stated domain admits: "fraud detection" on card transactions (tabular) or in emails
(nlp) is a classifier of rows or of text, never object detection; without a domain every keyword counts."""
CLASSIFIER_TAGS = {"nlp": "text-classification", "audio": "audio-classification"}
CLASSIFIER_WORDS = ("classif", "detect", "fraud", "spam", "sentiment", "moderat", "intent", "toxic")


def pipeline_tag_for(spec: WorkloadSpec) -> str | None:
    """The pipeline tag of the model table. RAG's table is its generator's (an LLM: the embedder is a part of
    the plan of its own); a keyword's tag counts only within the stated domain."""
    text = (spec.model_needs or "").lower()
    if spec.use_case == "rag" and spec.domain in ("nlp", None):
        return "text-generation"
    allowed = DOMAIN_KEYWORD_TAGS.get(str(spec.domain)) if spec.domain not in (None, "other") else None
    for words, tag in KEYWORD_TAGS:
        if any(w in text for w in words) and (allowed is None or tag in allowed):
            return tag
    classifier = CLASSIFIER_TAGS.get(str(spec.domain))
    if classifier is not None and any(w in text for w in CLASSIFIER_WORDS):
        return classifier
    if spec.domain == "nlp" and spec.task_type in ("inference", "batch_inference", "fine_tuning", "training", None):
        return "text-generation"
    return DOMAIN_TAGS.get(str(spec.domain), None)


def search_text(spec: WorkloadSpec) -> str:
    words = [
        spec.model_needs or "",
        str(spec.domain or "").replace("_", " "),
        str(spec.task_type or "").replace("_", " "),
    ]
    return " ".join(w for w in words if w).strip()[:500] or "general purpose model"


def _named(model: CatalogModel) -> ModelHit:
    row = model.row
    # The model the user named is an exact match to the request: the table's top score, whatever its
    # popularity (a model released this month has few downloads), so the table stays sorted by score.
    score = 1.0
    return ModelHit(
        model_id=row.model_id,
        pipeline_tag=row.pipeline_tag,
        license=row.license,
        library=row.library,
        downloads=row.downloads,
        likes=row.likes,
        params_billion=row.params_billion,
        relevance=1.0,
        popularity=model.popularity,
        score=score,
        snippet="the model you named",
    )


PRETRAIN_BAND = 2.0
"""Pretraining from scratch: reference architectures within 2x of the stated size (0.5x-2x)."""
TUNED_WORDS = ("instruct", "chat", "-it", "rlhf", "dpo", "sft")


def _pretraining_references(spec: WorkloadSpec, hits: list[ModelHit]) -> list[ModelHit]:
    """Base checkpoints of the size class to copy the architecture (and tokenizer) from: within 2x of the
    size, not instruction- or chat-tuned (their architecture is the same as the base's)."""
    size = spec.params_billion or 0.0
    return [
        h
        for h in hits
        if h.params_billion
        and size / PRETRAIN_BAND <= h.params_billion <= size * PRETRAIN_BAND
        and not any(word in h.model_id.lower() for word in TUNED_WORDS)
    ]


def _rationale(hit: ModelHit, named: str | None, spec: WorkloadSpec | None = None) -> str:
    if spec is not None and spec.task_type == "training" and not named and spec.params_billion:
        return (
            f"A {hit.params_billion:g}B base checkpoint in the {spec.params_billion:g}B size class: its config.json "
            f"and tokenizer are a reference architecture to pretrain; {hit.downloads:,} downloads, "
            f"license {hit.license or 'unknown'}."
        )
    if hit.model_id == named:
        return f"The model you asked for; {hit.downloads:,} downloads, license {hit.license or 'unknown'}."
    return (
        f"Relevance {hit.relevance:.2f} to the request, popularity {hit.popularity:.2f} "
        f"({hit.downloads:,} downloads); license {hit.license or 'unknown'}."
    )


SIZE_BAND = 4.0
"""Alternatives to a model of N parameters sit within N/4 .. 4N: "Llama 3.1 70B" is never answered with a
1B or a 671B model, "Mistral 7B" gets 1.75B-28B models."""


def size_band(spec: WorkloadSpec, named: CatalogModel | None) -> tuple[float, float] | None:
    """The parameter band (billions) alternatives must sit in: around the named model, else the size asked for."""
    size = (named.row.params_billion if named else None) or spec.params_billion
    return (size / SIZE_BAND, size * SIZE_BAND) if size else None


def user_brings_the_model(spec: WorkloadSpec, named: CatalogModel | None) -> bool:
    """Tabular work without a catalog model (XGBoost, scikit-learn): trained on the user's data; no Hub model
    is an alternative to it."""
    return named is None and spec.domain == "tabular"


def model_note(spec: WorkloadSpec, named: CatalogModel | None, recs: list[ModelRecommendation]) -> str | None:
    """What the plan says about its model table: the band and task it was drawn from, or why it is empty."""
    if user_brings_the_model(spec, named):
        return (
            "You bring the model: tabular models (XGBoost, LightGBM, scikit-learn) are trained on your own data, "
            "so no catalog model is recommended."
        )
    if not recs and spec.task_type == "training" and named is None and spec.params_billion:
        return (
            f"No base checkpoint of about {spec.params_billion:g}B parameters in the catalog to take the "
            "architecture from: pick a published config of that size (for example from a GPT-2, Pythia or "
            "Llama family) and train it from scratch."
        )
    band, tag = size_band(spec, named), named.row.pipeline_tag if named else pipeline_tag_for(spec)
    if named is None or band is None:
        return None
    if len(recs) <= 1:
        return f"No other {tag or 'same-task'} model of {band[0]:.3g}B-{band[1]:.3g}B parameters in the catalog."
    return (
        f"Alternatives do the same task ({tag}) and sit within {band[0]:.3g}B-{band[1]:.3g}B parameters "
        f"(a quarter to 4x the {named.row.params_billion:g}B of {named.row.model_id})."
    )


async def recommend_models(
    deps: AgentDeps, spec: WorkloadSpec, named: CatalogModel | None
) -> list[ModelRecommendation]:
    # Alternatives to a named model do the same task in its size band; otherwise the task comes from the
    # request. No table at all when the user brings the model (tabular work without a catalog model).
    if user_brings_the_model(spec, named):
        return []
    tag = named.row.pipeline_tag if named else pipeline_tag_for(spec)
    pretraining = spec.task_type == "training" and named is None and bool(spec.params_billion)
    band = None if pretraining else size_band(spec, named)
    top_k = 50 if pretraining or band else 10
    query = ModelQuery(query=search_text(spec), pipeline_tag=tag, license_filter=spec.license_filter, top_k=top_k)
    hits = await hf.search(deps.conn, deps.embedder, query)
    if pretraining:
        hits = _pretraining_references(spec, hits)
    elif band is not None:
        low, high = band
        hits = [h for h in hits if h.params_billion is None or low <= h.params_billion <= high]
    first: list[ModelHit] = []
    if named and (
        not spec.license_filter or (named.row.license or "").lower() in {lic.lower() for lic in spec.license_filter}
    ):
        first = [_named(named)]  # the model that was sized leads the table, whatever its popularity
        hits = [h for h in hits if h.model_id != named.row.model_id]
    ordered = [*first, *sorted(hits, key=lambda h: (-h.score, h.model_id))][:MAX_MODELS]
    named_id = named.row.model_id if named else None
    return [
        ModelRecommendation(
            rank=i, **h.model_dump(exclude={"snippet", "library"}), rationale=_rationale(h, named_id, spec)
        )
        for i, h in enumerate(ordered, start=1)
    ]
