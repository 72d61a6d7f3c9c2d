"""Every model aiconfigurator-core ships a config.json for is in the shipped catalog (issue 18, item 3): its base
name, and the names of its variants (-FP8, -NVFP4, -BF16, org prefixes), resolve to one catalog row whose layers,
hidden size, experts, MLA cache and full-attention layers are the config's, and whose parameter counts agree with
a count computed from the config's shapes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stack8s.agents.requirements.model_names import ModelLexicon
from stack8s.agents.requirements.rules import clarifying_questions, extract_spec
from stack8s.catalogs.importers.hf_config import (
    count_params,
    experts_of,
    full_attention_layers,
    mla_kv_bytes_per_token,
    text_config,
)
from stack8s.catalogs.rows import HFModelRow
from stack8s.catalogs.shipped import default_paths, load_models

try:
    import aiconfigurator_core

    CONFIGS = Path(aiconfigurator_core.__file__).parent / "model_configs"
except ImportError:  # pragma: no cover - the dev install has it
    CONFIGS = None

needs_aiconfigurator = pytest.mark.skipif(CONFIGS is None, reason="aiconfigurator_core is not importable")
FILES = (
    sorted(p for p in CONFIGS.glob("*_config.json") if not p.name.endswith("_hf_quant_config.json")) if CONFIGS else []
)
_VARIANT = re.compile(r"-(?:FP8(?:-Static-PerTensor)?|NVFP4|BF16)$")
_RESULT, _ = load_models(default_paths()["models"])
ROWS = {row.model_id: row for row in _RESULT.rows}
LEX = ModelLexicon.from_rows(_RESULT.rows)
TOLERANCE = 0.10


def _config(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def base_name(path: Path) -> str:
    """`nvidia--GLM-5-NVFP4_config.json` -> `GLM-5`: the base model the config is (a variant of)."""
    return _VARIANT.sub("", path.name.removesuffix("_config.json").split("--", 1)[1])


def resolved(path: Path) -> HFModelRow:
    match = LEX.resolve(base_name(path))
    assert match is not None, f"{base_name(path)} does not resolve to a catalog row"
    return ROWS[match.model_id]


def test_the_package_ships_the_configs_this_test_reads() -> None:
    if CONFIGS is None:
        pytest.skip("aiconfigurator_core is not importable")
    assert len(FILES) >= 80


@needs_aiconfigurator
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name.removesuffix("_config.json"))
def test_each_config_resolves_to_a_row_of_its_architecture(path: Path) -> None:
    config, row = _config(path), resolved(path)
    c = text_config(config)
    assert row.hidden_size == c["hidden_size"], row.model_id
    assert row.num_layers == (c.get("num_hidden_layers") or row.num_layers), row.model_id
    assert (row.num_experts or 0) == experts_of(c), row.model_id
    assert row.kv_bytes_per_token == mla_kv_bytes_per_token(config), row.model_id
    assert row.full_attention_layers == full_attention_layers(config), row.model_id


def _counted_active_range(config: dict[str, Any]) -> tuple[float, float]:
    """Active parameters without and with the input embeddings and the vision tower (cards use both)."""
    counted = count_params(config)
    assert counted.active_billion is not None
    c = text_config(config)
    text_only = count_params({k: v for k, v in config.items() if k != "vision_config"})
    vision = counted.total_billion - text_only.total_billion
    embeddings = c["hidden_size"] * c["vocab_size"] / 1e9
    return counted.active_billion - embeddings - vision, counted.active_billion


@needs_aiconfigurator
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name.removesuffix("_config.json"))
def test_parameter_counts_agree_with_the_shapes(path: Path) -> None:
    config, row = _config(path), resolved(path)
    counted = count_params(config)
    assert row.params_billion is not None
    assert abs(row.params_billion - counted.total_billion) <= TOLERANCE * counted.total_billion, row.model_id
    if row.num_experts:
        low, high = _counted_active_range(config)
        assert row.active_params_billion is not None, row.model_id
        assert low * (1 - TOLERANCE) <= row.active_params_billion <= high * (1 + TOLERANCE), row.model_id


@pytest.mark.parametrize(
    ("text", "model_id", "quantization"),
    [
        ("zai-org/GLM-5-FP8", "zai-org/GLM-5", "fp8"),
        ("GLM-5 in FP8", "zai-org/GLM-5", "fp8"),
        ("nvidia/GLM-5.1-NVFP4", "zai-org/GLM-5.1", "nvfp4"),
        ("nvidia/Qwen3.5-397B-A17B-NVFP4", "Qwen/Qwen3.5-397B-A17B", "nvfp4"),
        ("Qwen3.5 397B with NVFP4", "Qwen/Qwen3.5-397B-A17B", "nvfp4"),
        ("Qwen3.5 397B in FP4", "Qwen/Qwen3.5-397B-A17B", "nvfp4"),
        ("RedHatAI/Qwen3.5-122B-A10B-FP8", "Qwen/Qwen3.5-122B-A10B", "fp8"),
        ("Qwen/Qwen3.5-35B-A3B-AWQ", "Qwen/Qwen3.5-35B-A3B", "awq"),
        ("Qwen3.5-27B-GPTQ-Int4", "Qwen/Qwen3.5-27B", "gptq"),
        ("MiniMax-M2.5 MXFP4", "MiniMaxAI/MiniMax-M2.5", "mxfp4"),
        ("MiniMax M2.5", "MiniMaxAI/MiniMax-M2.5", "fp8"),
        ("nvidia/MiniMax-M2.5-NVFP4", "MiniMaxAI/MiniMax-M2.5", "nvfp4"),
        ("Kimi K2.5", "moonshotai/Kimi-K2.5", "int4"),
        ("nvidia/Kimi-K2.5-NVFP4", "moonshotai/Kimi-K2.5", "nvfp4"),
        ("kimi k2", "moonshotai/Kimi-K2-Instruct", "fp8"),
        ("DeepSeek V3.2", "deepseek-ai/DeepSeek-V3.2", "fp8"),
        ("nvidia/DeepSeek-V3.2-NVFP4", "deepseek-ai/DeepSeek-V3.2", "nvfp4"),
        ("sgl-project/DeepSeek-V4-Flash-FP8", "deepseek-ai/DeepSeek-V4-Flash", "fp8"),
        ("NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B", None),
        ("Nemotron 3 Super", "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B", None),
        ("gemma 4 31b", "google/gemma-4-31B-it", None),
        ("step 3.7 flash", "stepfun-ai/Step-3.7-Flash", None),
        ("Qwen3 32B", "Qwen/Qwen3-32B", None),
        ("qwen3 30b a3b", "Qwen/Qwen3-30B-A3B", None),
    ],
)
def test_variants_resolve_to_the_base_with_their_weight_format(
    text: str, model_id: str, quantization: str | None
) -> None:
    match = LEX.resolve(text)
    assert match is not None and match.model_id == model_id
    assert match.quantization == quantization


@pytest.mark.parametrize(
    ("text", "named", "closest"),
    [
        ("serve GLM-7 for our agents", "glm 7", "zai-org/GLM-5.3"),
        ("Qwen 9 32B on H100", "qwen 9 32b", "Qwen/Qwen3.6-35B-A3B"),
        ("deploy acme-labs/Zeta-2-13B", "acme-labs/Zeta-2-13B", None),
        # "V2" is a version: DeepSeek V2 Lite is not DeepSeek V3 (it was sized as the 671B model)
        ("deepseek-ai/DeepSeek-V2-Lite-Chat", "deepseek 2", "deepseek-ai/DeepSeek-V3"),
        ("Serve Zorblax-9000 for our chatbot", "Zorblax-9000", None),
    ],
)
def test_an_unknown_model_is_named_with_its_closest_family_member(text: str, named: str, closest: str | None) -> None:
    assert LEX.resolve(text) is None
    unknown = LEX.unknown(text)
    assert unknown is not None and unknown.named == named
    assert (unknown.closest.model_id if unknown.closest else None) == closest


@pytest.mark.parametrize(
    ("text", "model_id", "precision"),
    [
        ("GLM-5 in FP8 on 8 H200s, 16 concurrent users", "zai-org/GLM-5", "fp8"),
        ("Qwen3.5 397B with NVFP4 on B200", "Qwen/Qwen3.5-397B-A17B", "nvfp4"),
        ("serve Qwen3.5-397B-A17B in fp4", "Qwen/Qwen3.5-397B-A17B", "nvfp4"),
        ("MiniMax M2.5 in MXFP4 on H100", "MiniMaxAI/MiniMax-M2.5", "mxfp4"),
        ("serve Kimi K2.5 on B200s", "moonshotai/Kimi-K2.5", None),  # the checkpoint's own INT4
    ],
)
def test_the_request_carries_the_variant_weight_format(text: str, model_id: str, precision: str | None) -> None:
    spec = extract_spec([text], LEX)
    assert (spec.model_id, spec.precision, spec.unknown_model) == (model_id, precision, None)
    assert spec.params_billion == ROWS[model_id].params_billion


def test_an_unknown_hub_id_is_asked_about_not_sized_as_7b() -> None:
    spec = extract_spec(["deploy acme-labs/Zeta-Chat-v2 for our support bot"], LEX)
    assert (spec.model_id, spec.params_billion, spec.unknown_model) == (None, None, "acme-labs/Zeta-Chat-v2")
    questions = clarifying_questions(spec)
    assert "acme-labs/Zeta-Chat-v2" in questions[0] and "config.json" in questions[0]
    later = extract_spec(["deploy acme-labs/Zeta-Chat-v2 for our support bot", "actually, Llama 3.1 8B"], LEX)
    assert (later.model_id, later.unknown_model) == ("meta-llama/Llama-3.1-8B-Instruct", None)


@pytest.mark.parametrize(
    "text",
    [
        "set up prometheus-community/kube-prometheus-stack and MLflow",
        "compare A100/H100 prices for training",
        "docs at https://huggingface.co/acme/Zeta-2-13B",
    ],
)
def test_charts_gpus_and_links_are_no_unknown_models(text: str) -> None:
    assert LEX.unknown(text) is None
