"""The shipped model catalog covers the families people ask for in 2026 (issue 9, item 7): each resolves from
its common names to a row of the right family and Hub pipeline tag, LLM rows carry their architecture, MoE
rows their experts, and a spot check of the numbers against the shared Hugging Face data sets."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from tests.conftest import SHARED, needs_shared

from stack8s.agents.requirements.model_names import ModelLexicon
from stack8s.agents.requirements.rules import extract_spec
from stack8s.catalogs.rows import HFModelRow
from stack8s.catalogs.shipped import default_paths, load_models

HF = SHARED / "data" / "hf"
LLM_TAGS = frozenset({"text-generation", "image-text-to-text"})
EMBEDDING_TAGS = frozenset({"feature-extraction", "sentence-similarity"})

_RESULT, _ = load_models(default_paths()["models"])
ROWS = {row.model_id: row for row in _RESULT.rows}
LEX = ModelLexicon.from_rows(_RESULT.rows)

TG, VLM = frozenset({"text-generation"}), frozenset({"image-text-to-text"})
ZSIC, ASR = frozenset({"zero-shot-image-classification"}), frozenset({"automatic-speech-recognition"})
T2I, R1D = frozenset({"text-to-image"}), "deepseek-r1-distill"

# (text a user writes, catalog id it must resolve to, family of that row, Hub pipeline tag(s))
NAMES: list[tuple[str, str, str, frozenset[str]]] = [
    # Llama 4
    ("llama 4 scout", "meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama-4", VLM),
    ("Llama 4 Scout with 1M context", "meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama-4", VLM),
    ("llama 4 scout, context window of 1M tokens", "meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama-4", VLM),
    ("Llama-4-Scout-17B-16E-Instruct", "meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama-4", VLM),
    ("llama 4 maverick", "meta-llama/Llama-4-Maverick-17B-128E-Instruct", "llama-4", VLM),
    ("Llama 4 Maverick 17B-128E", "meta-llama/Llama-4-Maverick-17B-128E-Instruct", "llama-4", VLM),
    # Llama 3.x
    ("llama 3.1 8b", "meta-llama/Llama-3.1-8B-Instruct", "llama-3.1", TG),
    ("Llama 3.1 70B", "meta-llama/Llama-3.1-70B-Instruct", "llama-3.1", TG),
    ("llama 3.1 405b", "meta-llama/Llama-3.1-405B-Instruct", "llama-3.1", TG),
    ("llama 3.2 1b", "meta-llama/Llama-3.2-1B-Instruct", "llama-3.2", TG),
    ("llama 3.2 3b", "meta-llama/Llama-3.2-3B-Instruct", "llama-3.2", TG),
    ("llama 3.3 70b", "meta-llama/Llama-3.3-70B-Instruct", "llama-3.3", TG),
    # Qwen3 dense and MoE
    ("qwen3 0.6b", "Qwen/Qwen3-0.6B", "qwen3", TG),
    ("qwen3 1.7b", "Qwen/Qwen3-1.7B", "qwen3", TG),
    ("qwen3 4b", "Qwen/Qwen3-4B", "qwen3", TG),
    ("Qwen3 8B", "Qwen/Qwen3-8B", "qwen3", TG),
    ("qwen3 14b", "Qwen/Qwen3-14B", "qwen3", TG),
    ("qwen3 32b", "Qwen/Qwen3-32B", "qwen3", TG),
    ("qwen3 30b a3b", "Qwen/Qwen3-30B-A3B", "qwen3", TG),
    ("Qwen3-30B-A3B", "Qwen/Qwen3-30B-A3B", "qwen3", TG),
    ("qwen3 30b a3b instruct 2507", "Qwen/Qwen3-30B-A3B-Instruct-2507", "qwen3", TG),
    ("qwen3 235b", "Qwen/Qwen3-235B-A22B", "qwen3", TG),
    ("qwen3-235b-a22b-instruct-2507", "Qwen/Qwen3-235B-A22B-Instruct-2507", "qwen3", TG),
    # Qwen2.5 and Coder
    ("qwen2.5 7b", "Qwen/Qwen2.5-7B-Instruct", "qwen2.5", TG),
    ("qwen 2.5 14b", "Qwen/Qwen2.5-14B-Instruct", "qwen2.5", TG),
    ("Qwen 2.5 32B", "Qwen/Qwen2.5-32B-Instruct", "qwen2.5", TG),
    ("qwen2.5 72b", "Qwen/Qwen2.5-72B-Instruct", "qwen2.5", TG),
    ("qwen2.5 coder", "Qwen/Qwen2.5-Coder-32B-Instruct", "qwen2.5-coder", TG),
    ("qwen2.5 coder 7b", "Qwen/Qwen2.5-Coder-7B-Instruct", "qwen2.5-coder", TG),
    ("qwen2.5 coder 14b", "Qwen/Qwen2.5-Coder-14B-Instruct", "qwen2.5-coder", TG),
    # gpt-oss
    ("gpt oss 20b", "openai/gpt-oss-20b", "gpt-oss", TG),
    ("gpt-oss-120b", "openai/gpt-oss-120b", "gpt-oss", TG),
    # Gemma 3
    ("gemma 3 1b", "google/gemma-3-1b-it", "gemma-3", TG),
    ("gemma 3 4b", "google/gemma-3-4b-it", "gemma-3", VLM),
    ("gemma 3 12b", "google/gemma-3-12b-it", "gemma-3", VLM),
    ("Gemma 3 27B", "google/gemma-3-27b-it", "gemma-3", VLM),
    # Phi-4
    ("phi-4", "microsoft/phi-4", "phi-4", TG),
    ("phi 4 mini", "microsoft/Phi-4-mini-instruct", "phi-4", TG),
    # Mistral Small 3.x
    ("mistral small 3", "mistralai/Mistral-Small-24B-Instruct-2501", "mistral-small", TG),
    ("Mistral Small 24B", "mistralai/Mistral-Small-24B-Instruct-2501", "mistral-small", TG),
    ("mistral small 3.1", "mistralai/Mistral-Small-3.1-24B-Instruct-2503", "mistral-small", VLM),
    ("Mistral Small 3.2", "mistralai/Mistral-Small-3.2-24B-Instruct-2506", "mistral-small", VLM),
    # DeepSeek V3 / R1 and the distills
    ("deepseek v3", "deepseek-ai/DeepSeek-V3", "deepseek-v3", TG),
    ("DeepSeek R1", "deepseek-ai/DeepSeek-R1", "deepseek-r1", TG),
    ("deepseek r1 distill qwen 1.5b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", R1D, TG),
    ("deepseek r1 distill qwen 7b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", R1D, TG),
    ("deepseek r1 distill qwen 14b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", R1D, TG),
    ("deepseek r1 distill qwen 32b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", R1D, TG),
    ("deepseek r1 distill llama 8b", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", R1D, TG),
    ("DeepSeek-R1-Distill-Llama-70B", "deepseek-ai/DeepSeek-R1-Distill-Llama-70B", R1D, TG),
    # Kimi K2
    ("kimi k2", "moonshotai/Kimi-K2-Instruct", "kimi-k2", TG),
    # CLIP and SigLIP
    ("clip", "openai/clip-vit-base-patch32", "clip", ZSIC),
    ("CLIP for product search", "openai/clip-vit-base-patch32", "clip", ZSIC),
    ("fine-tune CLIP on our catalogue photos", "openai/clip-vit-base-patch32", "clip", ZSIC),
    ("fine-tune clip for product search", "openai/clip-vit-base-patch32", "clip", ZSIC),
    ("openai/clip-vit-base-patch32", "openai/clip-vit-base-patch32", "clip", ZSIC),
    ("clip vit-l/14", "openai/clip-vit-large-patch14", "clip", ZSIC),
    ("clip-vit-large-patch14", "openai/clip-vit-large-patch14", "clip", ZSIC),
    ("siglip", "google/siglip-so400m-patch14-384", "siglip", ZSIC),
    ("google/siglip-so400m-patch14-384", "google/siglip-so400m-patch14-384", "siglip", ZSIC),
    # Whisper
    ("whisper large v3", "openai/whisper-large-v3", "whisper", ASR),
    ("whisper turbo", "openai/whisper-large-v3-turbo", "whisper", ASR),
    ("whisper medium", "openai/whisper-medium", "whisper", ASR),
    ("whisper small", "openai/whisper-small", "whisper", ASR),
    # SDXL and FLUX.1
    ("sdxl", "stabilityai/stable-diffusion-xl-base-1.0", "stable-diffusion-xl", T2I),
    ("flux dev", "black-forest-labs/FLUX.1-dev", "flux", T2I),
    ("flux schnell", "black-forest-labs/FLUX.1-schnell", "flux", T2I),
    # BGE and E5 embeddings
    ("bge large", "BAAI/bge-large-en-v1.5", "bge", EMBEDDING_TAGS),
    ("bge-large-en-v1.5", "BAAI/bge-large-en-v1.5", "bge", EMBEDDING_TAGS),
    ("bge m3", "BAAI/bge-m3", "bge", EMBEDDING_TAGS),
    ("e5 large", "intfloat/e5-large-v2", "e5", EMBEDDING_TAGS),
    ("multilingual e5 large", "intfloat/multilingual-e5-large", "e5", EMBEDDING_TAGS),
]

MOE = [
    "meta-llama/Llama-4-Scout-17B-16E-Instruct",
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
    "Qwen/Qwen3-30B-A3B",
    "Qwen/Qwen3-30B-A3B-Instruct-2507",
    "Qwen/Qwen3-235B-A22B",
    "Qwen/Qwen3-235B-A22B-Instruct-2507",
    "openai/gpt-oss-20b",
    "openai/gpt-oss-120b",
    "deepseek-ai/DeepSeek-V3",
    "deepseek-ai/DeepSeek-R1",
    "moonshotai/Kimi-K2-Instruct",
]


def test_the_catalog_loads_without_errors() -> None:
    assert _RESULT.errors == []
    assert all(row.source.startswith("stack8s-curated:") for row in _RESULT.rows)


@pytest.mark.parametrize(("text", "model_id", "family", "tags"), NAMES, ids=[n[0] for n in NAMES])
def test_common_names_resolve_to_the_family(text: str, model_id: str, family: str, tags: frozenset[str]) -> None:
    match = LEX.resolve(text)
    assert match is not None, text
    assert match.model_id == model_id
    row = ROWS[model_id]
    assert row.family == family and match.family == family
    assert row.pipeline_tag in tags and match.pipeline_tag == row.pipeline_tag
    if row.pipeline_tag in LLM_TAGS:
        assert row.num_layers and row.hidden_size and row.num_attention_heads and row.num_kv_heads, model_id
        assert row.head_dim and row.vocab_size and row.intermediate_size and row.max_context, model_id
        assert row.params_billion and row.torch_dtype, model_id


@pytest.mark.parametrize("model_id", MOE)
def test_moe_rows_say_how_many_experts_and_active_parameters(model_id: str) -> None:
    row = ROWS[model_id]
    assert row.num_experts and row.num_experts_per_tok and row.num_experts_per_tok < row.num_experts
    assert row.params_billion and row.active_params_billion
    assert row.active_params_billion < row.params_billion / 3


def test_dense_llms_of_the_families_have_no_expert_fields() -> None:
    dense = {m for _, m, _, tags in NAMES if tags & LLM_TAGS} - set(MOE)
    assert len(dense) > 30
    for model_id in dense:
        row = ROWS[model_id]
        assert row.num_experts is None and row.num_experts_per_tok is None and row.active_params_billion is None


def test_every_alias_names_one_row() -> None:
    seen: dict[str, str] = {}
    for row in _RESULT.rows:
        for alias in row.aliases:
            assert seen.setdefault(alias.lower(), row.model_id) == row.model_id, alias


@pytest.mark.parametrize(
    ("text", "model_id"),
    [
        ("Llama 4 Scout with 1M context", "meta-llama/Llama-4-Scout-17B-16E-Instruct"),
        ("Fine-tune CLIP for product search on 50k product photos", "openai/clip-vit-base-patch32"),
        ("deploy whisper turbo for call transcription", "openai/whisper-large-v3-turbo"),
        ("serve gpt-oss-120b on H100s", "openai/gpt-oss-120b"),
        ("bge m3 embeddings for RAG", "BAAI/bge-m3"),
    ],
)
def test_requests_naming_the_family_get_its_model(text: str, model_id: str) -> None:
    assert extract_spec([text], LEX).model_id == model_id


@pytest.mark.parametrize(
    "text",
    [
        "We need to clip videos into shorts",
        "cut a clip from the recording",
        "I want to clip the audio before transcription",
        "Serve Sam's chatbot",
    ],
)
def test_everyday_words_stay_words(text: str) -> None:
    match = LEX.resolve(text)
    assert match is None or match.family not in {"clip", "sam", "blip"}, match


def test_a_context_length_is_not_a_parameter_count() -> None:
    match = LEX.resolve("llama 3.1 70b with 1M-token context")
    assert match is not None and match.model_id == "meta-llama/Llama-3.1-70B-Instruct"
    match = LEX.resolve("qwen3 with a 1B token context")
    assert match is not None and match.family == "qwen3"


# --------------------------------------------------------------------------- spot check against shared HF data

# catalog id -> (MaxText model name, llmfit repo holding the same architecture)
SPOT = {
    "meta-llama/Llama-3.1-8B-Instruct": ("llama3.1-8b", "RedHatAI/Llama-3.1-8B-Instruct-NVFP4"),
    "meta-llama/Llama-3.1-70B-Instruct": ("llama3.1-70b", None),
    "meta-llama/Llama-3.1-405B-Instruct": ("llama3.1-405b", "nvidia/Llama-3.1-405B-Instruct-FP8"),
    "meta-llama/Llama-3.2-3B-Instruct": (None, "unsloth/Llama-3.2-3B-Instruct"),
    "meta-llama/Llama-3.3-70B-Instruct": ("llama3.3-70b", "unsloth/Llama-3.3-70B-Instruct-GGUF"),
    "meta-llama/Llama-4-Scout-17B-16E-Instruct": ("llama4-17b-16e", None),
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct": ("llama4-17b-128e", None),
    "Qwen/Qwen3-0.6B": ("qwen3-0.6b", "Qwen/Qwen3-0.6B"),
    "Qwen/Qwen3-8B": ("qwen3-8b", "Qwen/Qwen3-8B"),
    "Qwen/Qwen3-32B": ("qwen3-32b", "Qwen/Qwen3-32B-FP8"),
    "Qwen/Qwen3-30B-A3B": ("qwen3-30b-a3b", "Qwen/Qwen3-30B-A3B-Base"),
    "Qwen/Qwen3-30B-A3B-Instruct-2507": ("qwen3-30b-a3b", "Qwen/Qwen3-30B-A3B-Instruct-2507"),
    "Qwen/Qwen3-235B-A22B": ("qwen3-235b-a22b", "Qwen/Qwen3-235B-A22B"),
    "Qwen/Qwen3-235B-A22B-Instruct-2507": ("qwen3-235b-a22b", "Qwen/Qwen3-235B-A22B-Instruct-2507"),
    "Qwen/Qwen2.5-7B-Instruct": ("qwen2.5-7b", "Qwen/Qwen2.5-7B-Instruct"),
    "Qwen/Qwen2.5-14B-Instruct": ("qwen2.5-14b", "Qwen/Qwen2.5-14B-Instruct-AWQ"),
    "Qwen/Qwen2.5-Coder-14B-Instruct": (None, "Qwen/Qwen2.5-Coder-14B-Instruct"),
    "Qwen/Qwen2.5-Coder-32B-Instruct": (None, "Qwen/Qwen2.5-Coder-32B-Instruct"),
    "openai/gpt-oss-20b": ("gpt-oss-20b", "openai/gpt-oss-20b"),
    "openai/gpt-oss-120b": ("gpt-oss-120b", "openai/gpt-oss-120b"),
    "google/gemma-3-27b-it": ("gemma3-27b", "RedHatAI/gemma-3-27b-it-FP8-dynamic"),
    "google/gemma-3-1b-it": (None, "unsloth/gemma-3-1b-it"),
    "microsoft/Phi-4-mini-instruct": (None, "unsloth/Phi-4-mini-instruct-GGUF"),
    "mistralai/Mistral-Small-24B-Instruct-2501": (None, "stelterlab/Mistral-Small-24B-Instruct-2501-AWQ"),
    "mistralai/Mistral-Small-3.1-24B-Instruct-2503": (
        None,
        "ISTA-DASLab/Mistral-Small-3.1-24B-Instruct-2503-GPTQ-4b-128g",
    ),
    "mistralai/Mistral-Small-3.2-24B-Instruct-2506": (None, "unsloth/Mistral-Small-3.2-24B-Instruct-2506-bnb-4bit"),
    "deepseek-ai/DeepSeek-V3": ("deepseek3-671b", "deepseek-ai/DeepSeek-V3"),
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B": (None, "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B"),
    "deepseek-ai/DeepSeek-R1-Distill-Llama-8B": (None, "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"),
    "moonshotai/Kimi-K2-Instruct": ("kimi-k2-1t", "moonshotai/Kimi-K2-Instruct"),
}
# MaxText pads Gemma's vocabulary (262144); the Hub config of gemma-3-27b-it says 262208.
MAXTEXT_VOCAB_PADDING = {"google/gemma-3-27b-it"}
# llmfit derives head_dim as hidden / heads, which is not the MLA value head for DeepSeek and Kimi.
MLA = {"deepseek-ai/DeepSeek-V3", "moonshotai/Kimi-K2-Instruct"}


@cache
def _maxtext() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((HF / "maxtext_model_architectures.json").read_text())["models"]
    return data


@cache
def _llmfit() -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in json.loads((HF / "llmfit_hf_models.json").read_text())}


def _expected_maxtext(model_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    moe = entry.get("num_experts", 1) > 1
    expected = {
        "num_layers": entry["base_num_decoder_layers"],
        "hidden_size": entry["base_emb_dim"],
        "num_attention_heads": entry["base_num_query_heads"],
        "num_kv_heads": entry["base_num_kv_heads"],
        "vocab_size": entry["vocab_size"],
        "intermediate_size": entry["base_moe_mlp_dim"] if moe else entry["base_mlp_dim"],
        "num_experts": entry["num_experts"] if moe else None,
        "num_experts_per_tok": entry["num_experts_per_tok"] if moe else None,
    }
    if model_id in MAXTEXT_VOCAB_PADDING:
        del expected["vocab_size"]
    return expected


def _expected_llmfit(model_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    keys = {
        "num_layers": "num_hidden_layers",
        "hidden_size": "hidden_size",
        "num_attention_heads": "num_attention_heads",
        "num_kv_heads": "num_key_value_heads",
        "head_dim": "head_dim",
        "vocab_size": "vocab_size",
        "intermediate_size": "moe_intermediate_size",
        "num_experts": "num_experts",
        "num_experts_per_tok": "active_experts",
    }
    expected = {ours: entry.get(theirs) for ours, theirs in keys.items() if entry.get(theirs) is not None}
    if model_id in MLA:
        expected.pop("head_dim", None)
    return expected


@needs_shared()
@pytest.mark.parametrize("model_id", sorted(SPOT))
def test_architecture_agrees_with_the_shared_hf_data(model_id: str) -> None:
    maxtext_name, llmfit_name = SPOT[model_id]
    row = ROWS[model_id]
    checked = 0
    if maxtext_name:
        expected = _expected_maxtext(model_id, _maxtext()[maxtext_name])
        assert {key: getattr(row, key) for key in expected} == expected, maxtext_name
        checked += len(expected)
    if llmfit_name:
        expected = _expected_llmfit(model_id, _llmfit()[llmfit_name])
        assert {key: getattr(row, key) for key in expected} == expected, llmfit_name
        checked += len(expected)
    assert checked >= 6


@needs_shared()
@pytest.mark.parametrize(
    ("model_id", "tolerance"),
    [
        ("Qwen/Qwen2.5-Coder-14B-Instruct", 0.01),
        ("Qwen/Qwen3-30B-A3B-Instruct-2507", 0.01),
        ("Qwen/Qwen3-235B-A22B-Instruct-2507", 0.01),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", 0.01),
        ("meta-llama/Llama-3.1-8B-Instruct", 0.01),
        ("BAAI/bge-large-en-v1.5", 0.01),
        ("intfloat/multilingual-e5-large", 0.01),
    ],
)
def test_parameter_counts_agree_with_llmfit(model_id: str, tolerance: float) -> None:
    entry = _llmfit()[model_id]
    row: HFModelRow = ROWS[model_id]
    assert row.params_billion is not None
    published = entry["parameters_raw"] / 1e9
    assert abs(row.params_billion - published) <= tolerance * published, (row.params_billion, published)


@needs_shared()
def test_the_embedding_pipeline_tags_agree_with_llmfit() -> None:
    entry = _llmfit()["BAAI/bge-large-en-v1.5"]
    assert ROWS["BAAI/bge-large-en-v1.5"].pipeline_tag == entry["pipeline_tag"] == "feature-extraction"
