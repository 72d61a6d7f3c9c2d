"""RAG sizing (planning/retrieval.py) and the month of a plan with parts beside its model (planning/cost.py)."""

from __future__ import annotations

import math

import pytest

from stack8s.catalogs.cloud_costs import prices_for
from stack8s.planning.cost import SidePart, estimate_cost
from stack8s.planning.load import LoadTarget
from stack8s.planning.performance import Targets
from stack8s.planning.retrieval import (
    CPU_GFLOPS_PER_VCPU,
    MAX_NODE_RAM_GB,
    MIN_DISK_GB,
    MIN_VCPU,
    QUERY_TOKENS,
    corpus_of,
    embedder_need,
    vector_store_need,
)


def load(rate: float | None = None, concurrency: float | None = None) -> LoadTarget:
    return LoadTarget(4096, 512, rate, None, concurrency, None, None, Targets(itl_ms=100.0), "rag")


def test_qdrants_own_example() -> None:
    """Qdrant's capacity page: 1M vectors of 1,024 dimensions = 1,000,000 x 1024 x 4 B x 1.5 = 6.144 GB."""
    corpus = corpus_of(1e6 * 512 / 250e6)  # exactly 1M chunks of 512 tokens
    assert corpus is not None and corpus.chunks == 1_000_000
    need = vector_store_need(corpus, 1024)
    assert need.nodes == 1
    assert need.ram_gb == pytest.approx(6.144 + 2.0, abs=0.01)  # + the OS reserve
    assert need.disk_gb == max(MIN_DISK_GB, math.ceil(6.144 + corpus.text_gb))


def test_no_corpus_is_the_smallest_node_and_says_so() -> None:
    assert corpus_of(None) is None and corpus_of(0.0) is None
    need = vector_store_need(None, 768)
    assert (need.nodes, need.vcpu, need.disk_gb) == (1, MIN_VCPU, MIN_DISK_GB)
    assert "no corpus size stated" in need.method


def test_a_large_store_is_sharded_within_the_node_limit() -> None:
    corpus = corpus_of(200.0)  # 2 million documents of 100 KB
    assert corpus is not None
    need = vector_store_need(corpus, 768)
    vectors = corpus.chunks * 768 * 4 * 1.5 / 1e9
    assert need.nodes == 2 and need.ram_gb <= MAX_NODE_RAM_GB
    assert need.ram_gb * need.nodes >= vectors
    assert "sharded over 2 nodes" in need.method


def test_the_query_embedder_scales_with_the_rate() -> None:
    idle = embedder_need(0.109, None)
    assert (idle.nodes, idle.vcpu) == (1, MIN_VCPU) and "no load stated" in idle.method
    busy = embedder_need(0.109, load(rate=50.0))
    needed = 50.0 * 1.2 * 2 * 0.109 * QUERY_TOKENS / CPU_GFLOPS_PER_VCPU
    assert busy.nodes * busy.vcpu >= needed > MIN_VCPU
    # people at once: one question each per think time (30 s for RAG)
    people = embedder_need(0.109, load(concurrency=3000.0))
    assert people.nodes * people.vcpu >= 100.0 * 1.2 * 2 * 0.109 * QUERY_TOKENS / CPU_GFLOPS_PER_VCPU
    assert "3000 people at once" in people.method


def test_parts_are_lines_of_the_month_that_add_up() -> None:
    aws = prices_for("aws", "us-east-1")
    parts = [
        SidePart("embedding model", 0.1785, 1, "query embedding: 1 x c7i.xlarge"),
        SidePart("vector store", 0.0892, 2, "Qdrant: 2 x c7i.large", disk_gb=20.0),
    ]
    est = estimate_cost(instance_hourly_usd=1.861, instance_count=2, storage_gb=67, prices=aws, parts=parts)
    lines = {line.item: line.monthly_usd for line in est.breakdown}
    assert lines["embedding model"] == 130.31  # 0.1785 x 730
    assert lines["vector store"] == 130.23  # 2 x 0.0892 x 730
    assert lines["vector store disk"] == 1.6  # 20 GB x $0.08
    assert est.compute_monthly_usd == pytest.approx(lines["compute"] + 130.31 + 130.23)
    assert est.storage_monthly_usd == pytest.approx(lines["storage"] + 1.6)
    assert est.total_monthly_usd == pytest.approx(sum(lines.values()))


def test_a_part_on_the_models_instances_is_a_zero_line_that_says_so() -> None:
    est = estimate_cost(instance_hourly_usd=0.40, parts=[SidePart("embedding model", None, 0, "query embedding")])
    line = next(x for x in est.breakdown if x.item == "embedding model")
    assert line.monthly_usd == 0.0 and "no instance of its own" in line.assumption
    assert est.total_monthly_usd == est.compute_monthly_usd == 292.0
