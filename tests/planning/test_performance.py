"""The serving estimator and vLLM memory model: physics invariants, published numbers, and its measured
error against ../shared/data/perf held in place."""

from __future__ import annotations

import dataclasses
import itertools
import math

import pytest
from tests.conftest import SHARED, needs_shared

from stack8s.catalogs.gpus import gpu_spec
from stack8s.planning import performance as perf
from stack8s.planning import placement
from stack8s.planning.arch import ModelArch
from stack8s.planning.load import derive_load
from stack8s.planning.spec import WorkloadSpec
from stack8s.planning.vllm_memory import (
    GIB,
    VLLM_CURRENT,
    WeightFormat,
    kv_bytes_per_token_per_gpu,
    tensor_parallel_problem,
    vllm_memory,
    weight_bytes,
)

# meta-llama/Llama-3.1-8B-Instruct and Llama-3.1-70B config.json (huggingface.co, 2024-07)
L8 = ModelArch(8.03, 32, 4096, 32, 8, 128, 131072, vocab_size=128256, tie_word_embeddings=False)
L70 = ModelArch(70.6, 80, 8192, 64, 8, 128, 131072, vocab_size=128256, tie_word_embeddings=False)
H100 = gpu_spec("H100")
L4 = gpu_spec("L4")
assert H100 is not None and L4 is not None


def test_kv_bytes_per_token_published() -> None:
    # 2 x 80 layers x 8 KV heads x 128 x 2 B = 327,680 B (Llama-3.1-70B); split over TP 2 = 163,840 per GPU
    assert kv_bytes_per_token_per_gpu(L70, 2, 1) == 327_680
    assert kv_bytes_per_token_per_gpu(L70, 2, 2) == 163_840
    assert kv_bytes_per_token_per_gpu(L8, 1, 1) == 65_536  # fp8 KV cache


def test_vllm_memory_matches_published_start_up_log() -> None:
    # llm-d-planner accuracy/results/v0.19.0: Llama-3.1-8B-Instruct, H100, TP 1, utilisation 0.95, bf16:
    # weights 14.99 GiB, KV cache 58.11 GiB = 476,016 tokens
    m = vllm_memory(
        L8, usable_gib=H100.usable_memory_gib, fmt=WeightFormat.bf16, max_model_len=8192, gpu_memory_utilization=0.95
    )
    assert m.weights_gib == pytest.approx(14.99, rel=0.01)
    assert m.kv_cache_gib == pytest.approx(58.11, rel=0.05)
    assert m.kv_cache_tokens == pytest.approx(476_016, rel=0.05)
    # same log family, FP8 dynamic weights (embeddings and lm_head stay 16-bit): 8.49 GiB
    fp8 = vllm_memory(
        L8, usable_gib=H100.usable_memory_gib, fmt=WeightFormat.fp8, max_model_len=8192, gpu_memory_utilization=0.95
    )
    assert fp8.weights_gib == pytest.approx(8.49, rel=0.02)
    # GPTQ int4 (RedHatAI quantized.w4a16): 5.38 GiB
    assert weight_bytes(L8, WeightFormat.int4) / GIB == pytest.approx(5.38, rel=0.03)
    # FP8 weights keep a 16-bit KV cache by default (vLLM kv_cache_dtype=auto): 529,248 tokens at 64.61 GiB
    assert fp8.kv_bytes_per_token == 131_072


def test_fp8_kv_cache_doubles_the_tokens() -> None:
    # llm-d-planner v0.19.0 log: Llama-3.1-8B-Instruct, --kv-cache-dtype fp8: 952,032 tokens at 58.11 GiB
    m = vllm_memory(
        L8, usable_gib=H100.usable_memory_gib, kv_dtype="fp8", max_model_len=8192, gpu_memory_utilization=0.95
    )
    assert m.kv_cache_tokens == pytest.approx(952_032, rel=0.05)
    load = derive_load(WorkloadSpec(concurrent_users=512))
    auto = placement.place(L8, H100, 1, 4.0, load, fmt=WeightFormat.bf16, max_model_len=4096)
    fp8 = placement.place(L8, H100, 1, 4.0, load, fmt=WeightFormat.bf16, max_model_len=4096, kv_dtype="fp8")
    assert auto is not None and fp8 is not None
    assert fp8.memory.kv_cache_tokens == pytest.approx(2 * auto.memory.kv_cache_tokens, rel=0.001)


def test_tensor_parallel_must_divide_heads() -> None:
    assert tensor_parallel_problem(L70, 8) is None
    assert "attention heads" in (tensor_parallel_problem(ModelArch(7, 28, 3584, 28, 4, 128), 8) or "")


def _point(batch: float, gpu: object = H100, arch: ModelArch = L70, tp: int = 4) -> tuple[perf.StepModel, perf.Point]:
    m = vllm_memory(arch, usable_gib=gpu.usable_memory_gib, tensor_parallel=tp, max_model_len=4096)  # type: ignore[attr-defined]
    model = perf.step_model(arch, gpu, m)  # type: ignore[arg-type]
    return model, perf.evaluate(model, perf.RequestShape(1024, 256), batch)


@pytest.mark.parametrize("batch", [1, 4, 16, 64, 200])
def test_itl_never_below_the_bandwidth_floor_and_throughput_never_above_concurrency_over_itl(batch: int) -> None:
    for gpu, tp in ((H100, 4), (L4, 8)):
        _, p = _point(batch, gpu, tp=tp)
        floor = weight_bytes(L70, WeightFormat.bf16) / tp / (gpu.memory_bandwidth_gbps * 1e9)
        assert p.itl_s >= floor
        assert p.output_tokens_per_s <= batch / p.itl_s * (1 + 1e-9)


def test_latency_grows_with_the_batch() -> None:
    points = [_point(b)[1] for b in (1, 8, 32, 128)]
    assert all(a.itl_s <= b.itl_s and a.requests_per_s <= b.requests_per_s for a, b in itertools.pairwise(points))


def _instances(spec: WorkloadSpec, gpu: object = H100, count: int = 8) -> int:
    p = placement.place(L70, gpu, count, 98.0, derive_load(spec), fmt=WeightFormat.bf16, max_model_len=4096)  # type: ignore[arg-type]
    assert p is not None
    return p.instance_count


def test_more_load_never_needs_fewer_instances() -> None:
    counts = [
        _instances(WorkloadSpec(requests_per_second=r, input_tokens=1500, output_tokens=300))
        for r in (1, 10, 40, 100, 200)
    ]
    assert counts == sorted(counts) and counts[-1] > counts[0]
    users = [_instances(WorkloadSpec(concurrent_users=c)) for c in (1, 64, 512, 2048)]
    assert users == sorted(users)


def test_a_tighter_latency_target_never_gives_a_cheaper_plan() -> None:
    loose = _instances(WorkloadSpec(requests_per_second=30, slo={"itl_ms": 100}))
    tight = _instances(WorkloadSpec(requests_per_second=30, slo={"itl_ms": 20}))
    assert tight >= loose


def test_the_issue_example_needs_dozens_of_h100s() -> None:
    # 100 req/s x 1,500 prompt tokens: prefill alone is 2 x 70e9 x 150,000 = 21 PFLOP/s; an H100 gives
    # 989.5 dense TFLOPS, so at any realistic utilisation that is dozens of GPUs.
    n = _instances(WorkloadSpec(requests_per_second=100, input_tokens=1500, output_tokens=300))
    assert n * 8 >= 21e15 / (989.5e12 * 0.9)


def test_same_request_same_answer() -> None:
    spec = WorkloadSpec(total_users=500, use_case="code")
    assert _instances(spec) == _instances(spec)
    assert derive_load(spec).requests_per_second == pytest.approx(500 * 0.1 / 20)


def test_a_daily_volume_peaks_at_three_times_its_average() -> None:
    # 86,400 requests a day = 1 req/s on average, carried in 8 busy hours: 3 req/s at peak
    load = derive_load(WorkloadSpec(requests_per_day=86_400))
    assert load.requests_per_second == pytest.approx(3.0)
    assert load.source == "derived" and any("busy hours" in n for n in load.notes)


def test_gke_cost_formula() -> None:
    p = perf.Point(batch=1, ttft_s=0.1, itl_s=0.01, e2e_s=1, requests_per_s=1, output_tokens_per_s=100)
    # $3.6/h = $0.001/s; 1 req/s x 400 input tokens / 4 + 100 output tok/s = 200 -> $5 per million
    assert perf.cost_per_million_output_tokens(3.6, p, perf.RequestShape(400, 100)) == pytest.approx(5.0)


@needs_shared()
def test_accuracy_against_published_measurements() -> None:
    from bench.accuracy import report

    table = {(s, e, m): (n, mape, bias) for s, e, m, n, mape, bias in report(SHARED)}
    # Targets from the issue: memory (KV capacity) within 5% of vLLM's measured values.
    for source in ("planner_accuracy_sweep", "planner_empirical_doc", "planner_version_sweep"):
        assert table[(source, "vllm", "kv_cache_gib")][1] <= 5.0
    # vLLM serving rows, the issue's targets: TPOT within 25% (measured 24.9%), TTFT within 35% (22.8%).
    assert table[("aic_silicon", "vllm", "tpot_ms")][1] <= 25.0
    assert table[("aic_silicon", "vllm", "ttft_ms")][1] <= 35.0
    assert table[("trtllm_perf_overview", "trtllm", "output_tokens_per_s")][1] <= 20.0
    assert math.isfinite(VLLM_CURRENT.activation_dense)


def test_closed_loop_queue_grows_with_clients_and_open_loop_with_utilisation() -> None:
    """Closed loop: TTFT = prefill x min(1 + log2(B)/8, 2) (AIConfigurator's vLLM factor); open loop: an
    M/D/1 wait that grows without bound as arrivals approach the prefill slot's capacity."""
    arch = ModelArch(8, 32, 4096, 32, 8, 128)
    gpu = gpu_spec("H100")
    assert gpu is not None
    memory = vllm_memory(arch, usable_gib=gpu.usable_memory_gib, tensor_parallel=1, fmt=WeightFormat.bf16)
    m, w = perf.step_model(arch, gpu, memory), perf.RequestShape(2000, 200)
    one, four, many = (perf.evaluate(m, w, b) for b in (1, 4, 4096))
    prefill = perf.prefill_s(m, 2000)
    assert four.ttft_s - one.ttft_s == pytest.approx(prefill * 0.25, rel=0.1)  # log2(4)/8 of a prefill
    step = many.itl_s - perf.PER_OUTPUT_TOKEN_S
    assert (many.ttft_s - perf.API_OVERHEAD_S - step) / prefill == pytest.approx(2.0)  # capped at 2
    light, _ = perf.batch_for_rate(m, w, 0.5, 256)
    heavy, _ = perf.batch_for_rate(m, w, 0.9 / prefill, 256)
    assert heavy.ttft_s > light.ttft_s + 2 * prefill


def test_moe_prefill_pays_host_dispatch_per_layer() -> None:
    """A MoE model's TTFT includes vLLM's 0.8 ms/layer prefill dispatch; a dense one's does not (its MFU
    is fitted on whole vLLM traces)."""
    dense = ModelArch(8, 32, 4096, 32, 8, 128)
    moe = dataclasses.replace(dense, num_experts=8, num_experts_per_tok=2, active_params_billion=2.5)
    gpu = gpu_spec("H100")
    assert gpu is not None
    times = []
    for arch in (dense, moe):
        memory = vllm_memory(arch, usable_gib=gpu.usable_memory_gib, tensor_parallel=1, fmt=WeightFormat.bf16)
        m, w = perf.step_model(arch, gpu, memory), perf.RequestShape(1000, 100)
        times.append(perf.evaluate(m, w, 1).ttft_s - perf.prefill_s(m, 1000))
    assert times[1] - times[0] == pytest.approx(perf.MOE_DISPATCH_S_PER_LAYER * 32, rel=0.2)
