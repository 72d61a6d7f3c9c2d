"""Typed queries and hits of the retrieval tools (also the debug endpoints' bodies)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from stack8s.catalogs.rows import HFModelRow
from stack8s.planning.arch import ModelArch
from stack8s.validation import StrictInput

MAX_TOP_K = 100


class ComputeQuery(StrictInput):
    gpu_needed: bool | None = Field(None, description="true: GPU instances only; false: CPU only")
    min_vram_gb: float | None = Field(None, ge=0, le=100_000, description="minimum total VRAM of the instance")
    min_vram_per_gpu_gb: float | None = Field(None, ge=0, le=1_000)
    gpu_model: str | None = Field(None, max_length=40, description="e.g. H100, A100-80GB, L4 (prefix match)")
    min_gpu_count: int | None = Field(None, ge=0, le=64)
    max_gpu_count: int | None = Field(None, ge=0, le=64)
    max_price_monthly: float | None = Field(None, ge=0, le=10_000_000)
    max_price_hourly: float | None = Field(None, ge=0, le=10_000)
    provider: str | None = Field(None, max_length=40)
    providers: list[str] = Field(default_factory=list, max_length=20)
    region: str | None = Field(None, max_length=60)
    regions: list[str] = Field(default_factory=list, max_length=1000)
    min_vcpu: float | None = Field(None, ge=0, le=10_000)
    min_ram_gb: float | None = Field(None, ge=0, le=100_000)
    spot: bool = Field(False, description="only instances with a spot price, ranked by it")
    exclude_providers: list[str] = Field(default_factory=list, max_length=20)
    exclude_gpus: list[str] = Field(
        default_factory=list, max_length=40, description="GPU models ruled out ('A100' also rules out A100-80GB)"
    )
    exclude_regions: list[str] = Field(default_factory=list, max_length=1000)
    top_k: int = Field(10, ge=1, le=MAX_TOP_K)

    @field_validator("provider", "region", "gpu_model")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None


class ComputeHit(BaseModel):
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
    spot_price_hourly_usd: float | None
    source: str
    as_of: date | None


class ChartQuery(StrictInput):
    query: str = Field(min_length=1, max_length=200)
    top_k: int = Field(15, ge=1, le=MAX_TOP_K)


class ChartHit(BaseModel):
    name: str
    repository: str
    repository_url: str
    description: str
    version: str
    app_version: str | None
    stars: int
    official: bool
    deprecated: bool
    score: float = Field(description="match tier: 1 exact name, .8 prefix, .6 in name, .4 in description, .2 text")


class ModelQuery(StrictInput):
    query: str = Field(min_length=1, max_length=500)
    pipeline_tag: str | None = Field(None, max_length=60)
    license_filter: list[str] = Field(default_factory=list, max_length=30)
    top_k: int = Field(5, ge=1, le=MAX_TOP_K)


class ModelHit(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model_id: str
    pipeline_tag: str | None
    license: str | None
    library: str | None
    downloads: int
    likes: int
    params_billion: float | None
    relevance: float
    popularity: float
    score: float
    snippet: str


class ComputeResults(BaseModel):
    results: list[ComputeHit]
    count: int


class ChartResults(BaseModel):
    results: list[ChartHit]
    count: int


class ModelResults(BaseModel):
    results: list[ModelHit]
    count: int


@dataclass(frozen=True, slots=True)
class CatalogModel:
    """A model the user named, as the catalog has it: its row and its popularity (0-1 of the catalog's top)."""

    row: HFModelRow
    popularity: float

    def arch(self, params_billion: float | None = None) -> ModelArch:
        """The architecture facts sizing and performance read; `params_billion` overrides the row's count."""
        params = params_billion if params_billion is not None else self.row.params_billion or 0.0
        arch = ModelArch.from_record(replace(self.row, params_billion=params))
        assert arch is not None  # params_billion is set
        return arch
