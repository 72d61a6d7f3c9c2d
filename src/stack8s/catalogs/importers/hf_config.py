"""One model's Hugging Face ``config.json`` -> an `HFModelRow`: the architecture fields, the parameter count
computed from the shapes, the layers that keep a full-length KV cache, and the MLA cache size.

The count (`count_params`) sums the weight matrices a config describes; norms, biases and rotary tables
are left out (well under 1 %). What it knows how to count:

* attention: GQA/MHA (q, k, v, o), multi-head latent attention (DeepSeek/Kimi/GLM-5: ``kv_lora_rank``,
  ``q_lora_rank``, ``qk_nope_head_dim``, ``qk_rope_head_dim``, ``v_head_dim``), gated linear attention
  (Qwen3.5 ``linear_*`` heads), Mamba-2 mixers (Nemotron-H ``mamba_*``), per-layer blocks (``block_configs``
  of DeciLM/Nemotron-NAS, where a layer may drop its attention);
* feed-forward: gated (3 matrices) or ``relu2`` (2 matrices) dense layers; MoE layers with routed experts
  (``n_routed_experts`` / ``num_experts`` / ``num_local_experts``, per-expert ``moe_intermediate_size``),
  shared experts, a latent projection (``moe_latent_size``) and the router; which layers are MoE from
  ``first_k_dense_replace``, ``moe_layer_freq``, ``mlp_only_layers`` or the hybrid pattern; Gemma 4 runs a
  dense MLP beside its experts (``enable_moe_block``);
* the vision tower of multimodal configs (``vision_config``: depth x (4 h^2 + 2 h ffn)).

Active parameters (MoE) count only the experts a token is routed to (``num_experts_per_tok``).
Layers that cache per token (``full_attention_layers``): ``layer_types`` without ``linear_attention``,
Nemotron-H patterns (``*``), Kimi linear ``full_attn_layers``; sliding-window layers count (vLLM reserves
their share of the cache per token); None when every layer caches.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from stack8s.catalogs.importers.base import ImportResult, RowError, RowProblem
from stack8s.catalogs.importers.huggingface import torch_dtype_of
from stack8s.catalogs.rows import HFModelRow

Config = Mapping[str, Any]
MLA_BYTES_PER_VALUE = 2  # kv_bytes_per_token is the fp16/bf16 figure (HFModelRow.kv_bytes_per_token)
_FULL = "full_attention"


@dataclass(frozen=True, slots=True)
class ParamCount:
    total_billion: float
    active_billion: float | None  # MoE only


def text_config(config: Config) -> dict[str, Any]:
    """The language model's settings: ``text_config`` of a multimodal config over its top level."""
    inner = config.get("text_config")
    return {**config, **inner} if isinstance(inner, Mapping) else dict(config)


def _int(c: Config, *keys: str, default: int = 0) -> int:
    for key in keys:
        value = c.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float) and value:
            return int(value)
    return default


def experts_of(c: Config) -> int:
    return _int(c, "n_routed_experts", "num_local_experts", "num_experts")


def experts_per_token(c: Config) -> int:
    return _int(c, "num_experts_per_tok", "num_experts_per_token", "top_k_experts", "moe_topk")


def head_dim_of(c: Config) -> int:
    heads = _int(c, "num_attention_heads")
    return _int(c, "head_dim", "attention_head_dim") or (_int(c, "hidden_size") // heads if heads else 0)


def layer_kinds(c: Config) -> list[str]:
    """One letter per layer: A attention, L linear attention, M Mamba, with E (MoE) or D (dense) after it
    for the feed-forward; a hybrid pattern may give a layer only one of the two."""
    pattern = c.get("hybrid_override_pattern")
    blocks = c.get("layers_block_type")
    if isinstance(blocks, list):
        letters = {"mamba": "M", "moe": "E", "attention": "*", "mlp": "-"}
        pattern = "".join(letters.get(str(b), "-") for b in blocks)
    if isinstance(pattern, str) and pattern:
        return [{"M": "M", "*": "A", "E": "E", "-": "D"}[ch] for ch in pattern if ch in "M*E-"]
    layers = _int(c, "num_hidden_layers")
    types = c.get("layer_types")
    attention = [
        "L" if isinstance(types, list) and i < len(types) and types[i] == "linear_attention" else "A"
        for i in range(layers)
    ]
    return [a + ("E" if _is_moe_layer(c, i) else "D") for i, a in enumerate(attention)]


def _is_moe_layer(c: Config, index: int) -> bool:
    if not experts_of(c):
        return False
    if index < _int(c, "first_k_dense_replace"):
        return False
    freq = c.get("moe_layer_freq")
    if isinstance(freq, list):
        return index < len(freq) and bool(freq[index])
    dense_only = c.get("mlp_only_layers")
    if isinstance(dense_only, list) and index in dense_only:
        return False
    return (index + 1) % _int(c, "interleave_moe_layer_step", "decoder_sparse_step", default=1) == 0


def _gqa_attention(c: Config, kv_heads: int | None = None) -> int:
    hidden, heads, head = _int(c, "hidden_size"), _int(c, "num_attention_heads"), head_dim_of(c)
    kv = kv_heads if kv_heads is not None else _int(c, "num_key_value_heads", default=heads)
    return 2 * hidden * heads * head + 2 * hidden * kv * head


def _mla_attention(c: Config) -> int:
    hidden, heads = _int(c, "hidden_size"), _int(c, "num_attention_heads")
    rope, latent, q_rank = _int(c, "qk_rope_head_dim"), _int(c, "kv_lora_rank"), _int(c, "q_lora_rank")
    nope, v_head = _int(c, "qk_nope_head_dim", default=128), _int(c, "v_head_dim", default=128)
    q_out = heads * (nope + rope)
    q = hidden * q_rank + q_rank * q_out if q_rank else hidden * q_out
    kv = hidden * (latent + rope) + latent * heads * (nope + v_head)
    return q + kv + heads * v_head * hidden


def _low_rank_attention(c: Config) -> int:
    """DeepSeek-V4: low-rank queries, one shared KV head, grouped low-rank output."""
    hidden, heads, head = _int(c, "hidden_size"), _int(c, "num_attention_heads"), head_dim_of(c)
    q_rank, o_rank, groups = _int(c, "q_lora_rank"), _int(c, "o_lora_rank"), _int(c, "o_groups", default=1)
    q = hidden * q_rank + q_rank * heads * head
    kv = hidden * _int(c, "num_key_value_heads", default=1) * head
    return q + kv + heads * head * o_rank + groups * o_rank * hidden


def _linear_attention(c: Config) -> int:
    """Qwen3.5 gated delta-net: q, k (key heads), v, z (value heads), the b/a gates, and the output."""
    hidden = _int(c, "hidden_size")
    keys = _int(c, "linear_num_key_heads") * _int(c, "linear_key_head_dim")
    values = _int(c, "linear_num_value_heads") * _int(c, "linear_value_head_dim")
    return hidden * (2 * keys + 2 * values + 2 * _int(c, "linear_num_value_heads")) + values * hidden


def _mamba(c: Config) -> int:
    hidden = _int(c, "hidden_size")
    inner = _int(c, "mamba_num_heads") * _int(c, "mamba_head_dim") or _int(c, "expand", default=2) * hidden
    groups_state = _int(c, "n_groups", default=1) * _int(c, "ssm_state_size")
    return hidden * (2 * inner + 2 * groups_state + _int(c, "mamba_num_heads")) + inner * hidden


def _attention(c: Config) -> int:
    if c.get("kv_lora_rank"):
        return _mla_attention(c)
    if c.get("o_lora_rank"):
        return _low_rank_attention(c)
    return _gqa_attention(c)


def _matrices(c: Config) -> int:
    return 2 if str(c.get("mlp_hidden_act") or "") == "relu2" else 3


def _dense_ffn(c: Config, width: int | None = None) -> int:
    inner = (
        width if width is not None else _int(c, "dense_intermediate_size", "intermediate_size_mlp", "intermediate_size")
    )
    return _matrices(c) * _int(c, "hidden_size") * inner


def _shared_width(c: Config) -> int:
    explicit = _int(c, "moe_shared_expert_intermediate_size", "shared_expert_intermediate_size")
    explicit = explicit or _int(c, "shared_intermediate_size", "share_expert_dim")
    if c.get("model_type") == "llama4_text":  # one shared expert as wide as a routed one
        return _int(c, "intermediate_size")
    return explicit or _int(c, "n_shared_experts", "num_shared_experts") * _int(c, "moe_intermediate_size")


def _moe_ffn(c: Config) -> tuple[int, int]:
    """(all parameters, active parameters) of one MoE layer."""
    hidden, experts, top_k = _int(c, "hidden_size"), experts_of(c), experts_per_token(c)
    width = _int(c, "moe_intermediate_size", "intermediate_size")
    latent = _int(c, "moe_latent_size", "routed_expert_hidden_size")
    expert = _matrices(c) * (latent or hidden) * width
    fixed = experts * hidden + _matrices(c) * hidden * _shared_width(c) + (2 * hidden * latent if latent else 0)
    if c.get("enable_moe_block"):
        fixed += _dense_ffn(c)
    return fixed + experts * expert, fixed + top_k * expert


def _decilm_layers(c: Config) -> tuple[int, int]:
    """(parameters, attention layers) of DeciLM / Nemotron-NAS per-layer blocks."""
    hidden, heads, total, attending = _int(c, "hidden_size"), _int(c, "num_attention_heads"), 0, 0
    for block in c.get("block_configs") or []:
        attention, ffn = block.get("attention") or {}, block.get("ffn") or {}
        if attention.get("replace_with_linear"):
            total += hidden * hidden
        elif not attention.get("no_op"):
            total += _gqa_attention(c, heads // int(attention.get("n_heads_in_group") or 1))
            attending += 1
        if ffn.get("replace_with_linear"):
            total += hidden * hidden
        elif not ffn.get("no_op"):
            total += _dense_ffn(c, _decilm_width(hidden, ffn))
    return total, attending


def _decilm_width(hidden: int, ffn: Mapping[str, Any]) -> int:
    """DeciLM's FFN width from its multiplier: 2/3 x mult x hidden, rounded up to a multiple of 256."""
    return 256 * math.ceil(int(2 * float(ffn.get("ffn_mult") or 0) * hidden / 3) / 256)


def _intermediate(c: Config) -> int | None:
    """The FFN width (per expert for MoE); for per-layer blocks the most common width."""
    blocks = c.get("block_configs")
    if isinstance(blocks, list):
        widths = [_decilm_width(_int(c, "hidden_size"), b["ffn"]) for b in blocks if not b.get("ffn", {}).get("no_op")]
        return max(sorted(set(widths)), key=widths.count) if widths else None
    return _int(c, "moe_intermediate_size", "intermediate_size") or None


def _vision(config: Config) -> int:
    v = config.get("vision_config")
    if not isinstance(v, Mapping):
        return 0
    depth = _int(v, "depth", "num_hidden_layers", "vt_num_hidden_layers")
    width = _int(v, "hidden_size", "vt_hidden_size", "embed_dim")
    ffn = _int(v, "intermediate_size", "vt_intermediate_size", default=4 * width)
    return depth * (4 * width * width + 2 * width * ffn)


def _embeddings(c: Config) -> int:
    hidden, vocab = _int(c, "hidden_size"), _int(c, "vocab_size", "padded_vocab_size")
    return hidden * vocab * (1 if c.get("tie_word_embeddings") else 2)


def count_params(config: Config) -> ParamCount:
    """Total (and, for MoE, active) parameters in billions, from the config's shapes (see module docstring)."""
    c = text_config(config)
    total = active = _embeddings(c) + _vision(config)
    if c.get("block_configs"):
        body, _ = _decilm_layers(c)
        return ParamCount(round((total + body) / 1e9, 2), None)
    mixers = {"A": _attention(c), "L": _linear_attention(c), "M": _mamba(c)}
    moe_all, moe_active = _moe_ffn(c) if experts_of(c) else (0, 0)
    for kind in layer_kinds(c):
        for letter in kind:
            if letter in mixers:
                total, active = total + mixers[letter], active + mixers[letter]
            elif letter == "E":
                total, active = total + moe_all, active + moe_active
            else:
                total, active = total + _dense_ffn(c), active + _dense_ffn(c)
    moe = bool(experts_of(c))
    return ParamCount(round(total / 1e9, 2), round(active / 1e9, 2) if moe else None)


_LINEAR = "linear_attention"


def _per_layer_count(c: Config) -> int | None:
    """Layers that cache per token, from ``layer_types``: every attention layer but linear attention.
    Sliding-window layers count: vLLM's hybrid allocator gives every group of KV-cache layers the same
    number of blocks, so its token capacity is that of a cache in every attention layer (gpt-oss-20b, half
    its layers windowed: 2.59M tokens logged on an H100, as for all 24 layers). MiMo's
    ``hybrid_layer_pattern`` and DeepSeek-V4's ``compress_ratios`` mark windowed layers: all count."""
    types = c.get("layer_types")
    if isinstance(types, list) and _LINEAR in types:
        return sum(1 for t in types if t != _LINEAR)
    return None


def full_attention_layers(config: Config) -> int | None:
    """Layers that keep a KV cache for every token of the context; None when that is every layer."""
    c = text_config(config)
    linear = c.get("linear_attn_config")
    if c.get("hybrid_override_pattern") or c.get("layers_block_type"):
        found: int | None = sum(1 for kind in layer_kinds(c) if "A" in kind)
    elif isinstance(linear, Mapping) and isinstance(linear.get("full_attn_layers"), list):
        found = len(linear["full_attn_layers"])
    elif c.get("block_configs"):
        found = _decilm_layers(c)[1]
    else:
        found = _per_layer_count(c)
    return found if found is not None and found != _int(c, "num_hidden_layers") else None


def mla_kv_bytes_per_token(config: Config) -> int | None:
    """fp16 bytes of a multi-head-latent-attention cache per token: 2 B x full-attention layers x
    (kv_lora_rank + qk_rope_head_dim); None without ``kv_lora_rank``."""
    c = text_config(config)
    latent = _int(c, "kv_lora_rank")
    if not latent:
        return None
    layers = full_attention_layers(config) or _int(c, "num_hidden_layers")
    return MLA_BYTES_PER_VALUE * layers * (latent + _int(c, "qk_rope_head_dim"))


def _kv_heads(c: Config) -> int | None:
    blocks = c.get("block_configs")
    if isinstance(blocks, list):
        groups = [b.get("attention", {}).get("n_heads_in_group") for b in blocks]
        groups = [int(g) for g in groups if g]
        return _int(c, "num_attention_heads") // max(set(groups), key=groups.count) if groups else None
    return _int(c, "num_key_value_heads") or None


def _sliding_window(c: Config) -> int | None:
    window = _int(c, "sliding_window", "sliding_window_size")
    context = _int(c, "max_position_embeddings")
    if not window or c.get("use_sliding_window") is False or (context and window >= context):
        return None
    return window


def row_from_config(
    model_id: str,
    config: Config,
    *,
    params_billion: float | None = None,
    source: str = "",
    as_of: date | None = None,
) -> HFModelRow:
    """An HFModelRow of the config's architecture; params from `params_billion`, else counted from the shapes."""
    c = text_config(config)
    if not _int(c, "hidden_size"):
        raise RowProblem("config.json has no hidden_size: not a transformer language-model config")
    counted = count_params(config)
    moe = bool(experts_of(c))
    return HFModelRow(
        model_id=model_id,
        pipeline_tag="image-text-to-text" if isinstance(config.get("vision_config"), Mapping) else "text-generation",
        library="transformers",
        license=None,
        downloads=0,
        likes=0,
        params_billion=params_billion if params_billion is not None else counted.total_billion,
        num_layers=_int(c, "num_hidden_layers") or len(layer_kinds(c)) or None,
        hidden_size=_int(c, "hidden_size"),
        num_attention_heads=_int(c, "num_attention_heads") or None,
        num_kv_heads=_kv_heads(c),
        head_dim=head_dim_of(c) or None,
        max_context=_int(c, "max_position_embeddings") or None,
        num_experts=experts_of(c) or None,
        active_params_billion=counted.active_billion if moe else None,
        kv_bytes_per_token=mla_kv_bytes_per_token(config),
        vocab_size=_int(c, "vocab_size", "padded_vocab_size") or None,
        tie_word_embeddings=c.get("tie_word_embeddings") if isinstance(c.get("tie_word_embeddings"), bool) else None,
        intermediate_size=_intermediate(c),
        num_experts_per_tok=experts_per_token(c) or None if moe else None,
        sliding_window=_sliding_window(c),
        torch_dtype=torch_dtype_of(c.get("torch_dtype") or c.get("dtype")),
        quantization=quantization_of_config(config),
        family=None,  # the name's own words; model_type ("llama", "deepseek_v3") is a code path, not a family
        source=source,
        as_of=as_of,
        full_attention_layers=full_attention_layers(config),
    )


def quantization_of_config(config: Config) -> str | None:
    """fp8 | nvfp4 | mxfp4 | int4 | awq | gptq from ``quantization_config``; None for 16-bit checkpoints."""
    q = text_config(config).get("quantization_config")
    if not isinstance(q, Mapping):
        return None
    method = str(q.get("quant_method") or q.get("quant_algo") or "").lower()
    if method in ("fp8", "awq", "gptq", "mxfp4"):
        return method
    text = json.dumps(q).lower()
    if "nvfp4" in text or ('"group_size": 16' in text and '"type": "float"' in text and '"num_bits": 4' in text):
        return "nvfp4"
    if "mxfp4" in text:
        return "mxfp4"
    if '"num_bits": 4' in text:
        return "int4"
    if '"num_bits": 8' in text and '"type": "float"' in text:
        return "fp8"
    return None


def _read_config(path: Path) -> dict[str, Any]:
    file = path / "config.json" if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RowProblem(f"no config.json in {path}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise RowProblem(f"{file.name} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RowProblem(f"{file.name} is not a JSON object")
    return data


def parse_hf_config(
    path: Path, model_id: str, params_billion: float | None = None, as_of: date | None = None
) -> ImportResult[HFModelRow]:
    """One model from its config.json (a file, or a folder holding config.json)."""
    path = Path(path)
    result: ImportResult[HFModelRow] = ImportResult()
    try:
        config = _read_config(path)
        stamp = as_of or date.fromtimestamp((path / "config.json" if path.is_dir() else path).stat().st_mtime)
        source = f"hf-config:{model_id.strip()}"
        result.rows.append(
            row_from_config(model_id.strip(), config, params_billion=params_billion, source=source, as_of=stamp)
        )
    except RowProblem as problem:
        result.errors.append(RowError(path.name, 0, str(problem)))
    return result
