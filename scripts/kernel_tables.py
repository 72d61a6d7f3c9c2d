"""Generate the compact kernel tables in src/stack8s/catalogs/data/kernels/ from aiconfigurator-core.

NVIDIA's AIConfigurator (`aiconfigurator-core` on PyPI, Apache-2.0) ships per-operation latencies measured
on real GPUs (``systems/data/<system>/<op>/vllm/<version>/*_perf.parquet``). The serving estimator needs a
small part of them, for vLLM only, on a coarser grid:

* GEMM latency by (dtype, m tokens, n, k), the fastest kernel vLLM has for the dtype, m at powers of two;
* context (prefill) attention of one sequence by (heads per GPU, head_dim, prompt length);
* generation (decode) attention by (KV dtype, KV heads per GPU, head_dim), per batch size by KV length;
* vLLM's custom all-reduce (CUDA-graph mode) by (GPUs, message bytes);
* fused MoE by (dtype, hidden, expert width per GPU, top-k, experts, tokens), tensor-parallel experts
  (no expert parallelism: vLLM's default), power-law routing (AIConfigurator's default workload).

Latencies are milliseconds, rounded to four significant figures. Each file records the package version,
the licence, the source files and the system's peak figures (for transferring to GPUs without data).

    .venv/bin/pip install aiconfigurator-core==0.12.0
    .venv/bin/python scripts/kernel_tables.py            # writes the tables
    .venv/bin/python scripts/kernel_tables.py --check    # exits 1 when a table differs from the package
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "src" / "stack8s" / "catalogs" / "data" / "kernels"
M_GRID = [2**i for i in range(16)]  # 1 .. 32768 tokens
MOE_DISTRIBUTION = "power_law_1.01"


def _sig(x: float) -> float:
    return float(f"{x:.4g}")


def _newest(folder: Path) -> Path | None:
    versions = sorted(
        (p for p in folder.glob("*") if p.is_dir()),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.name.split(".")],
    )
    return versions[-1] if versions else None


def _table(system: Path, op: str, name: str) -> tuple[Any, str] | None:
    import pandas as pd

    version = _newest(system / op / "vllm")
    if version is None or not (version / name).exists():
        return None
    return pd.read_parquet(version / name), f"{system.name}/{op}/vllm/{version.name}/{name}"


def _full_attention(d: Any) -> Any:
    """Rows without a sliding window (older tables have no window column: all full attention)."""
    return d[d.window_size == 0] if "window_size" in d.columns else d


def _cell(best: Any, m: int, n: int, k: int, ks: list[int]) -> float | None:
    """A measured latency, or (a handful of the largest shapes were not measured) the nearest smaller k
    measured for the same m and n, scaled by k: at these sizes the GEMM is compute-bound and linear in k."""
    if (m, n, k) in best.index:
        return float(best[(m, n, k)])
    for smaller in reversed([x for x in ks if x < k]):
        if (m, n, smaller) in best.index:
            return float(best[(m, n, smaller)]) * k / smaller
    return None


def gemm(system: Path) -> tuple[dict[str, Any], str] | None:
    found = _table(system, "gemm", "gemm_perf.parquet")
    if found is None:
        return None
    d, source = found
    d = d[d.m.isin(M_GRID) & (d.n >= 128) & (d.k >= 128)]
    out: dict[str, Any] = {}
    for dtype, g in d.groupby("gemm_dtype"):
        best = g.groupby(["m", "n", "k"]).latency.min()
        ms, ns, ks = sorted(g.m.unique()), sorted(g.n.unique()), sorted(g.k.unique())
        grid = [[[_cell(best, m, n, k, ks) for k in ks] for n in ns] for m in ms]
        if any(v is None for a in grid for b in a for v in b):
            continue  # an incomplete grid cannot be interpolated
        out[str(dtype)] = {
            "m": [int(x) for x in ms],
            "n": [int(x) for x in ns],
            "k": [int(x) for x in ks],
            "ms": [[[_sig(float(v)) for v in b] for b in a] for a in grid],
        }
    return out, source


def context_attention(system: Path) -> tuple[dict[str, Any], str] | None:
    found = _table(system, "attention", "context_attention_perf.parquet")
    if found is None:
        return None
    d, source = found
    d = _full_attention(d)
    d = d[(d.batch_size == 1) & (d.kv_cache_dtype == "bfloat16")]
    out: dict[str, Any] = {}
    for (heads, head_dim), g in d.groupby(["num_heads", "head_dim"]):
        by_isl = g.groupby("isl").latency.median()
        out[f"{int(heads)}x{int(head_dim)}"] = {
            "isl": [int(x) for x in by_isl.index],
            "ms": [_sig(float(v)) for v in by_isl.values],
        }
    return out, source


def generation_attention(system: Path) -> tuple[dict[str, Any], str] | None:
    found = _table(system, "attention", "generation_attention_perf.parquet")
    if found is None:
        return None
    d, source = found
    d = _full_attention(d)
    out: dict[str, Any] = {}
    for (kv_dtype, kv_heads, head_dim), g in d.groupby(["kv_cache_dtype", "num_key_value_heads", "head_dim"]):
        rows = []
        for batch, b in g.groupby("batch_size"):
            lat = b.groupby("step").latency.median()
            rows.append(
                {
                    "batch": int(batch),
                    "kv_len": [int(x) + 1 for x in lat.index],
                    "ms": [_sig(float(v)) for v in lat.values],
                }
            )
        out[f"{kv_dtype}/{int(kv_heads)}x{int(head_dim)}"] = rows
    return out, source


def allreduce(system: Path) -> tuple[dict[str, Any], str] | None:
    found = _table(system, "comm", "custom_allreduce_perf.parquet")
    if found is None:
        return None
    d, source = found
    graph = d[d.backend == "vllm_graph"]
    d = graph if len(graph) else d
    out: dict[str, Any] = {}
    for gpus, g in d.groupby("num_gpus"):
        lat = g.groupby("message_size").latency.min()
        out[str(int(gpus))] = {"bytes": [int(x) for x in lat.index], "ms": [_sig(float(v)) for v in lat.values]}
    return out, source


def moe(system: Path) -> tuple[dict[str, Any], str] | None:
    found = _table(system, "moe", "moe_perf.parquet")
    if found is None:
        return None
    d, source = found
    d = d[d.moe_ep_size == 1]
    out: dict[str, list[dict[str, Any]]] = {}
    for dtype, g in d.groupby("moe_dtype"):
        dist = g[g.distribution == MOE_DISTRIBUTION]
        g = dist if len(dist) else g[g.distribution == "balanced"]
        shapes = []
        for (hidden, inter, topk, experts, tp), s in g.groupby(
            ["hidden_size", "inter_size", "topk", "num_experts", "moe_tp_size"]
        ):
            lat = s.groupby("num_tokens").latency.min()
            shapes.append(
                {
                    "hidden": int(hidden),
                    "inter_per_gpu": int(inter) // int(tp),
                    "topk": int(topk),
                    "experts": int(experts),
                    "tokens": [int(x) for x in lat.index],
                    "ms": [_sig(float(v)) for v in lat.values],
                }
            )
        out[str(dtype)] = shapes
    return out, source


def system_facts(systems: Path, name: str) -> dict[str, Any]:
    import yaml

    gpu = yaml.safe_load((systems / f"{name}.yaml").read_text())
    g, node = gpu["gpu"], gpu.get("node", {})
    return {
        "memory_bandwidth_bps": g["mem_bw"],
        "bf16_flops": g.get("bfloat16_tc_flops") or g.get("float16_tc_flops"),
        "fp8_flops": g.get("fp8_tc_flops"),
        "fp4_flops": g.get("fp4_tc_flops"),
        "link_bps": node.get("intra_node_bw"),
        "sm_version": g.get("sm_version"),
    }


def build() -> dict[str, bytes]:
    import aiconfigurator_core

    systems = Path(aiconfigurator_core.__file__).parent / "systems"
    version = metadata.version("aiconfigurator-core")
    import yaml

    wanted = yaml.safe_load((OUT / "systems.yaml").read_text())["measured"]  # the systems our GPUs map to
    files: dict[str, bytes] = {}
    for system in sorted(p for p in (systems / "data").iterdir() if p.is_dir() and p.name in wanted):
        parts = {
            "gemm": gemm(system),
            "context_attention": context_attention(system),
            "generation_attention": generation_attention(system),
            "allreduce": allreduce(system),
            "moe": moe(system),
        }
        if parts["gemm"] is None or not parts["gemm"][0]:
            continue  # no vLLM kernel data for this system
        table: dict[str, Any] = {
            "system": system.name,
            "package": f"aiconfigurator-core {version}",
            "licence": "Apache-2.0 (SPDX-License-Identifier in the package's files; NVIDIA CORPORATION & AFFILIATES)",
            "sources": sorted(p[1] for p in parts.values() if p is not None),
            "peak": system_facts(systems, system.name),
        }
        table.update({k: p[0] for k, p in parts.items() if p is not None})
        raw = json.dumps(table, sort_keys=True, separators=(",", ":")).encode()
        files[f"{system.name}.json.gz"] = gzip.compress(raw, mtime=0)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the shipped tables instead of writing")
    args = parser.parse_args()
    files = build()
    if args.check:
        stale = [
            n
            for n, raw in files.items()
            if not (OUT / n).exists() or gzip.decompress((OUT / n).read_bytes()) != gzip.decompress(raw)
        ]
        extra = [p.name for p in OUT.glob("*.json.gz") if p.name not in files]
        for name in stale + extra:
            print(f"kernel table differs from the package: {name}")
        return 1 if stale or extra else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, raw in files.items():
        (OUT / name).write_bytes(raw)
        print(f"{name}: {len(raw):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
