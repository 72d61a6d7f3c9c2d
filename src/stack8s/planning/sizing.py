"""GPU memory of LLM serving as a memory-only estimate (the search's pre-filter and fallback; a serving plan
is sized by `vllm_memory` and `placement`), GPU counts, and the rounding rules the sizing modules share.

Elsewhere: `arch` (model facts), `precision` (bytes per value), `training`, `non_llm` (other models, CPU).

Pure: no I/O, no clock, no randomness. Units: GB = 1e9 bytes; parameters are given in billions, so
``params_billion x bytes_per_param`` is already GB.

Rounding: every raw value is computed in full precision and each reported component is rounded once,
to 2 decimals, at the end. ``required_vram_gb`` is the sum of the rounded components, so the numbers a
reader sees add up; rounding is monotone, so more parameters / context / users never report less memory.
"""

from __future__ import annotations

import math

from stack8s.planning.arch import (
    DEFAULT_HEAD_DIM,
    DEFAULT_KV_HEADS,
    ModelArch,
    arch_is_estimated,
    kv_bytes_per_token,
    kv_dim_of,
    layers_of,
)
from stack8s.planning.plan import Sizing
from stack8s.planning.precision import BYTES_PER_PARAM, kv_precision_for, weight_bytes_per_param
from stack8s.planning.spec import Precision

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


def rounded(x: float) -> float:
    """Each reported component is rounded once, to 2 decimals (see the module docstring)."""
    return round(x, 2)


def check_non_negative(**values: float | None) -> None:
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


def gpu_layout(shardable: float, per_gpu: float, gpu_memory_gb: float | None, how: str) -> tuple[int, list[str]]:
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
            f"architecture partly unknown: assumed {layers_of(arch):.0f} layers x {kv_dim_of(arch):.0f} KV dims "
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
    check_non_negative(
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
    weights = rounded(weights_raw)
    kv = rounded(per_token * context * concurrent_sequences / 1e9)
    overhead = rounded(max(INFERENCE_OVERHEAD_MIN_GB, INFERENCE_OVERHEAD_FRACTION * weights_raw))
    required = rounded(weights + kv + overhead)
    notes.append("overhead = max(1 GB, 10% of weights): activations, CUDA context and graphs, fragmentation")
    tp, tp_notes = gpu_layout(required, 0.0, gpu_memory_gb, "tensor parallel")
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
