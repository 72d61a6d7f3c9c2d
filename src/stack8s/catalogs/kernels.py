"""The measured kernel tables (``catalogs/data/kernels/``): which tables stand for each GPU, loaded lazily.

``systems.yaml`` names the GPU each AIConfigurator system was measured on and, for GPUs without
measurements, the measured GPU of the same architecture generation whose tables they borrow; any other
GPU borrows the measured GPU nearest in (16-bit peak FLOPS, bandwidth). A table file is read and parsed
on the first estimate that needs it (about 20 ms), then kept.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from stack8s.catalogs.datafile import read_mapping
from stack8s.planning.hardware import ExpectedError, GpuSpec
from stack8s.planning.op_latency import METHODS, KernelRef, KernelTables

DATA_DIR = Path(__file__).parent / "data" / "kernels"


@cache
def _systems() -> tuple[dict[str, str], dict[str, str]]:
    """(measured system -> GPU name, GPU name -> borrowed system)."""
    raw = read_mapping(DATA_DIR / "systems.yaml", frozenset({"as_of", "measured", "architectures"}))
    measured = {str(s): str(g) for s, g in raw["measured"].items()}
    borrowed: dict[str, str] = {}
    for group in raw["architectures"].values():
        system = str(group["system"])
        if system not in measured:
            raise ValueError(f"systems.yaml: architecture group borrows {system!r}, which is not measured")
        borrowed.update({str(g): system for g in group["gpus"]})
    return measured, borrowed


@cache
def load_tables(system: str) -> KernelTables:
    """One system's tables (parsed once)."""
    return KernelTables.parse(json.loads(gzip.decompress((DATA_DIR / f"{system}.json.gz").read_bytes())))


def _flops(spec: GpuSpec) -> float | None:
    return spec.peak_tflops_16bit


def kernel_ref(spec: GpuSpec, specs: Mapping[str, GpuSpec]) -> KernelRef | None:
    """The tables that stand for `spec`: its own, its architecture's, or the nearest measured GPU's; None
    for a GPU without 16-bit tensor compute (nothing to scale from)."""
    measured, borrowed = _systems()
    by_gpu = {g: s for s, g in measured.items()}
    if spec.name in by_gpu:
        system = by_gpu[spec.name]
        return KernelRef(system, True, lambda: load_tables(system))
    if not _flops(spec) or not spec.memory_bandwidth_gbps:
        return None
    chosen = borrowed.get(spec.name) or _nearest(spec, {s: specs[g] for s, g in measured.items() if g in specs})
    if chosen is None:
        return None
    return KernelRef(chosen, False, lambda: load_tables(chosen))


def _nearest(spec: GpuSpec, candidates: Mapping[str, GpuSpec]) -> str | None:
    def distance(other: GpuSpec) -> float:
        return abs(math.log((_flops(other) or 1.0) / (_flops(spec) or 1.0))) + abs(
            math.log(other.memory_bandwidth_gbps / spec.memory_bandwidth_gbps)
        )

    return min(candidates, key=lambda s: distance(candidates[s]), default=None)


ERROR_FILE = Path(__file__).parent / "data" / "estimator_error.yaml"


@cache
def expected_errors() -> dict[str, ExpectedError]:
    """The bench's measured error per method (``estimator_error.yaml``, written by bench/accuracy.py)."""
    raw = read_mapping(ERROR_FILE, frozenset({"as_of", "source", "methods"}))
    out: dict[str, ExpectedError] = {}
    for method, row in raw["methods"].items():
        if method not in METHODS:
            raise ValueError(f"estimator_error.yaml: unknown method {method!r}")
        out[method] = ExpectedError(method, float(row["ttft_error_pct"]), float(row["tpot_error_pct"]))
    return out
