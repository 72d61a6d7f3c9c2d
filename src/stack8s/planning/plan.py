"""DeploymentPlan and its parts (API contract). Numbers in it come from planning/ and SQL only."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from stack8s.planning.spec import WorkloadSpec
from stack8s.planning.vllm_memory import VLLM_CURRENT

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
    max_model_len: int | None = Field(None, description="vLLM --max-model-len when vLLM serves the model; else None")
    quantization: str | None = Field(
        None, description="vLLM --quantization when the weights are quantised on load; None for 16-bit or pre-quantised"
    )
    gpu_needed: bool = True
    method: str = Field("", description="how the numbers were computed, in one line")
    notes: list[str] = Field(default_factory=list)


class Performance(BaseModel):
    """One replica (a tensor-parallel group) of the model on this instance, at the planned batch."""

    tensor_parallel: int
    max_concurrent_sequences: int = Field(description="sequences one replica carries at the planned batch")
    kv_cache_tokens: int | None = None
    ttft_ms: float
    itl_ms: float
    tpot_ms: float
    e2e_ms: float
    output_tokens_per_s: float = Field(description="one replica")
    requests_per_s: float = Field(description="one replica")
    cost_per_million_output_tokens_usd: float | None = None
    meets_slo: bool | None = None
    method: str
    ttft_error_pct: float | None = Field(None, description="the estimator's measured error for this method (bench)")
    tpot_error_pct: float | None = Field(None, description="the estimator's measured error for this method (bench)")


class Job(BaseModel):
    """A job with an end (training, fine-tuning, batch inference) on one instance type: how long, how much."""

    instance_type: str
    provider: str
    instances: int = Field(ge=1)
    gpu_hours: float
    wall_clock_hours: float
    job_cost_usd: float = Field(description="wall_clock_hours x instances x price_hourly_usd (one run)")
    flops: float | None = None
    mfu: float | None = None
    deadline_hours: float | None = None
    meets_deadline: bool | None = None
    budget_total_usd: float | None = None
    within_budget: bool | None = None
    runs_per_month: float | None = None
    monthly_cost_usd: float | None = Field(None, description="recurring jobs: job_cost_usd x runs_per_month")
    spot_job_cost_usd: float | None = None
    method: str


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
    price_source: str | None = Field(None, description="where the price comes from: catalog file or import source")
    price_as_of: str | None = Field(None, description="date of the source's price (YYYY-MM-DD), not of the import")
    nodes: int = 1
    fits: bool
    rationale: str
    replicas: int = Field(1, description="copies of one serving group the load needs")
    instance_count: int = Field(1, description="instances paid for")
    total_monthly_usd: float = Field(0.0, description="price_monthly_usd x instance_count")
    performance: Performance | None = None
    job: Job | None = Field(None, description="jobs: the run on this instance type")


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
    job_cost_usd: float | None = Field(None, description="jobs: one run's compute (hours x instances x price)")


class Load(BaseModel):
    """The serving load the plan is sized for, and how it was derived."""

    total_users: int | None = None
    active_share: float | None = None
    concurrent_sequences: float | None = None
    requests_per_day: float | None = None
    requests_per_second: float | None = None
    input_tokens: int
    output_tokens: int
    source: str = Field(description="stated | derived")
    method: str
    slo: dict[str, float] = Field(default_factory=dict)


ArtifactFormat = Literal[
    "vllm-production-stack-values", "kserve-inferenceservice", "skypilot-task", "skyserve-service", "kubernetes-job"
]
ARTIFACT_FORMATS: tuple[str, ...] = get_args(ArtifactFormat)


class Artifact(BaseModel):
    """A file to apply or keep in git, generated from the plan's numbers."""

    format: ArtifactFormat
    filename: str
    content: str = Field(description="YAML text")


VLLM_VERSION = VLLM_CURRENT.serve_version
"""The vLLM release every serving artifact pins: the release whose start-up profile sizes the memory
(VLLM_CURRENT, measured on v0.19), so the engine deployed is the engine the numbers describe. One setting."""
VLLM_IMAGE = "vllm/vllm-openai"
"""The vLLM release the serving artifacts pin (image tag and pip), one place."""


class VllmServing(BaseModel):
    """The `vllm serve` settings of a serving plan, built once from the chosen placement; the steps, the
    values file, SkyServe and KServe all read them."""

    model: str
    version: str = VLLM_VERSION
    tensor_parallel_size: int = Field(ge=1)
    max_model_len: int = Field(ge=1)
    max_num_seqs: int | None = Field(None, description="the batch one replica was sized for")
    quantization: str | None = None
    kv_cache_dtype: str | None = None
    data_parallel_size: int = Field(1, ge=1, description="vLLM servers (TP groups) on one instance")
    pipeline_parallel_size: int = Field(1, ge=1, description="nodes one copy spans")

    def extra_args(self) -> list[str]:
        """Flags beyond tensor parallel, max model length and max sequences (the chart has fields for those)."""
        args = []
        if self.quantization:
            args += ["--quantization", self.quantization]
        if self.kv_cache_dtype:
            args += ["--kv-cache-dtype", self.kv_cache_dtype]
        return args

    def flags(self) -> list[str]:
        """Every `vllm serve` flag of one server, as `--name value` pairs."""
        pairs = [f"--tensor-parallel-size {self.tensor_parallel_size}", f"--max-model-len {self.max_model_len}"]
        if self.max_num_seqs is not None:
            pairs.append(f"--max-num-seqs {self.max_num_seqs}")
        extra = self.extra_args()
        return pairs + [f"{extra[i]} {extra[i + 1]}" for i in range(0, len(extra), 2)]


ComponentRole = Literal["generator", "embedder", "vector_store"]


class PlanComponent(BaseModel):
    """One serving part of a multi-model plan (RAG: the generator LLM, the embedding model, the vector store):
    what it runs, on which instances, and what it costs. `monthly_usd` is the sum of the
    `cost_estimate.breakdown` lines named in `cost_items`; a one-off job (embedding the corpus) is in `job`
    and not in the month."""

    model_config = ConfigDict(protected_namespaces=())

    role: ComponentRole
    model_id: str | None = Field(description="the model it serves; None for the vector store")
    purpose: str
    provider: str | None = None
    region: str | None = None
    instance_type: str | None = Field(None, description="None when it runs on another component's instances")
    instances: int = Field(0, ge=0, description="instances paid for this component (0 when it shares another's)")
    shares_instances_with: ComponentRole | None = None
    gpu_model: str | None = None
    gpu_count: int = 0
    vcpu: float | None = Field(None, description="per instance")
    ram_gb: float | None = Field(None, description="per instance")
    monthly_usd: float
    cost_items: list[str] = Field(default_factory=list, description="the cost_estimate.breakdown lines it costs")
    performance: Performance | None = Field(None, description="the generator: one replica at the planned batch")
    job: Job | None = Field(None, description="the embedder: the one-off job that embeds the stated corpus")
    method: str = Field("", description="how it was sized, in one line")


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
    load: Load | None = None
    job: Job | None = None
    vllm: VllmServing | None = Field(None, description="LLM serving: the vLLM settings every artifact uses")
    artifacts: list[Artifact] = Field(default_factory=list, description="files to apply, from the plan's numbers")
    components: list[PlanComponent] = Field(
        default_factory=list,
        description="multi-model plans (RAG): each serving part with its model, instances and monthly cost",
    )
