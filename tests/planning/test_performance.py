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
    # vLLM serving rows from measured kernels: TPOT 22.4%, TTFT 22.4% over all rows (was 24.9% / 22.8% with
    # fixed MFUs); TTFT averaged over models 23.4% (the issue's target: 25%).
    assert table[("aic_silicon", "vllm", "tpot_ms")][1] <= 25.0
    assert table[("aic_silicon", "vllm", "ttft_ms")][1] <= 25.0
    from bench.accuracy import errors

    by_model = errors(SHARED)[1].by_model("ttft_ms")
    assert by_model is not None and by_model <= 25.0
    assert table[("trtllm_perf_overview", "trtllm", "output_tokens_per_s")][1] <= 20.0
    assert math.isfinite(VLLM_CURRENT.activation_dense)


@needs_shared()
def test_the_error_each_estimate_carries_is_what_the_bench_measures() -> None:
    """estimator_error.yaml (shown with every estimate) agrees with bench/accuracy.py to a point; the methods
    rank as they should: a GPU's own kernels beat another GPU's transferred, which beat no kernels."""
    from bench.accuracy import method_errors

    from stack8s.catalogs.kernels import expected_errors

    measured = method_errors(SHARED)
    shipped = expected_errors()
    for method, (ttft, tpot, rows) in measured.items():
        assert rows > 200
        assert abs(shipped[method].ttft_pct - ttft) <= 1.0 and abs(shipped[method].tpot_pct - tpot) <= 1.0, method
    assert measured["kernel-measured"][1] <= measured["kernel-transferred"][1] <= measured["roofline"][1]


def _llama_8b(gpu_name: str, fmt: WeightFormat = WeightFormat.bf16, tp: int = 1) -> tuple[perf.StepModel, int]:
    arch = ModelArch(8.03, 32, 4096, 32, 8, 128, vocab_size=128256, intermediate_size=14336)
    gpu = gpu_spec(gpu_name)
    assert gpu is not None
    memory = vllm_memory(arch, usable_gib=gpu.usable_memory_gib, tensor_parallel=tp, fmt=fmt, max_model_len=16384)
    return perf.step_model(arch, gpu, memory), memory.kv_cache_tokens


def test_closed_loop_ttft_grows_with_clients_and_open_loop_with_the_prompt_share() -> None:
    """Closed loop: more clients, more prompts ahead of each one. Open loop: ITL = decode step / (1 - rho)
    and the M/D/1 wait grow with the share rho of engine time spent on prompts, until the replica saturates."""
    m, _ = _llama_8b("H100")
    w = perf.RequestShape(2000, 200)
    one, four, many = (perf.evaluate(m, w, b) for b in (1, 4, 64))
    assert one.ttft_s < four.ttft_s < many.ttft_s
    extra, _ = perf.prefill_extra_s(m, 1.0, 2000)
    light, ok_light = perf.batch_for_rate(m, w, 0.2 / extra, 256)
    heavy, ok_heavy = perf.batch_for_rate(m, w, 0.5 / extra, 256)
    assert ok_light and ok_heavy
    assert heavy.itl_s > 2 * light.itl_s and heavy.ttft_s > light.ttft_s
    _, saturated = perf.batch_for_rate(m, w, 1.01 / extra, 256)
    assert not saturated


def test_long_prompts_at_a_moderate_rate_are_not_saturated() -> None:
    """The issue's RAG-style runs (vLLM, Llama 3.1 8B on H100, 8-10k-token prompts, 100-200-token answers,
    Poisson arrivals at 0.9-1.8 req/s per replica) measured TTFT 0.24-1.4 s and TPOT 16-62 ms."""
    m, kv_tokens = _llama_8b("H100")
    for i, o, rate in ((8000, 100, 0.9), (9000, 150, 1.3), (10000, 200, 1.8)):
        w = perf.RequestShape(i, o)
        point, ok = perf.batch_for_rate(m, w, rate, kv_tokens // (i + o))
        assert ok, (i, o, rate)
        assert 0.15 <= point.ttft_s <= 1.5 and 0.005 <= point.itl_s <= 0.065, (i, o, rate, point)


def test_per_gpu_gemms_lose_efficiency_as_tensor_parallelism_grows() -> None:
    """Measured GEMMs: splitting a 70B model 8 ways makes each GPU's GEMMs smaller and less efficient, so
    the GPU-seconds of one prefill grow with TP (a fixed MFU would keep them constant)."""
    arch = ModelArch(70.6, 80, 8192, 64, 8, 128, vocab_size=128256, intermediate_size=28672)
    gpu = gpu_spec("H100")
    assert gpu is not None
    gpu_seconds = []
    for tp in (1, 2, 4, 8):
        memory = vllm_memory(arch, usable_gib=gpu.usable_memory_gib, tensor_parallel=tp, fmt=WeightFormat.fp8)
        gpu_seconds.append(perf.prefill_s(perf.step_model(arch, gpu, memory), 4096) * tp)
    assert gpu_seconds == sorted(gpu_seconds) and gpu_seconds[-1] > 1.15 * gpu_seconds[0]


def test_fp4_math_only_on_blackwell() -> None:
    """NVFP4 weights run FP4 tensor-core GEMMs on B200 (prefill faster than FP8); on H100 they are
    dequantised into 16-bit GEMMs (prefill no faster than bf16) while decode reads 4.5-bit weights."""
    b200_fp8, _ = _llama_8b("B200", WeightFormat.fp8)
    b200_fp4, _ = _llama_8b("B200", WeightFormat.nvfp4)
    assert perf.prefill_s(b200_fp4, 8192) < perf.prefill_s(b200_fp8, 8192)
    h100_bf16, _ = _llama_8b("H100")
    h100_fp4, _ = _llama_8b("H100", WeightFormat.nvfp4)
    assert perf.prefill_s(h100_fp4, 8192) >= 0.9 * perf.prefill_s(h100_bf16, 8192)
    assert perf.decode_step_s(h100_fp4, 1, 1000) < 0.6 * perf.decode_step_s(h100_bf16, 1, 1000)
    assert "dequantised" in h100_fp4.method and "dequantised" not in b200_fp4.method


def test_method_names_the_data_behind_the_estimate() -> None:
    measured, _ = _llama_8b("H100")
    borrowed, _ = _llama_8b("L4")
    assert measured.method.startswith("kernel-measured on H100")
    assert borrowed.method.startswith("kernel-transferred: L4") and "l40s" in borrowed.method
    k80 = gpu_spec("K80")
    assert k80 is not None and perf.method_of(k80) == "roofline"


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
        times.append(perf.evaluate(m, w, 1).ttft_s - perf.prefill_s(m, 1000) - perf.decode_step_s(m, 1, 1050) * 1.5)
    assert times[1] - times[0] == pytest.approx(perf.MOE_DISPATCH_S_PER_LAYER * 32, rel=0.2)
