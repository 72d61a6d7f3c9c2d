"""Usable memory per GPU (issue 18, item 5): every row has a CUDA-total figure, published or by the documented
HBM/GDDR rule; the rule never overstates a published card; and vLLM's budget reads the figure from the GPU
row, through one lookup, everywhere."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.catalogs.conftest import gpu_row as _row

from stack8s.agents.architect.instances import smallest_fit_on
from stack8s.catalogs.gpus import all_gpu_specs, gpu_spec, load_gpu_catalog, usable_memory_gib
from stack8s.planning import placement
from stack8s.planning.arch import ModelArch
from stack8s.planning.fleet import ServingNeed
from stack8s.planning.hardware import (
    UNKNOWN_MEMORY_TYPE,
    USABLE_FRACTION,
    USABLE_GIB_PER_GB_CEILING,
    GpuSpec,
    usable_memory_rule,
)
from stack8s.planning.load import derive_load
from stack8s.planning.spec import WorkloadSpec
from stack8s.planning.vllm_memory import WeightFormat, vllm_memory

SRC = Path(__file__).resolve().parents[2] / "src" / "stack8s"
SPECS = all_gpu_specs()
L8 = ModelArch(8.03, 32, 4096, 32, 8, 128, 131072, vocab_size=128256, tie_word_embeddings=False)


def _published(spec: GpuSpec) -> bool:
    return not spec.usable_memory_source.startswith("rule:")


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_every_row_has_a_usable_figure_or_the_rule(spec: GpuSpec) -> None:
    assert spec.memory_type in USABLE_FRACTION
    assert 0 < spec.usable_memory_gib <= spec.memory_gb * USABLE_GIB_PER_GB_CEILING
    if _published(spec):
        source = spec.usable_memory_source
        assert re.search(r"https?://", source) and re.search(r"\b20\d\d\b", source)
    else:
        assert spec.usable_memory_gib == usable_memory_rule(spec.memory_gb, spec.memory_type)


def test_the_rule_never_overstates_a_published_card() -> None:
    published = [s for s in SPECS if _published(s)]
    assert {s.memory_type for s in published} == set(USABLE_FRACTION)  # every kind is calibrated
    for kind, fraction in USABLE_FRACTION.items():
        ratios = [s.usable_memory_gib / s.memory_gb for s in published if s.memory_type == kind]
        assert fraction <= min(ratios), kind
        assert fraction > min(ratios) - 0.01, kind  # and is the lowest ratio, rounded down


@pytest.mark.parametrize(
    ("name", "gib"),
    [
        ("H100", 79.19),  # vLLM v0.19 start-up logs (llm-d-planner): total_gpu_memory 79.18-79.19 GiB
        ("T4", 14.56),  # PyTorch OOM "total capacity of 14.56 GiB" on a GCP T4
        ("L40S", 44.53),  # PyTorch OOM "total capacity of 44.53 GiB" on an L40S
        ("L4", 22.03),  # nvidia-smi 23,034 MiB minus the driver's 0.46 GiB
        ("A10G", 21.99),
        ("A100-80GB", 79.25),
    ],
)
def test_published_figures(name: str, gib: float) -> None:
    spec = gpu_spec(name)
    assert spec is not None and _published(spec) and spec.usable_memory_gib == gib


def test_gddr_with_ecc_keeps_less_than_hbm() -> None:
    l4, l40s, h100 = gpu_spec("L4"), gpu_spec("L40S"), gpu_spec("H100")
    assert l4 is not None and l40s is not None and h100 is not None
    assert l4.usable_memory_gib / l4.memory_gb < 0.95 and l40s.usable_memory_gib / l40s.memory_gb < 0.95
    assert h100.usable_memory_gib / h100.memory_gb > 0.98


# ====================================================================== one lookup, read by vLLM's budget

GPUS = ["H100", "H100-PCIE", "L4", "L40S", "T4", "A10G", "RTX-4090", "H200", "MI300X"]


@pytest.mark.parametrize("name", GPUS)
def test_vllm_budget_reads_the_gpu_row(name: str) -> None:
    spec = gpu_spec(name)
    assert spec is not None
    fmt = WeightFormat.int4 if spec.memory_gb < 20 else WeightFormat.bf16
    options = placement.tensor_parallel_options(L8, spec, 8, fmt=fmt, max_model_len=2048)
    assert options and {m.device_gib for m in options} == {spec.usable_memory_gib}
    need = ServingNeed(L8, fmt, derive_load(WorkloadSpec(concurrent_users=1)), max_model_len=2048)
    fit = smallest_fit_on(need, name, spec.memory_gb, 8)  # the architect's path (instance rows)
    assert fit is not None and fit.device_gib == spec.usable_memory_gib == usable_memory_gib(name, 1.0)


def test_an_unknown_gpu_gets_the_most_cautious_rule() -> None:
    assert USABLE_FRACTION[UNKNOWN_MEMORY_TYPE] == min(USABLE_FRACTION.values())
    assert usable_memory_gib("NOT-A-GPU-9000", 24) == usable_memory_rule(24, UNKNOWN_MEMORY_TYPE)
    assert usable_memory_gib(None, 24) == pytest.approx(24 * min(USABLE_FRACTION.values()), abs=0.01)


def test_the_usable_memory_changes_the_kv_cache() -> None:
    l4 = gpu_spec("L4")
    assert l4 is not None
    kv = vllm_memory(L8, usable_gib=l4.usable_memory_gib, fmt=WeightFormat.fp8, max_model_len=4096).kv_cache_gib
    nominal = vllm_memory(L8, usable_gib=l4.memory_gb * 0.99, fmt=WeightFormat.fp8, max_model_len=4096).kv_cache_gib
    assert nominal - kv == pytest.approx(0.9 * (l4.memory_gb * 0.99 - l4.usable_memory_gib))


def _usable_argument(call: ast.Call) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == "usable_gib"), None)


def _is_lookup(node: ast.expr | None) -> bool:
    """`x.usable_memory_gib`, `usable_memory_gib(...)`, or a parameter named usable_gib passed through."""
    if isinstance(node, ast.Attribute):
        return node.attr == "usable_memory_gib"
    if isinstance(node, ast.Call):
        return getattr(node.func, "id", getattr(node.func, "attr", None)) == "usable_memory_gib"
    return isinstance(node, ast.Name) and node.id == "usable_gib"


def test_every_vllm_budget_in_src_reads_the_one_lookup() -> None:
    """A budget built from anything else (memory_gb, a fraction of it) fails here: one fact, one place."""
    calls: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = node.func if isinstance(node, ast.Call) else None
            if isinstance(node, ast.Call) and getattr(func, "id", getattr(func, "attr", None)) == "vllm_memory":
                calls.append(f"{path.relative_to(SRC)}:{node.lineno}")
                assert _is_lookup(_usable_argument(node)), calls[-1]
            if isinstance(node, ast.Name | ast.Attribute):
                assert getattr(node, "id", getattr(node, "attr", "")) != "DEVICE_MEMORY_FRACTION", path
    assert len(calls) >= 4  # placement (2), jobs, the estimate tool, the architect


# ====================================================================== the loader refuses broken figures


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"usable_memory_source": None}, r"\(L4\): usable_memory_gib needs a usable_memory_source"),
        ({"usable_memory_gib": 25}, r"\(L4\): usable_memory_gib must be in \(0, memory_gb\]"),
        ({"usable_memory_gib": "22 GiB"}, r"\(L4\): usable_memory_gib must be a number"),
        ({"memory_type": "gddr7"}, r"\(L4\): memory_type must be one of"),
    ],
)
def test_loader_refuses(tmp_path: Path, data: dict[str, Any], change: dict[str, Any], message: str) -> None:
    _row(data, "L4").update(change)
    path = tmp_path / "gpus.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ValueError, match=message):
        load_gpu_catalog(path)
