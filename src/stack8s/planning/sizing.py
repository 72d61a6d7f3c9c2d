"""GPU counts for the memory-only sizings (training, non-LLM models) and the rounding rules the sizing modules
share. LLM serving has one memory model, `vllm_memory` (placement, `fits`, the plan's sizing, the search's bound).

Elsewhere: `arch` (model facts), `precision` (bytes per value), `training`, `non_llm` (other models, CPU).

Pure: no I/O, no clock, no randomness. Units: GB = 1e9 bytes; parameters are given in billions, so
``params_billion x bytes_per_param`` is already GB.

Rounding: every raw value is computed in full precision and each reported component is rounded once,
to 2 decimals, at the end. ``required_vram_gb`` is the sum of the rounded components, so the numbers a
reader sees add up; rounding is monotone, so more parameters / context / users never report less memory.
"""

from __future__ import annotations

import math

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
