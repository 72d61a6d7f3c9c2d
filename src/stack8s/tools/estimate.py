"""The performance estimator on its own (debug endpoint and `stack8s estimate`): one model on one GPU
type, vLLM's memory budget per GPU and the roofline's latency and throughput."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from pydantic import BaseModel, ConfigDict, Field, model_validator

from stack8s.catalogs.gpus import all_gpu_specs, gpu_spec
from stack8s.errors import NotFound, Unprocessable
from stack8s.planning import performance as perf
from stack8s.planning.arch import ModelArch
from stack8s.planning.vllm_memory import (
    DEFAULT_GPU_MEMORY_UTILIZATION,
    tensor_parallel_problem,
    vllm_memory,
    weight_format,
)
from stack8s.tools import hf
from stack8s.validation import StrictInput


class Architecture(StrictInput):
    """Hugging Face config.json fields plus parameter counts (billions). Strict: a boolean or a string is
    not a count."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, protected_namespaces=(), strict=True)

    params_billion: float = Field(gt=0, le=10_000)
    active_params_billion: float | None = Field(None, gt=0, le=10_000)
    num_hidden_layers: int = Field(ge=1, le=1_000)
    hidden_size: int = Field(ge=1, le=1_000_000)
    num_attention_heads: int = Field(ge=1, le=10_000)
    num_key_value_heads: int | None = Field(None, ge=1, le=10_000)
    head_dim: int | None = Field(None, ge=1, le=100_000)
    vocab_size: int | None = Field(None, ge=1, le=10_000_000)
    tie_word_embeddings: bool | None = None
    intermediate_size: int | None = Field(None, ge=1, le=10_000_000)
    num_local_experts: int | None = Field(None, ge=1, le=10_000)
    num_experts_per_tok: int | None = Field(None, ge=1, le=10_000)
    kv_bytes_per_token: int | None = Field(None, ge=1, le=100_000_000, description="MLA: published fp16 bytes")
    max_position_embeddings: int | None = Field(None, ge=1, le=100_000_000)
    quantization: str | None = Field(None, max_length=20, description="awq | gptq | fp8 | mxfp4 | nvfp4")

    @model_validator(mode="after")
    def _possible(self) -> Architecture:
        """Shapes no model can have are refused, naming the field (the formulas assume these hold)."""
        if self.num_experts_per_tok is not None and self.num_experts_per_tok > (self.num_local_experts or 1):
            raise ValueError("num_experts_per_tok must not exceed num_local_experts")
        if self.active_params_billion is not None and self.active_params_billion > self.params_billion:
            raise ValueError("active_params_billion must not exceed params_billion")
        if self.num_key_value_heads is not None and self.num_attention_heads % self.num_key_value_heads:
            raise ValueError("num_attention_heads must be a multiple of num_key_value_heads")
        return self


class EstimateRequest(StrictInput):
    model_id: str | None = Field(None, min_length=1, max_length=200)
    architecture: Architecture | None = None
    gpu: str = Field(min_length=1, max_length=40, description="e.g. H100, A100-80GB, L4")
    gpu_count: int | None = Field(None, ge=1, le=64)
    tensor_parallel: int | None = Field(None, ge=1, le=64)
    precision: str | None = Field(
        None,
        pattern="^(fp32|fp16|bf16|fp8|int8|int4|w4a16|awq|gptq|mxfp4|nvfp4|fp4)$",
        description="weights: fp8, int8, int4/w4a16/awq/gptq (4-bit weight-only), mxfp4, nvfp4/fp4 (FP4 math on "
        "Blackwell, dequantised elsewhere)",
    )
    kv_dtype: str = Field("auto", pattern="^(auto|fp8)$")
    input_tokens: int = Field(ge=1, le=10_000_000)
    output_tokens: int = Field(ge=1, le=10_000_000)
    concurrency: int | None = Field(None, ge=1, le=100_000)
    request_rate: float | None = Field(None, gt=0, le=1_000_000)
    max_model_len: int | None = Field(None, ge=1, le=10_000_000)
    gpu_memory_utilization: float = Field(DEFAULT_GPU_MEMORY_UTILIZATION, gt=0, le=1)

    @model_validator(mode="after")
    def _one_model(self) -> EstimateRequest:
        if (self.model_id is None) == (self.architecture is None):
            raise ValueError("give exactly one of model_id (a catalog id) or architecture (config.json fields)")
        if self.concurrency is not None and self.request_rate is not None:
            raise ValueError("give concurrency or request_rate, not both")
        return self


class MemorySplit(BaseModel):
    weights_gib: float
    activation_gib: float
    non_torch_gib: float
    kv_cache_gib: float
    kv_cache_tokens: int


class EstimateResponse(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model_id: str | None
    gpu: str
    tensor_parallel: int
    ttft_ms: float
    itl_ms: float
    tpot_ms: float
    e2e_ms: float
    output_tokens_per_s: float = Field(description="the whole tensor-parallel group")
    requests_per_s: float = Field(description="the whole tensor-parallel group")
    concurrency: float
    max_concurrent_sequences: int = Field(description="sequences the KV cache holds at input + output tokens")
    saturated: bool = Field(description="the requested rate or concurrency exceeds what the group sustains")
    method: str = Field(
        description="the data behind the estimate: kernel-measured on this GPU, kernel-transferred "
        "from another measured GPU, or roofline"
    )
    ttft_error_pct: float | None = Field(description="the method's measured TTFT error against published vLLM runs")
    tpot_error_pct: float | None = Field(description="the method's measured TPOT error against published vLLM runs")
    memory: MemorySplit = Field(description="per GPU, GiB")


def architecture_of(a: Architecture) -> ModelArch:
    """The typed architecture sizing and performance read, from config.json-style fields."""
    return ModelArch(
        params_billion=a.params_billion,
        num_layers=a.num_hidden_layers,
        hidden_size=a.hidden_size,
        num_attention_heads=a.num_attention_heads,
        num_kv_heads=a.num_key_value_heads,
        head_dim=a.head_dim,
        max_context=a.max_position_embeddings,
        num_experts=a.num_local_experts,
        active_params_billion=a.active_params_billion,
        kv_bytes_per_token=a.kv_bytes_per_token,
        quantization=a.quantization,
        vocab_size=a.vocab_size,
        tie_word_embeddings=a.tie_word_embeddings,
        intermediate_size=a.intermediate_size,
        num_experts_per_tok=a.num_experts_per_tok,
    )


async def _model(conn: AsyncConnection[dict[str, Any]], body: EstimateRequest) -> ModelArch:
    if body.architecture is not None:
        return architecture_of(body.architecture)
    assert body.model_id is not None
    model = await hf.get_model(conn, body.model_id)
    if model is None:
        raise NotFound(f"no model {body.model_id!r} in the catalog; pass its config.json fields as architecture")
    arch = model.arch()
    if arch.num_layers is None:
        raise Unprocessable(
            f"the catalog has no architecture for {body.model_id!r}; pass its config.json fields as architecture"
        )
    return arch


async def estimate(conn: AsyncConnection[dict[str, Any]], body: EstimateRequest) -> EstimateResponse:
    spec = gpu_spec(body.gpu)
    if spec is None:
        known = ", ".join(sorted(s.name for s in all_gpu_specs())[:60])
        raise Unprocessable(f"unknown GPU {body.gpu!r}; use one of: {known}")
    arch = await _model(conn, body)
    return run(arch, body, spec, body.model_id)


def run(arch: ModelArch, body: EstimateRequest, spec: Any, model_id: str | None) -> EstimateResponse:
    """The estimate; arithmetic the formulas cannot do with these numbers is the caller's 422, not a 500."""
    try:
        return _run(arch, body, spec, model_id)
    except (ArithmeticError, ValueError) as exc:
        raise Unprocessable(f"these figures cannot be estimated ({exc}); check the architecture fields") from None


def _run(arch: ModelArch, body: EstimateRequest, spec: Any, model_id: str | None) -> EstimateResponse:
    tp = body.tensor_parallel or body.gpu_count or 1
    if body.gpu_count is not None and tp > body.gpu_count:
        raise Unprocessable(f"tensor_parallel {tp} is more than gpu_count {body.gpu_count}")
    if problem := tensor_parallel_problem(arch, tp):
        raise Unprocessable(f"{problem}; choose a tensor_parallel that divides them")
    fmt = weight_format(body.precision, arch.quantization)
    length = body.max_model_len or body.input_tokens + body.output_tokens
    memory = vllm_memory(
        arch,
        usable_gib=spec.usable_memory_gib,
        tensor_parallel=tp,
        fmt=fmt,
        kv_dtype=body.kv_dtype,
        max_model_len=length,
        gpu_memory_utilization=body.gpu_memory_utilization,
    )
    if not memory.fits:
        raise Unprocessable(
            f"does not fit: {memory.method()}; use more GPUs (tensor_parallel), a smaller precision or a shorter "
            "max_model_len"
        )
    work = perf.RequestShape(body.input_tokens, body.output_tokens)
    model = perf.step_model(arch, spec, memory)
    limit = perf.max_batch(memory, work)
    saturated = False
    if body.request_rate is not None:
        point, ok = perf.batch_for_rate(model, work, body.request_rate, max(limit, 1))
        saturated = not ok
    else:
        wanted = body.concurrency or 1
        saturated = wanted > max(limit, 1)
        point = perf.evaluate(model, work, min(wanted, max(limit, 1)))
    return EstimateResponse(
        model_id=model_id,
        gpu=spec.name,
        tensor_parallel=tp,
        ttft_ms=round(point.ttft_s * 1000, 2),
        itl_ms=round(point.itl_s * 1000, 3),
        tpot_ms=round(point.itl_s * 1000, 3),
        e2e_ms=round(point.e2e_s * 1000, 1),
        output_tokens_per_s=round(point.output_tokens_per_s, 2),
        requests_per_s=round(point.requests_per_s, 4),
        concurrency=round(point.batch, 3),
        max_concurrent_sequences=limit,
        saturated=saturated,
        method=f"{perf.describe(model)}; {memory.method()}",
        ttft_error_pct=model.expected_error.ttft_pct if model.expected_error else None,
        tpot_error_pct=model.expected_error.tpot_pct if model.expected_error else None,
        memory=MemorySplit(
            weights_gib=round(memory.weights_gib, 3),
            activation_gib=round(memory.activation_gib, 3),
            non_torch_gib=round(memory.non_torch_gib, 3),
            kv_cache_gib=round(memory.kv_cache_gib, 3),
            kv_cache_tokens=memory.kv_cache_tokens,
        ),
    )
