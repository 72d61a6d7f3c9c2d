"""From a WorkloadSpec to what the plan must hold: the model, the precision, and the memory needed.

Every default taken here is written into `assumptions`, so the plan says what it assumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from stack8s.planning import sizing
from stack8s.planning.load import LoadTarget, derive_load
from stack8s.planning.plan import Sizing
from stack8s.planning.sizing import ModelArch
from stack8s.planning.spec import WorkloadSpec
from stack8s.planning.vllm_memory import WeightFormat, weight_format

DEFAULT_CONTEXT = 4096
DEFAULT_SEQUENCES = 8
LLM_TAGS = {"text-generation", "image-text-to-text", "text2text-generation", None}
QUANT_PRECISION = {
    "awq": "int4",
    "gptq": "int4",
    "int4": "int4",
    "fp8": "fp8",
    "int8": "int8",
    "gguf": "int4",
    "mxfp4": "int4",
}
# Parameter counts (billions) used when the user names no model; documented per domain/task.
DEFAULT_PARAMS = {
    "computer_vision": 0.025,  # ResNet-50 class CNN (25.6M parameters)
    "audio": 0.77,  # Whisper medium (769M)
    "tabular": 0.0,  # tree models / scikit-learn: no GPU memory model applies
    "multimodal": 7.0,  # a 7B vision-language model (LLaVA-1.5-7B class)
    "nlp": 7.0,  # a 7B instruct LLM (Mistral-7B class)
    "other": 0.1,
}


@dataclass
class Workload:
    spec: WorkloadSpec
    model: dict[str, Any] | None
    is_llm: bool
    shardable: bool
    sizing: Sizing
    ram_needed_gb: float  # host RAM for CPU-only workloads; 0 when a GPU holds the model
    replicas: int
    assumptions: list[str] = field(default_factory=list)
    copies_per_node: int = 1  # model servers sharing one node (small model on a big GPU node)
    load: LoadTarget | None = None  # LLM serving: the load to carry (None: memory-only sizing)
    arch: ModelArch | None = None
    weight_format: WeightFormat = WeightFormat.bf16
    max_model_len: int = DEFAULT_CONTEXT


def _arch(model: dict[str, Any] | None, params: float) -> sizing.ModelArch:
    """The architecture facts of a catalog row (any missing ones are estimated by sizing)."""
    arch = sizing.ModelArch.from_record(SimpleNamespace(**{**(model or {}), "params_billion": params}))
    assert arch is not None  # params_billion is always set here
    return arch


def _is_llm(spec: WorkloadSpec, model: dict[str, Any] | None, params: float) -> bool:
    if model is not None:
        return model.get("pipeline_tag") in LLM_TAGS and (model.get("params_billion") or 0) >= 0.5
    return spec.domain in ("nlp", "multimodal", None) and params >= 0.5


def _precision(spec: WorkloadSpec, model: dict[str, Any] | None, notes: list[str]) -> str:
    if spec.precision:
        return str(spec.precision)
    quant = (model or {}).get("quantization")
    if quant in QUANT_PRECISION:
        notes.append(
            f"The model is published {quant.upper()}-quantised, so weights are sized at {QUANT_PRECISION[quant]}."
        )
        return QUANT_PRECISION[quant]
    notes.append("Precision: 16-bit weights (fp16/bf16), the default for serving and fine-tuning.")
    return "fp16"


def _params(spec: WorkloadSpec, model: dict[str, Any] | None, notes: list[str]) -> float:
    if model and model.get("params_billion"):
        return float(model["params_billion"])
    if spec.params_billion:
        return float(spec.params_billion)
    default = DEFAULT_PARAMS.get(str(spec.domain or "nlp"), 7.0)
    if default:
        notes.append(
            f"No model size was given: sized for a typical {default:g}B-parameter model "
            f"for {spec.domain or 'this task'}."
        )
    return default


def plan_workload(spec: WorkloadSpec, model: dict[str, Any] | None) -> Workload:
    notes: list[str] = [f"Assumed {d}." for d in spec.defaults_applied]
    params = _params(spec, model, notes)
    replicas = spec.replicas or 1
    if spec.gpu_needed is False or (spec.domain == "tabular" and not params):
        return _cpu_workload(spec, model, params, replicas, notes)
    is_llm = _is_llm(spec, model, params)
    precision = _precision(spec, model, notes)
    task = str(spec.task_type or "inference")
    if task in ("training", "fine_tuning") and is_llm:
        result = _size_training(spec, model, params, precision, notes)
    elif is_llm:
        result = _size_llm_inference(spec, model, params, precision, replicas, notes)
    elif task in ("training", "fine_tuning") and spec.fine_tuning_method in ("lora", "qlora"):
        result = _size_adapter_training(spec, model, params, precision)
    else:
        result = sizing.size_non_llm(
            params_billion=params,
            task=task,
            domain=str(spec.domain or "other"),
            precision=precision,
            pipeline_tag=(model or {}).get("pipeline_tag"),
        )
    result = result.model_copy(update={"model_id": (model or {}).get("model_id") or spec.model_id})
    w = Workload(spec, model, is_llm, is_llm, result, 0.0, replicas, notes)
    if is_llm and task == "inference":
        w.load = derive_load(spec)
        w.arch = _arch(model, params)
        w.weight_format = weight_format(spec.precision, (model or {}).get("quantization"))
        w.max_model_len = _max_model_len(spec, model, w.load)
        notes.extend(w.load.notes)
    return w


def _max_model_len(spec: WorkloadSpec, model: dict[str, Any] | None, load: LoadTarget) -> int:
    """vLLM --max-model-len: the stated context, else the request (prompt + answer) rounded up to a
    power of two, at least 4,096, at most the model's window."""
    if spec.context_length:
        wanted = spec.context_length
    else:
        wanted = max(DEFAULT_CONTEXT, 1 << math.ceil(math.log2(load.input_tokens + load.output_tokens)))
    window = (model or {}).get("max_context")
    return min(wanted, window) if window else wanted


def _size_llm_inference(
    spec: WorkloadSpec, model: dict[str, Any] | None, params: float, precision: str, replicas: int, notes: list[str]
) -> Sizing:
    context = spec.context_length or min((model or {}).get("max_context") or DEFAULT_CONTEXT, DEFAULT_CONTEXT)
    if not spec.context_length:
        notes.append(f"Context length: {context:,} tokens per sequence (not stated).")
    users = concurrent_sequences(spec, notes)
    sequences = -(-users // replicas)
    if replicas > 1:
        notes.append(f"{users} concurrent sequences spread over {replicas} replicas: {sequences} each.")
    return sizing.size_inference(
        params_billion=params,
        precision=precision,
        arch=_arch(model, params),
        context_length=context,
        concurrent_sequences=sequences,
        model_id=(model or {}).get("model_id"),
    )


ADAPTER_TRAINING_FACTOR = 1.5  # adapters + their optimizer state + backward activations over inference
ADAPTER_TRAINING_FLOOR_GB = 16.0


def _size_adapter_training(spec: WorkloadSpec, model: dict[str, Any] | None, params: float, precision: str) -> Sizing:
    """LoRA on a non-LLM model (e.g. an SDXL LoRA): the inference footprint (frozen fp16 weights,
    activations at full resolution) x 1.5 for adapters, optimizer and backward activations, at least
    16 GB. LLM-style token arithmetic does not apply to images or audio."""
    base = sizing.size_non_llm(
        params_billion=params,
        task="inference",
        domain=str(spec.domain or "other"),
        precision=precision,
        pipeline_tag=(model or {}).get("pipeline_tag"),
    )
    required = round(max(base.required_vram_gb * ADAPTER_TRAINING_FACTOR, ADAPTER_TRAINING_FLOOR_GB), 2)
    method = (
        f"{spec.fine_tuning_method} on a {params:g}B non-LLM model: inference footprint "
        f"{base.required_vram_gb:g} GB x {ADAPTER_TRAINING_FACTOR} (adapters, optimizer, backward), "
        f"at least {ADAPTER_TRAINING_FLOOR_GB:g} GB = {required:g} GB"
    )
    return base.model_copy(
        update={
            "required_vram_gb": required,
            "method": method,
            "activations_gb": round(required - base.required_vram_gb, 2),
        }
    )


ACTIVE_USER_FRACTION = 0.10  # of a user population, the share with a request decoding at any moment


def concurrent_sequences(spec: WorkloadSpec, notes: list[str]) -> int:
    """Sequences decoding at once: stated concurrency; else 10% of the stated users (a chat user spends
    most of the time reading and typing); else a default. Each guess is written into the notes."""
    if spec.concurrent_users:
        return spec.concurrent_users
    if spec.total_users:
        active = max(1, math.ceil(spec.total_users * ACTIVE_USER_FRACTION))
        notes.append(
            f"{spec.total_users} users, about {ACTIVE_USER_FRACTION:.0%} active at once: sized for {active} "
            "concurrent sequences (say 'N concurrent users' to size for a peak)."
        )
        return active
    notes.append(f"Concurrency: {DEFAULT_SEQUENCES} sequences decoding at once (not stated).")
    return DEFAULT_SEQUENCES


def _size_training(
    spec: WorkloadSpec, model: dict[str, Any] | None, params: float, precision: str, notes: list[str]
) -> Sizing:
    method = str(spec.fine_tuning_method or ("full" if spec.task_type == "training" else "lora"))
    if not spec.fine_tuning_method:
        notes.append(f"Fine-tuning method: {method} (not stated).")
    seq_len = spec.context_length or 2048
    notes.append(f"Training sequences of {seq_len:,} tokens, micro-batch 1 with gradient checkpointing.")
    train_precision = "bf16" if precision in ("fp16", "bf16", "fp32") else precision
    return sizing.size_training(
        params_billion=params,
        method=method,
        arch=_arch(model, params),
        seq_len=seq_len,
        micro_batch=1,
        precision=train_precision,
    )


def _cpu_workload(
    spec: WorkloadSpec, model: dict[str, Any] | None, params: float, replicas: int, notes: list[str]
) -> Workload:
    task = str(spec.task_type or "inference")
    dataset = spec.dataset_size_gb
    model_id = (model or {}).get("model_id") or spec.model_id
    result = sizing.size_cpu_only(params_billion=params, task=task, dataset_size_gb=dataset, model_id=model_id)
    ram = sizing.cpu_ram_gb(params_billion=params, task=task, dataset_size_gb=dataset)
    notes.append(f"CPU only: about {ram:g} GB of RAM per replica.")
    return Workload(spec, model, False, False, result, ram, replicas, notes)
