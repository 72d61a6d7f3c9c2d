"""Where one model runs on one instance type, and how many instances the load needs.

For a candidate instance (GPU model x count) and a model, every tensor-parallel size that vLLM accepts
and that holds the weights plus at least one full-length sequence of KV cache is tried; the node's other
GPUs run more copies. For each: the batch a copy carries within the latency targets, its throughput,
and the copies and instances the load needs; the size needing the fewest instances wins. Pure: the
caller passes the GPU's spec and the price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from stack8s.planning import performance as perf
from stack8s.planning.arch import ModelArch
from stack8s.planning.hardware import GpuSpec
from stack8s.planning.load import LoadTarget, replicas_needed
from stack8s.planning.plan import Performance
from stack8s.planning.sizing import TP_SIZES
from stack8s.planning.vllm_memory import (
    VllmMemory,
    WeightFormat,
    tensor_parallel_problem,
    vllm_memory,
)


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
    cost_per_mtok_at_one_usd_hour: float | None  # $/Mtok out when the instance costs $1/h (linear in the price)

    def priced(self, hourly_usd: float) -> Placement:
        """The same placement on an instance at `hourly_usd` ($/Mtok is linear in the price)."""
        unit = self.cost_per_mtok_at_one_usd_hour
        cost = round(unit * hourly_usd, 3) if unit is not None else None
        update = {"cost_per_million_output_tokens_usd": cost}
        return replace(self, performance=self.performance.model_copy(update=update))


def tensor_parallel_options(
    arch: ModelArch,
    gpu: GpuSpec,
    gpu_count: int,
    *,
    fmt: WeightFormat,
    max_model_len: int,
    kv_dtype: str = "auto",
) -> list[VllmMemory]:
    """Every TP in 1, 2, 4, 8 (<= the node's GPUs) that vLLM accepts and where weights plus one full-length
    sequence fit, smallest first."""
    options = []
    for tp in TP_SIZES:
        if tp > gpu_count or tensor_parallel_problem(arch, tp):
            continue
        memory = vllm_memory(
            arch,
            usable_gib=gpu.usable_memory_gib,
            tensor_parallel=tp,
            fmt=fmt,
            kv_dtype=kv_dtype,
            max_model_len=max_model_len,
        )
        if memory.fits:
            options.append(memory)
    return options


def smallest_fit(
    arch: ModelArch,
    usable_gib: float,
    gpu_count: int,
    *,
    fmt: WeightFormat,
    max_model_len: int,
    kv_dtype: str = "auto",
) -> VllmMemory | None:
    """The smallest TP group of `gpu_count` GPUs of `usable_gib` each that holds one copy (vLLM's budget), or
    None: `fits` for instances the estimator has no performance row for, by the same memory model."""
    for tp in TP_SIZES:
        if tp > gpu_count or tensor_parallel_problem(arch, tp):
            continue
        memory = vllm_memory(
            arch,
            usable_gib=usable_gib,
            tensor_parallel=tp,
            fmt=fmt,
            kv_dtype=kv_dtype,
            max_model_len=max_model_len,
        )
        if memory.fits:
            return memory
    return None


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
    """The best placement on one instance type (meeting the latency targets, then the fewest instances,
    the most copies (spare capacity), the lower first-token latency, the smaller TP), or None when one
    copy does not fit on it. Latencies under the load are computed for the chosen option only."""
    work = perf.RequestShape(load.input_tokens, load.output_tokens)
    options = [
        option
        for memory in tensor_parallel_options(
            arch, gpu, gpu_count, fmt=fmt, max_model_len=max_model_len, kv_dtype=kv_dtype
        )
        if (option := _option(arch, gpu, gpu_count, load, work, memory, min_replicas, sequence_tokens))
    ]
    if not options:
        return None
    best = min(
        options,
        key=lambda o: (not o.meets, o.instances, -o.replicas, o.point.ttft_s, o.memory.tensor_parallel),
    )
    return _placement(best, load, work, hourly_usd)


@dataclass(frozen=True)
class _Option:
    memory: VllmMemory
    model: perf.StepModel
    point: perf.Point  # one replica at the largest batch within the targets
    meets: bool
    copies: int
    replicas: int
    instances: int


def _option(
    arch: ModelArch,
    gpu: GpuSpec,
    gpu_count: int,
    load: LoadTarget,
    work: perf.RequestShape,
    memory: VllmMemory,
    min_replicas: int,
    sequence_tokens: int | None,
) -> _Option | None:
    limit = perf.max_batch(memory, work, sequence_tokens)
    if limit < 1:
        return None
    model = perf.step_model(arch, gpu, memory)
    point, meets = perf.best_batch(model, work, limit, load.targets)
    replicas = max(min_replicas, replicas_needed(load, point.requests_per_s, point.batch))
    copies = max(1, gpu_count // memory.tensor_parallel)
    instances = math.ceil(replicas / copies)
    replicas = max(replicas, instances * copies)  # the node's spare GPUs run copies at no extra cost
    return _Option(memory, model, point, meets, copies, replicas, instances)


def _placement(o: _Option, load: LoadTarget, work: perf.RequestShape, hourly_usd: float) -> Placement:
    at_load = _point_at_load(o.model, work, load, o.point, o.replicas)
    unit = perf.cost_per_million_output_tokens(1.0 / o.copies, o.point, work)
    performance = Performance(
        tensor_parallel=o.memory.tensor_parallel,
        max_concurrent_sequences=max(1, math.floor(o.point.batch)),
        kv_cache_tokens=o.memory.kv_cache_tokens,
        ttft_ms=round(at_load.ttft_s * 1000, 1),
        itl_ms=round(at_load.itl_s * 1000, 2),
        tpot_ms=round(at_load.itl_s * 1000, 2),
        e2e_ms=round(at_load.e2e_s * 1000, 1),
        output_tokens_per_s=round(o.point.output_tokens_per_s, 1),
        requests_per_s=round(o.point.requests_per_s, 3),
        cost_per_million_output_tokens_usd=None,
        meets_slo=o.meets,
        method=f"{perf.describe(o.model)}; {o.memory.method()}",
        ttft_error_pct=o.model.expected_error.ttft_pct if o.model.expected_error else None,
        tpot_error_pct=o.model.expected_error.tpot_pct if o.model.expected_error else None,
    )
    return Placement(
        tensor_parallel=o.memory.tensor_parallel,
        copies_per_node=o.copies,
        replicas=o.replicas,
        instance_count=o.instances,
        memory=o.memory,
        point=o.point,
        load_point=at_load,
        meets_slo=o.meets,
        performance=performance,
        cost_per_mtok_at_one_usd_hour=unit,
    ).priced(hourly_usd)


def _point_at_load(
    model: perf.StepModel, work: perf.RequestShape, load: LoadTarget, capacity: perf.Point, replicas: int
) -> perf.Point:
    """Latency each request sees when the load is spread over the replicas (<= the capacity point)."""
    if load.requests_per_second:
        rate = load.requests_per_second / replicas
        point, ok = perf.batch_for_rate(model, work, rate, max(1, math.floor(capacity.batch)))
        return point if ok else capacity
    if load.concurrent_sequences:
        return perf.evaluate(model, work, min(capacity.batch, max(1.0, load.concurrent_sequences / replicas)))
    return capacity
