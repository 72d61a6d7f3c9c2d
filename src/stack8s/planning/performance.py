"""Serving performance of one vLLM replica (a tensor-parallel group): TTFT, ITL, throughput, $/Mtok.

Method: a roofline of each engine step, corrected by published calibration constants.

* Decode step with B sequences in flight: the weights are read once per step (for MoE only the experts
  the batch touches: E x (1 - (1 - k/E)^B) per layer, BLIS ``sim/latency/roofline.go``), plus every
  sequence's KV cache; compute is 2 x active parameters per token. The step takes the larger of the
  memory and compute times, plus tensor-parallel all-reduces and fixed per-layer / per-step /
  per-request overheads.
* Continuous batching with chunked prefill (vLLM's default) mixes new requests' prefill into decode
  steps: in steady state B / output_tokens requests start per step, so each step also carries their
  prefill compute. TPOT therefore grows with prompt length, as measured.
* TTFT = API overhead + one step already running + the request's own prefill (chunked at
  max_num_batched_tokens, each chunk reading the weights once) x a queueing factor for the prefill slot
  (vLLM V1 prefills one request at a time). Open loop (requests/s): an M/D/1 wait at utilisation
  rho = arrivals/s x prefill time. Closed loop (B clients, as in benchmarks): AIConfigurator's vLLM
  factor 1 + log2(B)/8, at most 2 (ai-dynamo/aiconfigurator ``sdk/backends/vllm_backend.py``
  ``_ttft_queuing_factor``, calibrated on its tp-matched vLLM silicon runs, B = 1..64).
* MoE prefill adds vLLM's host-side dispatch time, 0.8 ms per layer (AIConfigurator, same file,
  ``_prefill_dispatch_overhead_ms``): the routed experts' time here comes from kernel benchmarks
  (grouped-GEMM MFU), which, unlike the dense MFU fitted on whole vLLM traces, exclude it.
* Closed loop (B in flight): requests/s = B / E2E, output tokens/s = B x output_tokens / E2E.

Calibration constants (not fitted to any row here; each from a published source):
BLIS trained-physics coefficients (inference-sim ``docs/guide/latency-models.md``, fitted on H100
vLLM traces): weights-read time x 1.4, decode KV-read time x 1.9, 32 us per layer, 4 us per request,
126 us per step, 15.6 ms per-request API overhead, 0.78 ms post-decode, 46 us per output token.
Prefill MFU 0.45 (H100), 0.38 (A100), 0.32 (L40S) and decode MFU 0.30 from BLIS
``hardware_config.json`` / BentoML llm-optimizer ``performance.py``.

Pure: no I/O. Times in seconds inside, milliseconds in the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from stack8s.planning.arch import ModelArch, hidden_of, layers_of
from stack8s.planning.hardware import GpuSpec
from stack8s.planning.vllm_memory import (
    GIB,
    VllmMemory,
    WeightFormat,
    embedding_params,
    expert_bytes,
    expert_params,
    weight_bytes,
)

BETA_WEIGHTS = 1.4
BETA_KV = 1.9
PER_LAYER_S = 32e-6
PER_REQUEST_S = 4e-6
PER_STEP_S = 126e-6
API_OVERHEAD_S = 15.563e-3
POST_DECODE_S = 0.777e-3
PER_OUTPUT_TOKEN_S = 46e-6
"""BLIS trained-physics defaults (beta3, beta2b, beta5, beta6, beta7, alpha0, alpha1, alpha2)."""

MFU_PREFILL_DEFAULT = 0.45
MFU_PREFILL = {"A100-40GB": 0.38, "A100-80GB": 0.38, "L40S": 0.32, "L40": 0.32}
"""Model FLOPs utilisation of the GEMMs: 0.45 on H100-class parts, 0.38 A100, 0.32 L40S (BLIS
hardware_config.json prefill MFU), for every token a step carries."""

MFU_GROUPED_GEMM = 0.165
"""Routed MoE experts run as grouped GEMMs at 0.15-0.18 MFU, against 0.35-0.6 for dense GEMMs (InferSim's
DeepGEMM grouped-GEMM benchmarks, summarised in inference-sim ``docs/research/roofline-v2-improvement/
idea3-tiered-accuracy-model.md`` H7b); the midpoint is used for the routed experts' FLOPs."""

MOE_DISPATCH_S_PER_LAYER = 0.8e-3
"""vLLM's per-request CPU dispatch time in prefill, 0.8 ms per layer (AIConfigurator vllm_backend.py
``_prefill_dispatch_overhead_ms``); added for MoE models, whose expert time is kernel-level (see above)."""

CLOSED_LOOP_QUEUE_PER_DOUBLING = 1 / 8
CLOSED_LOOP_QUEUE_MAX = 2.0
"""Closed-loop TTFT = prefill x min(1 + log2(B) / 8, 2) (AIConfigurator vllm_backend.py ``_ttft_queuing_factor``)."""

MAX_NUM_SEQS = 256
"""vLLM ``--max-num-seqs`` default: at most 256 sequences per engine step."""

MAX_NUM_BATCHED_TOKENS = 8192
"""vLLM V1 chunked-prefill budget per step (``--max-num-batched-tokens`` default for online serving)."""

ALLREDUCE_LATENCY_S = {"nvlink": 6e-6, "xgmi": 10e-6}
ALLREDUCE_LATENCY_PCIE_S = 25e-6
"""Latency of one small all-reduce: ~6 us with vLLM's custom one-shot all-reduce over NVLink, ~10 us over
AMD xGMI (RCCL), ~25 us through PCIe switches / host bridges (nccl-tests all_reduce_perf, small sizes)."""

RATE_BATCH_TOLERANCE = 0.01
"""Open-loop batch found to within 0.01 sequences (about 15 bisection steps for a 256-sequence engine)."""

MAX_PREFILL_UTILISATION = 0.95
"""The prefill queue's utilisation is capped below 1 (the wait grows without bound at 1)."""

OUTPUT_INPUT_COST_RATIO = 4.0
"""GKE Inference Quickstart: $/output token = instance $/s / (input tok/s / r + output tok/s), r = 4."""


@dataclass(frozen=True)
class RequestShape:
    """One request as the estimator sees it: prompt and answer tokens."""

    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class StepModel:
    """Everything a step-time evaluation needs, precomputed once per (model, GPU, TP)."""

    tp: int
    layers: float
    bandwidth_bps: float  # one GPU
    flops: float  # one GPU, peak dense for the compute dtype
    mfu_prefill: float
    dense_step_bytes: float  # weights read every step (all GPUs), without routed experts
    expert_bytes_per_layer_expert: float
    experts: int
    experts_per_token: int
    active_flops_per_token: float  # 2 x active parameters
    routed_flops_per_token: float  # the part of it in routed experts (grouped GEMMs), 0 for dense models
    attn_dim: float  # n_heads x head_dim, for attention FLOPs
    kv_bytes_per_token: float  # all GPUs
    allreduce_latency_s: float
    link_bps: float  # one direction, one GPU
    hidden: float
    act_bytes: int


def _compute_tflops(gpu: GpuSpec, fmt: WeightFormat) -> float:
    """Peak dense TFLOPS used for the matmuls: FP8 / INT8 tensor cores when the weights and the GPU both
    have them (vLLM runs W8A8 there); weight-only int4/MXFP4 and everything else compute in 16-bit."""
    sixteen = gpu.peak_tflops_16bit or 0.0
    if fmt is WeightFormat.fp8 and gpu.fp8_tflops:
        return gpu.fp8_tflops
    if fmt is WeightFormat.int8 and gpu.int8_tops:
        return gpu.int8_tops
    if fmt is WeightFormat.fp32:
        return sixteen / 2  # TF32 tensor cores: half the 16-bit rate
    return sixteen


def step_model(arch: ModelArch, gpu: GpuSpec, memory: VllmMemory) -> StepModel:
    tp, fmt = memory.tensor_parallel, memory.weight_format
    experts = arch.num_experts or 0
    routed = expert_bytes(arch, fmt)
    # The input embedding is a lookup (B rows), not a read of the table; a tied table is read as lm_head.
    embed = embedding_params(arch)
    untied_input = embed / 2 if embed and not arch.tie_word_embeddings else 0.0
    dense = max(weight_bytes(arch, fmt) - routed - untied_input * 2, 0.0)
    layers = layers_of(arch)
    active = (arch.active_params_billion or arch.params_billion) * 1e9
    heads = arch.num_attention_heads or 0
    head_dim = arch.head_dim or (hidden_of(arch) / heads if heads else 128)
    attn_dim = heads * head_dim if heads else hidden_of(arch)
    tflops = _compute_tflops(gpu, fmt) or 1.0
    link = gpu.interconnect if gpu.interconnect in ALLREDUCE_LATENCY_S else "pcie"
    return StepModel(
        tp=tp,
        layers=layers,
        bandwidth_bps=gpu.memory_bandwidth_gbps * 1e9,
        flops=tflops * 1e12,
        mfu_prefill=MFU_PREFILL.get(gpu.name, MFU_PREFILL_DEFAULT),
        dense_step_bytes=dense,
        expert_bytes_per_layer_expert=routed / (layers * experts) if experts > 1 else 0.0,
        experts=experts if experts > 1 else 0,
        experts_per_token=arch.num_experts_per_tok or 2,
        active_flops_per_token=2 * max(active - untied_input, 0.0),
        routed_flops_per_token=2 * expert_params(arch) * (arch.num_experts_per_tok or 2) / experts
        if experts > 1
        else 0.0,
        attn_dim=attn_dim,
        kv_bytes_per_token=memory.kv_bytes_per_token * tp,
        allreduce_latency_s=ALLREDUCE_LATENCY_S.get(link, ALLREDUCE_LATENCY_PCIE_S),
        link_bps=gpu.interconnect_gbps * 1e9 / 2,
        hidden=hidden_of(arch),
        act_bytes=2 if fmt is not WeightFormat.fp32 else 4,
    )


def _allreduce_s(m: StepModel, tokens: float) -> float:
    """Two all-reduces per layer (after attention and after the MLP) of tokens x hidden activations."""
    if m.tp == 1:
        return 0.0
    message = tokens * m.hidden * m.act_bytes
    ring = 2 * (m.tp - 1) / m.tp * message / m.link_bps
    return 2 * m.layers * (m.allreduce_latency_s + ring)


def _weights_read_bytes(m: StepModel, tokens: float) -> float:
    """Weights read in one step: the dense part, plus for MoE the unique experts B tokens touch."""
    if not m.experts:
        return m.dense_step_bytes
    k, e = m.experts_per_token, m.experts
    touched = e * (1 - math.pow(1 - k / e, max(tokens, 1.0)))
    return m.dense_step_bytes + touched * m.layers * m.expert_bytes_per_layer_expert


def decode_step_s(
    m: StepModel, batch: float, context: float, prefill_tokens: float = 0.0, prompt: float | None = None
) -> float:
    """One engine step: `batch` sequences decoding at mean context `context`, plus `prefill_tokens` of
    chunked prefill riding along. Memory (weights once + KV) and compute overlap: the step takes the
    larger of the two, plus all-reduces and fixed overheads. Decode and prefill tokens go through the
    linear layers as one fused GEMM (vLLM runs a mixed step that way; inference-sim's roofline-v2 research,
    H5), so the compute is that GEMM over all the step's tokens plus the prefill's attention."""
    bw = m.tp * m.bandwidth_bps
    memory = BETA_WEIGHTS * _weights_read_bytes(m, batch + prefill_tokens) / bw
    memory += BETA_KV * batch * context * m.kv_bytes_per_token / bw
    compute = gemm_s(m, batch + prefill_tokens) + attention_s(m, prefill_tokens, prompt)
    overhead = PER_LAYER_S * m.layers + PER_STEP_S + PER_REQUEST_S * batch
    return max(memory, compute) + _allreduce_s(m, batch + prefill_tokens) + overhead


def prefill_flops(m: StepModel, tokens: float, prompt: float | None = None) -> float:
    """2 x active params per token + causal attention: 2 x layers x tokens x prompt x n_heads x head_dim
    (each token attends to half its prompt on average, QK and AV each 2 FLOPs per multiply-add)."""
    return m.active_flops_per_token * tokens + _attention_flops(m, tokens, prompt)


def _attention_flops(m: StepModel, tokens: float, prompt: float | None) -> float:
    return 2 * m.layers * tokens * (prompt or tokens) * m.attn_dim


def gemm_s(m: StepModel, tokens: float) -> float:
    """The linear layers over `tokens` tokens: dense GEMMs at the prefill MFU, routed experts (MoE) at the
    grouped-GEMM MFU."""
    routed = m.routed_flops_per_token * tokens
    dense = m.active_flops_per_token * tokens - routed
    return (dense / m.mfu_prefill + routed / MFU_GROUPED_GEMM) / (m.tp * m.flops)


def attention_s(m: StepModel, tokens: float, prompt: float | None = None) -> float:
    return _attention_flops(m, tokens, prompt) / (m.tp * m.flops * m.mfu_prefill) if tokens else 0.0


def prefill_compute_s(m: StepModel, tokens: float, prompt: float | None = None) -> float:
    return gemm_s(m, tokens) + attention_s(m, tokens, prompt)


def prefill_s(m: StepModel, tokens: float, prompt: float | None = None) -> float:
    """Prefill of `tokens` prompt tokens (prompts of `prompt` tokens each; one prompt when not given):
    chunks of MAX_NUM_BATCHED_TOKENS, each reading the weights once."""
    chunks = max(1, math.ceil(tokens / MAX_NUM_BATCHED_TOKENS))
    weights = BETA_WEIGHTS * _weights_read_bytes(m, tokens) / (m.tp * m.bandwidth_bps)
    per_chunk = PER_LAYER_S * m.layers + PER_STEP_S + _allreduce_s(m, min(tokens, MAX_NUM_BATCHED_TOKENS))
    return max(prefill_compute_s(m, tokens, prompt), chunks * weights) + chunks * per_chunk


@dataclass(frozen=True)
class Point:
    """Latency and throughput of one replica with `batch` requests in flight (closed loop)."""

    batch: float
    ttft_s: float
    itl_s: float
    e2e_s: float
    requests_per_s: float
    output_tokens_per_s: float


def evaluate(m: StepModel, w: RequestShape, batch: float, *, open_loop: bool = False) -> Point:
    """`batch` requests in flight: held by as many clients each waiting for its answer (closed loop, the
    default), or the mean in flight of independent arrivals (open loop, `batch_for_rate`)."""
    i, o = w.input_tokens, max(w.output_tokens, 1)
    # Steady state of continuous batching: batch / o requests finish, and as many start, per step; their
    # prefill tokens ride along in the decode steps (chunked prefill), so every step carries them.
    step = decode_step_s(m, batch, i + o / 2, prefill_tokens=batch / o * i, prompt=i)
    itl = step + PER_OUTPUT_TOKEN_S
    prefill = prefill_s(m, i) + (MOE_DISPATCH_S_PER_LAYER * m.layers if m.experts else 0.0)
    decode = (o - 1) * itl + POST_DECODE_S
    if open_loop:  # independent arrivals queue for the prefill slot: M/D/1 at rho = arrivals/s x prefill
        rho = min(batch * prefill / (API_OVERHEAD_S + step + prefill + decode), MAX_PREFILL_UTILISATION)
        queue = 1 + rho / (2 * (1 - rho))
    else:
        queue = min(1 + math.log2(max(batch, 1.0)) * CLOSED_LOOP_QUEUE_PER_DOUBLING, CLOSED_LOOP_QUEUE_MAX)
    ttft = API_OVERHEAD_S + step + prefill * queue
    e2e = ttft + decode
    return Point(
        batch=batch,
        ttft_s=ttft,
        itl_s=itl,
        e2e_s=e2e,
        requests_per_s=batch / e2e,
        output_tokens_per_s=batch * o / e2e,
    )


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
    """Open loop: the batch at which the replica completes `rate` requests/s (Little's law: B = rate x
    E2E(B)); (the limit's point, False) when the replica cannot reach that rate."""
    top = evaluate(m, w, max(limit, 1), open_loop=True)
    if top.requests_per_s < rate:
        return top, False
    lo, hi = 0.0, float(max(limit, 1))
    while hi - lo > RATE_BATCH_TOLERANCE:
        mid = (lo + hi) / 2
        if evaluate(m, w, max(mid, 1e-6), open_loop=True).requests_per_s < rate:
            lo = mid
        else:
            hi = mid
    return evaluate(m, w, max(hi, 1e-6), open_loop=True), True


def cost_per_million_output_tokens(hourly_usd: float, p: Point, w: RequestShape) -> float | None:
    """GKE's formula: $/output token = $/s / (input tok/s / 4 + output tok/s), x 1e6."""
    input_rate = p.requests_per_s * w.input_tokens
    denominator = input_rate / OUTPUT_INPUT_COST_RATIO + p.output_tokens_per_s
    if denominator <= 0:
        return None
    return hourly_usd / 3600 / denominator * 1e6


def describe(m: StepModel) -> str:
    return (
        f"roofline per step (weights {m.dense_step_bytes / GIB:.1f} GiB dense"
        + (f" + {m.experts} experts x {m.layers:.0f} layers touched by the batch" if m.experts else "")
        + f", KV {m.kv_bytes_per_token:,.0f} B/token, TP {m.tp}) x BLIS trained-physics corrections "
        f"(weights x{BETA_WEIGHTS}, KV x{BETA_KV}, {PER_LAYER_S * 1e6:.0f} us/layer, {PER_STEP_S * 1e6:.0f} us/step); "
        f"prefill at MFU {m.mfu_prefill:g}, chunked prefill mixed into decode steps"
    )
