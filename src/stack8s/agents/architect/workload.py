"""From a WorkloadSpec to what the plan must hold: the model, the precision, and the memory needed.

Every default taken here is written into `assumptions`, so the plan says what it assumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from stack8s.catalogs.checkpoints import published_checkpoint
from stack8s.catalogs.rows import HFModelRow
from stack8s.planning import non_llm, training
from stack8s.planning.arch import ModelArch
from stack8s.planning.fleet import ServingNeed
from stack8s.planning.load import LoadTarget, derive_load
from stack8s.planning.plan import Sizing
from stack8s.planning.spec import TaskType, WorkloadSpec
from stack8s.planning.vllm_memory import ReplicaNeed, WeightFormat, replica_need, weight_format
from stack8s.tools.schemas import CatalogModel

TRAINING = (TaskType.training, TaskType.fine_tuning)
DEFAULT_CONTEXT = 4096
LLM_TAGS = {"text-generation", "image-text-to-text", "text2text-generation", None}
QUANT_PRECISION = {
    "awq": "int4",
    "gptq": "int4",
    "int4": "int4",
    "fp8": "fp8",
    "int8": "int8",
    "gguf": "int4",
    "mxfp4": "mxfp4",
    "nvfp4": "nvfp4",
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


@dataclass(frozen=True)
class Workload:
    """The request resolved once from the spec (frozen): the search reads it, and the plan's placed form is a
    new value built from the chosen placement (`agents/architect.placed_workload`), never a patch."""

    spec: WorkloadSpec
    task: TaskType
    model: CatalogModel | None  # the model the user named, as the catalog has it
    is_llm: bool
    shardable: bool
    sizing: Sizing
    ram_needed_gb: float  # host RAM for CPU-only workloads; 0 when a GPU holds the model
    replicas: int
    assumptions: tuple[str, ...] = ()
    copies_per_node: int = 1  # model servers sharing one node (small model on a big GPU node)
    need: ServingNeed | None = None  # LLM serving: what every placement is computed from, resolved once

    @property
    def load(self) -> LoadTarget | None:
        """LLM serving: the load to carry (None: memory-only sizing)."""
        return self.need.load if self.need is not None else None

    @property
    def arch(self) -> ModelArch | None:
        return self.need.arch if self.need is not None else None

    @property
    def weight_format(self) -> WeightFormat:
        return self.need.fmt if self.need is not None else WeightFormat.bf16

    @property
    def max_model_len(self) -> int:
        return self.need.max_model_len if self.need is not None else DEFAULT_CONTEXT


def serves_rag(w: Workload) -> bool:
    """A RAG system around a served LLM: this workload is its generator; an embedding model and a vector store
    are planned beside it (`agents/architect/rag.py`)."""
    return w.spec.use_case == "rag" and w.task is TaskType.inference and w.need is not None


def _arch(row: HFModelRow | None, params: float) -> ModelArch:
    """The architecture facts of a catalog row at `params` (any missing ones are estimated by sizing)."""
    return CatalogModel(row, 0.0).arch(params) if row is not None else ModelArch(params_billion=params)


def arch_of(w: Workload) -> ModelArch:
    """The architecture of the workload's model (the named catalog row, else estimated from its size)."""
    if w.arch is not None:
        return w.arch
    return _arch(w.model.row if w.model else None, w.sizing.params_billion or 0.0)


def _is_llm(spec: WorkloadSpec, row: HFModelRow | None, params: float) -> bool:
    if row is not None:
        return row.pipeline_tag in LLM_TAGS and (row.params_billion or 0) >= 0.5
    return spec.domain in ("nlp", "multimodal", None) and params >= 0.5


def _precision(spec: WorkloadSpec, row: HFModelRow | None, notes: list[str]) -> str:
    if spec.precision:
        return str(spec.precision)
    quant = row.quantization if row else None
    if quant in QUANT_PRECISION:
        notes.append(
            f"The model is published {quant.upper()}-quantised, so weights are sized at {QUANT_PRECISION[quant]}."
        )
        return QUANT_PRECISION[quant]
    notes.append("Precision: 16-bit weights (fp16/bf16), the default for serving and fine-tuning.")
    return "fp16"


def _params(spec: WorkloadSpec, row: HFModelRow | None, notes: list[str]) -> float:
    if row and row.params_billion:
        return float(row.params_billion)
    if spec.params_billion:
        return float(spec.params_billion)
    default = DEFAULT_PARAMS.get(str(spec.domain or "nlp"), 7.0)
    if default:
        notes.append(
            f"No model size was given: sized for a typical {default:g}B-parameter model "
            f"for {spec.domain or 'this task'}."
        )
    return default


FP4_CHECKPOINT_ONLY = ("nvfp4", "mxfp4")
"""Formats vLLM does not produce when it loads 16-bit weights (its --quantization fp8 does, bitsandbytes 4-bit
does): they are served from a checkpoint exported in that format."""


def published_export(row: HFModelRow | None, model_id: str | None, precision: str | None) -> str | None:
    """The published checkpoint a plan sized in `precision` serves (zai-org/GLM-5-FP8,
    nvidia/Qwen3-235B-A22B-NVFP4), when the catalog model is not itself in that format; None otherwise."""
    native = ((row.quantization if row else None) or "").lower()
    if not precision or precision == native:
        return None
    return published_checkpoint(model_id, precision)


def fp4_checkpoint_note(precision: str, model_id: str | None) -> str:
    name = (model_id or "ORG/NAME").split("/")[-1]
    example = f"nvidia/{name}-NVFP4" if precision == "nvfp4" else f"an MXFP4 export of {name}"
    return (
        f"Sized at {precision.upper()}: vLLM cannot quantise to {precision.upper()} when it loads the 16-bit weights, "
        f"so serve a checkpoint exported in that format (such as {example}, or one made with NVIDIA ModelOpt or "
        "llm-compressor) in place of the model id in the commands below."
    )


def unknown_model_note(named: str, row: HFModelRow | None, params: float) -> str:
    """What the plan says when the model named is not in the catalog: what was sized instead, and how to fix it."""
    model_id = named if "/" in named else "ORG/NAME"
    fix = (
        f"say its parameter count, or import its config.json (`stack8s catalog import hf config.json --model-id "
        f"{model_id}`) to size it exactly"
    )
    if row is not None:
        return (
            f"{named!r} is not in the model catalog: planned with the closest known member of its family, "
            f"{row.model_id} ({params:g}B parameters); {fix}."
        )
    return f"{named!r} is not in the model catalog: sized as a {params:g}B-parameter model of estimated shape; {fix}."


def plan_workload(spec: WorkloadSpec, model: CatalogModel | None) -> Workload:
    notes: list[str] = [f"Assumed {d}." for d in spec.defaults_applied]
    if spec.currency_note:
        notes.append(f"Budget converted to USD: {spec.currency_note}.")
    row = model.row if model else None
    params = _params(spec, row, notes)
    if spec.unknown_model:
        notes.append(unknown_model_note(spec.unknown_model, row, params))
    replicas = spec.replicas or 1
    if spec.gpu_needed is False or (spec.domain == "tabular" and not params):
        return _cpu_workload(spec, model, params, replicas, notes)
    is_llm = _is_llm(spec, row, params)
    task = TaskType(spec.task_type or TaskType.inference)
    precision = _precision(spec, row, notes)
    serving = is_llm and task is TaskType.inference
    model_id = row.model_id if row else spec.model_id
    published = published_export(row, model_id, precision)
    if serving and precision in FP4_CHECKPOINT_ONLY and (row is None or row.quantization != precision):
        if published:
            notes.append(
                f"Sized at {precision.upper()}: served from {published}, the published {precision.upper()} export."
            )
        else:
            notes.append(fp4_checkpoint_note(precision, model_id))
    need = _serving_need(spec, row, params, precision) if serving else None
    if task in TRAINING and is_llm:
        result = _size_training(spec, row, params, precision, notes)
    elif need is not None:
        # vLLM serving: one memory model (planning/vllm_memory.py) for the search, `fits` and the sizing; before
        # a placement, what one replica starts with: weights, runtime and KV for one --max-model-len sequence
        start = replica_need(need.arch, fmt=need.fmt, kv_dtype=need.kv_dtype, tokens_per_sequence=need.max_model_len)
        result = serving_sizing(start, params, precision, "(what vLLM starts with, before a GPU is chosen)")
    elif task in TRAINING and spec.fine_tuning_method in ("lora", "qlora"):
        result = _size_adapter_training(spec, row, params, precision)
    else:
        result = non_llm.size_non_llm(
            params_billion=params,
            task=task,
            domain=str(spec.domain or "other"),
            precision=precision,
            pipeline_tag=(row.pipeline_tag if row else None),
        )
    result = result.model_copy(update={"model_id": (row.model_id if row else None) or spec.model_id})
    if need is not None:
        notes.extend(need.load.notes)
    return Workload(spec, task, model, is_llm, is_llm, result, 0.0, replicas, tuple(notes), need=need)


def serving_format(precision: str | None, quantization: str | None) -> WeightFormat:
    """The weight format vLLM serves: the precision asked for, else the checkpoint's own (a Kimi-K2.5 INT4, an
    NVFP4 export)."""
    wanted = precision or (quantization if quantization in ("int4", "nvfp4") else None)
    return weight_format(wanted, None) if wanted else weight_format(None, quantization)


def _serving_need(spec: WorkloadSpec, row: HFModelRow | None, params: float, precision: str) -> ServingNeed:
    load = derive_load(spec)
    return ServingNeed(
        arch=_arch(row, params),
        fmt=serving_format(spec.precision, row.quantization if row else None),
        load=load,
        max_model_len=_max_model_len(spec, row, load),
        min_replicas=spec.replicas or 1,
        kv_dtype=spec.kv_cache_dtype or "auto",
        sequence_tokens=spec.context_length,
    )


def serving_sizing(need: ReplicaNeed, params: float, precision: str, at: str) -> Sizing:
    """The plan's sizing of one vLLM replica (GB = 1e9 bytes), from `vllm_memory.replica_need`."""
    tp = need.tensor_parallel
    method = (
        f"one replica on {tp} GPU(s): weights {need.weights_gb:g} GB ({need.weight_format}) + KV "
        f"{need.kv_cache_gb:g} GB for {need.sequences} sequence(s) of {need.tokens_per_sequence:,} tokens {at} + "
        f"activations and runtime {need.overhead_gb:g} GB"
    )
    return Sizing(
        params_billion=params,
        precision=precision,
        weights_gb=need.weights_gb,
        kv_cache_gb=need.kv_cache_gb,
        overhead_gb=need.overhead_gb,
        required_vram_gb=need.required_gb,
        tensor_parallel=tp,
        method=method,
    )


def _max_model_len(spec: WorkloadSpec, row: HFModelRow | None, load: LoadTarget) -> int:
    """vLLM --max-model-len: the stated context, else the request (prompt + answer) rounded up to a
    power of two, at least 4,096, at most the model's window."""
    if spec.context_length:
        wanted = spec.context_length
    else:
        wanted = max(DEFAULT_CONTEXT, 1 << math.ceil(math.log2(load.input_tokens + load.output_tokens)))
    window = row.max_context if row else None
    return min(wanted, window) if window else wanted


ADAPTER_TRAINING_FACTOR = 1.5  # adapters + their optimizer state + backward activations over inference
ADAPTER_TRAINING_FLOOR_GB = 16.0


def _size_adapter_training(spec: WorkloadSpec, row: HFModelRow | None, params: float, precision: str) -> Sizing:
    """LoRA on a non-LLM model (e.g. an SDXL LoRA): the inference footprint (frozen fp16 weights,
    activations at full resolution) x 1.5 for adapters, optimizer and backward activations, at least
    16 GB. LLM-style token arithmetic does not apply to images or audio."""
    base = non_llm.size_non_llm(
        params_billion=params,
        task="inference",
        domain=str(spec.domain or "other"),
        precision=precision,
        pipeline_tag=(row.pipeline_tag if row else None),
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


def _size_training(
    spec: WorkloadSpec, row: HFModelRow | None, params: float, precision: str, notes: list[str]
) -> Sizing:
    method = str(spec.fine_tuning_method or ("full" if spec.task_type == "training" else "lora"))
    if not spec.fine_tuning_method:
        notes.append(f"Fine-tuning method: {method} (not stated).")
    seq_len = spec.context_length or 2048
    notes.append(f"Training sequences of {seq_len:,} tokens, micro-batch 1 with gradient checkpointing.")
    train_precision = "bf16" if precision in ("fp16", "bf16", "fp32") else precision
    return training.size_training(
        params_billion=params,
        method=method,
        arch=_arch(row, params),
        seq_len=seq_len,
        micro_batch=1,
        precision=train_precision,
    )


def _cpu_workload(
    spec: WorkloadSpec, model: CatalogModel | None, params: float, replicas: int, notes: list[str]
) -> Workload:
    task = TaskType(spec.task_type or TaskType.inference)
    dataset = spec.dataset_size_gb
    model_id = (model.row.model_id if model else None) or spec.model_id
    result = non_llm.size_cpu_only(params_billion=params, task=task, dataset_size_gb=dataset, model_id=model_id)
    ram = non_llm.cpu_ram_gb(params_billion=params, task=task, dataset_size_gb=dataset)
    notes.append(f"CPU only: about {ram:g} GB of RAM per replica.")
    return Workload(spec, task, model, False, False, result, ram, replicas, tuple(notes))
