"""WorkloadSpec: what the user wants to run, as far as the conversation tells (API contract)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TaskType(StrEnum):
    inference = "inference"
    batch_inference = "batch_inference"
    training = "training"
    fine_tuning = "fine_tuning"


class Domain(StrEnum):
    nlp = "nlp"
    computer_vision = "computer_vision"
    audio = "audio"
    multimodal = "multimodal"
    tabular = "tabular"
    other = "other"


class Precision(StrEnum):
    fp32 = "fp32"
    fp16 = "fp16"
    bf16 = "bf16"
    fp8 = "fp8"
    int8 = "int8"
    int4 = "int4"  # W4A16: AWQ / GPTQ weight-only
    nvfp4 = "nvfp4"  # NVIDIA FP4 (E2M1 + FP8 scale per 16; "fp4" alone means this): FP4 math on Blackwell
    mxfp4 = "mxfp4"  # OCP MXFP4 (E2M1 + E8M0 scale per 32), as gpt-oss ships its experts


class FineTuningMethod(StrEnum):
    full = "full"
    lora = "lora"
    qlora = "qlora"


class Confidence(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


CRITICAL_FIELDS = ("task_type", "domain", "gpu_needed")


class Slo(BaseModel):
    """Latency targets (milliseconds); ITL also stands for 'N tokens per second per user' (1000 / N)."""

    model_config = ConfigDict(extra="forbid")

    ttft_ms: float | None = Field(None, gt=0)
    itl_ms: float | None = Field(None, gt=0)
    e2e_ms: float | None = Field(None, gt=0)


class WorkloadSpec(BaseModel):
    model_config = ConfigDict(use_enum_values=True, protected_namespaces=())

    task_type: TaskType | None = None
    domain: Domain | None = None
    gpu_needed: bool | None = None
    model_needs: str | None = Field(None, description="free text for model search")
    model_id: str | None = Field(None, description="resolved catalog id when the user named a model")
    params_billion: float | None = Field(None, ge=0)
    unknown_model: str | None = Field(
        None, description="a model the user named that the catalog does not know (model_id: the closest known, if any)"
    )
    precision: Precision | None = None
    fine_tuning_method: FineTuningMethod | None = None
    budget_monthly_usd: float | None = Field(None, ge=0)
    provider: str | None = None
    region: str | None = None
    regions: list[str] = Field(default_factory=list, description="allowed regions when the user named an area")
    gpu_preference: str | None = None
    excluded_providers: list[str] = Field(default_factory=list, description="providers the user ruled out")
    excluded_gpus: list[str] = Field(default_factory=list, description="GPU models the user ruled out")
    excluded_regions: list[str] = Field(
        default_factory=list, description="regions ruled out, an excluded area expanded to its regions"
    )
    ranking: Literal["cheapest", "fastest"] | None = Field(
        None, description="'make it cheaper' / 'faster': what the instance ranking favours"
    )
    currency_note: str | None = Field(
        None, description="how a budget in another currency became USD: amount, rate, the rate table's date"
    )
    gpu_count: int | None = Field(None, ge=1)
    replicas: int | None = Field(None, ge=1)
    concurrent_users: int | None = Field(None, ge=1, description="sequences served at the same moment")
    total_users: int | None = Field(None, ge=1, description="people using it, not all at once ('200 users')")
    requests_per_second: float | None = Field(None, ge=0)
    requests_per_day: float | None = Field(None, ge=0, description="a daily volume ('1M requests a day')")
    input_tokens: int | None = Field(None, ge=1, description="prompt tokens per request")
    output_tokens: int | None = Field(None, ge=1, description="answer tokens per request")
    slo: Slo | None = None
    use_case: str | None = Field(None, description="chat | code | rag | summarization | agent")
    kv_cache_dtype: Literal["auto", "fp8"] | None = Field(
        None, description="vLLM --kv-cache-dtype; unset keeps the model's dtype (vLLM's default)"
    )
    context_length: int | None = Field(None, ge=1)
    dataset_size_gb: float | None = Field(None, ge=0)
    training_tokens: int | None = Field(None, ge=1, description="tokens a training or fine-tuning run reads per epoch")
    training_tokens_basis: str | None = Field(
        None, description="how training_tokens was read: 'stated' or the conversion ('20,000 examples x 500 tokens')"
    )
    epochs: float | None = Field(None, gt=0)
    deadline_hours: float | None = Field(None, gt=0, description="the job must finish within this many hours")
    budget_total_usd: float | None = Field(None, ge=0, description="a one-off budget for the whole job")
    job_items: float | None = Field(
        None, ge=0, description="items one batch run processes: documents, prompts, images, records"
    )
    audio_hours: float | None = Field(None, ge=0, description="hours of audio one batch run transcribes")
    runs_per_month: float | None = Field(
        None, gt=0, description="a recurring job's runs per month ('every month' 1, 'weekly' 4.35, 'nightly' 30.42)"
    )
    license_filter: list[str] = Field(default_factory=list)
    spot: bool | None = None
    kubernetes_needs: list[str] = Field(default_factory=list)
    defaults_applied: list[str] = Field(
        default_factory=list, description="fields the engine filled by default rather than from the user's words"
    )
    confidence: Confidence = Confidence.low
    missing_fields: list[str] = Field(default_factory=list)
