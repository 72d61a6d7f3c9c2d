"""Retrieval for RAG: the parts of a RAG system beside its generator LLM, sized from the request. Pure: no I/O.

* The corpus: GB of text x 250M tokens/GB, cut into 512-token chunks, one vector each.
* The vector store (Qdrant): RAM = vectors x dimensions x 4 bytes x 1.5 (Qdrant's capacity-planning
  formula), on CPU nodes (sharded over several above MAX_NODE_RAM_GB); disk = the vectors plus the chunks'
  text kept as payload.
* The query embedder: one forward pass per question, 2 x parameters x QUERY_TOKENS FLOPs, on CPU at
  CPU_GFLOPS_PER_VCPU, for HEADROOM x the generator's request rate (the same rate the generator is sized for).

The generator itself is sized and placed exactly as any LLM serving plan (`planning/fleet.py`); the corpus
embedding job is priced by `planning/jobs.py` (`embedding_work`, `run_on`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from stack8s.planning.jobs import EMBEDDING_TOKENS_PER_ITEM, TEXT_TOKENS_PER_GB
from stack8s.planning.load import HEADROOM, USE_CASES, LoadTarget
from stack8s.planning.non_llm import CPU_OS_RESERVE_GB, CPU_RAM_FLOOR_GB, cpu_ram_gb

CHUNK_TOKENS = EMBEDDING_TOKENS_PER_ITEM
"""Chunks of 512 tokens, the input limit of BERT-class embedding models: one vector per chunk."""

QDRANT_BYTES_PER_DIMENSION = 4
QDRANT_OVERHEAD = 1.5
"""Qdrant's capacity planning: memory_size = number_of_vectors x vector_dimension x 4 bytes x 1.5, the
extra 50% for metadata (indexes, point versions) and temporary segments during optimisation
(https://qdrant.tech/documentation/capacity-planning/). Vectors kept in RAM, float32, unquantised."""

MAX_NODE_RAM_GB = 256.0
"""A vector store larger than this is sharded over several nodes (Qdrant distributed mode): the largest
common memory-optimised CPU instances (r7i.8xlarge, E32s) have 256 GB."""

MIN_DISK_GB = 10.0
"""The Qdrant Helm chart's default volume (persistence.size 10Gi), the least a vector store is given."""

QUERY_TOKENS = 64
"""A user's question, the text the embedder sees per request: up to about 50 words (the retrieved chunks go
to the generator, not the embedder). An assumption, stated in the plan."""

CPU_GFLOPS_PER_VCPU = 10.0
"""Effective encoder throughput of one vCPU: an AVX2 core does 2 FMA units x 8 fp32 lanes x 2 FLOPs = 32
FLOPs per cycle (Intel optimisation manual, Haswell and later; AMD Zen 2 and later), one vCPU is one of its two
hyperthreads, 16 FLOPs per cycle x 2.5 GHz = 40 GFLOPS peak; batch-1 encoder inference keeps about a quarter
of it busy. An assumption, stated in the plan; a load test settles it."""

MIN_VCPU = 2
MAX_NODE_VCPU = 32
"""CPU nodes of 2 to 32 vCPU: a part that needs more runs on several nodes."""


@dataclass(frozen=True)
class Corpus:
    """The documents to search, as text: GB, tokens and 512-token chunks (vectors)."""

    text_gb: float
    tokens: float
    chunks: int

    def method(self) -> str:
        return (
            f"{self.text_gb:g} GB of text x {TEXT_TOKENS_PER_GB / 1e6:.0f}M tokens/GB = {self.tokens:,.0f} tokens "
            f"= {self.chunks:,} chunks of {CHUNK_TOKENS} tokens"
        )


def corpus_of(text_gb: float | None) -> Corpus | None:
    """The corpus the request states (its size in GB of text); None when it states none."""
    if not text_gb:
        return None
    tokens = text_gb * TEXT_TOKENS_PER_GB
    return Corpus(text_gb, tokens, math.ceil(tokens / CHUNK_TOKENS))


@dataclass(frozen=True)
class CpuNeed:
    """CPU nodes one part needs: RAM and vCPU per node, how many nodes, and the disk of the part."""

    ram_gb: float
    vcpu: int
    nodes: int
    disk_gb: float
    method: str


def vector_store_need(corpus: Corpus | None, dimensions: int) -> CpuNeed:
    """Qdrant's nodes: the vectors in RAM by Qdrant's formula plus the OS reserve, sharded above
    MAX_NODE_RAM_GB; its disk holds the vectors and the chunks' text."""
    if corpus is None:
        method = (
            f"no corpus size stated: the smallest node ({MIN_VCPU} vCPU, {CPU_RAM_FLOOR_GB:g} GB RAM) and a "
            f"{MIN_DISK_GB:g} GB volume; say how many documents or GB of text to size it"
        )
        return CpuNeed(CPU_RAM_FLOOR_GB, MIN_VCPU, 1, MIN_DISK_GB, method)
    vectors_gb = corpus.chunks * dimensions * QDRANT_BYTES_PER_DIMENSION * QDRANT_OVERHEAD / 1e9
    nodes = max(1, math.ceil(vectors_gb / (MAX_NODE_RAM_GB - CPU_OS_RESERVE_GB) - 1e-9))
    ram = round(max(CPU_RAM_FLOOR_GB, vectors_gb / nodes + CPU_OS_RESERVE_GB), 2)
    disk = float(max(MIN_DISK_GB, math.ceil(vectors_gb + corpus.text_gb)))
    shards = f", sharded over {nodes} nodes" if nodes > 1 else ""
    method = (
        f"{corpus.chunks:,} vectors x {dimensions} dimensions x {QDRANT_BYTES_PER_DIMENSION} bytes x "
        f"{QDRANT_OVERHEAD:g} (Qdrant's capacity formula) = {vectors_gb:,.2f} GB in RAM{shards}, + "
        f"{CPU_OS_RESERVE_GB:g} GB OS = {ram:g} GB per node; disk {disk:g} GB (vectors + the chunks' text)"
    )
    return CpuNeed(ram, MIN_VCPU, nodes, disk, method)


def query_rate(load: LoadTarget | None) -> tuple[float | None, str]:
    """Questions per second the embedder answers: the generator's request rate, or for people using it at
    the same time, one question each per think time of the use case (the most they can send)."""
    if load is None:
        return None, "no load stated"
    if load.requests_per_second is not None:
        return load.requests_per_second, f"{load.requests_per_second:.3g} requests/s (the generator's load)"
    if load.concurrent_sequences is not None:
        think = USE_CASES[load.use_case].think_time_s
        rate = load.concurrent_sequences / think
        return rate, f"{load.concurrent_sequences:g} people at once, one question each every {think:g} s = {rate:.3g}/s"
    return None, "no request rate stated"


def embedder_need(params_billion: float, load: LoadTarget | None) -> CpuNeed:
    """CPU nodes that embed the users' questions at HEADROOM x their rate (RAM: the CPU-only rule of
    planning/non_llm.py)."""
    ram = cpu_ram_gb(params_billion=params_billion)
    rate, basis = query_rate(load)
    if rate is None:
        method = f"{basis}: the smallest node ({MIN_VCPU} vCPU, {ram:g} GB RAM: weights x 2 + OS)"
        return CpuNeed(ram, MIN_VCPU, 1, 0.0, method)
    gflops = rate * HEADROOM * 2 * params_billion * QUERY_TOKENS
    needed = gflops / CPU_GFLOPS_PER_VCPU
    vcpus = max(MIN_VCPU, math.ceil(needed - 1e-9))
    nodes = math.ceil(vcpus / MAX_NODE_VCPU)
    per_node = math.ceil(vcpus / nodes)
    method = (
        f"{basis} x {HEADROOM:g} headroom x 2 x {params_billion:g}B parameters x {QUERY_TOKENS} tokens per "
        f"question = {gflops:.3g} GFLOP/s at {CPU_GFLOPS_PER_VCPU:g} GFLOPS per vCPU = {needed:.2g} vCPU -> "
        f"{nodes} node(s) of {per_node} vCPU and {ram:g} GB RAM (weights x 2 + OS)"
    )
    return CpuNeed(ram, per_node, nodes, 0.0, method)
