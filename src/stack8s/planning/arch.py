"""What sizing and performance need to know about a transformer, and what follows from it (depth, width,
KV heads, KV bytes per token), with documented estimates for fields a catalog row lacks. Pure."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stack8s.planning.precision import BYTES_PER_PARAM
from stack8s.planning.spec import Precision

DEFAULT_KV_HEADS = 8
DEFAULT_HEAD_DIM = 128
"""Unknown attention layout: GQA with 8 KV heads x head_dim 128, the layout of Llama-3.x 8B-405B,
Llama-2-70B, Mistral-7B, Mixtral and Qwen2.5-72B."""

LAYERS_PER_CUBE_ROOT_BILLION = 20.0
"""Unknown depth: layers ~ 20 x params_billion^(1/3), an upper envelope of published depths
(8B: 40 vs 32 real, 13B: 47 vs 40, 70B: 82 vs 80, 405B: 148 vs 126) so KV and activations err high.
Kept continuous (not rounded) so estimates grow smoothly with parameters. For MoE models the active
parameter count is used: an MoE is as deep and wide as a dense model of its active size."""

DENSE_PARAMS_PER_LAYER_HIDDEN_SQ = 12.0
"""Unknown width: params ~ 12 x layers x hidden^2 (Kaplan et al. 2020, 'Scaling Laws', §2.1), so
hidden = sqrt(params / (12 x layers)); gives 4,082 for 8B (real 4,096) and 8,390 for 70B (real 8,192)."""


@dataclass(frozen=True)
class ModelArch:
    """What sizing needs to know about a transformer; every field but params_billion may be unknown."""

    params_billion: float
    num_layers: int | None = None
    hidden_size: int | None = None
    num_attention_heads: int | None = None
    num_kv_heads: int | None = None
    head_dim: int | None = None
    max_context: int | None = None
    num_experts: int | None = None
    active_params_billion: float | None = None
    kv_bytes_per_token: float | None = None  # published fp16 bytes/token, for non-GQA caches (MLA)
    quantization: str | None = None  # informational (awq, gptq, fp8, ...); the precision argument decides
    vocab_size: int | None = None
    tie_word_embeddings: bool | None = None
    intermediate_size: int | None = None  # dense FFN width; per expert for MoE
    num_experts_per_tok: int | None = None
    sliding_window: int | None = None
    torch_dtype: str | None = None  # checkpoint dtype: bfloat16 | float16 | float32
    pipeline_tag: str | None = None  # image-text-to-text marks a multimodal model
    full_attention_layers: int | None = None  # layers caching every token; the rest are linear or sliding-window

    @classmethod
    def from_record(cls, record: object) -> ModelArch | None:
        """From any object with the same attribute names (e.g. a catalog HFModelRow); None without params."""
        params = getattr(record, "params_billion", None)
        if params is None:
            return None
        names = [f for f in cls.__dataclass_fields__ if f != "params_billion"]
        return cls(params_billion=params, **{n: getattr(record, n, None) for n in names})

    @classmethod
    def from_hf_config(cls, params_billion: float, config: Mapping[str, Any]) -> ModelArch:
        """From a Hugging Face config.json (text_config of multimodal models takes precedence)."""
        c = {**config, **(config.get("text_config") or {})}
        experts = c.get("num_local_experts") or c.get("num_experts") or c.get("n_routed_experts")
        return cls(
            params_billion=params_billion,
            num_layers=c.get("num_hidden_layers"),
            hidden_size=c.get("hidden_size"),
            num_attention_heads=c.get("num_attention_heads"),
            num_kv_heads=c.get("num_key_value_heads"),
            head_dim=c.get("head_dim"),
            max_context=c.get("max_position_embeddings"),
            num_experts=experts,
            quantization=(c.get("quantization_config") or {}).get("quant_method"),
            vocab_size=c.get("vocab_size"),
            tie_word_embeddings=c.get("tie_word_embeddings"),
            intermediate_size=c.get("moe_intermediate_size") or c.get("intermediate_size"),
            num_experts_per_tok=c.get("num_experts_per_tok") or c.get("num_experts_per_token"),
            sliding_window=c.get("sliding_window"),
            torch_dtype=c.get("torch_dtype") or c.get("dtype"),
        )


def estimated_layers(arch: ModelArch) -> float:
    """Depth from parameters (see LAYERS_PER_CUBE_ROOT_BILLION); uses active params for MoE."""
    basis = arch.active_params_billion or arch.params_billion
    return LAYERS_PER_CUBE_ROOT_BILLION * math.cbrt(max(basis, 0.0))


def layers_of(arch: ModelArch) -> float:
    """Depth: known, or estimated from parameters (see LAYERS_PER_CUBE_ROOT_BILLION)."""
    return float(arch.num_layers) if arch.num_layers is not None else estimated_layers(arch)


def kv_layers_of(arch: ModelArch) -> float:
    """Layers whose KV cache grows with the context: the full-attention layers when the others use linear
    attention (a fixed-size state) or a sliding window (at most the window's tokens, left out here), else
    every layer."""
    return float(arch.full_attention_layers) if arch.full_attention_layers else layers_of(arch)


def hidden_of(arch: ModelArch) -> float:
    """Hidden size, or sqrt(params / (12 x layers)) when unknown (see DENSE_PARAMS_PER_LAYER_HIDDEN_SQ)."""
    if arch.hidden_size is not None:
        return float(arch.hidden_size)
    layers = layers_of(arch)
    basis = arch.active_params_billion or arch.params_billion
    return math.sqrt(max(basis, 0.0) * 1e9 / (DENSE_PARAMS_PER_LAYER_HIDDEN_SQ * layers)) if layers else 0.0


def kv_dim_of(arch: ModelArch) -> float:
    """kv_heads x head_dim. kv_heads defaults to attention heads (no GQA), head_dim to hidden / heads;
    with neither known: hidden (no GQA) if the hidden size is known, else 8 x 128."""
    head_dim = arch.head_dim
    if head_dim is None and arch.hidden_size and arch.num_attention_heads:
        head_dim = arch.hidden_size // arch.num_attention_heads
    kv_heads = arch.num_kv_heads or arch.num_attention_heads
    if kv_heads is None and head_dim is None and arch.hidden_size:
        return float(arch.hidden_size)
    return float((kv_heads or DEFAULT_KV_HEADS) * (head_dim or DEFAULT_HEAD_DIM))


def kv_bytes_per_token(arch: ModelArch, kv_precision: Precision | str = Precision.fp16) -> float:
    """K and V of every full-attention layer: 2 x layers x kv_heads x head_dim x bytes per value (GQA-aware).

    Unknown fields are estimated (see DEFAULT_KV_HEADS, LAYERS_PER_CUBE_ROOT_BILLION). A model whose
    cache has another shape (multi-head latent attention) carries its fp16 figure in kv_bytes_per_token,
    scaled here to the KV precision."""
    bytes_per_value = BYTES_PER_PARAM[Precision(kv_precision)]
    if arch.kv_bytes_per_token:
        return arch.kv_bytes_per_token * bytes_per_value / BYTES_PER_PARAM[Precision.fp16]
    return 2 * kv_layers_of(arch) * kv_dim_of(arch) * bytes_per_value


def kv_heads_of(arch: ModelArch) -> int:
    """KV heads: known, else attention heads (no GQA), else DEFAULT_KV_HEADS."""
    return arch.num_kv_heads or arch.num_attention_heads or DEFAULT_KV_HEADS


def arch_is_estimated(arch: ModelArch) -> bool:
    """True when depth or the attention-head layout had to be estimated."""
    return arch.num_layers is None or (arch.num_kv_heads is None and arch.num_attention_heads is None)
