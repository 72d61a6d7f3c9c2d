"""Jobs with an end: training, fine-tuning and batch inference, priced by how long they run.

A job's work is one of:

* FLOPs (training, fine-tuning, embeddings, vision training): hours on an instance = FLOPs / (GPUs x
  peak dense 16-bit FLOPS x model FLOPs utilisation x scaling efficiency).
* Measured throughput (speech): hours of audio / (real-time factor of the reference GPU, scaled by the
  GPU's 16-bit tensor FLOPS and the model's size).
* The serving estimator at full batch (LLM batch inference): items / (requests/s of one vLLM replica at
  the largest batch its KV cache holds x replicas per instance).

Then, per candidate instance type: instances (scale out until a deadline is met), wall-clock hours,
GPU-hours and the job's cost = wall-clock hours x instances x hourly price. Pure: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from stack8s.planning import performance as perf
from stack8s.planning.arch import ModelArch, layers_of
from stack8s.planning.hardware import GpuSpec
from stack8s.planning.vllm_memory import WeightFormat, tensor_parallel_problem, vllm_memory

# --- constants, each with its source ------------------------------------------------------------------

TRAINING_FLOPS_PER_PARAM_TOKEN = 6.0
"""Training: forward 2N + backward 4N FLOPs per token (Kaplan et al. 2020, 'Scaling Laws for Neural
Language Models', Table 1: C ~ 6N per token; MoE: N = active parameters)."""

ADAPTER_FLOPS_PER_PARAM_TOKEN = 4.0
"""LoRA/QLoRA: the frozen base still runs the forward pass (2N) and the backward pass for the activation
gradients (2N) but computes no weight gradients (the other 2N of 6N): 4N per token, the trainable adapters'
FLOPs being negligible (Hu et al. 2021, 'LoRA', section 4.2: no gradients for the frozen weights)."""

QLORA_SLOWDOWN = 1.39
"""QLoRA dequantises the 4-bit base weights in every forward and backward pass: 'a 39% increase in runtime'
over LoRA for 33% less memory, on a 7B model (S. Raschka, 'Practical Tips for Finetuning LLMs Using LoRA',
Lightning AI / Ahead of AI, 2023)."""

ATTENTION_FLOPS_PER_LAYER_TOKEN_CONTEXT = 6.0
"""Attention score FLOPs in training: 2 x layers x context x d_attn per token forward (Kaplan et al. 2020,
Table 1), x 3 for forward + backward."""

TRAINING_MFU: dict[str, float] = {
    "hopper": 0.40,
    "ampere": 0.45,
    "other": 0.35,
}
"""Model FLOPs utilisation of LLM training by GPU class. Hopper/Blackwell (H100, H200, GH200, B200): 38-43%
BF16 MFU for Llama 3 405B on 16K H100s (Dubey et al. 2024, 'The Llama 3 Herd of Models', Table 4) -> 0.40.
A100: Llama 2 7B/70B used 184,320 / 1,720,320 A100-80GB GPU-hours for 2T tokens (Touvron et al. 2023,
Table 2), i.e. 39% / 43% MFU; BLOOM 176B reached 156 TFLOPS per A100 = 50% (Le Scao et al. 2022) -> 0.45.
Other GPUs (Ada/Ampere workstation parts, Turing, AMD, PCIe-only nodes): 0.35, a conservative figure for
smaller memory (small micro-batches) and PCIe gradient traffic; stated in every plan."""

HOPPER_CLASS = frozenset({"H100", "H100-PCIe", "H200", "GH200", "H800", "H20", "B200", "B300", "GB200", "GB300"})
AMPERE_DATACENTER = frozenset({"A100-40GB", "A100-80GB", "A800"})

NODE_SCALING: dict[str, float] = {"nvlink": 0.95, "xgmi": 0.95, "pcie": 0.90}
"""Data-parallel efficiency inside one node: gradients all-reduced over NVLink/xGMI overlap with the
backward pass (~95%); over PCIe less well (~90%). An assumption, stated in the plan."""

MULTI_NODE_SCALING = 0.90
"""Across instances (data parallel over the cloud's network): 90% of linear, stated in the plan; jobs made
of independent items (batch inference, transcription, embeddings) scale linearly."""

MAX_INSTANCES = 64
"""Scale-out limit when meeting a deadline (64 nodes of up to 8 GPUs); beyond it the plan says no
instance type in the catalog meets the deadline."""

WHISPER_REFERENCE_SPEED = 150 / (98 / 60)
"""Whisper large-v3 on one A100-80GB, fp16, batch 24, Flash Attention 2: 150 minutes of audio in 1 min 38 s
= 91.8x real time (insanely-fast-whisper README benchmark table, Vaibhav Srivastav / Hugging Face, 2023).
Other GPUs scale by their dense 16-bit tensor FLOPS (batched encoder and decoder are compute-bound) and
other Whisper sizes by parameters."""
WHISPER_REFERENCE_GPU_TFLOPS = 312.0  # A100 dense fp16/bf16
WHISPER_REFERENCE_PARAMS_B = 1.55  # Whisper large-v3

EMBEDDING_TOKENS_PER_ITEM = 512
"""A document chunk for embedding: 512 tokens (the input limit of BERT-class embedding models)."""

TEXT_TOKENS_PER_GB = 250e6
"""Plain English text: about 4 characters (bytes) per token (OpenAI tokenizer guidance), 250M tokens/GB."""

CNN_TRAINING_MFU = 0.10
"""Convolutional networks keep tensor cores far less busy than transformer GEMMs: ResNet-50 mixed-precision
training runs at about 2,500 images/s on one A100 (NVIDIA DeepLearningExamples, PyTorch ResNet50 v1.5
performance tables), 3 x 4.09 GFLOPs x 2,500 / 312 TFLOPS = 10% MFU."""

VIT_TRAINING_MFU = 0.19
"""Vision transformers train with short (197-token) sequences and small GEMMs: ViT-B/16 mixed-precision
training runs at about 1,000-1,300 images/s on one A100 (timm's and DeepLearningExamples-class training
benchmarks), 3 x 17.56 GFLOPs x 1,150 / 312 TFLOPS = 19% MFU."""

VISION_FORWARD_GFLOPS: dict[str, tuple[float, float, str]] = {
    "resnet-50": (4.09, CNN_TRAINING_MFU, "torchvision ResNet50_Weights: 4.09 GFLOPS at 224x224"),
    "resnet50": (4.09, CNN_TRAINING_MFU, "torchvision ResNet50_Weights: 4.09 GFLOPS at 224x224"),
    "vit-base-patch16": (17.56, VIT_TRAINING_MFU, "torchvision ViT_B_16_Weights: 17.56 GFLOPS at 224x224"),
    "vit-large-patch16": (61.55, VIT_TRAINING_MFU, "torchvision ViT_L_16_Weights: 61.55 GFLOPS at 224x224"),
    "yolov8n": (8.7, CNN_TRAINING_MFU, "Ultralytics YOLOv8 docs: 8.7 GFLOPs at 640"),
    "yolov8s": (28.6, CNN_TRAINING_MFU, "Ultralytics YOLOv8 docs: 28.6 GFLOPs at 640"),
    "yolov8m": (78.9, CNN_TRAINING_MFU, "Ultralytics YOLOv8 docs: 78.9 GFLOPs at 640"),
    "yolov8l": (165.2, CNN_TRAINING_MFU, "Ultralytics YOLOv8 docs: 165.2 GFLOPs at 640"),
    "yolov8x": (257.8, CNN_TRAINING_MFU, "Ultralytics YOLOv8 docs: 257.8 GFLOPs at 640"),
    "yolov8": (78.9, CNN_TRAINING_MFU, "size not stated, YOLOv8m assumed: 78.9 GFLOPs at 640 (Ultralytics docs)"),
}
"""Forward FLOPs per image of named vision architectures and the training MFU of their kind; training costs
3x forward (forward + backward)."""


# --- the work --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """How fast one instance does the work."""

    hours: float  # wall-clock hours of the whole work on one instance
    mfu: float | None  # model FLOPs utilisation assumed (FLOPs-based work)
    note: str  # how the rate was made, for this instance
    scales_linearly: bool  # independent items (batch): instances add up without loss


@dataclass(frozen=True)
class Work:
    """What the job has to do. `flops` is None when the work is measured in another unit (audio hours,
    requests through the serving estimator)."""

    kind: str  # "pretraining", "full fine-tuning", "LoRA fine-tuning", "LLM batch inference", ...
    flops: float | None
    chain: str  # the arithmetic, in words, for the plan's assumptions
    overhead: float = 1.0  # multiplies the time (QLoRA dequantisation)
    independent_items: bool = False
    audio_hours: float | None = None
    audio_params_billion: float | None = None
    batch: BatchLlm | None = None
    mfu_override: float | None = None  # vision training

    def rate(self, gpu: GpuSpec, gpu_count: int) -> Rate | None:
        """Hours on one instance of `gpu_count` x `gpu`; None when the GPU lacks the figures."""
        tflops = gpu.peak_tflops_16bit
        if self.batch is not None:
            return self.batch.rate(gpu, gpu_count)
        if not tflops or gpu_count < 1:
            return None
        if self.audio_hours is not None:
            params = self.audio_params_billion or WHISPER_REFERENCE_PARAMS_B
            speed = (
                WHISPER_REFERENCE_SPEED * tflops / WHISPER_REFERENCE_GPU_TFLOPS * WHISPER_REFERENCE_PARAMS_B / params
            )
            hours = self.audio_hours / (speed * gpu_count)
            note = (
                f"{speed:.0f}x real time per {gpu.name} (91.8x on an A100 for Whisper large-v3, scaled by "
                f"{tflops:g}/{WHISPER_REFERENCE_GPU_TFLOPS:g} TFLOPS and {WHISPER_REFERENCE_PARAMS_B:g}B/{params:g}B "
                f"parameters), {gpu_count} GPU(s) each transcribing its own files"
            )
            return Rate(hours, None, note, True)
        assert self.flops is not None
        mfu = self.mfu_override or training_mfu(gpu)
        scaling = 1.0 if gpu_count == 1 or self.independent_items else NODE_SCALING.get(gpu.interconnect, 0.90)
        seconds = self.flops * self.overhead / (gpu_count * tflops * 1e12 * mfu * scaling)
        note = f"{gpu_count} x {gpu.name} at {tflops:g} dense 16-bit TFLOPS x MFU {mfu:g}"
        if scaling < 1:
            note += f" x {scaling:g} data-parallel efficiency over {gpu.interconnect}"
        if self.overhead != 1:
            note += f" x {self.overhead:g} time for QLoRA dequantisation"
        return Rate(seconds / 3600, mfu, note, self.independent_items)


@dataclass(frozen=True)
class BatchLlm:
    """An LLM batch job through vLLM: `items` requests of input/output tokens, at the largest batch the KV
    cache holds (throughput, not latency, matters)."""

    arch: ModelArch
    fmt: WeightFormat
    items: float
    input_tokens: int
    output_tokens: int

    def rate(self, gpu: GpuSpec, gpu_count: int) -> Rate | None:
        work = perf.RequestShape(self.input_tokens, self.output_tokens)
        for tp in (t for t in (1, 2, 4, 8) if t <= gpu_count):
            if tensor_parallel_problem(self.arch, tp):
                continue
            memory = vllm_memory(
                self.arch,
                usable_gib=gpu.usable_memory_gib,
                tensor_parallel=tp,
                fmt=self.fmt,
                max_model_len=self.input_tokens + self.output_tokens,
            )
            limit = perf.max_batch(memory, work)
            if not memory.fits or limit < 1:
                continue
            model = perf.step_model(self.arch, gpu, memory)
            point = perf.evaluate(model, work, limit)
            copies = gpu_count // tp
            hours = self.items / (point.requests_per_s * copies) / 3600
            note = (
                f"vLLM at full batch ({limit} sequences) on {tp} x {gpu.name}: {point.requests_per_s:.3g} requests/s, "
                f"{point.output_tokens_per_s:,.0f} output tokens/s per replica x {copies} replica(s) per instance "
                f"(serving estimator: {perf.describe(model)})"
            )
            return Rate(hours, None, note, True)
        return None


def training_mfu(gpu: GpuSpec) -> float:
    if gpu.name in HOPPER_CLASS:
        return TRAINING_MFU["hopper"]
    if gpu.name in AMPERE_DATACENTER:
        return TRAINING_MFU["ampere"]
    return TRAINING_MFU["other"]


def llm_training_work(
    arch: ModelArch, tokens: float, epochs: float, method: str, seq_len: int, pretraining: bool
) -> Work:
    """Training / fine-tuning FLOPs: per token 6N (full) or 4N (LoRA, QLoRA) with N the active parameters,
    plus attention over the sequence, x tokens x epochs."""
    active = (arch.active_params_billion or arch.params_billion) * 1e9
    per_param = TRAINING_FLOPS_PER_PARAM_TOKEN if method == "full" else ADAPTER_FLOPS_PER_PARAM_TOKEN
    d_attn = (arch.num_attention_heads or 0) * (arch.head_dim or 0) or (arch.hidden_size or 0)
    attention = ATTENTION_FLOPS_PER_LAYER_TOKEN_CONTEXT * layers_of(arch) * seq_len * d_attn
    if method != "full":
        attention *= ADAPTER_FLOPS_PER_PARAM_TOKEN / TRAINING_FLOPS_PER_PARAM_TOKEN
    per_token = per_param * active + attention
    flops = per_token * tokens * epochs
    kind = (
        "pretraining"
        if pretraining
        else {"full": "full fine-tuning", "lora": "LoRA fine-tuning"}.get(method, "QLoRA fine-tuning")
    )
    chain = (
        f"{kind}: ({per_param:g} x {active / 1e9:.3g}B {'active ' if arch.active_params_billion else ''}parameters"
        f" + attention {attention / 1e9:.3g} GFLOPs at {seq_len:,}-token sequences) x {tokens:,.0f} tokens"
        f" x {epochs:g} epoch(s) = {flops:.3g} FLOPs"
    )
    overhead = QLORA_SLOWDOWN if method == "qlora" else 1.0
    return Work(kind, flops, chain, overhead=overhead)


def embedding_work(params_billion: float, items: float, tokens_per_item: int) -> Work:
    tokens = items * tokens_per_item
    flops = 2 * params_billion * 1e9 * tokens
    chain = (
        f"embeddings: 2 x {params_billion:.3g}B parameters x {items:,.0f} items x {tokens_per_item} tokens "
        f"= {flops:.3g} FLOPs (forward pass only)"
    )
    return Work("embedding batch", flops, chain, independent_items=True, mfu_override=perf.MFU_PREFILL_DEFAULT)


def vision_training_work(model_id: str, images: float, epochs: float) -> Work | None:
    key = next((k for k in VISION_FORWARD_GFLOPS if k in model_id.lower()), None)
    if key is None:
        return None
    gflops, mfu, source = VISION_FORWARD_GFLOPS[key]
    flops = 3 * gflops * 1e9 * images * epochs
    chain = f"vision training: 3 x {gflops:g} GFLOPs per image ({source}) x {images:,.0f} images x {epochs:g} epoch(s)"
    return Work("vision training", flops, chain + f" = {flops:.3g} FLOPs", mfu_override=mfu)


WHISPER_ENCODER_POSITIONS = 1500
"""Whisper reads audio in 30-second windows: 3,000 log-Mel frames, halved by the stride-2 convolution to
1,500 encoder positions (Radford et al. 2022, 'Robust Speech Recognition via Large-Scale Weak Supervision',
section 2.2)."""
TRANSCRIPT_TOKENS_PER_WINDOW = 100
"""Decoder tokens per 30 s of speech: ~150 spoken words a minute = 75 words, ~100 tokens."""


def speech_training_work(audio_hours: float, params_billion: float, epochs: float) -> Work:
    """Fine-tuning an encoder-decoder speech model: 6 x (encoder half of the parameters x 1,500 positions +
    decoder half x ~100 tokens) FLOPs per 30-second window, x windows x epochs."""
    windows = audio_hours * 3600 / 30
    half = params_billion * 1e9 / 2
    per_window = TRAINING_FLOPS_PER_PARAM_TOKEN * half * (WHISPER_ENCODER_POSITIONS + TRANSCRIPT_TOKENS_PER_WINDOW)
    flops = per_window * windows * epochs
    chain = (
        f"speech training: 6 x ({params_billion:.3g}B / 2 encoder x {WHISPER_ENCODER_POSITIONS} positions + "
        f"{params_billion:.3g}B / 2 decoder x {TRANSCRIPT_TOKENS_PER_WINDOW} tokens) per 30-s window x "
        f"{windows:,.0f} windows ({audio_hours:,.0f} h) x {epochs:g} epoch(s) = {flops:.3g} FLOPs"
    )
    return Work("speech training", flops, chain)


def vision_batch_work(model_id: str, images: float) -> Work | None:
    """Batch inference of a named vision model: forward FLOPs per image x images, at its kind's MFU."""
    key = next((k for k in VISION_FORWARD_GFLOPS if k in model_id.lower()), None)
    if key is None:
        return None
    gflops, mfu, source = VISION_FORWARD_GFLOPS[key]
    flops = gflops * 1e9 * images
    chain = f"vision batch: {gflops:g} GFLOPs per image ({source}) x {images:,.0f} images = {flops:.3g} FLOPs"
    return Work("vision batch inference", flops, chain, independent_items=True, mfu_override=mfu)


def speech_work(audio_hours: float, params_billion: float | None) -> Work:
    chain = f"speech-to-text: {audio_hours:,.0f} hours of audio at the GPU's real-time factor"
    return Work(
        "transcription batch",
        None,
        chain,
        independent_items=True,
        audio_hours=audio_hours,
        audio_params_billion=params_billion,
    )


def llm_batch_work(arch: ModelArch, fmt: WeightFormat, items: float, input_tokens: int, output_tokens: int) -> Work:
    chain = (
        f"LLM batch: {items:,.0f} requests x ({input_tokens:,} prompt + {output_tokens:,} answer tokens) through "
        "the serving estimator at full batch"
    )
    return Work(
        "LLM batch inference",
        None,
        chain,
        independent_items=True,
        batch=BatchLlm(arch, fmt, items, input_tokens, output_tokens),
    )


# --- duration and cost per instance type -----------------------------------------------------------------


@dataclass(frozen=True)
class JobRun:
    """The work on `instances` x one instance type."""

    instances: int
    gpus_per_instance: int
    wall_clock_hours: float
    gpu_hours: float
    cost_usd: float
    hourly_usd: float
    mfu: float | None
    meets_deadline: bool | None
    scaling: float  # efficiency across instances (1 for one instance)
    rate_note: str
    notes: list[str] = field(default_factory=list)


def run_on(
    work: Work,
    gpu: GpuSpec,
    gpu_count: int,
    hourly_usd: float,
    deadline_hours: float | None = None,
) -> JobRun | None:
    """The fewest instances that finish within the deadline (one without a deadline); when even
    MAX_INSTANCES do not, the run at MAX_INSTANCES with meets_deadline False."""
    rate = work.rate(gpu, gpu_count)
    if rate is None or not math.isfinite(rate.hours) or rate.hours <= 0:
        return None
    instances, scaling = 1, 1.0
    if deadline_hours is not None and rate.hours > deadline_hours:
        scaling = 1.0 if rate.scales_linearly else MULTI_NODE_SCALING
        instances = min(MAX_INSTANCES, max(2, math.ceil(rate.hours / (deadline_hours * scaling))))
    hours = rate.hours / (instances * scaling) if instances > 1 else rate.hours
    meets = None if deadline_hours is None else hours <= deadline_hours
    notes = []
    if instances > 1:
        notes.append(
            f"{instances} instances to finish within {deadline_hours:,.0f} h"
            + ("" if rate.scales_linearly else f" ({MULTI_NODE_SCALING:.0%} multi-node scaling efficiency)")
        )
    return JobRun(
        instances=instances,
        gpus_per_instance=gpu_count,
        wall_clock_hours=hours,
        gpu_hours=hours * instances * gpu_count,
        cost_usd=hours * instances * hourly_usd,
        hourly_usd=hourly_usd,
        mfu=rate.mfu,
        meets_deadline=meets,
        scaling=scaling,
        rate_note=rate.note,
        notes=notes,
    )


SAME_COST_SHARE = 0.03
"""Candidates whose job cost is within 3% of the cheapest count as the same price; among them the fastest
wins (issue: 'fewest hours when ... differ by less than a few %')."""


def rank_key(
    run: JobRun, cheapest_cost: float, budget_total_usd: float | None, fastest: bool = False
) -> tuple[bool, bool, float, float]:
    """Meets the deadline, then within the one-off budget, then cost (ties within 3% by fewer hours); when
    the user asked for speed, fewest hours before cost."""
    same = run.cost_usd <= cheapest_cost * (1 + SAME_COST_SHARE)
    over = budget_total_usd is not None and run.cost_usd > budget_total_usd
    if fastest:
        return (run.meets_deadline is False, over, run.wall_clock_hours, run.cost_usd)
    return (run.meets_deadline is False, over, 0.0 if same else run.cost_usd, run.wall_clock_hours)
