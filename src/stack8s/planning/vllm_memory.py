"""GPU memory of a vLLM server, per GPU, the way vLLM itself budgets it at start-up.

vLLM (``vllm/v1/worker/gpu_worker.py``, ``determine_available_memory``) loads the weights, runs one
profiling forward pass, and gives the KV cache what is left of ``gpu_memory_utilization x total``:

    kv_cache = utilisation x device memory - weights - activation peak - non-torch memory

and reports "GPU KV cache size: N tokens" and "Maximum concurrency for L tokens per request: N/L".
This module reproduces that budget; CUDA graphs are captured after it, inside the (1 - utilisation)
margin, so they do not reduce the KV cache.

Pure: no I/O. GiB = 2^30 bytes (vLLM's unit); weights are computed in bytes from parameter counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from stack8s.planning.arch import ModelArch, hidden_of, kv_heads_of, kv_layers_of
from stack8s.planning.hardware import USABLE_GIB_PER_GB_CEILING
from stack8s.planning.precision import INT4_QUANT_ALLOWANCE_BYTES, SCALE_BYTES_PER_PARAM
from stack8s.planning.sizing import GPU_MEMORY_UTILISATION
from stack8s.planning.spec import Precision

GIB = 1024**3

DEFAULT_GPU_MEMORY_UTILIZATION = GPU_MEMORY_UTILISATION  # vLLM --gpu-memory-utilization default, one place


# --- weight formats --------------------------------------------------------------------------------


class WeightFormat(StrEnum):
    fp32 = "fp32"
    bf16 = "bf16"  # any 16-bit checkpoint (bf16 or fp16)
    fp8 = "fp8"  # FP8 dynamic / FP8 checkpoints: linear layers 1 B, embeddings and lm_head 16-bit
    int8 = "int8"  # W8A8 (compressed-tensors, SmoothQuant): as fp8
    int4 = "int4"  # AWQ / GPTQ group-128: 4-bit linear layers + scales/zeros, 16-bit embeddings and lm_head
    mxfp4 = "mxfp4"  # gpt-oss: MoE experts in MXFP4, attention, router and embeddings 16-bit
    nvfp4 = "nvfp4"  # NVIDIA ModelOpt NVFP4: linear layers FP4 + FP8 scale per 16, embeddings and lm_head 16-bit


MXFP4_BYTES_PER_PARAM = 0.5 + SCALE_BYTES_PER_PARAM[Precision.mxfp4]
"""OCP Microscaling MXFP4: 4-bit E2M1 values plus one 8-bit E8M0 scale per block of 32 = 4.25 bits
(OCP MX Formats Specification v1.0, 2023; gpt-oss model card: MoE weights in MXFP4)."""

NVFP4_BYTES_PER_PARAM = 0.5 + SCALE_BYTES_PER_PARAM[Precision.nvfp4]
"""NVFP4: 4-bit E2M1 values plus one FP8 (E4M3) scale per block of 16 = 4.5 bits (the per-tensor FP32 scale
is negligible) (NVIDIA, 'Introducing NVFP4 for Efficient and Accurate Low-Precision Inference', 2025)."""

QUANT_TO_FORMAT = {
    "awq": WeightFormat.int4,
    "gptq": WeightFormat.int4,
    "gguf": WeightFormat.int4,
    "w4a16": WeightFormat.int4,
    "fp4": WeightFormat.nvfp4,
    "modelopt_fp4": WeightFormat.nvfp4,
}


def weight_format(precision: str | None, quantization: str | None = None) -> WeightFormat:
    """The stored weight format: the checkpoint's own quantisation (MXFP4, FP8, AWQ) unless the user asked
    for another precision; 16-bit by default."""
    if precision:
        if precision in ("fp16", "bf16"):
            return WeightFormat.bf16
        return QUANT_TO_FORMAT.get(str(precision)) or WeightFormat(str(precision))
    quant = (quantization or "").lower()
    if quant in QUANT_TO_FORMAT:
        return QUANT_TO_FORMAT[quant]
    return WeightFormat(quant) if quant in ("fp8", "int8", "mxfp4", "nvfp4") else WeightFormat.bf16


def embedding_params(arch: ModelArch) -> float:
    """Parameters of the input embedding and lm_head (one matrix when tied); 0 when the vocabulary is
    unknown (then every parameter is counted in the quantised format, noted by the caller)."""
    if not arch.vocab_size:
        return 0.0
    tables = 1 if arch.tie_word_embeddings else 2
    return float(arch.vocab_size) * hidden_of(arch) * tables


def expert_params(arch: ModelArch) -> float:
    """Parameters in routed experts: layers x experts x 3 x hidden x expert FFN width when the width is
    known, else (total - active) x E / (E - k): the inactive parameters are the (E - k)/E share of them."""
    experts = arch.num_experts or 0
    if experts <= 1:
        return 0.0
    total = arch.params_billion * 1e9
    if arch.intermediate_size and arch.num_layers and arch.hidden_size:
        return min(total, float(arch.num_layers * experts * 3 * arch.hidden_size * arch.intermediate_size))
    k = arch.num_experts_per_tok or 2
    active = (arch.active_params_billion or arch.params_billion) * 1e9
    return min(total, max(0.0, (total - active) * experts / max(experts - k, 1)))


LINEAR_BYTES_PER_PARAM: dict[WeightFormat, float] = {
    WeightFormat.fp32: 4.0,
    WeightFormat.bf16: 2.0,
    WeightFormat.fp8: 1.0,
    WeightFormat.int8: 1.0,
    WeightFormat.int4: 0.5 + INT4_QUANT_ALLOWANCE_BYTES,
    WeightFormat.mxfp4: 2.0,  # only the routed experts are MXFP4 (expert_bytes_per_param)
    WeightFormat.nvfp4: NVFP4_BYTES_PER_PARAM,
}
"""Bytes per parameter of the linear layers in each format; embeddings and lm_head stay 16-bit (fp32 in an
fp32 checkpoint): quantisers leave them alone (AutoAWQ, GPTQ, llm-compressor FP8 'ignore: lm_head')."""


def expert_bytes_per_param(fmt: WeightFormat) -> float:
    """Bytes per parameter of the routed experts: MXFP4 in gpt-oss-style checkpoints, else as linear layers."""
    return MXFP4_BYTES_PER_PARAM if fmt is WeightFormat.mxfp4 else LINEAR_BYTES_PER_PARAM[fmt]


def expert_bytes(arch: ModelArch, fmt: WeightFormat) -> float:
    """Bytes of all routed experts (0 for dense models)."""
    return expert_params(arch) * expert_bytes_per_param(fmt)


def weight_bytes(arch: ModelArch, fmt: WeightFormat) -> float:
    """Bytes of all weights in the given format (summed over GPUs): routed experts, the other linear
    layers, and the embedding tables."""
    total = arch.params_billion * 1e9
    embed = min(embedding_params(arch), total)
    experts = min(expert_params(arch), total - embed)
    embed_bytes = 4.0 if fmt is WeightFormat.fp32 else 2.0
    linear = total - embed - experts
    return experts * expert_bytes_per_param(fmt) + linear * LINEAR_BYTES_PER_PARAM[fmt] + embed * embed_bytes


def activation_bytes_per_value(fmt: WeightFormat) -> int:
    """vLLM computes in the model dtype: 4 B for fp32 checkpoints served in fp32, else 16-bit."""
    return 4 if fmt is WeightFormat.fp32 else 2


# --- activation and non-torch memory from measured vLLM profiles -----------------------------------


@dataclass(frozen=True)
class EngineProfile:
    """Per-GPU memory vLLM takes besides weights and KV cache, by architecture class, in GiB."""

    name: str
    activation_dense: float
    activation_moe: float
    activation_multimodal: float
    non_torch_tp1: float
    non_torch_tpn: float
    source: str
    serve_version: str  # the vLLM release a plan sized with this profile pins (image tag, pip)


VLLM_CURRENT = EngineProfile(
    name="vLLM >= 0.17",
    serve_version="0.19.0",
    activation_dense=2.2,
    activation_moe=2.5,
    activation_multimodal=3.9,
    non_torch_tp1=0.25,
    non_torch_tpn=2.1,
    source=(
        "medians of the vLLM v0.19 start-up profiles on H100 published by llm-d-planner "
        "(accuracy/results/v0.19.0/results_raw.csv): torch peak increase 0.75-2.29 GiB dense (Llama/Qwen "
        "1.89-2.23), 1.93-2.87 MoE, 2.03-3.94 multimodal; non-torch 0.24-0.26 GiB at TP 1, 2.06-2.21 at TP >= 2 "
        "(custom all-reduce buffers); activation fell from 5.64 to 2.23 GiB for Qwen3-14B at v0.17"
    ),
)
VLLM_0_11 = EngineProfile(
    name="vLLM 0.11-0.16",
    serve_version="0.11.0",
    activation_dense=5.5,
    activation_moe=8.0,
    activation_multimodal=2.5,
    non_torch_tp1=0.15,
    non_torch_tpn=0.6,
    source="llm-d-planner src/planner/capacity_planner.py constants (H100, vLLM 0.11, max_model_len 16000)",
)


def engine_profile(vllm_version: str | None) -> EngineProfile:
    """The profile for a vLLM version ("0.11.0"); the current one when unknown."""
    try:
        major, minor = (int(x) for x in (vllm_version or "").lstrip("v").split(".")[:2])
    except ValueError:
        return VLLM_CURRENT
    return VLLM_0_11 if (major, minor) < (0, 17) else VLLM_CURRENT


def architecture_class(arch: ModelArch) -> str:
    if arch.num_experts and arch.num_experts > 1:
        return "moe"
    if arch.pipeline_tag == "image-text-to-text":
        return "multimodal"
    return "dense"


def activation_gib(arch: ModelArch, profile: EngineProfile) -> float:
    return {
        "moe": profile.activation_moe,
        "multimodal": profile.activation_multimodal,
        "dense": profile.activation_dense,
    }[architecture_class(arch)]


def non_torch_gib(tensor_parallel: int, profile: EngineProfile) -> float:
    return profile.non_torch_tp1 if tensor_parallel == 1 else profile.non_torch_tpn


# --- KV cache --------------------------------------------------------------------------------------


def kv_dtype_bytes(kv_dtype: str, fmt: WeightFormat) -> int:
    """``auto`` keeps the model's compute dtype (vLLM's default, also for FP8 checkpoints); ``fp8`` is 1 B."""
    return 1 if kv_dtype == "fp8" else activation_bytes_per_value(fmt)


def kv_bytes_per_token_per_gpu(arch: ModelArch, value_bytes: int, tensor_parallel: int) -> float:
    """K and V of every layer held by one GPU. GQA heads are split across tensor-parallel ranks (a rank
    holds at least one head, replicated when TP exceeds the KV heads); an MLA latent cache (published
    kv_bytes_per_token) is replicated on every rank."""
    if arch.kv_bytes_per_token:
        return arch.kv_bytes_per_token * value_bytes / 2
    head_dim = arch.head_dim or (
        arch.hidden_size // arch.num_attention_heads if arch.hidden_size and arch.num_attention_heads else 128
    )
    heads = max(1, kv_heads_of(arch) // tensor_parallel)
    return 2 * kv_layers_of(arch) * heads * head_dim * value_bytes


def tensor_parallel_problem(arch: ModelArch, tensor_parallel: int) -> str | None:
    """Why vLLM would refuse this TP size, or None: attention heads must divide by TP, and KV heads must
    divide by TP or TP by the KV heads (vLLM ``ModelConfig.verify_with_parallel_config``)."""
    if tensor_parallel < 1:
        return "tensor_parallel must be >= 1"
    heads = arch.num_attention_heads
    if heads and heads % tensor_parallel:
        return f"tensor_parallel {tensor_parallel} does not divide the {heads} attention heads"
    kv = arch.num_kv_heads
    if kv and kv % tensor_parallel and tensor_parallel % kv:
        return f"tensor_parallel {tensor_parallel} and the {kv} KV heads do not divide one another"
    return None


@dataclass(frozen=True)
class VllmMemory:
    """One GPU of a tensor-parallel group, in GiB (vLLM's unit), plus the group's KV capacity."""

    tensor_parallel: int
    weight_format: WeightFormat
    device_gib: float
    gpu_memory_utilization: float
    weights_gib: float
    activation_gib: float
    non_torch_gib: float
    kv_cache_gib: float  # may be negative: the model does not fit
    kv_bytes_per_token: float  # per GPU
    kv_value_bytes: int  # one cached K or V value: 2 (16-bit) or 1 (fp8)
    kv_cache_tokens: int
    max_model_len: int
    max_concurrent_sequences: float  # kv_cache_tokens / max_model_len, vLLM's "Maximum concurrency"
    profile: EngineProfile

    @property
    def fits(self) -> bool:
        """Weights load and the KV cache holds at least one sequence of max_model_len tokens."""
        return self.kv_cache_tokens >= self.max_model_len

    def method(self) -> str:
        return (
            f"vLLM budget per GPU: {self.gpu_memory_utilization:g} x {self.device_gib:.2f} GiB - weights "
            f"{self.weights_gib:.2f} ({self.weight_format}) - activation {self.activation_gib:.2f} - non-torch "
            f"{self.non_torch_gib:.2f} = KV {self.kv_cache_gib:.2f} GiB = {self.kv_cache_tokens:,} tokens at "
            f"{self.kv_bytes_per_token:,.0f} B/token/GPU; profile {self.profile.name} (served as vLLM "
            f"{self.profile.serve_version})"
        )


def vllm_memory(
    arch: ModelArch,
    *,
    usable_gib: float,
    tensor_parallel: int = 1,
    fmt: WeightFormat = WeightFormat.bf16,
    kv_dtype: str = "auto",
    max_model_len: int = 4096,
    gpu_memory_utilization: float = DEFAULT_GPU_MEMORY_UTILIZATION,
    profile: EngineProfile = VLLM_CURRENT,
) -> VllmMemory:
    """vLLM's start-up memory budget for one GPU of a TP group (see the module docstring). `usable_gib` is
    the GPU's CUDA-reported total (``GpuSpec.usable_memory_gib``, or ``catalogs.gpus.usable_memory_gib``)."""
    if not 0 < gpu_memory_utilization <= 1:
        raise ValueError("gpu_memory_utilization must be in (0, 1]")
    if tensor_parallel < 1 or max_model_len < 1 or usable_gib <= 0:
        raise ValueError("tensor_parallel, max_model_len and usable_gib must be positive")
    total = usable_gib
    weights = weight_bytes(arch, fmt) / tensor_parallel / GIB
    act, non_torch = activation_gib(arch, profile), non_torch_gib(tensor_parallel, profile)
    kv = gpu_memory_utilization * total - weights - act - non_torch
    per_token = kv_bytes_per_token_per_gpu(arch, kv_dtype_bytes(kv_dtype, fmt), tensor_parallel)
    tokens = max(0, math.floor(kv * GIB / per_token)) if per_token > 0 else 0
    return VllmMemory(
        tensor_parallel=tensor_parallel,
        weight_format=fmt,
        device_gib=total,
        gpu_memory_utilization=gpu_memory_utilization,
        weights_gib=weights,
        activation_gib=act,
        non_torch_gib=non_torch,
        kv_cache_gib=kv,
        kv_bytes_per_token=per_token,
        kv_value_bytes=kv_dtype_bytes(kv_dtype, fmt),
        kv_cache_tokens=tokens,
        max_model_len=max_model_len,
        max_concurrent_sequences=tokens / max_model_len,
        profile=profile,
    )


# --- what one replica needs, in GB (the plan's sizing), and the true lower bound a search may filter by -----


@dataclass(frozen=True)
class ReplicaNeed:
    """GPU memory one replica (a TP group) holds, summed over its GPUs, in GB (1e9 bytes)."""

    tensor_parallel: int
    weight_format: WeightFormat
    weights_gb: float
    kv_cache_gb: float
    overhead_gb: float  # activation peak and non-torch memory of every GPU of the group
    sequences: int
    tokens_per_sequence: int

    @property
    def required_gb(self) -> float:
        return round(self.weights_gb + self.kv_cache_gb + self.overhead_gb, 2)


def replica_need(
    arch: ModelArch,
    *,
    fmt: WeightFormat,
    tensor_parallel: int = 1,
    kv_dtype: str = "auto",
    sequences: int = 1,
    tokens_per_sequence: int = 4096,
    profile: EngineProfile = VLLM_CURRENT,
) -> ReplicaNeed:
    """Weights + KV for `sequences` of `tokens_per_sequence` + activation and non-torch memory on every GPU,
    by the same rules as `vllm_memory` (so a plan's sizing and its `fits` come from one model)."""
    tp = tensor_parallel
    per_token = kv_bytes_per_token_per_gpu(arch, kv_dtype_bytes(kv_dtype, fmt), tp) * tp
    overhead = (activation_gib(arch, profile) + non_torch_gib(tp, profile)) * tp * GIB
    return ReplicaNeed(
        tensor_parallel=tp,
        weight_format=fmt,
        weights_gb=round(weight_bytes(arch, fmt) / 1e9, 2),
        kv_cache_gb=round(per_token * sequences * tokens_per_sequence / 1e9, 2),
        overhead_gb=round(overhead / 1e9, 2),
        sequences=sequences,
        tokens_per_sequence=tokens_per_sequence,
    )


def weights_floor_gb(
    arch: ModelArch, fmt: WeightFormat, gpu_memory_utilization: float = DEFAULT_GPU_MEMORY_UTILIZATION
) -> float:
    """Nominal GPU memory (GB as catalogs list it) an instance needs in total for the weights alone: a true
    lower bound of every placement (`vllm_memory` gives each GPU utilisation x its usable GiB, never more than
    its GB read as GiB, and the weights are split over at most all of them). A search may drop instances
    below it, never above."""
    usable_per_nominal_gb = gpu_memory_utilization * USABLE_GIB_PER_GB_CEILING * GIB
    return weight_bytes(arch, fmt) / usable_per_nominal_gb
