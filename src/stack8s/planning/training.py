"""GPU memory for LLM training and fine-tuning: full (mixed-precision Adam), LoRA, QLoRA. Pure; GB = 1e9 B."""

from __future__ import annotations

from typing import Literal

from stack8s.planning.arch import ModelArch, arch_is_estimated, hidden_of, layers_of
from stack8s.planning.plan import Sizing
from stack8s.planning.precision import BYTES_PER_PARAM, weight_bytes_per_param
from stack8s.planning.sizing import check_non_negative, gpu_layout, rounded
from stack8s.planning.spec import Precision

FULL_FT_BYTES_PER_PARAM = 16.0
"""Mixed-precision Adam: 2 (16-bit weights) + 2 (16-bit grads) + 12 (fp32 master weights, Adam m and v)
= 16 bytes/param (Rajbhandari et al. 2020, ZeRO, §3.1). Reported as weights_gb = 2 B/param and
optimizer_gb = 14 B/param (grads + fp32 states). Pure fp32 training is also 16 (4 + 4 + 4 + 4)."""

LORA_RANK = 64
LORA_DIMS_PER_HIDDEN = 20.0
"""LoRA adapters: rank 64 on all seven linear projections (q, k, v, o, gate, up, down; the QLoRA paper's
setting). A rank-r adapter on a d_in x d_out matrix has r x (d_in + d_out) params; summed over the seven
projections that is ~20 x hidden per layer (Llama-3.1-8B: 81,920 = 20.0 x 4,096; 70B: 161,792 = 19.75 x
8,192). Result: 168M params for 8B (2.1%), 828M for 70B (1.2%); rank 16 would be a quarter of that."""

ADAPTER_WEIGHT_BYTES = 4.0
ADAPTER_OPTIMIZER_BYTES = 12.0
"""Trainable adapters are kept in fp32 (4 B) with fp32 grads (4 B) and Adam m, v (8 B): 16 B/param."""

ACTIVATION_CONST_PER_TOKEN_HIDDEN = 34.0
"""Activations with gradient checkpointing, in bytes: seq x batch x hidden x (2 x layers + 34).
Korthikanti et al. 2022 ('Reducing Activation Recomputation in Large Transformer Models', §4): one
layer's activations are s·b·h·(34 + 5·a·s/h) bytes in 16-bit; full recomputation keeps only each layer's
input (2·s·b·h bytes per layer) and rebuilds one layer at a time in the backward pass. FlashAttention
removes the 5·a·s/h attention-score term. Doubled for fp32 compute."""

TRAINING_OVERHEAD_FRACTION = 0.10
TRAINING_OVERHEAD_MIN_GB = 2.0
"""overhead_gb = max(2 GB, 10% of weights): CUDA context, NCCL and allocator buffers, fp32 logits for the
loss (seq x vocab x 4 B ~ 1 GB at 2,048 tokens x 128k vocab)."""


TrainingMethod = Literal["full", "lora", "qlora"]


def lora_adapter_params_billion(arch: ModelArch) -> float:
    """Trainable LoRA params: rank x ~20 x hidden x layers (see LORA_DIMS_PER_HIDDEN), at most all params."""
    adapters = LORA_RANK * LORA_DIMS_PER_HIDDEN * hidden_of(arch) * layers_of(arch) / 1e9
    return min(adapters, max(arch.params_billion, 0.0))


def training_activations_gb(arch: ModelArch, seq_len: int, micro_batch: int, bytes_per_value: float = 2.0) -> float:
    """seq x batch x hidden x (2 x layers + 34) bytes x (bytes/2): see ACTIVATION_CONST_PER_TOKEN_HIDDEN."""
    per_token_hidden = 2 * layers_of(arch) + ACTIVATION_CONST_PER_TOKEN_HIDDEN
    return seq_len * micro_batch * hidden_of(arch) * per_token_hidden * (bytes_per_value / 2) / 1e9


def _compute_precision(precision: Precision, notes: list[str]) -> Precision:
    if precision in (Precision.fp32, Precision.fp16, Precision.bf16):
        return precision
    notes.append(f"training computes in bf16; requested {precision} applies to stored weights only")
    return Precision.bf16


def _training_memory(
    method: str, params_billion: float, arch: ModelArch, precision: Precision, compute: Precision
) -> tuple[float, float, str, str]:
    """(weights_gb, optimizer_gb, stored precision, formula) before activations and overhead."""
    if method == "full":
        w_bytes = BYTES_PER_PARAM[compute]
        opt_bytes = FULL_FT_BYTES_PER_PARAM - w_bytes
        formula = (
            f"{params_billion:g}B x {FULL_FT_BYTES_PER_PARAM:g} B (weights {w_bytes:g} + grads/Adam {opt_bytes:g})"
        )
        return params_billion * w_bytes, params_billion * opt_bytes, str(compute), formula
    stored = Precision.int4 if method == "qlora" else precision
    adapters = lora_adapter_params_billion(arch)
    base = params_billion * weight_bytes_per_param(stored)
    formula = (
        f"frozen {params_billion:g}B x {weight_bytes_per_param(stored):g} B ({stored}) + "
        f"{adapters:.3g}B rank-{LORA_RANK} adapters x 16 B"
    )
    return base + adapters * ADAPTER_WEIGHT_BYTES, adapters * ADAPTER_OPTIMIZER_BYTES, str(stored), formula


def size_training(
    *,
    params_billion: float,
    method: TrainingMethod | str,
    arch: ModelArch | None = None,
    seq_len: int = 2048,
    micro_batch: int = 1,
    precision: Precision | str = Precision.bf16,
    model_id: str | None = None,
    gpu_memory_gb: float | None = None,
) -> Sizing:
    """LLM training memory: full (mixed-precision Adam), LoRA (frozen base + adapters) or QLoRA (4-bit base).

    With gpu_memory_gb, tensor_parallel is the GPU count for FSDP/ZeRO-3 sharding of weights and
    optimizer state (activations and overhead are per GPU)."""
    if method not in ("full", "lora", "qlora"):
        raise ValueError(f"method must be full, lora or qlora, got {method!r}")
    check_non_negative(params_billion=params_billion, seq_len=seq_len, micro_batch=micro_batch)
    arch, notes = arch or ModelArch(params_billion=params_billion), ["GB = 1e9 bytes"]
    compute = _compute_precision(Precision(precision), notes)
    w_raw, opt_raw, stored, formula = _training_memory(str(method), params_billion, arch, Precision(precision), compute)
    act_raw = training_activations_gb(arch, seq_len, micro_batch, BYTES_PER_PARAM[compute])
    weights, optimizer, activations = rounded(w_raw), rounded(opt_raw), rounded(act_raw)
    overhead = rounded(max(TRAINING_OVERHEAD_MIN_GB, TRAINING_OVERHEAD_FRACTION * w_raw))
    required = rounded(weights + optimizer + activations + overhead)
    notes += _training_notes(str(method), arch)
    tp, tp_notes = gpu_layout(weights + optimizer, activations + overhead, gpu_memory_gb, "FSDP/ZeRO-3")
    line = (
        f"{method}: {formula} = {rounded(weights + optimizer)} GB + activations {seq_len:,} tokens x "
        f"{micro_batch} x hidden {hidden_of(arch):,.0f} x (2 x {layers_of(arch):.0f} layers + 34) B = "
        f"{activations} GB + overhead {overhead} GB = {required} GB"
    )
    return Sizing(
        model_id=model_id,
        params_billion=params_billion,
        precision=stored,
        weights_gb=weights,
        optimizer_gb=optimizer,
        activations_gb=activations,
        overhead_gb=overhead,
        required_vram_gb=required,
        tensor_parallel=tp,
        method=line,
        notes=notes + tp_notes,
    )


def _training_notes(method: str, arch: ModelArch) -> list[str]:
    notes = [
        "activations assume gradient checkpointing and FlashAttention (Korthikanti et al. 2022)",
        "overhead = max(2 GB, 10% of weights): CUDA context, NCCL/allocator buffers, fp32 logits",
    ]
    if method == "full":
        notes.insert(0, "mixed-precision Adam: 16 B/param = 2 weights + 2 grads + 12 fp32 master/m/v (ZeRO)")
    else:
        notes.insert(0, f"LoRA rank {LORA_RANK} on q,k,v,o,gate,up,down; fp32 adapters + Adam: 16 B/param")
    if method == "qlora":
        notes.insert(1, "QLoRA base weights in 4-bit NF4: 0.5625 B/param incl. quantisation constants")
    if arch_is_estimated(arch):
        notes.append(f"architecture partly unknown: ~{layers_of(arch):.0f} layers, hidden {hidden_of(arch):,.0f}")
    return notes
