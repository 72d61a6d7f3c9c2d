"""The shipped kernel tables: generated from aiconfigurator-core, never edited; every GPU gets its data."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from stack8s.catalogs.gpus import all_gpu_specs, gpu_spec
from stack8s.catalogs.kernels import DATA_DIR, _systems, load_tables

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(importlib.util.find_spec("aiconfigurator_core") is None, reason="aiconfigurator-core not installed")
def test_shipped_tables_are_what_the_script_generates_from_the_package() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "kernel_tables.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_measured_system_has_a_table_and_a_gpu_row() -> None:
    measured, borrowed = _systems()
    shipped = {p.name.removesuffix(".json.gz") for p in DATA_DIR.glob("*.json.gz")}
    assert set(measured) <= shipped
    for system, gpu in measured.items():
        spec = gpu_spec(gpu)
        assert spec is not None and spec.name == gpu, gpu
        assert spec.kernels is not None and spec.kernels.measured_on_this_gpu and spec.kernels.system == system
        tables = load_tables(system)
        assert "bfloat16" in tables.gemm and tables.peak.bandwidth_bps > 0
    names = {s.name for s in all_gpu_specs()}
    assert set(borrowed) <= names, set(borrowed) - names


def test_every_gpu_with_tensor_cores_borrows_a_measured_table() -> None:
    for spec in all_gpu_specs():
        if spec.peak_tflops_16bit:
            assert spec.kernels is not None, spec.name


def test_fp4_tables_only_on_blackwell() -> None:
    for system in _systems()[0]:
        tables = load_tables(system)
        if "nvfp4" in tables.gemm:
            assert tables.peak.fp4_flops, system


@pytest.mark.skipif(importlib.util.find_spec("aiconfigurator_core") is None, reason="aiconfigurator-core not installed")
def test_published_checkpoints_are_what_the_script_generates_from_the_package() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "published_checkpoints.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
