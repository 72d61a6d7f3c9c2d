"""The extractors: one per kind of fact (task, domain, GPU, model, precision, provider, load shape, roles ...), run on
every message in `EXTRACTORS` order."""

from __future__ import annotations

import re
from typing import cast

from stack8s.agents.requirements import lexicon as lx
from stack8s.agents.requirements.model_names import (
    COUNT_NOUNS,
    FuzzyVocab,
)
from stack8s.agents.requirements.roles import read_roles
from stack8s.agents.requirements.rules.job_phrases import _batch_volume, _deadline, _training_data
from stack8s.agents.requirements.rules.money import _MONEY, _budget
from stack8s.agents.requirements.rules.reading import (
    _CONTEXT,
    _COUNT,
    _FLAGS,
    _NUM,
    _REGION,
    _REGION_OWNERS,
    Extractor,
    Message,
    Reading,
    State,
    _compile,
    _count,
    _first,
    _hedged_sentences,
    _inside,
    _loose,
    _negated,
    _number,
    _period_factor,
    _period_groups,
    _same,
    _unique,
)
from stack8s.catalogs.gpus import match_gpu_preference
from stack8s.planning.spec import Domain

_GPU_COUNT = _compile(
    rf"{_COUNT}\s?[-x]?\s?(?:{lx.GPU_NAMES})s?(?![a-z0-9])",
    rf"(?:{lx.GPU_NAMES})(?:[- ]?\d{{2,3}}\s?gb)?s?\s?x\s?(?P<n>\d{{1,2}})(?![\d.a-z])",  # "A100-80GB x 4"
)


_REPLICAS = _compile(
    rf"{_COUNT}\s?(?:{lx.REPLICA_WORDS})(?![a-z])",
    r"replica(?:s| count)?\s?(?:of|:|=)?\s?(?P<n>\d{1,3})(?!\d)",
)


_UNITS = "|".join(sorted(lx.SIZE_UNITS, key=len, reverse=True))


_DATASET_SIZE = _compile(
    rf"{_NUM}\s?(?P<unit>{_UNITS})\s(?:of\s)?(?:[a-z]+\s){{0,2}}?(?:{lx.DATA_NOUNS})(?![a-z])",
    rf"(?:dataset|data set|corpus|training data|data)\s"
    rf"(?:(?:is|of|size|totals?|with|around|about|~)\s){{0,3}}"
    rf"{_NUM}\s?(?P<unit>{_UNITS})(?![a-z])",
)


_DATASET_ITEMS = _compile(
    rf"(?P<n>{lx.NUMBER})\s?(?P<scale>k|m|million|thousand|mio)?\s(?:[a-z]+\s)?(?:{_period_groups(lx.ITEM_SIZE_KB)})"
    rf"(?![a-z])"
)


_NOT_A_COUNT = r"(?!\s+(?:" + "|".join(sorted(COUNT_NOUNS)) + r")\b)"


_STATED_SIZE = _compile(
    r"(?P<n>\d+(?:\.\d+)?)\s?(?:b|bn|billion)(?:[- ]param(?:eter)?s?)?(?![a-z0-9])" + _NOT_A_COUNT,
    r"(?P<e>\d+)x(?P<n>\d+(?:\.\d+)?)b(?![a-z0-9])",
    r"(?P<m>\d+(?:\.\d+)?)\s?(?:m|million)[- ]param(?:eter)?s?(?![a-z])",
)


_PROVIDER_VOCAB = FuzzyVocab(lx.PROVIDER_WORDS)


_DOMAIN_ORDER = (Domain.multimodal, Domain.audio, Domain.computer_vision, Domain.tabular, Domain.nlp)


def _task(msg: Message, state: Reading) -> State:
    hits = lx.TASKS.values(msg.text)
    if not hits:
        return {}
    task, _ = max(hits, key=lambda h: h[1])
    return {"task_type": task}


def _domain(msg: Message, state: Reading) -> State:
    scores: dict[Domain, float] = {}
    for domain, weight in lx.DOMAINS.values(msg.text):
        scores[domain] = scores.get(domain, 0.0) + weight
    model_domain = lx.PIPELINE_DOMAIN.get(msg.model.pipeline_tag or "") if msg.model else None
    if model_domain:
        scores[model_domain] = scores.get(model_domain, 0.0) + 5.0
    if not scores:
        return {}
    return {"domain": max(_DOMAIN_ORDER, key=lambda d: (scores.get(d, 0.0), -_DOMAIN_ORDER.index(d)))}


def _gpu(msg: Message, state: Reading) -> State:
    out: State = {}
    hedged = _hedged_sentences(msg.text)
    explicit = [h for h in lx.GPU_EXPLICIT.hits(msg.text) if not (h.value and _inside(h.start, hedged))]
    preference = match_gpu_preference(_MONEY.sub(" ", msg.text))
    if any(not hit.value for hit in explicit):
        out["gpu_explicit"] = False
    elif explicit or preference:
        out["gpu_explicit"] = True
    hints = lx.GPU_HINTS.values(msg.text)
    if hints:
        out["gpu_hint"] = any(hints)
    if preference and out.get("gpu_explicit", True):
        out["gpu_preference"] = preference
        out.update(_lift_named(state, "excluded_gpus", preference))
    return out


def _gpu_count(msg: Message, state: Reading) -> State:
    found = _first(_GPU_COUNT, msg.text)
    count = _count(found.group("n")) if found else 0
    return {"gpu_count": count} if 0 < count <= 1024 else {}


def _model(msg: Message, state: Reading) -> State:
    out: State = {}
    sized = _first(_STATED_SIZE, msg.text)
    if sized:
        out["size"] = _size_of(sized)
    if msg.model:
        out["model"], out["model_text"], out["size"], out["unknown_model"] = msg.model, msg.text, out.get("size"), None
    elif msg.unknown:
        # Never a silent default: the closest known member of the family is planned and the plan says so;
        # with none, the user is asked for the size (or for the config.json) unless they stated it.
        out["model"], out["model_text"], out["unknown_model"] = msg.unknown.closest, msg.text, msg.unknown.named
    return out


def _size_of(found: re.Match[str]) -> tuple[str, float]:
    groups = found.groupdict()
    if groups.get("m"):
        return f"{groups['m']}m", float(groups["m"]) / 1000
    if groups.get("e"):
        return f"{groups['e']}x{groups['n']}b", float(groups["e"]) * float(groups["n"])
    return f"{groups['n']}b", float(groups["n"])


_KV_FP8 = re.compile(r"(?:fp8|8-bit) kv(?:[- ]cache)?|kv[- ]cache (?:in |as |of )?(?:fp8|8-bit)", _FLAGS)


def _precision(msg: Message, state: Reading) -> State:
    out: State = {}
    text = msg.text
    if kv := _KV_FP8.search(text):
        # "an FP8 KV cache" sets the cache's dtype, not the weights'.
        out["kv_cache_dtype"] = "fp8"
        text = text[: kv.start()] + " " + text[kv.end() :]
    hits = lx.PRECISIONS.values(text)
    if hits:
        out["precision"], out["quant_method"] = hits[0]
    return out


def _fine_tuning(msg: Message, state: Reading) -> State:
    """The first method named and not ruled out: "fully fine-tune it (not LoRA)" is full fine-tuning."""
    hits = lx.FINE_TUNING_METHODS.hits(msg.text)
    wanted = [hit.value for hit in hits if not _negated(msg.text, hit.start)]
    if wanted:
        return {"fine_tuning_method": wanted[0]}
    if state.get("fine_tuning_method") in {hit.value for hit in hits}:
        return {"fine_tuning_method": None}  # "actually, not LoRA" takes back the method named before
    return {}


def _provider(msg: Message, state: Reading) -> State:
    """The provider, region and area last named. Naming one that an earlier message ruled out lifts that
    exclusion ("no AWS" ... "ok, use AWS after all")."""
    out: State = {}
    mentions = [(h.start, h.value) for h in lx.PROVIDERS.hits(msg.text)] + _fuzzy_providers(msg.text)
    wanted = [p for start, p in sorted(mentions) if not _negated(msg.text, start)]
    if wanted:
        out["provider"] = wanted[-1]
    regions = [m.group().lower() for m in _REGION.finditer(msg.text)]
    provider = out.get("provider", state.get("provider"))
    excluded = out.get("excluded_providers", state.get("excluded_providers", ()))
    if regions:
        owners = _REGION_OWNERS[regions[-1]]
        allowed = [owner for owner in owners if owner not in excluded]
        if provider not in owners and "provider" not in out and allowed:
            out["provider"] = provider = allowed[0]
        if provider in owners:
            out["region"] = regions[-1]
    region = out.get("region", state.get("region"))
    if region and provider and region not in lx.REGIONS.get(provider, ()):
        out["region"] = None
    areas = lx.AREAS.values(msg.text)
    if areas:
        out["area"] = areas[-1]
    out.update(_lift_named(state, "excluded_providers", out.get("provider")))
    out.update(_lift_named(state, "excluded_areas", out.get("area")))
    out.update(_lift_named(state, "excluded_region_ids", out.get("region")))
    return out


def _lift_named(state: Reading, key: str, named: str | None) -> State:
    excluded: list[str] = _loose(state).get(key, [])
    if named is None or not any(_same(named, ex) for ex in excluded):
        return {}
    return cast(Reading, {key: [ex for ex in excluded if not _same(named, ex)]})


def _fuzzy_providers(text: str) -> list[tuple[int, str]]:
    found = []
    for word in re.finditer(r"[A-Za-z]{5,}", text):
        token = word.group().lower()
        corrected = _PROVIDER_VOCAB.correct(token)
        if corrected and corrected != token:
            found.append((word.start(), lx.PROVIDER_WORDS[corrected]))
    return found


def _replicas(msg: Message, state: Reading) -> State:
    out: State = {}
    found = _first(_REPLICAS, msg.text)
    if found and 0 < _count(found.group("n")) <= 1000:
        out["replicas"] = _count(found.group("n"))
    if lx.HIGH_AVAILABILITY.search(msg.text):
        out["high_availability"] = True
    return out


def _use_case(msg: Message, state: Reading) -> State:
    """What the requests are for (chat, code, RAG, summarisation, agents): it sets typical lengths when none are
    said. Lengths and latency targets themselves are read by `roles` (`_roles`)."""
    for pattern, case in _USE_CASES:
        if pattern.search(msg.text):
            return {"use_case": case}
    return {}


_USE_CASES = tuple((re.compile(p, _FLAGS), case) for p, case in lx.USE_CASE_WORDS)


def _context(msg: Message, state: Reading) -> State:
    found = _first(_CONTEXT, msg.text)
    if not found:
        return {}
    scale = {"k": 1024, "m": 1024 * 1024}.get((found.group("scale") or "").lower(), 1)
    tokens = int(_number(found.group("n")) * scale)
    return {"context_length": tokens} if 1 <= tokens <= 100_000_000 else {}


def _dataset(msg: Message, state: Reading) -> State:
    sized = _first(_DATASET_SIZE, msg.text)
    if sized:
        unit = lx.SIZE_UNITS[sized.group("unit").lower()]
        return {"dataset_size_gb": round(_number(sized.group("n"), sized.group("scale")) * unit, 3)}
    items = _first(_DATASET_ITEMS, msg.text)
    if not items:
        return {}
    count = _number(items.group("n"), items.group("scale"))
    kilobytes = _period_factor(items, lx.ITEM_SIZE_KB, 0.0)
    if kilobytes <= 0 or _RATE_AFTER_ITEMS.match(msg.text, items.end()):
        return {}  # "3 pages per second" is a rate, not a stored dataset
    return {"dataset_size_gb": round(count * kilobytes / 1e6, 3)}


_RATE_AFTER_ITEMS = re.compile(
    rf"\s?(?:per|a|an|each|every|/|pro|par|por)\s?(?:{_period_groups(lx.RATE_PERIODS)})(?![a-z])", _FLAGS
)


def _licenses(msg: Message, state: Reading) -> State:
    hits = lx.LICENSES.values(msg.text)
    return {"license_filter": _unique(lid for ids in hits for lid in ids)} if hits else {}


def _spot(msg: Message, state: Reading) -> State:
    hits = lx.SPOT.values(msg.text)
    return {"spot": hits[-1]} if hits else {}


def _ranking(msg: Message, state: Reading) -> State:
    """'make it cheaper', 'cut the cost' -> cheapest; 'faster', 'lower latency' -> fastest (the last one named)."""
    hits = lx.RANKINGS.values(msg.text)
    return {"ranking": hits[-1]} if hits else {}


def _roles(msg: Message, state: Reading) -> State:
    """What each number is by its unit and cue (roles.py): it overrides the older phrase rules it agrees with
    and fills what they missed."""
    found = read_roles(msg.text).fields()
    if (billion := found.pop("params_billion", None)) is not None and msg.model is None:
        found["size"] = (f"{billion:g}b", billion)
    slo = {k: found.pop(k) for k in ("ttft_ms", "itl_ms", "e2e_ms") if k in found}
    latency = found.pop("latency_ms", None)
    if slo or latency:
        merged = dict(state.get("slo") or {})
        if latency is not None and not slo:
            # a bare "latency": replace what the older rule read as time to first token; `_finish` decides
            merged.pop("ttft_ms", None)
            found["bare_latency_ms"] = latency
        found["slo"] = {**merged, **slo}
    volume = _batch_volume(msg, state)
    if volume.get("job_items") or volume.get("audio_hours"):
        # a stored volume processed on a schedule ("summarise 50k documents a day") is a job, not a serving rate
        found.pop("requests_per_second", None)
        found.pop("requests_per_day", None)
    if "concurrent_users" in found and "total_users" not in found:
        found["total_users"] = (
            state.get("total_users") if state.get("total_users") != found["concurrent_users"] else None
        )
    if "requests_per_second" in found and "requests_per_day" not in found:
        found["requests_per_day"] = None
    return cast(Reading, found)


def _accumulate(key: str, table: lx.Table[str]) -> Extractor:
    def extract(msg: Message, state: Reading) -> State:
        found = table.values(msg.text)
        return cast(Reading, {key: _unique([*_loose(state).get(key, []), *found])}) if found else {}

    return extract


EXTRACTORS: tuple[Extractor, ...] = (
    _task,
    _domain,
    _gpu,
    _gpu_count,
    _model,
    _precision,
    _fine_tuning,
    _budget,
    _provider,
    _replicas,
    _use_case,
    _context,
    _dataset,
    _training_data,
    _deadline,
    _batch_volume,
    _licenses,
    _spot,
    _ranking,
    _accumulate("kubernetes_needs", lx.KUBERNETES_NEEDS),
    _accumulate("needs", lx.MODEL_NEEDS),
    _roles,
)
