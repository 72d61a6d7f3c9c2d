"""GPU memory of non-LLM models (vision, audio, diffusion, encoders, tabular) and host RAM of CPU-only
workloads, from parameters by documented per-domain rules. Pure; GB = 1e9 B."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stack8s.planning.plan import Sizing
from stack8s.planning.precision import weight_bytes_per_param
from stack8s.planning.sizing import check_non_negative, rounded
from stack8s.planning.spec import Domain, Precision, TaskType
from stack8s.planning.training import FULL_FT_BYTES_PER_PARAM

NON_LLM_RUNTIME_GB = 1.0
"""CUDA context plus cuDNN/cuBLAS workspaces for a PyTorch/ONNX/TensorRT process."""

NON_LLM_TRAIN_ACTIVATION_FACTOR = 0.5
NON_LLM_TRAIN_FLOOR_GB = 16.0
"""Training / full fine-tuning: 16 B/param (mixed-precision Adam, as above) + activations at 50% of that
state (heuristic for batch 16-64 without checkpointing) + 1 GB runtime, at least 16 GB: training a
CNN/ViT at a useful batch size on a smaller GPU is impractical."""

DIFFUSION_PIPELINE_TAGS = frozenset(
    {"text-to-image", "image-to-image", "text-to-video", "image-to-video", "unconditional-image-generation"}
)


@dataclass(frozen=True)
class DomainRule:
    """Inference rule: activations = weights x activation_factor + fixed_gb; total >= floor_gb."""

    activation_factor: float
    fixed_gb: float
    floor_gb: float
    source: str


DOMAIN_RULES: dict[str, DomainRule] = {
    "audio": DomainRule(
        2.0,
        0.0,
        2.0,
        "fits openai/whisper README 'Required VRAM' at fp16: 3 x weights + 1 GB gives tiny 1.2 (~1), "
        "small 2.5 (~2), medium 5.6 (~5), turbo 5.9 (~6), large 10.3 (~10) GB",
    ),
    "diffusion": DomainRule(
        0.2,
        4.0,
        8.0,
        "heuristic: denoiser/text-encoder activations ~20% of weights plus ~4 GB for the VAE decode at "
        "1024 px without tiling; SDXL (~3.5B params incl. UNet, 2 text encoders, VAE) -> ~13 GB",
    ),
    "computer_vision": DomainRule(
        1.0,
        0.0,
        4.0,
        "heuristic: activations ~ weights for a batch of 8-32 images at 224-640 px (CNN/ViT/YOLO)",
    ),
    "multimodal": DomainRule(1.0, 0.0, 4.0, "heuristic as computer_vision (CLIP/BLIP-style encoders)"),
    "nlp": DomainRule(1.0, 0.0, 2.0, "heuristic: encoder models (BERT/T5-class) at moderate batch"),
    "tabular": DomainRule(1.0, 0.0, 2.0, "heuristic: small networks; the floor dominates"),
    "other": DomainRule(1.0, 0.0, 4.0, "heuristic: activations ~ weights"),
}

# --- CPU-only --------------------------------------------------------------------------------------

CPU_INFERENCE_RAM_FACTOR = 2.0
CPU_TRAINING_RAM_FACTOR = 4.0
CPU_DATASET_RAM_FACTOR = 5.0
CPU_OS_RESERVE_GB = 2.0
CPU_RAM_FLOOR_GB = 4.0
"""RAM = model x 2 (inference: weights + working buffers) or x 4 (training: fp32 weights, grads, Adam m
and v = 16 B/param) + dataset x 5 for training / batch jobs (pandas' author: 'have 5 to 10 times as much
RAM as the size of your dataset', W. McKinney, 2017) + 2 GB for the OS; at least 4 GB."""


def domain_rule(domain: Domain | str | None, pipeline_tag: str | None = None) -> tuple[str, DomainRule]:
    """The inference rule for a domain; diffusion pipelines (text-to-image, ...) get their own."""
    if pipeline_tag in DIFFUSION_PIPELINE_TAGS:
        return "diffusion", DOMAIN_RULES["diffusion"]
    key = str(Domain(domain)) if domain is not None else "other"
    return key, DOMAIN_RULES[key]


def _non_llm_inference(params_billion: float, prec: Precision, name: str, rule: DomainRule) -> dict[str, Any]:
    weights = rounded(params_billion * weight_bytes_per_param(prec))
    activations = rounded(weights * rule.activation_factor + rule.fixed_gb)
    overhead = rounded(max(NON_LLM_RUNTIME_GB, rule.floor_gb - weights - activations))
    bpp = weight_bytes_per_param(prec)
    method = (
        f"{name} inference: weights {params_billion:g}B x {bpp:g} B = {weights} GB"
        f" + activations {rule.activation_factor:g} x weights + {rule.fixed_gb:g} GB = {activations} GB"
        f" + runtime {NON_LLM_RUNTIME_GB:g} GB, at least {rule.floor_gb:g} GB"
    )
    return {"weights_gb": weights, "activations_gb": activations, "overhead_gb": overhead, "method": method}


def _non_llm_training(params_billion: float, prec: Precision, name: str) -> dict[str, Any]:
    w_bytes = 4.0 if prec is Precision.fp32 else 2.0
    weights = rounded(params_billion * w_bytes)
    optimizer = rounded(params_billion * (FULL_FT_BYTES_PER_PARAM - w_bytes))
    activations = rounded(NON_LLM_TRAIN_ACTIVATION_FACTOR * params_billion * FULL_FT_BYTES_PER_PARAM)
    overhead = rounded(max(NON_LLM_RUNTIME_GB, NON_LLM_TRAIN_FLOOR_GB - weights - optimizer - activations))
    method = (
        f"{name} training: {params_billion:g}B x 16 B (Adam) = {rounded(weights + optimizer)} GB"
        f" + activations 50% = {activations} GB + runtime {NON_LLM_RUNTIME_GB:g} GB,"
        f" at least {NON_LLM_TRAIN_FLOOR_GB:g} GB"
    )
    return {
        "weights_gb": weights,
        "optimizer_gb": optimizer,
        "activations_gb": activations,
        "overhead_gb": overhead,
        "method": method,
    }


def _non_llm_rule_note(training: bool, rule: DomainRule) -> str:
    if training:
        return "training: 16 B/param mixed-precision Adam + 50% activations, 16 GB floor (useful batch sizes)"
    return f"rule source: {rule.source}"


def size_non_llm(
    *,
    params_billion: float,
    task: TaskType | str,
    domain: Domain | str | None,
    precision: Precision | str | None = None,
    pipeline_tag: str | None = None,
    model_id: str | None = None,
) -> Sizing:
    """Vision, audio, tabular, diffusion and encoder models, sized from parameters (see DOMAIN_RULES).

    Inference defaults to fp16, training to bf16 mixed precision; fine_tuning is sized as full training."""
    check_non_negative(params_billion=params_billion)
    task = TaskType(task)
    name, rule = domain_rule(domain, pipeline_tag)
    training = task in (TaskType.training, TaskType.fine_tuning)
    prec = Precision(precision or (Precision.bf16 if training else Precision.fp16))
    parts = (
        _non_llm_training(params_billion, prec, name)
        if training
        else _non_llm_inference(params_billion, prec, name, rule)
    )
    required = rounded(sum(v for k, v in parts.items() if k.endswith("_gb")))
    notes = ["GB = 1e9 bytes", _non_llm_rule_note(training, rule)]
    if parts["overhead_gb"] > NON_LLM_RUNTIME_GB:
        notes.append("overhead_gb includes the top-up to the practical floor")
    if task is TaskType.batch_inference:
        notes.append("batch inference sized like online inference; larger batches need more activations")
    return Sizing(
        model_id=model_id,
        params_billion=params_billion,
        precision=str(prec),
        required_vram_gb=required,
        notes=notes,
        **parts,
    )


# --- CPU-only --------------------------------------------------------------------------------------


def cpu_ram_gb(
    *,
    params_billion: float,
    precision: Precision | str = Precision.fp32,
    task: TaskType | str = TaskType.inference,
    dataset_size_gb: float | None = None,
) -> float:
    """Host RAM for a CPU-only workload (see CPU_*_FACTOR constants), rounded to 2 decimals."""
    check_non_negative(params_billion=params_billion, dataset_size_gb=dataset_size_gb)
    task = TaskType(task)
    model = params_billion * weight_bytes_per_param(precision)
    training = task in (TaskType.training, TaskType.fine_tuning)
    factor = CPU_TRAINING_RAM_FACTOR if training else CPU_INFERENCE_RAM_FACTOR
    data = (dataset_size_gb or 0.0) * CPU_DATASET_RAM_FACTOR if task is not TaskType.inference else 0.0
    return rounded(max(CPU_RAM_FLOOR_GB, model * factor + data + CPU_OS_RESERVE_GB))


def size_cpu_only(
    *,
    params_billion: float,
    precision: Precision | str = Precision.fp32,
    task: TaskType | str = TaskType.inference,
    dataset_size_gb: float | None = None,
    model_id: str | None = None,
) -> Sizing:
    """No GPU: required_vram_gb 0, gpu_needed False; the RAM requirement is in method and notes."""
    ram = cpu_ram_gb(params_billion=params_billion, precision=precision, task=task, dataset_size_gb=dataset_size_gb)
    weights = rounded(params_billion * weight_bytes_per_param(precision))
    method = (
        f"CPU only: RAM = max({CPU_RAM_FLOOR_GB:g} GB, model {weights} GB x factor + dataset x "
        f"{CPU_DATASET_RAM_FACTOR:g} + {CPU_OS_RESERVE_GB:g} GB OS) = {ram} GB"
    )
    notes = [
        f"RAM needed: {ram} GB",
        "no GPU: weights_gb is the model size in host RAM, VRAM is 0",
        "dataset factor 5x: pandas rule of thumb (5-10x the dataset size, W. McKinney 2017)",
    ]
    return Sizing(
        model_id=model_id,
        params_billion=params_billion,
        precision=str(Precision(precision)),
        weights_gb=weights,
        required_vram_gb=0.0,
        gpu_needed=False,
        method=method,
        notes=notes,
    )
