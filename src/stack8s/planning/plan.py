"""DeploymentPlan and its parts (API contract). Numbers in it come from planning/ and SQL only."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from stack8s.planning.spec import WorkloadSpec

HOURS_PER_MONTH = 730


class Sizing(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model_id: str | None = None
    params_billion: float | None = None
    precision: str | None = None
    weights_gb: float = 0.0
    kv_cache_gb: float = 0.0
    overhead_gb: float = 0.0
    optimizer_gb: float = 0.0
    activations_gb: float = 0.0
    required_vram_gb: float = 0.0
    tensor_parallel: int = 1
    gpu_needed: bool = True
    method: str = Field("", description="how the numbers were computed, in one line")
    notes: list[str] = Field(default_factory=list)


class GpuRecommendation(BaseModel):
    rank: int
    provider: str
    instance_type: str
    region: str
    gpu_model: str | None
    gpu_count: int
    vram_per_gpu_gb: float
    total_vram_gb: float
    vcpu: float
    ram_gb: float
    price_hourly_usd: float
    price_monthly_usd: float
    spot_price_hourly_usd: float | None = None
    nodes: int = 1
    fits: bool
    rationale: str


class ModelRecommendation(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    rank: int
    model_id: str
    pipeline_tag: str | None
    license: str | None
    params_billion: float | None
    downloads: int
    likes: int
    relevance: float
    popularity: float
    score: float = Field(ge=0, le=1)
    rationale: str


class ChartRecommendation(BaseModel):
    chart: str
    repository: str
    repository_url: str | None = None
    version: str | None = None
    purpose: str
    install_command: str


class DeploymentStep(BaseModel):
    order: int
    title: str
    details: str
    commands: list[str] = Field(default_factory=list)


class CostLine(BaseModel):
    item: str
    monthly_usd: float
    assumption: str = ""


class CostEstimate(BaseModel):
    currency: str = "USD"
    hours_per_month: int = HOURS_PER_MONTH
    compute_monthly_usd: float
    storage_monthly_usd: float
    other_monthly_usd: float
    total_monthly_usd: float
    breakdown: list[CostLine]
    within_budget: bool | None = None


class DeploymentPlan(BaseModel):
    understanding: str
    assumptions: list[str]
    workload_spec: WorkloadSpec
    sizing: Sizing
    gpu_recommendations: list[GpuRecommendation]
    model_recommendations: list[ModelRecommendation]
    kubernetes_stack: list[ChartRecommendation]
    deployment_steps: list[DeploymentStep]
    cost_estimate: CostEstimate
    tradeoffs: list[str]
    local_cluster: dict[str, Any] = Field(default_factory=lambda: {"connected": False})
