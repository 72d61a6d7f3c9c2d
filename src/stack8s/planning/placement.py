"""Where one model runs on one instance type, and how many instances the load needs.

For a candidate instance (GPU model x count) and a model: the smallest tensor-parallel size that vLLM
accepts and that holds the weights plus at least one full-length sequence of KV cache; the node's other
GPUs run more copies. Then the batch each copy carries within the latency targets, its throughput, and
the copies and instances the load needs. Pure: the caller passes the GPU's spec and the price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from stack8s.planning import performance as perf
from stack8s.planning.hardware import GpuSpec
from stack8s.planning.load import LoadTarget, replicas_needed
from stack8s.planning.plan import Performance
from stack8s.planning.sizing import ModelArch
from stack8s.planning.vllm_memory import (
    DEFAULT_GPU_MEMORY_UTILIZATION,
    VLLM_CURRENT,
    EngineProfile,
    VllmMemory,
    WeightFormat,
    tensor_parallel_problem,
    vllm_memory,
)

TP_SIZES = (1, 2, 4, 8)


@dataclass(frozen=True)
class Placement:
    tensor_parallel: int
    copies_per_node: int
    replicas: int  # copies of the model the load needs
    instance_count: int
    memory: VllmMemory
    point: perf.Point  # one replica at its planned (largest within the targets) batch
    load_point: perf.Point  # one replica under the stated load spread over the replicas
    meets_slo: bool
    performance: Performance


def tensor_parallel_options(
    arch: ModelArch,
    gpu: GpuSpec,
    gpu_count: int,
    *,
    fmt: WeightFormat,
    max_model_len: int,
    kv_dtype: str = "auto",
    utilisation: float = DEFAULT_GPU_MEMORY_UTILIZATION,
    profile: EngineProfile = VLLM_CURRENT,
) -> list[VllmMemory]:
    """Every TP in 1, 2, 4, 8 (<= the node's GPUs) that vLLM accepts and where weights plus one full-length
    sequence fit, smallest first."""
    options = []
    for tp in TP_SIZES:
        if tp > gpu_count or tensor_parallel_problem(arch, tp):
            continue
        memory = vllm_memory(
            arch,
            gpu_memory_gb=gpu.memory_gb,
            tensor_parallel=tp,
            fmt=fmt,
            kv_dtype=kv_dtype,
            max_model_len=max_model_len,
            gpu_memory_utilization=utilisation,
            profile=profile,
        )
        if memory.fits:
            options.append(memory)
    return options


def place(
    arch: ModelArch,
    gpu: GpuSpec,
    gpu_count: int,
    hourly_usd: float,
    load: LoadTarget,
    *,
    fmt: WeightFormat,
    max_model_len: int,
    min_replicas: int = 1,
    kv_dtype: str = "auto",
    sequence_tokens: int | None = None,
) -> Placement | None:
    """The cheapest placement on one instance type (fewest instances; then meeting the targets, then the
    most copies (spare capacity), the lower first-token latency, the smaller TP), or None when one copy
    does not fit on it."""
    options = [
        p
        for memory in tensor_parallel_options(
            arch, gpu, gpu_count, fmt=fmt, max_model_len=max_model_len, kv_dtype=kv_dtype
        )
        if (p := _place_with(arch, gpu, gpu_count, hourly_usd, load, memory, min_replicas, sequence_tokens)) is not None
    ]
    if not options:
        return None
    return min(
        options,
        key=lambda p: (p.instance_count, not p.meets_slo, -p.replicas, p.performance.ttft_ms, p.tensor_parallel),
    )


def _place_with(
    arch: ModelArch,
    gpu: GpuSpec,
    gpu_count: int,
    hourly_usd: float,
    load: LoadTarget,
    memory: VllmMemory,
    min_replicas: int,
    sequence_tokens: int | None = None,
) -> Placement | None:
    work = perf.Workload(load.input_tokens, load.output_tokens)
    limit = perf.max_batch(memory, work, sequence_tokens)
    if limit < 1:
        return None
    model = perf.step_model(arch, gpu, memory)
    point, meets = perf.best_batch(model, work, limit, load.targets)
    replicas = max(min_replicas, replicas_needed(load, point.requests_per_s, point.batch))
    copies = max(1, gpu_count // memory.tensor_parallel)
    instances = math.ceil(replicas / copies)
    replicas = max(replicas, instances * copies)  # the node's spare GPUs run copies at no extra cost
    at_load = _point_at_load(model, work, load, point, replicas)
    cost = perf.cost_per_million_output_tokens(hourly_usd / copies, point, work)
    performance = Performance(
        tensor_parallel=memory.tensor_parallel,
        max_concurrent_sequences=max(1, math.floor(point.batch)),
        kv_cache_tokens=memory.kv_cache_tokens,
        ttft_ms=round(at_load.ttft_s * 1000, 1),
        itl_ms=round(at_load.itl_s * 1000, 2),
        tpot_ms=round(at_load.itl_s * 1000, 2),
        e2e_ms=round(at_load.e2e_s * 1000, 1),
        output_tokens_per_s=round(point.output_tokens_per_s, 1),
        requests_per_s=round(point.requests_per_s, 3),
        cost_per_million_output_tokens_usd=round(cost, 3) if cost is not None else None,
        meets_slo=meets,
        method=f"{perf.describe(model)}; {memory.method()}",
    )
    return Placement(
        tensor_parallel=memory.tensor_parallel,
        copies_per_node=copies,
        replicas=replicas,
        instance_count=instances,
        memory=memory,
        point=point,
        load_point=at_load,
        meets_slo=meets,
        performance=performance,
    )


def _point_at_load(
    model: perf.StepModel, work: perf.Workload, load: LoadTarget, capacity: perf.Point, replicas: int
) -> perf.Point:
    """Latency each request sees when the load is spread over the replicas (<= the capacity point)."""
    if load.requests_per_second:
        rate = load.requests_per_second / replicas
        point, ok = perf.batch_for_rate(model, work, rate, max(1, math.floor(capacity.batch)))
        return point if ok else capacity
    if load.concurrent_sequences:
        return perf.evaluate(model, work, min(capacity.batch, max(1.0, load.concurrent_sequences / replicas)))
    return capacity
