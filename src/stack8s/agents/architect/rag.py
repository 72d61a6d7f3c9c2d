"""RAG plans: beside the generator LLM, which is planned exactly as any LLM serving plan (the same workload,
placement and fleet search), the embedding model and the vector store.

* The embedding model embeds the users' questions on CPU nodes (`planning/retrieval.embedder_need`) and the stated
  corpus once, as a GPU job priced by its duration (`job_selection`: `planning/jobs.embedding_work` +
  `run_on`).
* The vector store is Qdrant (the `vector-database` chart), its RAM by Qdrant's capacity formula
  (`planning/retrieval.vector_store_need`).

The CPU parts run in the generator's cluster: the cheapest instance that meets each part's need in every
(provider, region) is looked up once, so the budget rule and the plan's month price them the same way
(`cost_parts`). A provider with no CPU-only instance in the catalog runs them on the generator's nodes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import yaml

from stack8s.agents.architect import job_selection, steps
from stack8s.agents.architect.markdown import duration
from stack8s.agents.architect.model_table import MAX_MODELS
from stack8s.agents.architect.workload import Workload, plan_workload
from stack8s.agents.deps import AgentDeps
from stack8s.catalogs.gpus import all_gpu_specs
from stack8s.planning import retrieval
from stack8s.planning.cost import SidePart
from stack8s.planning.non_llm import CPU_OS_RESERVE_GB
from stack8s.planning.plan import (
    CostEstimate,
    DeploymentStep,
    GpuRecommendation,
    Job,
    ModelRecommendation,
    PlanComponent,
)
from stack8s.planning.spec import TaskType, WorkloadSpec
from stack8s.tools import compute, hf
from stack8s.tools.schemas import CatalogModel, ComputeHit, ComputeQuery, ModelQuery

DEFAULT_EMBEDDER = "BAAI/bge-base-en-v1.5"
DEFAULT_DIMENSIONS = 768
"""BAAI/bge-base-en-v1.5: 109M parameters, 768-dimensional vectors, 512-token input, MIT license (its card in
catalogs/data/models/other.yaml), the common default of LlamaIndex, LangChain and vector-database tutorials."""
UNKNOWN_DIMENSIONS = 1024
"""Another embedder whose catalog row has no hidden size: 1,024 dimensions, the large BERT-class size (an
upper bound for base and small models), stated in the plan."""
MAX_EMBEDDER_PARAMS_B = 1.0
"""An embedder found by search when the default is ruled out (license): at most 1B parameters, so it serves
questions on CPU."""

MAX_EXCLUDED_GPUS = 40  # the compute search's limit
EMBEDDER_ITEM = "embedding model"
VECTOR_STORE_ITEM = "vector store"
COLOCATED_SHARE = 0.5
"""On the generator's nodes, the embedder and Qdrant may take at most half of their RAM and vCPU; vLLM, its
tokenizer and API server, and the system keep the rest. An assumption, stated in the plan."""
QUANTISED_SHARE = 0.25
"""Qdrant scalar quantisation stores each dimension in 1 byte instead of 4 (Qdrant docs, 'Quantization')."""
LARGE_VECTORS_GB = 32.0
"""Vectors above 32 GB of RAM: the plan says what quantising them would save."""
TEI_CPU_IMAGE = "ghcr.io/huggingface/text-embeddings-inference:cpu-1.8"
TEI_GPU_IMAGE = "ghcr.io/huggingface/text-embeddings-inference:1.8"
EMBEDDER_POOL, VECTOR_POOL, JOB_POOL = "ragembed", "ragqdrant", "embedjob"


def is_rag(spec: WorkloadSpec) -> bool:
    """The request is a RAG system to serve (the parser's use case; the generator must be an LLM to serve)."""
    return spec.use_case == "rag" and spec.task_type in (None, TaskType.inference)


def is_embedder(model: CatalogModel | None) -> bool:
    return model is not None and model.row.pipeline_tag in job_selection.EMBEDDING_TAGS


@dataclass(frozen=True)
class Side:
    """A CPU part beside the generator: what it needs, and the cheapest instance meeting that need in every
    (provider, region) the constraints allow."""

    role: Literal["embedder", "vector_store"]
    item: str  # its cost line
    need: retrieval.CpuNeed
    offers: tuple[ComputeHit, ...]

    def offer(self, provider: str, region: str) -> tuple[ComputeHit | None, bool]:
        """The instance in the generator's region, else the provider's cheapest elsewhere (priced there: said);
        (None, False) when the provider has no CPU instance that meets the need."""
        same = [o for o in self.offers if o.provider == provider]
        exact = next((o for o in same if o.region == region), None)
        if exact is not None:
            return exact, True
        other = min(same, key=lambda o: (o.price_hourly_usd, o.region, o.instance_type), default=None)
        return other, False


@dataclass(frozen=True)
class RagParts:
    """The embedder and the vector store of a RAG plan, resolved once before the generator's fleet is chosen."""

    embedder: CatalogModel
    dimensions: int
    corpus: retrieval.Corpus | None
    sides: tuple[Side, Side]  # embedder, vector store
    notes: tuple[str, ...]

    def cost_parts(self, provider: str | None, region: str | None) -> list[SidePart]:
        """The month's lines for the parts where the generator runs (nothing without a generator)."""
        if provider is None or region is None:
            return []
        return [self._part(side, provider, region) for side in self.sides]

    def _part(self, side: Side, provider: str, region: str) -> SidePart:
        hit, _ = side.offer(provider, region)
        what = _WHAT[side.role]
        if hit is None:
            return SidePart(side.item, None, 0, f"{what} on the generator's nodes", side.need.disk_gb)
        shape = f"{side.need.nodes} x {hit.instance_type} ({hit.vcpu:g} vCPU, {hit.ram_gb:g} GB RAM)"
        return SidePart(side.item, hit.price_hourly_usd, side.need.nodes, f"{what}: {shape}", side.need.disk_gb)


_WHAT = {"embedder": "query embedding", "vector_store": "Qdrant"}


async def _embedder(deps: AgentDeps, spec: WorkloadSpec, named: CatalogModel | None) -> CatalogModel | None:
    """The embedding model: the one the user named, else the default, else (a license rules it out) the best
    embedding model of at most 1B parameters the catalog search finds."""
    if named is not None:
        return named
    allowed = {lic.lower() for lic in spec.license_filter}
    default = await hf.get_model(deps.conn, DEFAULT_EMBEDDER)
    if default is not None and (not allowed or (default.row.license or "").lower() in allowed):
        return default
    for tag in job_selection.EMBEDDING_TAGS:
        query = ModelQuery(
            query="text embeddings for retrieval", pipeline_tag=tag, license_filter=spec.license_filter, top_k=10
        )
        for hit in await hf.search(deps.conn, deps.embedder, query):
            if hit.params_billion and hit.params_billion <= MAX_EMBEDDER_PARAMS_B:
                return await hf.get_model(deps.conn, hit.model_id)
    return None


def _dimensions(model: CatalogModel) -> tuple[int, str | None]:
    if model.row.model_id == DEFAULT_EMBEDDER:
        return DEFAULT_DIMENSIONS, None
    if model.row.hidden_size:
        return model.row.hidden_size, None
    note = (
        f"Vectors of {UNKNOWN_DIMENSIONS:,} dimensions assumed: the catalog has no vector size for "
        f"{model.row.model_id}."
    )
    return UNKNOWN_DIMENSIONS, note


async def _side(
    deps: AgentDeps, w: Workload, role: Literal["embedder", "vector_store"], need: retrieval.CpuNeed
) -> Side:
    spec = w.spec
    query = ComputeQuery(
        gpu_needed=False,
        provider=spec.provider,
        region=spec.region,
        regions=[] if spec.region else spec.regions,
        exclude_providers=spec.excluded_providers,
        exclude_regions=spec.excluded_regions,
        min_ram_gb=need.ram_gb,
        min_vcpu=need.vcpu,
    )
    offers = await compute.cheapest_per_region(deps.conn, query)
    item = EMBEDDER_ITEM if role == "embedder" else VECTOR_STORE_ITEM
    return Side(role, item, need, tuple(offers))


async def resolve(deps: AgentDeps, w: Workload, named_embedder: CatalogModel | None) -> RagParts | None:
    """The RAG parts around the generator `w`; None when the catalog has no embedding model to plan with."""
    embedder = await _embedder(deps, w.spec, named_embedder)
    if embedder is None:
        return None
    dimensions, note = _dimensions(embedder)
    corpus = retrieval.corpus_of(w.spec.dataset_size_gb)
    params = embedder.row.params_billion or 0.0
    sides = (
        await _side(deps, w, "embedder", retrieval.embedder_need(params, w.load)),
        await _side(deps, w, "vector_store", retrieval.vector_store_need(corpus, dimensions)),
    )
    notes = [
        f"RAG: the generator answers from retrieved chunks; {embedder.row.model_id} embeds the questions and the "
        "documents; Qdrant stores the vectors and finds the nearest chunks.",
        f"Corpus: {corpus.method()}." if corpus else "Corpus: not stated, so no embedding job is priced.",
        f"Query embedding: {sides[0].need.method}.",
        f"Vector store: {sides[1].need.method}.",
    ]
    return RagParts(embedder, dimensions, corpus, sides, tuple([*notes, *([note] if note else [])]))


@dataclass(frozen=True)
class CorpusJob:
    """The one-off job that embeds the corpus, on the instance type that does it cheapest."""

    job: Job
    where: GpuRecommendation
    notes: list[str]


async def corpus_job(deps: AgentDeps, parts: RagParts, spec: WorkloadSpec, provider: str) -> CorpusJob | str | None:
    """Embedding the stated corpus once, priced by its duration at the generator's provider (`job_selection`:
    `planning/jobs.embedding_work` + `run_on`); the reason when it cannot be priced; None without a corpus."""
    if parts.corpus is None:
        return None
    not_cuda = [g.name for g in all_gpu_specs() if g.vendor != "nvidia"]  # TEI's GPU images are CUDA builds
    job_spec = WorkloadSpec(
        task_type=TaskType.batch_inference,
        domain="nlp",
        gpu_needed=True,
        model_id=parts.embedder.row.model_id,
        provider=provider,
        job_items=float(parts.corpus.chunks),
        excluded_gpus=list(dict.fromkeys([*spec.excluded_gpus, *not_cuda]))[:MAX_EXCLUDED_GPUS],
        excluded_regions=spec.excluded_regions,
        spot=spec.spot,
    )
    w = plan_workload(job_spec, parts.embedder)
    work = job_selection.job_work(w)
    if work.work is None:
        return f"No corpus embedding estimate: {work.reason}."
    selection = await job_selection.select(deps.conn, w, work.work)
    if selection is None or selection.job is None:
        return "No corpus embedding estimate: no GPU instance with known performance figures."
    job = selection.job
    notes = [*selection.notes, f"Corpus embedding job on NVIDIA GPUs (TEI's CUDA image): {job.method}."]
    return CorpusJob(job, selection.recommendations[0], notes)


def with_embedder(models: list[ModelRecommendation], parts: RagParts, named: str | None) -> list[ModelRecommendation]:
    """The model table of a RAG plan: the generator's table (the named model first) and the plan's embedding
    model, scored as the catalog search scores a model it matches exactly (relevance 1), all by score."""
    row, popularity = parts.embedder.row, parts.embedder.popularity
    embedder = ModelRecommendation(
        rank=1,
        model_id=row.model_id,
        pipeline_tag=row.pipeline_tag,
        license=row.license,
        params_billion=row.params_billion,
        downloads=row.downloads,
        likes=row.likes,
        relevance=1.0,
        popularity=popularity,
        score=round(hf.RELEVANCE_WEIGHT + hf.POPULARITY_WEIGHT * popularity, 4),
        rationale=(
            f"The plan's embedding model: {parts.dimensions}-dimensional vectors for the questions and the "
            f"documents; {row.downloads:,} downloads, license {row.license or 'unknown'}."
        ),
    )
    others = [m for m in models if m.model_id != row.model_id]
    first = others[:1] if others and others[0].model_id == named else []
    room = MAX_MODELS - 1 - len(first)  # the embedder always has a row
    rest = sorted([*others[len(first) :][:room], embedder], key=lambda m: (-m.score, m.model_id))
    return [m.model_copy(update={"rank": i}) for i, m in enumerate([*first, *rest], start=1)]


def _line(cost: CostEstimate, *items: str) -> float:
    return round(sum(c.monthly_usd for c in cost.breakdown if c.item in items), 2)


def placement_notes(parts: RagParts, top: GpuRecommendation) -> list[str]:
    """Where the CPU parts run when not on their own instances in the generator's region."""
    notes = []
    for side in parts.sides:
        hit, exact = side.offer(top.provider, top.region)
        if hit is not None and not exact:
            notes.append(
                f"{_WHAT[side.role].capitalize()}: the catalog has no CPU instance with {side.need.vcpu} vCPU and "
                f"{side.need.ram_gb:g} GB in {top.region}; priced as {hit.instance_type} in {hit.region}."
            )
    colocated = [s for s in parts.sides if s.offer(top.provider, top.region)[0] is None]
    if colocated:
        ram = sum(s.need.ram_gb * s.need.nodes for s in colocated)
        vcpu = sum(s.need.vcpu * s.need.nodes for s in colocated)
        count = top.instance_count
        room = ram <= COLOCATED_SHARE * top.ram_gb * count and vcpu <= COLOCATED_SHARE * top.vcpu * count
        what = " and ".join(_WHAT[s.role] for s in colocated)
        verdict = (
            "within half of their RAM and vCPU (vLLM and the system keep the rest)"
            if room
            else "more than half of their RAM or vCPU: run them on CPU nodes of a provider that sells them"
        )
        notes.append(
            f"{top.provider} has no CPU-only instance in the catalog that fits: {what} run as pods on the "
            f"generator's {count} x {top.instance_type} ({top.vcpu:g} vCPU, {top.ram_gb:g} GB RAM each); they need "
            f"{vcpu} vCPU and {ram:g} GB RAM, {verdict}."
        )
    return notes


def components(
    parts: RagParts, w: Workload, top: GpuRecommendation, cost: CostEstimate, job: CorpusJob | None
) -> list[PlanComponent]:
    """The plan's three parts, each with its instances and its month (the cost lines it names)."""
    count = top.instance_count if top.performance is not None else top.nodes * w.replicas
    params = w.sizing.params_billion or 0.0
    generator = PlanComponent(
        role="generator",
        model_id=w.sizing.model_id,
        purpose=(
            "Generator LLM: answers each question from the retrieved chunks (vLLM)"
            + ("" if w.sizing.model_id else f"; sized as a {params:g}B model, pick one from the model table")
        ),
        provider=top.provider,
        region=top.region,
        instance_type=top.instance_type,
        instances=count,
        gpu_model=top.gpu_model,
        gpu_count=top.gpu_count,
        vcpu=top.vcpu,
        ram_gb=top.ram_gb,
        monthly_usd=_line(cost, "compute"),
        cost_items=["compute"],
        performance=top.performance,
        method=w.sizing.method,
    )
    embedder, store = parts.sides
    return [
        generator,
        _cpu_component(embedder, parts, top, cost, job),
        _cpu_component(store, parts, top, cost, None),
    ]


def _cpu_component(
    side: Side, parts: RagParts, top: GpuRecommendation, cost: CostEstimate, job: CorpusJob | None
) -> PlanComponent:
    hit, _ = side.offer(top.provider, top.region)
    items = [side.item] + ([f"{side.item} disk"] if side.need.disk_gb > 0 else [])
    if side.role == "embedder":
        model: str | None = parts.embedder.row.model_id
        purpose = (
            f"Embedding model: turns each question into a vector ({parts.dimensions} dimensions) to search with"
            + (", and the corpus once (the job)" if job else "")
        )
    else:
        model, purpose = None, "Vector store (Qdrant): keeps the chunks' vectors and finds the nearest to a question"
    return PlanComponent(
        role=side.role,
        model_id=model,
        purpose=purpose,
        provider=top.provider,
        region=hit.region if hit is not None else top.region,
        instance_type=hit.instance_type if hit is not None else None,
        instances=side.need.nodes if hit is not None else 0,
        shares_instances_with=None if hit is not None else "generator",
        vcpu=hit.vcpu if hit is not None else None,
        ram_gb=hit.ram_gb if hit is not None else None,
        monthly_usd=_line(cost, *items),
        cost_items=items,
        job=job.job if job is not None else None,
        method=side.need.method,
    )


def chart_values(parts: RagParts, top: GpuRecommendation | None) -> dict[str, list[str]]:
    """The Qdrant chart's values: replicas (shards), volume size, and the node pool it runs on."""
    need = parts.sides[1].need
    values = [f"replicaCount={need.nodes}", f"persistence.size={math.ceil(need.disk_gb / need.nodes)}G"]
    if need.nodes > 1:
        values.append("config.cluster.enabled=true")
    if top is not None and parts.sides[1].offer(top.provider, top.region)[0] is not None:
        values.append(f"nodeSelector.{steps.POOL_LABEL}={VECTOR_POOL}")
    return {"vector-database": values}


def pool_steps(parts: RagParts, top: GpuRecommendation) -> list[DeploymentStep]:
    """Node pools for the CPU parts that have instances of their own (order is set by `steps.build_steps`)."""
    commands = []
    for side, pool in zip(parts.sides, (EMBEDDER_POOL, VECTOR_POOL), strict=True):
        hit, _ = side.offer(top.provider, top.region)
        if hit is not None:
            commands += steps.node_pool_commands(top.provider, top.region, hit.instance_type, pool, side.need.nodes)
    if not commands:
        return []
    details = "CPU nodes for the embedding model and Qdrant, labelled so their pods land there."
    return [
        DeploymentStep(
            order=0, title="Add node pools for the embedding model and Qdrant", details=details, commands=commands
        )
    ]


def _tei(name: str, image: str, model: str, replicas: int, pool: str | None, gpu: bool) -> str:
    pod: dict[str, object] = {
        "containers": [
            {
                "name": "tei",
                "image": image,
                "args": ["--model-id", model, "--port", "80"],
                "ports": [{"containerPort": 80}],
                **({"resources": {"limits": {"nvidia.com/gpu": 1}}} if gpu else {}),
            }
        ]
    }
    if pool is not None:
        pod["nodeSelector"] = {steps.POOL_LABEL: pool}
    labels = {"app": name}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": pod},
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 80}]},
    }
    docs = "---\n".join(yaml.safe_dump(d, sort_keys=False, width=120) for d in (deployment, service))
    return f"kubectl apply -n stack8s -f - <<'EOF'\n{docs}EOF"


def serve_steps(parts: RagParts, top: GpuRecommendation, job: CorpusJob | None) -> list[DeploymentStep]:
    """Serve the embedding model for questions, then embed the corpus once (order set by `steps.build_steps`)."""
    side = parts.sides[0]
    model = parts.embedder.row.model_id
    own = side.offer(top.provider, top.region)[0] is not None
    serve = DeploymentStep(
        order=0,
        title="Serve the embedding model (Text Embeddings Inference on CPU)",
        details=f"{model} behind the Service `embedder` (POST /embed), {side.need.nodes} replica(s)"
        + ("" if own else " on the generator's nodes")
        + "; the application embeds each question there and searches Qdrant with the vector.",
        commands=[_tei("embedder", TEI_CPU_IMAGE, model, side.need.nodes, EMBEDDER_POOL if own else None, False)],
    )
    if job is None:
        return [serve]
    where, run = job.where, job.job
    commands = [
        *steps.node_pool_commands(where.provider, where.region, where.instance_type, JOB_POOL, run.instances),
        _tei("embedjob", TEI_GPU_IMAGE, model, run.instances * max(1, where.gpu_count), JOB_POOL, True),
        "# your ingestion: split the documents into 512-token chunks, POST them in batches to "
        "http://embedjob/embed, upsert the vectors and the chunk text into Qdrant (collection size "
        f"{parts.dimensions}, cosine)",
        "kubectl -n stack8s delete deployment,service embedjob",
        *steps.node_pool_delete_commands(where.provider, where.region, JOB_POOL),
    ]
    embed = DeploymentStep(
        order=0,
        title="Embed the corpus once (GPU job), then release its nodes",
        details=f"About {duration(run.wall_clock_hours)} on {run.instances} x {where.instance_type}, "
        f"${run.job_cost_usd:,.2f} once (not in the monthly total).",
        commands=commands,
    )
    return [serve, embed]


def summary(parts: list[PlanComponent]) -> str:
    """One clause per part for the plan's understanding: which model does what, where, and what it costs."""
    said = []
    for c in parts:
        where = (
            f"{c.instances} x {c.instance_type}"
            if c.instance_type is not None
            else f"the {c.shares_instances_with}'s nodes"
        )
        what = {
            "generator": f"the generator LLM {c.model_id or '(pick one from the model table)'} writes the answers",
            "embedder": f"the embedding model {c.model_id} embeds the questions",
            "vector_store": "the vector store Qdrant finds the nearest chunks",
        }[c.role]
        said.append(f"{what} on {where} (${c.monthly_usd:,.2f}/month)")
    text = "A RAG system in three parts: " + "; ".join(said) + "."
    job = next((c.job for c in parts if c.job is not None), None)
    if job is not None:
        text += (
            f" Embedding the corpus once takes about {duration(job.wall_clock_hours)} on {job.instances} x "
            f"{job.instance_type}: ${job.job_cost_usd:,.2f}, one-off."
        )
    return text


def tradeoffs(parts: RagParts) -> list[str]:
    """What would make the vector store cheaper, when it is large."""
    need = parts.sides[1].need
    vectors = (need.ram_gb - CPU_OS_RESERVE_GB) * need.nodes
    if parts.corpus is None or vectors < LARGE_VECTORS_GB:
        return []
    quantised = vectors * QUANTISED_SHARE
    return [
        f"Qdrant's scalar quantisation (int8) keeps the vectors in a quarter of the RAM ({quantised:,.0f} GB "
        f"instead of {vectors:,.0f} GB, the float32 originals on disk) at a small cost in recall."
    ]
