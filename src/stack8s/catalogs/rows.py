"""Rows of the three catalogs, as importers produce them and repositories write them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class InstanceRow:
    provider: str  # SkyPilot cloud name, lower case: aws, gcp, azure, lambda, oci, runpod, ...
    instance_type: str
    region: str
    gpu_model: str | None  # harmonised name: "H100", "A100-80GB", "L4"; None for CPU-only
    gpu_count: int
    vram_per_gpu_gb: float
    total_vram_gb: float
    vcpu: float
    ram_gb: float
    price_hourly_usd: float
    spot_price_hourly_usd: float | None
    source: str
    as_of: date


@dataclass(frozen=True, slots=True)
class ChartRow:
    name: str
    repository: str  # repo name as used by `helm repo add NAME URL`
    repository_url: str
    description: str
    keywords: tuple[str, ...]
    version: str
    app_version: str | None
    stars: int
    official: bool
    home: str | None
    deprecated: bool
    source: str
    as_of: date


@dataclass(frozen=True, slots=True)
class HFModelRow:
    model_id: str
    pipeline_tag: str | None
    library: str | None
    license: str | None
    downloads: int
    likes: int
    params_billion: float | None
    num_layers: int | None = None
    hidden_size: int | None = None
    num_attention_heads: int | None = None
    num_kv_heads: int | None = None
    head_dim: int | None = None
    max_context: int | None = None
    num_experts: int | None = None
    active_params_billion: float | None = None
    kv_bytes_per_token: int | None = None  # fp16, when the GQA formula does not apply (MLA models)
    vocab_size: int | None = None  # config.json vocab_size (the embedding rows, padding included)
    tie_word_embeddings: bool | None = None  # True: lm_head shares the embedding matrix
    intermediate_size: int | None = None  # dense FFN size; MoE: the per-expert (moe_)intermediate_size
    num_experts_per_tok: int | None = None  # MoE: routed experts per token
    sliding_window: int | None = None  # sliding-window attention width, set only when some/all layers use it
    torch_dtype: str | None = None  # checkpoint dtype in config.json: bfloat16 | float16 | float32
    quantization: str | None = None  # awq | gptq | fp8 | gguf | mxfp4 | None
    family: str | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""
    as_of: date | None = None
    # layers that cache every token, when the others use linear attention, Mamba or a sliding window
    full_attention_layers: int | None = None


@dataclass(frozen=True, slots=True)
class ModelCard:
    """A model card's text; chunks of it are embedded for RAG. Several models may share a card."""

    model_ids: tuple[str, ...]
    text: str
    source: str = ""
    extra: dict[str, str] = field(default_factory=dict)
