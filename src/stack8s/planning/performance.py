"""Serving performance of one vLLM replica (a tensor-parallel group): TTFT, ITL, throughput, $/Mtok.

Method: every engine step is summed from measured kernel latencies, and the scheduler is vLLM's.

* Kernels (`planning.op_latency`): NVIDIA AIConfigurator's per-operation measurements of vLLM on the GPU
  itself, or on the nearest measured GPU of its architecture scaled by the two rooflines (`method` says
  which); a GPU with no tensor cores falls back to a roofline with published efficiencies. One step over
  T tokens (decode and prefill tokens fused into the same GEMMs, as vLLM runs a mixed step) takes, per
  layer: the attention and MLP GEMMs at their per-GPU shapes (so tensor parallelism and the batch change
  the efficiency), the fused MoE for routed experts, two all-reduces of T x hidden activations, the
  element-wise kernels, decode attention over the batch's KV cache, and the prefill attention of the
  prompt chunk; then the lm_head for the sampled tokens and vLLM's per-step CPU time.
* Scheduler (vLLM V1, chunked prefill): each step runs every decoding sequence plus at most
  ``max_num_batched_tokens`` of one prompt. A prompt's chunks make the steps they ride in longer; the share
  of time the engine spends on prompts is rho = arrivals/s x (extra time of a request's chunks). Decoding
  sequences advance one token per step, so ITL = decode step / (1 - rho). A new request waits for the
  running step, then for the prompts ahead of it (M/D/1: rho / (2 (1 - rho)) x its prefill), then for its
  own chunks. Open loop (a request rate): the decoding batch follows from Little's law. Closed loop (N
  clients, as benchmarks run): throughput X = N / E2E(X), solved by bisection. The replica saturates
  when rho reaches 1 or the batch exceeds what the KV cache holds.

Constants beyond the kernels, each published: vLLM's per-step CPU time 126 us, 4 us per request, 46 us per
output token (detokenise and stream), 15.6 ms per request in the API server, 0.78 ms after the last token
(inference-sim BLIS trained-physics coefficients, ``docs/guide/latency-models.md``, fitted on H100 vLLM
traces); 3 us per element-wise kernel launch (AIConfigurator systems/*.yaml
``mem_empirical_constant_latency``).

Pure: no I/O. Times in seconds inside, milliseconds in the result.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from stack8s.planning import op_latency
from stack8s.planning.arch import ModelArch, hidden_of, kv_heads_of, layers_of
from stack8s.planning.hardware import ExpectedError, GpuSpec
from stack8s.planning.op_latency import MEMORY_EFFICIENCY, Device, OwnPeak, Roofline
from stack8s.planning.vllm_memory import (
    LINEAR_BYTES_PER_PARAM,
    VllmMemory,
    WeightFormat,
    embedding_params,
    expert_bytes_per_param,
    expert_params,
)

PER_REQUEST_S = 4e-6
PER_STEP_S = 126e-6
API_OVERHEAD_S = 15.563e-3
POST_DECODE_S = 0.777e-3
PER_OUTPUT_TOKEN_S = 46e-6
"""BLIS trained-physics defaults (beta6, beta7, alpha0, alpha1, alpha2): CPU time outside the kernels."""

ELEMENTWISE_LAUNCH_S = 3e-6
ELEMENTWISE_KERNELS_PER_LAYER = 3
"""Two fused add + RMSNorm kernels and the gated activation per layer, each a 3 us launch plus its bytes
(AIConfigurator ``mem_empirical_constant_latency``; its Llama model's ElementWise ops)."""

MOE_DISPATCH_S_PER_LAYER = 0.8e-3
"""vLLM's host-side dispatch time of an MoE prefill, 0.8 ms per layer (AIConfigurator vllm_backend.py
``_prefill_dispatch_overhead_ms``): not in kernel benchmarks."""

CLOSED_LOOP_QUEUE_PER_DOUBLING = 1 / 8
CLOSED_LOOP_QUEUE_MAX = 2.0

MFU_PREFILL_DEFAULT = 0.45
"""Dense GEMM efficiency of a roofline without kernel data (BLIS hardware_config.json, H100); also the
embedding-batch jobs' efficiency (`planning.jobs`)."""

MAX_NUM_SEQS = 256
"""vLLM ``--max-num-seqs`` default: at most 256 sequences per engine step."""

MAX_NUM_BATCHED_TOKENS = 8192
"""vLLM V1 chunked-prefill budget per step (``--max-num-batched-tokens`` default for online serving)."""

MAX_PREFILL_SHARE = 0.98
"""The share of engine time spent on prompts at which a replica counts as saturated (the queue grows
without bound at 1)."""

BISECTION_STEPS = 40
BISECTION_TOLERANCE = 2e-3
"""Closed-loop throughput is solved to 0.2%."""

OUTPUT_INPUT_COST_RATIO = 4.0
"""GKE Inference Quickstart: $/output token = instance $/s / (input tok/s / r + output tok/s), r = 4."""

TOKEN_GRID = tuple(float(2**i) for i in range(17))
"""Step times are tabulated per model and GPU at 1 .. 65,536 tokens and interpolated in between."""


@dataclass(frozen=True)
class RequestShape:
    """One request as the estimator sees it: prompt and answer tokens."""

    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class StepModel:
    """Everything a step-time evaluation needs, precomputed once per (model, GPU, TP, format)."""

    tp: int
    layers: float
    token_s: tuple[float, ...]  # per TOKEN_GRID point: GEMMs + MoE + all-reduce + element-wise, all layers
    lm_head_s: tuple[float, ...]  # per TOKEN_GRID point (sampled tokens)
    prefill_attention_s: tuple[tuple[float, float], ...]  # (prompt tokens, causal attention all layers)
    device: Device | Roofline
    kv_dtype: str
    kv_heads_per_gpu: int
    kv_head_dim: float  # per-layer cached values per token and GPU / (2 x kv_heads_per_gpu)
    experts: int
    method: str
    expected_error: ExpectedError | None  # the bench's error for this method

    def tokens(self, t: float) -> float:
        return _grid(self.token_s, t)

    def lm_head(self, t: float) -> float:
        return _grid(self.lm_head_s, t) if t > 0 else 0.0

    def prefill_attention(self, prompt: float) -> float:
        pts = self.prefill_attention_s
        if prompt <= 0:
            return 0.0
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            if prompt <= x1:
                t = (math.log(prompt) - math.log(x0)) / (math.log(x1) - math.log(x0)) if prompt > x0 else 0.0
                return y0 + t * (y1 - y0)
        x, y = pts[-1]
        return y * (prompt / x) ** 2  # quadratic in the prompt beyond the table

    def decode_attention(self, batch: float, context: float) -> float:
        if batch <= 0:
            return 0.0
        per_layer = self.device.generation_attention_s(
            self.kv_dtype, self.kv_heads_per_gpu, max(1, round(self.kv_head_dim)), batch, max(context, 1.0)
        )
        return per_layer * self.layers


def _grid(values: tuple[float, ...], t: float) -> float:
    """Piecewise linear in log(tokens) over TOKEN_GRID; proportional beyond its end."""
    if t <= TOKEN_GRID[0]:
        return values[0]
    if t >= TOKEN_GRID[-1]:
        return values[-1] * t / TOKEN_GRID[-1]
    i = int(math.log2(t))
    x0, x1 = TOKEN_GRID[i], TOKEN_GRID[i + 1]
    w = (math.log(t) - math.log(x0)) / (math.log(x1) - math.log(x0))
    return values[i] + w * (values[i + 1] - values[i])


def _gemm_dtype(fmt: WeightFormat) -> str:
    return {
        WeightFormat.fp8: "fp8",
        WeightFormat.int8: "fp8",
        WeightFormat.nvfp4: "nvfp4",
        WeightFormat.int4: "int4",
    }.get(fmt, "bfloat16")


def _moe_dtype(fmt: WeightFormat, device: Device | Roofline) -> str:
    if fmt is WeightFormat.nvfp4:
        return "nvfp4" if device.has_math("nvfp4") else "int4_wo"
    return {
        WeightFormat.fp8: "fp8_block",
        WeightFormat.int8: "fp8",
        WeightFormat.int4: "int4_wo",
        WeightFormat.mxfp4: "w4a16_mxfp4",
    }.get(fmt, "bfloat16")


def _device(gpu: GpuSpec) -> Device | Roofline:
    own = OwnPeak(
        bandwidth_bps=gpu.memory_bandwidth_gbps * 1e9,
        bf16_flops=(gpu.peak_tflops_16bit or 1.0) * 1e12,
        fp8_flops=gpu.fp8_tflops * 1e12 if gpu.fp8_tflops else None,
        fp4_flops=gpu.fp4_tflops * 1e12 if gpu.fp4_tflops else None,
        link_bps=max(gpu.interconnect_gbps, 1.0) * 1e9 / 2,
        nvlink=gpu.interconnect in ("nvlink", "xgmi"),
    )
    if gpu.kernels is None:
        return Roofline(own)
    return Device(gpu.kernels.tables, own, transferred=not gpu.kernels.measured_on_this_gpu)


def method_of(gpu: GpuSpec) -> str:
    """Which data stand behind an estimate on this GPU (the first words of `describe`)."""
    return op_latency.method_of(gpu.kernels)


def error_note(m: StepModel) -> str:
    e = m.expected_error
    return f"; expected error ({e.method}, bench): TTFT ±{e.ttft_pct:.0f}%, TPOT ±{e.tpot_pct:.0f}%" if e else ""


@dataclass(frozen=True)
class _Gemm:
    n: float
    k: float
    count: float  # per step (layers, or 1 for the lm_head)


def _layer_gemms(arch: ModelArch, tp: int) -> tuple[list[_Gemm], float]:
    """The per-GPU GEMM shapes of one layer, and the routed-expert width per GPU (0 for dense models).

    Attention projections from the head layout; the rest of the layer's non-routed parameters (the MLP of a
    dense model, shared experts and dense layers of an MoE, MLA's low-rank projections) as a gated MLP of
    the width that holds them."""
    h = hidden_of(arch)
    layers = layers_of(arch)
    heads = arch.num_attention_heads or max(1, round(h / 128))
    head_dim = arch.head_dim or h / heads
    kv = kv_heads_of(arch)
    embed = embedding_params(arch)
    experts = arch.num_experts or 0
    routed = expert_params(arch) if experts > 1 else 0.0
    k = arch.num_experts_per_tok or 2
    active = (arch.active_params_billion or arch.params_billion) * 1e9 if experts > 1 else arch.params_billion * 1e9
    routed_active = routed * k / experts if experts > 1 else 0.0
    per_layer = max(active - embed - routed_active, 0.0) / max(layers, 1.0)
    gemms: list[_Gemm] = []
    mla = bool(arch.kv_bytes_per_token)
    attention = 0.0
    if not mla:
        attention = h * (heads + 2 * kv) * head_dim + heads * head_dim * h
        if attention <= per_layer * 1.05:
            gemms += [_Gemm((heads + 2 * kv) * head_dim / tp, h, layers), _Gemm(h, heads * head_dim / tp, layers)]
        else:
            attention = 0.0
    rest = per_layer - attention
    if rest > 0 and h:
        width = rest / (3 * h) if not mla else rest / (2 * h)
        if mla:
            gemms += [_Gemm(width / tp, h, layers), _Gemm(h, width / tp, layers)]
        else:
            gemms += [_Gemm(2 * width / tp, h, layers), _Gemm(h, width / tp, layers)]
    inter = (arch.intermediate_size or 0) if experts > 1 else 0
    if experts > 1 and not inter and h:
        inter = round(routed / (layers * experts * 3 * h))
    return gemms, inter / tp


def step_model(arch: ModelArch, gpu: GpuSpec, memory: VllmMemory) -> StepModel:
    tp, fmt = memory.tensor_parallel, memory.weight_format
    device = _device(gpu)
    layers = layers_of(arch)
    h = hidden_of(arch)
    gemms, expert_width = _layer_gemms(arch, tp)
    dtype = _gemm_dtype(fmt)
    weight_bytes = LINEAR_BYTES_PER_PARAM[fmt]
    scale = 2.0 if fmt is WeightFormat.fp32 else 1.0
    experts = arch.num_experts or 0
    topk = arch.num_experts_per_tok or 2
    moe_dtype = _moe_dtype(fmt, device)
    expert_wb = expert_bytes_per_param(fmt)
    bandwidth = gpu.memory_bandwidth_gbps * 1e9 * MEMORY_EFFICIENCY
    act = 4 if fmt is WeightFormat.fp32 else 2
    token_s = []
    lm_head_s = []
    vocab = arch.vocab_size or 0
    for t in TOKEN_GRID:
        step = sum(g.count * device.gemm_s(dtype, t, g.n, g.k, weight_bytes) for g in gemms) * scale
        if experts > 1 and expert_width:
            step += layers * device.moe_s(moe_dtype, round(h), expert_width, topk, experts, t, expert_wb)
        step += 2 * layers * device.allreduce_s(tp, t * h * act)
        elementwise = t * act * (8 * h + 3 * (2 * expert_width * topk if experts > 1 else 0.0)) / bandwidth
        step += layers * (ELEMENTWISE_KERNELS_PER_LAYER * ELEMENTWISE_LAUNCH_S + elementwise)
        token_s.append(step)
        lm_head_s.append(device.gemm_s("bfloat16", t, vocab / tp, h, 2.0) if vocab else 0.0)
    heads = arch.num_attention_heads or max(1, round(h / 128))
    head_dim = arch.head_dim or h / heads
    heads_per_gpu = max(1, math.ceil(heads / tp))
    prefill_attention = tuple(
        (p, layers * device.context_attention_s(heads_per_gpu, round(head_dim), p)) for p in TOKEN_GRID[4:]
    )
    kv_heads = max(1, kv_heads_of(arch) // tp) if not arch.kv_bytes_per_token else 1
    per_layer_values = memory.kv_bytes_per_token / max(layers, 1.0) / memory.kv_value_bytes
    return StepModel(
        tp=tp,
        layers=layers,
        token_s=tuple(token_s),
        lm_head_s=tuple(lm_head_s),
        prefill_attention_s=prefill_attention,
        device=device,
        kv_dtype="fp8" if memory.kv_value_bytes == 1 else "bfloat16",
        kv_heads_per_gpu=kv_heads,
        kv_head_dim=per_layer_values / (2 * kv_heads),
        experts=experts if experts > 1 else 0,
        method=_method_text(gpu, fmt, dtype, device),
        expected_error=gpu.expected_error,
    )


def _method_text(gpu: GpuSpec, fmt: WeightFormat, dtype: str, device: Device | Roofline) -> str:
    ref = gpu.kernels
    if ref is None or isinstance(device, Roofline):
        return f"roofline ({gpu.name}: no measured kernels; GEMMs at {MFU_PREFILL_DEFAULT:g} of peak)"
    tables = device.tables
    math_note = "" if device.has_math(dtype) or dtype == "bfloat16" else f", {fmt} weights dequantised in 16-bit GEMMs"
    if ref.measured_on_this_gpu:
        return f"kernel-measured on {gpu.name} ({tables.package}, vLLM kernels){math_note}"
    return (
        f"kernel-transferred: {gpu.name} has no measured kernels; {tables.system} tables scaled by peak FLOPS and "
        f"bandwidth ({tables.package}){math_note}"
    )


@dataclass(frozen=True)
class Point:
    """Latency and throughput of one replica with `batch` requests in flight."""

    batch: float
    ttft_s: float
    itl_s: float
    e2e_s: float
    requests_per_s: float
    output_tokens_per_s: float


def decode_step_s(m: StepModel, batch: float, context: float) -> float:
    """A step of `batch` decoding sequences at mean context `context`, no prompt riding along."""
    return m.tokens(batch) + m.lm_head(batch) + m.decode_attention(batch, context) + PER_STEP_S + PER_REQUEST_S * batch


def prefill_extra_s(m: StepModel, batch: float, prompt: int) -> tuple[float, int]:
    """(extra engine time one request's prompt adds to the steps it rides in, number of chunks)."""
    budget = max(MAX_NUM_BATCHED_TOKENS - batch, 1.0)
    chunks = max(1, math.ceil(prompt / budget))
    last = prompt - (chunks - 1) * budget
    base = m.tokens(batch)
    extra = (chunks - 1) * (m.tokens(batch + budget) - base) + (m.tokens(batch + last) - base)
    return extra + m.prefill_attention(prompt) + m.lm_head(batch + 1) - m.lm_head(batch), chunks


def prefill_s(m: StepModel, prompt: int) -> float:
    """One prompt alone on the replica (nothing decoding): its chunks back to back."""
    extra, chunks = prefill_extra_s(m, 0.0, prompt)
    return chunks * decode_step_s(m, 0.0, 0.0) + extra


def _closed_loop_factor(clients: float) -> float:
    """Closed-loop clients with equal request lengths stay partly in step, so prompts arrive in bursts:
    AIConfigurator's vLLM factor on the prefill, 1 + log2(N) / 8, at most 2 (``vllm_backend.py``
    ``_ttft_queuing_factor``, calibrated on its own silicon runs)."""
    if clients <= 1:
        return 1.0
    return min(1 + math.log2(clients) * CLOSED_LOOP_QUEUE_PER_DOUBLING, CLOSED_LOOP_QUEUE_MAX)


@dataclass(frozen=True)
class _State:
    ttft_s: float
    itl_s: float
    e2e_s: float
    share: float  # rho: the share of engine time spent on prompts


def _state(m: StepModel, w: RequestShape, arrivals: float, decoding: float, clients: float = 0.0) -> _State:
    """Latencies at `arrivals` requests/s with `decoding` sequences in the decode phase (`clients` > 0: a
    closed loop of that many clients)."""
    i, o = w.input_tokens, max(w.output_tokens, 1)
    step = decode_step_s(m, decoding, i + o / 2)
    extra, chunks = prefill_extra_s(m, decoding, i)
    rho = arrivals * extra
    if rho >= MAX_PREFILL_SHARE:
        return _State(math.inf, math.inf, math.inf, rho)
    itl = step / (1 - rho) + PER_OUTPUT_TOKEN_S
    own = (chunks * step + extra) * _closed_loop_factor(clients) + (
        m.layers * MOE_DISPATCH_S_PER_LAYER if m.experts else 0.0
    )
    wait = rho / (2 * (1 - rho)) * extra
    ttft = API_OVERHEAD_S + step / 2 + wait + own
    e2e = ttft + (o - 1) * itl + POST_DECODE_S
    return _State(ttft, itl, e2e, rho)


def _point(batch: float, s: _State, w: RequestShape) -> Point:
    o = max(w.output_tokens, 1)
    return Point(batch, s.ttft_s, s.itl_s, s.e2e_s, batch / s.e2e_s, batch * o / s.e2e_s)


def evaluate(m: StepModel, w: RequestShape, batch: float) -> Point:
    """`batch` clients, each waiting for its answer before sending the next (closed loop, as benchmarks
    run): the throughput X solves X = batch / E2E(X) (bisection; E2E grows with X). Of the clients, those
    not waiting for a first token are decoding."""
    n = max(batch, 1e-9)
    lo, hi = 0.0, n / _state(m, w, 0.0, min(n, 1.0)).e2e_s
    decoding = n
    best = _state(m, w, 0.0, n, n)
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        s = _state(m, w, mid, decoding, n)
        if math.isinf(s.e2e_s) or mid * s.e2e_s > n:
            hi = mid
        else:
            lo, best = mid, s
            decoding = max(n * (s.e2e_s - s.ttft_s) / s.e2e_s, min(n, 1.0))
        if hi - lo <= BISECTION_TOLERANCE * hi:
            break
    return _point(n, best, w)


def at_rate(m: StepModel, w: RequestShape, rate: float, limit: float) -> tuple[Point, bool]:
    """Open loop: `rate` requests/s arriving independently; the decoding batch follows from Little's law
    (B = rate x decode time). (point, False) when the replica cannot sustain the rate."""
    o = max(w.output_tokens, 1)
    decoding = 1.0
    s = _state(m, w, rate, decoding)
    for _ in range(60):
        if math.isinf(s.e2e_s):
            break
        target = rate * max((o - 1) * s.itl_s, s.itl_s)
        if abs(target - decoding) < 1e-3 * max(decoding, 1.0):
            decoding = target
            break
        decoding = target
        if decoding > limit:
            break
        s = _state(m, w, rate, max(decoding, 1e-6))
    s = _state(m, w, rate, max(decoding, 1e-6))
    ok = not math.isinf(s.e2e_s) and decoding <= limit
    if not ok:
        top = evaluate(m, w, limit if math.isfinite(limit) else MAX_NUM_SEQS)
        return top, False
    return _point(rate * s.e2e_s, s, w), True


@dataclass(frozen=True)
class Targets:
    ttft_ms: float | None = None
    itl_ms: float | None = None
    e2e_ms: float | None = None

    def met(self, p: Point) -> bool:
        return (
            (self.ttft_ms is None or p.ttft_s * 1000 <= self.ttft_ms)
            and (self.itl_ms is None or p.itl_s * 1000 <= self.itl_ms)
            and (self.e2e_ms is None or p.e2e_s * 1000 <= self.e2e_ms)
        )

    @property
    def empty(self) -> bool:
        return self.ttft_ms is None and self.itl_ms is None and self.e2e_ms is None


def max_batch(memory: VllmMemory, w: RequestShape, sequence_tokens: int | None = None) -> int:
    """Sequences the KV cache holds at input + output tokens each (or `sequence_tokens`, e.g. a stated
    context every sequence may fill), capped at vLLM's max_num_seqs."""
    per_seq = sequence_tokens or w.input_tokens + w.output_tokens
    return max(0, min(MAX_NUM_SEQS, memory.kv_cache_tokens // max(per_seq, 1)))


def best_batch(m: StepModel, w: RequestShape, limit: int, slo: Targets) -> tuple[Point, bool]:
    """The largest batch <= limit that meets the SLO (latency grows with the batch: binary search);
    (batch 1, False) when even one request misses it."""
    first = evaluate(m, w, 1)
    if not slo.met(first):
        return first, False
    lo, hi = 1, max(limit, 1)
    if slo.met(top := evaluate(m, w, hi)):
        return top, True
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if slo.met(evaluate(m, w, mid)):
            lo = mid
        else:
            hi = mid
    return evaluate(m, w, lo), True


def batch_for_rate(m: StepModel, w: RequestShape, rate: float, limit: int) -> tuple[Point, bool]:
    """Open loop at `rate` requests/s within a KV cache of `limit` sequences (see `at_rate`)."""
    return at_rate(m, w, rate, float(max(limit, 1)))


def cost_per_million_output_tokens(hourly_usd: float, p: Point, w: RequestShape) -> float | None:
    """GKE's formula: $/output token = $/s / (input tok/s / 4 + output tok/s), x 1e6."""
    input_rate = p.requests_per_s * w.input_tokens
    denominator = input_rate / OUTPUT_INPUT_COST_RATIO + p.output_tokens_per_s
    if denominator <= 0:
        return None
    return hourly_usd / 3600 / denominator * 1e6


def describe(m: StepModel) -> str:
    return (
        f"{m.method}; per step: GEMMs at their TP-{m.tp} shapes"
        + (f", fused MoE over {m.experts} experts" if m.experts else "")
        + ", all-reduce, decode and prefill attention; vLLM chunked-prefill scheduler"
        f" ({MAX_NUM_BATCHED_TOKENS} tokens per step)" + error_note(m)
    )
