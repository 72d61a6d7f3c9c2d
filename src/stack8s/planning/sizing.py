"""GPU memory sizing for AI workloads: LLM inference, LLM training/fine-tuning, other models, CPU-only.

Pure: no I/O, no clock, no randomness. Units: GB = 1e9 bytes; parameters are given in billions, so
``params_billion x bytes_per_param`` is already GB.

Rounding: every raw value is computed in full precision and each reported component is rounded once,
to 2 decimals, at the end. ``required_vram_gb`` is the sum of the rounded components, so the numbers a
reader sees add up; rounding is monotone, so more parameters / context / users never report less memory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from stack8s.planning.plan import Sizing
from stack8s.planning.spec import Domain, Precision, TaskType

# --- bytes per parameter ---------------------------------------------------------------------------

BYTES_PER_PARAM: dict[Precision, float] = {
    Precision.fp32: 4.0,
    Precision.fp16: 2.0,
    Precision.bf16: 2.0,
    Precision.fp8: 1.0,
    Precision.int8: 1.0,
    Precision.int4: 0.5,
}
"""Nominal storage size of one value. Used as is for KV-cache values and activations."""

INT4_QUANT_ALLOWANCE_BYTES = 0.0625
"""Decision: int4 *weights* are counted at 0.5 + 0.0625 = 0.5625 B/param (4.5 effective bits), inside
weights_gb. AWQ/GPTQ store a 16-bit scale and a packed zero point per group of 128 weights (~0.16 bit
per weight) and leave embeddings and lm_head in 16-bit (Llama-3.1-70B: 2.1B of 70.6B params), which puts
a 70B AWQ checkpoint near 40 GB; llama.cpp's Q4_K_S / Q4_1 are 4.5 bits/weight for the same reasons.
QLoRA's NF4 with double quantisation is 4.127 bits plus 16-bit embeddings (Dettmers et al. 2023, §3)."""

# --- LLM inference ---------------------------------------------------------------------------------

GPU_MEMORY_UTILISATION = 0.9
"""Usable fraction of each GPU: vLLM's ``gpu_memory_utilization`` default (0.9); the other 10% is left
for non-torch allocations and fragmentation. Applied when choosing GPU counts, not inside required_vram_gb."""

INFERENCE_OVERHEAD_FRACTION = 0.10
INFERENCE_OVERHEAD_MIN_GB = 1.0
"""overhead_gb = max(1 GB, 10% of weights): activations of the prefill batch (vLLM profiles a forward
pass of max_num_batched_tokens), CUDA context (~0.5 GB per GPU), CUDA graphs, allocator fragmentation.
Together with the 0.9 utilisation this reproduces the common calculator rule 'VRAM ~ 1.2 x weights'
(1.1 / 0.9 = 1.22), with the KV cache counted separately."""

TP_SIZES = (1, 2, 4, 8)
"""Tensor-parallel sizes tried: powers of two up to one 8-GPU node (attention heads must divide evenly)."""

GPUS_PER_NODE = 8

# --- unknown architectures -------------------------------------------------------------------------

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

# --- training --------------------------------------------------------------------------------------

FULL_FT_BYTES_PER_PARAM = 16.0
"""Mixed-precision Adam: 2 (16-bit weights) + 2 (16-bit grads) + 12 (fp32 master weights, Adam m and v)
= 16 bytes/param (Rajbhandari et al. 2020, ZeRO, §3.1). Reported as weights_gb = 2 B/param and
optimizer_gb = 14 B/param (grads + fp32 states). Pure fp32 training is also 16 (4 + 4 + 4 + 4)."""

LORA_RANK = 64
LORA_DIMS_PER_HIDDEN = 20.0
"""LoRA adapters: rank 64 on all seven linear projections (q, k, v, o, gate, up, down; the QLoRA paper's
setting). A rank-r adapter on a d_in x d_out matrix has r x (d_in + d_out) params; summed over the seven
projections that is ~20 x hidden per layer (Llama-3.1-8B: 81,920 = 20.0 x 4,096; 70B: 161,792 = 19.75 x
8,192). Result: 168M params for 8B (2.1%), 828M for 70B (1.2%); rank 16 would be a quarter of that."""

ADAPTER_WEIGHT_BYTES = 4.0
ADAPTER_OPTIMIZER_BYTES = 12.0
"""Trainable adapters are kept in fp32 (4 B) with fp32 grads (4 B) and Adam m, v (8 B): 16 B/param."""

ACTIVATION_CONST_PER_TOKEN_HIDDEN = 34.0
"""Activations with gradient checkpointing, in bytes: seq x batch x hidden x (2 x layers + 34).
Korthikanti et al. 2022 ('Reducing Activation Recomputation in Large Transformer Models', §4): one
layer's activations are s·b·h·(34 + 5·a·s/h) bytes in 16-bit; full recomputation keeps only each layer's
input (2·s·b·h bytes per layer) and rebuilds one layer at a time in the backward pass. FlashAttention
removes the 5·a·s/h attention-score term. Doubled for fp32 compute."""

TRAINING_OVERHEAD_FRACTION = 0.10
TRAINING_OVERHEAD_MIN_GB = 2.0
"""overhead_gb = max(2 GB, 10% of weights): CUDA context, NCCL and allocator buffers, fp32 logits for the
loss (seq x vocab x 4 B ~ 1 GB at 2,048 tokens x 128k vocab)."""

# --- non-LLM models --------------------------------------------------------------------------------

NON_LLM_RUNTIME_GB = 1.0
"""CUDA context plus cuDNN/cuBLAS workspaces for a PyTorch/ONNX/TensorRT process."""

NON_LLM_TRAIN_ACTIVATION_FACTOR = 0.5
NON_LLM_TRAIN_FLOOR_GB = 16.0
"""Training / full fine-tuning: 16 B/param (mixed-precision Adam, as above) + activations at 50% of that
state (heuristic for batch 16-64 without checkpointing) + 1 GB runtime, at least 16 GB: training a
CNN/ViT at a useful batch size on a smaller GPU is impractical."""

DIFFUSION_PIPELINE_TAGS = frozenset(
    {"text-to-image", "image-to-image", "text-to-video", "image-to-video", "unconditional-image-generation"}
)


@dataclass(frozen=True)
class DomainRule:
    """Inference rule: activations = weights x activation_factor + fixed_gb; total >= floor_gb."""

    activation_factor: float
    fixed_gb: float
    floor_gb: float
    source: str


DOMAIN_RULES: dict[str, DomainRule] = {
    "audio": DomainRule(
        2.0,
        0.0,
        2.0,
        "fits openai/whisper README 'Required VRAM' at fp16: 3 x weights + 1 GB gives tiny 1.2 (~1), "
        "small 2.5 (~2), medium 5.6 (~5), turbo 5.9 (~6), large 10.3 (~10) GB",
    ),
    "diffusion": DomainRule(
        0.2,
        4.0,
        8.0,
        "heuristic: denoiser/text-encoder activations ~20% of weights plus ~4 GB for the VAE decode at "
        "1024 px without tiling; SDXL (~3.5B params incl. UNet, 2 text encoders, VAE) -> ~13 GB",
    ),
    "computer_vision": DomainRule(
        1.0,
        0.0,
        4.0,
        "heuristic: activations ~ weights for a batch of 8-32 images at 224-640 px (CNN/ViT/YOLO)",
    ),
    "multimodal": DomainRule(1.0, 0.0, 4.0, "heuristic as computer_vision (CLIP/BLIP-style encoders)"),
    "nlp": DomainRule(1.0, 0.0, 2.0, "heuristic: encoder models (BERT/T5-class) at moderate batch"),
    "tabular": DomainRule(1.0, 0.0, 2.0, "heuristic: small networks; the floor dominates"),
    "other": DomainRule(1.0, 0.0, 4.0, "heuristic: activations ~ weights"),
}

# --- CPU-only --------------------------------------------------------------------------------------

CPU_INFERENCE_RAM_FACTOR = 2.0
CPU_TRAINING_RAM_FACTOR = 4.0
CPU_DATASET_RAM_FACTOR = 5.0
CPU_OS_RESERVE_GB = 2.0
CPU_RAM_FLOOR_GB = 4.0
"""RAM = model x 2 (inference: weights + working buffers) or x 4 (training: fp32 weights, grads, Adam m
and v = 16 B/param) + dataset x 5 for training / batch jobs (pandas' author: 'have 5 to 10 times as much
RAM as the size of your dataset', W. McKinney, 2017) + 2 GB for the OS; at least 4 GB."""


# --- architecture ----------------------------------------------------------------------------------


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


def _layers(arch: ModelArch) -> float:
    return float(arch.num_layers) if arch.num_layers is not None else estimated_layers(arch)


def _hidden(arch: ModelArch) -> float:
    """Hidden size, or sqrt(params / (12 x layers)) when unknown (see DENSE_PARAMS_PER_LAYER_HIDDEN_SQ)."""
    if arch.hidden_size is not None:
        return float(arch.hidden_size)
    layers = _layers(arch)
    basis = arch.active_params_billion or arch.params_billion
    return math.sqrt(max(basis, 0.0) * 1e9 / (DENSE_PARAMS_PER_LAYER_HIDDEN_SQ * layers)) if layers else 0.0


def _kv_dim(arch: ModelArch) -> float:
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
    """K and V of every layer: 2 x layers x kv_heads x head_dim x bytes per value (GQA-aware).

    Unknown fields are estimated (see DEFAULT_KV_HEADS, LAYERS_PER_CUBE_ROOT_BILLION). A model whose
    cache has another shape (multi-head latent attention) carries its fp16 figure in kv_bytes_per_token,
    scaled here to the KV precision."""
    bytes_per_value = BYTES_PER_PARAM[Precision(kv_precision)]
    if arch.kv_bytes_per_token:
        return arch.kv_bytes_per_token * bytes_per_value / BYTES_PER_PARAM[Precision.fp16]
    return 2 * _layers(arch) * _kv_dim(arch) * bytes_per_value


def layers_of(arch: ModelArch) -> float:
    """Depth: known, or estimated from parameters (see LAYERS_PER_CUBE_ROOT_BILLION)."""
    return _layers(arch)


def hidden_of(arch: ModelArch) -> float:
    """Hidden size: known, or estimated (see DENSE_PARAMS_PER_LAYER_HIDDEN_SQ)."""
    return _hidden(arch)


def kv_heads_of(arch: ModelArch) -> int:
    """KV heads: known, else attention heads (no GQA), else DEFAULT_KV_HEADS."""
    return arch.num_kv_heads or arch.num_attention_heads or DEFAULT_KV_HEADS


def arch_is_estimated(arch: ModelArch) -> bool:
    """True when depth or the attention-head layout had to be estimated."""
    return arch.num_layers is None or (arch.num_kv_heads is None and arch.num_attention_heads is None)


# --- precision helpers -----------------------------------------------------------------------------


def weight_bytes_per_param(precision: Precision | str) -> float:
    """Bytes per stored weight, including the int4 quantisation allowance (INT4_QUANT_ALLOWANCE_BYTES)."""
    p = Precision(precision)
    return BYTES_PER_PARAM[p] + (INT4_QUANT_ALLOWANCE_BYTES if p is Precision.int4 else 0.0)


def kv_precision_for(weights_precision: Precision | str) -> Precision:
    """KV-cache dtype: fp8 next to fp8 weights (vLLM ``--kv-cache-dtype fp8``, part of FP8 serving
    recipes); fp32 next to fp32 weights (vLLM's ``auto`` = model dtype); otherwise fp16 (2 bytes):
    weight-only int8/int4 schemes (AWQ, GPTQ) still compute attention and store K/V in 16-bit."""
    p = Precision(weights_precision)
    return p if p in (Precision.fp8, Precision.fp32) else Precision.fp16


def _r(x: float) -> float:
    return round(x, 2)


def _check_non_negative(**values: float | None) -> None:
    for name, value in values.items():
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value}")


# --- GPU counts ------------------------------------------------------------------------------------


def sharded_gpus(
    shardable_gb: float, per_gpu_gb: float, gpu_memory_gb: float, utilisation: float = GPU_MEMORY_UTILISATION
) -> int | None:
    """Smallest of 1, 2, 4, 8 GPUs with shardable/n + per_gpu <= gpu_memory x utilisation; None if none."""
    if gpu_memory_gb <= 0 or not 0 < utilisation <= 1:
        raise ValueError("gpu_memory_gb must be > 0 and utilisation in (0, 1]")
    usable = gpu_memory_gb * utilisation
    return next((n for n in TP_SIZES if shardable_gb / n + per_gpu_gb <= usable), None)


def tensor_parallel_gpus(
    required_gb: float, gpu_memory_gb: float, utilisation: float = GPU_MEMORY_UTILISATION
) -> int | None:
    """Smallest of 1, 2, 4, 8 GPUs with required <= n x gpu_memory x utilisation; None if 8 do not suffice."""
    return sharded_gpus(required_gb, 0.0, gpu_memory_gb, utilisation)


def nodes_needed(
    shardable_gb: float,
    gpu_memory_gb: float,
    per_gpu_gb: float = 0.0,
    gpus_per_node: int = GPUS_PER_NODE,
    utilisation: float = GPU_MEMORY_UTILISATION,
) -> int | None:
    """Nodes of gpus_per_node GPUs when one node is not enough (pipeline stages / FSDP across nodes).

    None when per-GPU memory alone (activations, runtime) exceeds a GPU."""
    room = gpu_memory_gb * utilisation - per_gpu_gb
    if room <= 0:
        return None
    return max(1, math.ceil(shardable_gb / (gpus_per_node * room) - 1e-9))


def _gpu_layout(shardable: float, per_gpu: float, gpu_memory_gb: float | None, how: str) -> tuple[int, list[str]]:
    """GPU count for Sizing.tensor_parallel plus a note; beyond one node the count stays 8 per node."""
    if gpu_memory_gb is None:
        return 1, []
    pct = f"{GPU_MEMORY_UTILISATION:.0%}"
    n = sharded_gpus(shardable, per_gpu, gpu_memory_gb)
    if n is not None:
        return n, [f"fits {n} x {gpu_memory_gb:g} GB GPU(s) ({how}) using {pct} of each GPU's memory"]
    nodes = nodes_needed(shardable, gpu_memory_gb, per_gpu)
    if nodes is None:
        return GPUS_PER_NODE, [f"per-GPU memory alone exceeds {pct} of a {gpu_memory_gb:g} GB GPU"]
    return GPUS_PER_NODE, [
        f"does not fit 8 x {gpu_memory_gb:g} GB GPUs: needs {nodes} nodes of 8 "
        f"(8-way {how} within a node, {nodes}-way pipeline/data sharding across nodes)"
    ]


# --- LLM inference ---------------------------------------------------------------------------------


def _capped_context(context_length: int, arch: ModelArch, notes: list[str]) -> int:
    if arch.max_context and context_length > arch.max_context:
        notes.append(f"context {context_length:,} capped at the model's maximum {arch.max_context:,} tokens")
        return arch.max_context
    return context_length


def _weight_notes(params_billion: float, precision: Precision, arch: ModelArch) -> list[str]:
    notes = [f"GB = 1e9 bytes; weights at {weight_bytes_per_param(precision):g} B/param ({precision})"]
    if precision is Precision.int4:
        notes.append("int4 includes 0.0625 B/param for group-128 scales/zeros and 16-bit embeddings")
    if arch.num_experts and arch.num_experts > 1:
        notes.append(
            f"MoE: all {arch.num_experts} experts stay in GPU memory, so weights use the total "
            f"{params_billion:g}B params (active params only set compute)"
        )
    return notes


def _kv_notes(arch: ModelArch, kv_prec: Precision) -> list[str]:
    notes = [
        f"KV cache in {kv_prec} ({BYTES_PER_PARAM[kv_prec]:g} B/value); every concurrent sequence is "
        "assumed to hold the full context (worst case for vLLM's paged KV cache)"
    ]
    if arch_is_estimated(arch):
        notes.append(
            f"architecture partly unknown: assumed {_layers(arch):.0f} layers x {_kv_dim(arch):.0f} KV dims "
            f"(GQA {DEFAULT_KV_HEADS} KV heads x {DEFAULT_HEAD_DIM} unless known)"
        )
    return notes


def size_inference(
    *,
    params_billion: float,
    precision: Precision | str,
    arch: ModelArch | None = None,
    context_length: int,
    concurrent_sequences: int,
    model_id: str | None = None,
    gpu_memory_gb: float | None = None,
) -> Sizing:
    """LLM serving memory: weights + KV cache + overhead (see the module constants for every rule)."""
    _check_non_negative(
        params_billion=params_billion,
        context_length=context_length,
        concurrent_sequences=concurrent_sequences,
    )
    prec, arch = Precision(precision), arch or ModelArch(params_billion=params_billion)
    kv_prec = kv_precision_for(prec)
    notes = _weight_notes(params_billion, prec, arch) + _kv_notes(arch, kv_prec)
    context = _capped_context(context_length, arch, notes)
    bpp, per_token = weight_bytes_per_param(prec), kv_bytes_per_token(arch, kv_prec)
    weights_raw = params_billion * bpp
    weights = _r(weights_raw)
    kv = _r(per_token * context * concurrent_sequences / 1e9)
    overhead = _r(max(INFERENCE_OVERHEAD_MIN_GB, INFERENCE_OVERHEAD_FRACTION * weights_raw))
    required = _r(weights + kv + overhead)
    notes.append("overhead = max(1 GB, 10% of weights): activations, CUDA context and graphs, fragmentation")
    tp, tp_notes = _gpu_layout(required, 0.0, gpu_memory_gb, "tensor parallel")
    method = (
        f"weights {params_billion:g}B x {bpp:g} B = {weights} GB + KV {per_token:,.0f} B/token x "
        f"{context:,} tokens x {concurrent_sequences} seqs = {kv} GB + overhead {overhead} GB "
        f"= {required} GB"
    )
    return Sizing(
        model_id=model_id,
        params_billion=params_billion,
        precision=str(prec),
        weights_gb=weights,
        kv_cache_gb=kv,
        overhead_gb=overhead,
        required_vram_gb=required,
        tensor_parallel=tp,
        method=method,
        notes=notes + tp_notes,
    )


# --- LLM training / fine-tuning --------------------------------------------------------------------

TrainingMethod = Literal["full", "lora", "qlora"]


def lora_adapter_params_billion(arch: ModelArch) -> float:
    """Trainable LoRA params: rank x ~20 x hidden x layers (see LORA_DIMS_PER_HIDDEN), at most all params."""
    adapters = LORA_RANK * LORA_DIMS_PER_HIDDEN * _hidden(arch) * _layers(arch) / 1e9
    return min(adapters, max(arch.params_billion, 0.0))


def training_activations_gb(arch: ModelArch, seq_len: int, micro_batch: int, bytes_per_value: float = 2.0) -> float:
    """seq x batch x hidden x (2 x layers + 34) bytes x (bytes/2): see ACTIVATION_CONST_PER_TOKEN_HIDDEN."""
    per_token_hidden = 2 * _layers(arch) + ACTIVATION_CONST_PER_TOKEN_HIDDEN
    return seq_len * micro_batch * _hidden(arch) * per_token_hidden * (bytes_per_value / 2) / 1e9


def _compute_precision(precision: Precision, notes: list[str]) -> Precision:
    if precision in (Precision.fp32, Precision.fp16, Precision.bf16):
        return precision
    notes.append(f"training computes in bf16; requested {precision} applies to stored weights only")
    return Precision.bf16


def _training_memory(
    method: str, params_billion: float, arch: ModelArch, precision: Precision, compute: Precision
) -> tuple[float, float, str, str]:
    """(weights_gb, optimizer_gb, stored precision, formula) before activations and overhead."""
    if method == "full":
        w_bytes = BYTES_PER_PARAM[compute]
        opt_bytes = FULL_FT_BYTES_PER_PARAM - w_bytes
        formula = (
            f"{params_billion:g}B x {FULL_FT_BYTES_PER_PARAM:g} B (weights {w_bytes:g} + grads/Adam {opt_bytes:g})"
        )
        return params_billion * w_bytes, params_billion * opt_bytes, str(compute), formula
    stored = Precision.int4 if method == "qlora" else precision
    adapters = lora_adapter_params_billion(arch)
    base = params_billion * weight_bytes_per_param(stored)
    formula = (
        f"frozen {params_billion:g}B x {weight_bytes_per_param(stored):g} B ({stored}) + "
        f"{adapters:.3g}B rank-{LORA_RANK} adapters x 16 B"
    )
    return base + adapters * ADAPTER_WEIGHT_BYTES, adapters * ADAPTER_OPTIMIZER_BYTES, str(stored), formula


def size_training(
    *,
    params_billion: float,
    method: TrainingMethod | str,
    arch: ModelArch | None = None,
    seq_len: int = 2048,
    micro_batch: int = 1,
    precision: Precision | str = Precision.bf16,
    model_id: str | None = None,
    gpu_memory_gb: float | None = None,
) -> Sizing:
    """LLM training memory: full (mixed-precision Adam), LoRA (frozen base + adapters) or QLoRA (4-bit base).

    With gpu_memory_gb, tensor_parallel is the GPU count for FSDP/ZeRO-3 sharding of weights and
    optimizer state (activations and overhead are per GPU)."""
    if method not in ("full", "lora", "qlora"):
        raise ValueError(f"method must be full, lora or qlora, got {method!r}")
    _check_non_negative(params_billion=params_billion, seq_len=seq_len, micro_batch=micro_batch)
    arch, notes = arch or ModelArch(params_billion=params_billion), ["GB = 1e9 bytes"]
    compute = _compute_precision(Precision(precision), notes)
    w_raw, opt_raw, stored, formula = _training_memory(str(method), params_billion, arch, Precision(precision), compute)
    act_raw = training_activations_gb(arch, seq_len, micro_batch, BYTES_PER_PARAM[compute])
    weights, optimizer, activations = _r(w_raw), _r(opt_raw), _r(act_raw)
    overhead = _r(max(TRAINING_OVERHEAD_MIN_GB, TRAINING_OVERHEAD_FRACTION * w_raw))
    required = _r(weights + optimizer + activations + overhead)
    notes += _training_notes(str(method), arch)
    tp, tp_notes = _gpu_layout(weights + optimizer, activations + overhead, gpu_memory_gb, "FSDP/ZeRO-3")
    line = (
        f"{method}: {formula} = {_r(weights + optimizer)} GB + activations {seq_len:,} tokens x "
        f"{micro_batch} x hidden {_hidden(arch):,.0f} x (2 x {_layers(arch):.0f} layers + 34) B = "
        f"{activations} GB + overhead {overhead} GB = {required} GB"
    )
    return Sizing(
        model_id=model_id,
        params_billion=params_billion,
        precision=stored,
        weights_gb=weights,
        optimizer_gb=optimizer,
        activations_gb=activations,
        overhead_gb=overhead,
        required_vram_gb=required,
        tensor_parallel=tp,
        method=line,
        notes=notes + tp_notes,
    )


def _training_notes(method: str, arch: ModelArch) -> list[str]:
    notes = [
        "activations assume gradient checkpointing and FlashAttention (Korthikanti et al. 2022)",
        "overhead = max(2 GB, 10% of weights): CUDA context, NCCL/allocator buffers, fp32 logits",
    ]
    if method == "full":
        notes.insert(0, "mixed-precision Adam: 16 B/param = 2 weights + 2 grads + 12 fp32 master/m/v (ZeRO)")
    else:
        notes.insert(0, f"LoRA rank {LORA_RANK} on q,k,v,o,gate,up,down; fp32 adapters + Adam: 16 B/param")
    if method == "qlora":
        notes.insert(1, "QLoRA base weights in 4-bit NF4: 0.5625 B/param incl. quantisation constants")
    if arch_is_estimated(arch):
        notes.append(f"architecture partly unknown: ~{_layers(arch):.0f} layers, hidden {_hidden(arch):,.0f}")
    return notes


# --- non-LLM models --------------------------------------------------------------------------------


def domain_rule(domain: Domain | str | None, pipeline_tag: str | None = None) -> tuple[str, DomainRule]:
    """The inference rule for a domain; diffusion pipelines (text-to-image, ...) get their own."""
    if pipeline_tag in DIFFUSION_PIPELINE_TAGS:
        return "diffusion", DOMAIN_RULES["diffusion"]
    key = str(Domain(domain)) if domain is not None else "other"
    return key, DOMAIN_RULES[key]


def _non_llm_inference(params_billion: float, prec: Precision, name: str, rule: DomainRule) -> dict[str, Any]:
    weights = _r(params_billion * weight_bytes_per_param(prec))
    activations = _r(weights * rule.activation_factor + rule.fixed_gb)
    overhead = _r(max(NON_LLM_RUNTIME_GB, rule.floor_gb - weights - activations))
    bpp = weight_bytes_per_param(prec)
    method = (
        f"{name} inference: weights {params_billion:g}B x {bpp:g} B = {weights} GB"
        f" + activations {rule.activation_factor:g} x weights + {rule.fixed_gb:g} GB = {activations} GB"
        f" + runtime {NON_LLM_RUNTIME_GB:g} GB, at least {rule.floor_gb:g} GB"
    )
    return {"weights_gb": weights, "activations_gb": activations, "overhead_gb": overhead, "method": method}


def _non_llm_training(params_billion: float, prec: Precision, name: str) -> dict[str, Any]:
    w_bytes = 4.0 if prec is Precision.fp32 else 2.0
    weights = _r(params_billion * w_bytes)
    optimizer = _r(params_billion * (FULL_FT_BYTES_PER_PARAM - w_bytes))
    activations = _r(NON_LLM_TRAIN_ACTIVATION_FACTOR * params_billion * FULL_FT_BYTES_PER_PARAM)
    overhead = _r(max(NON_LLM_RUNTIME_GB, NON_LLM_TRAIN_FLOOR_GB - weights - optimizer - activations))
    method = (
        f"{name} training: {params_billion:g}B x 16 B (Adam) = {_r(weights + optimizer)} GB"
        f" + activations 50% = {activations} GB + runtime {NON_LLM_RUNTIME_GB:g} GB,"
        f" at least {NON_LLM_TRAIN_FLOOR_GB:g} GB"
    )
    return {
        "weights_gb": weights,
        "optimizer_gb": optimizer,
        "activations_gb": activations,
        "overhead_gb": overhead,
        "method": method,
    }


def _non_llm_rule_note(training: bool, rule: DomainRule) -> str:
    if training:
        return "training: 16 B/param mixed-precision Adam + 50% activations, 16 GB floor (useful batch sizes)"
    return f"rule source: {rule.source}"


def size_non_llm(
    *,
    params_billion: float,
    task: TaskType | str,
    domain: Domain | str | None,
    precision: Precision | str | None = None,
    pipeline_tag: str | None = None,
    model_id: str | None = None,
) -> Sizing:
    """Vision, audio, tabular, diffusion and encoder models, sized from parameters (see DOMAIN_RULES).

    Inference defaults to fp16, training to bf16 mixed precision; fine_tuning is sized as full training."""
    _check_non_negative(params_billion=params_billion)
    task = TaskType(task)
    name, rule = domain_rule(domain, pipeline_tag)
    training = task in (TaskType.training, TaskType.fine_tuning)
    prec = Precision(precision or (Precision.bf16 if training else Precision.fp16))
    parts = (
        _non_llm_training(params_billion, prec, name)
        if training
        else _non_llm_inference(params_billion, prec, name, rule)
    )
    required = _r(sum(v for k, v in parts.items() if k.endswith("_gb")))
    notes = ["GB = 1e9 bytes", _non_llm_rule_note(training, rule)]
    if parts["overhead_gb"] > NON_LLM_RUNTIME_GB:
        notes.append("overhead_gb includes the top-up to the practical floor")
    if task is TaskType.batch_inference:
        notes.append("batch inference sized like online inference; larger batches need more activations")
    return Sizing(
        model_id=model_id,
        params_billion=params_billion,
        precision=str(prec),
        required_vram_gb=required,
        notes=notes,
        **parts,
    )


# --- CPU-only --------------------------------------------------------------------------------------


def cpu_ram_gb(
    *,
    params_billion: float,
    precision: Precision | str = Precision.fp32,
    task: TaskType | str = TaskType.inference,
    dataset_size_gb: float | None = None,
) -> float:
    """Host RAM for a CPU-only workload (see CPU_*_FACTOR constants), rounded to 2 decimals."""
    _check_non_negative(params_billion=params_billion, dataset_size_gb=dataset_size_gb)
    task = TaskType(task)
    model = params_billion * weight_bytes_per_param(precision)
    training = task in (TaskType.training, TaskType.fine_tuning)
    factor = CPU_TRAINING_RAM_FACTOR if training else CPU_INFERENCE_RAM_FACTOR
    data = (dataset_size_gb or 0.0) * CPU_DATASET_RAM_FACTOR if task is not TaskType.inference else 0.0
    return _r(max(CPU_RAM_FLOOR_GB, model * factor + data + CPU_OS_RESERVE_GB))


def size_cpu_only(
    *,
    params_billion: float,
    precision: Precision | str = Precision.fp32,
    task: TaskType | str = TaskType.inference,
    dataset_size_gb: float | None = None,
    model_id: str | None = None,
) -> Sizing:
    """No GPU: required_vram_gb 0, gpu_needed False; the RAM requirement is in method and notes."""
    ram = cpu_ram_gb(params_billion=params_billion, precision=precision, task=task, dataset_size_gb=dataset_size_gb)
    weights = _r(params_billion * weight_bytes_per_param(precision))
    method = (
        f"CPU only: RAM = max({CPU_RAM_FLOOR_GB:g} GB, model {weights} GB x factor + dataset x "
        f"{CPU_DATASET_RAM_FACTOR:g} + {CPU_OS_RESERVE_GB:g} GB OS) = {ram} GB"
    )
    notes = [
        f"RAM needed: {ram} GB",
        "no GPU: weights_gb is the model size in host RAM, VRAM is 0",
        "dataset factor 5x: pandas rule of thumb (5-10x the dataset size, W. McKinney 2017)",
    ]
    return Sizing(
        model_id=model_id,
        params_billion=params_billion,
        precision=str(Precision(precision)),
        weights_gb=weights,
        required_vram_gb=0.0,
        gpu_needed=False,
        method=method,
        notes=notes,
    )
