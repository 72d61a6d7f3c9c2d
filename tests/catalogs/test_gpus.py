"""gpus.yaml, the one source of GPU facts: every GPU the catalogs can name has a valid row, the spelling
rules only name GPUs with rows, published figures are there, and a broken file is refused clearly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.catalogs.conftest import gpu_row as _row

from stack8s.agents.requirements.model_names import ModelLexicon
from stack8s.agents.requirements.rules import extract_spec
from stack8s.catalogs.gpus import (
    DATA_FILE,
    GPU_MEMORY_GB,
    INTERCONNECTS,
    VENDORS,
    all_gpu_specs,
    gpu_spec,
    load_gpu_catalog,
    normalize_gpu,
)
from stack8s.catalogs.importers.skypilot import parse_instances
from stack8s.catalogs.shipped import default_paths, load_instances
from stack8s.planning.hardware import GpuSpec

SKY = Path(__file__).resolve().parents[3] / "shared" / "data" / "skypilot"
SPECS = all_gpu_specs()
BLACKWELL_DATA_CENTRE = frozenset({"B200", "B300", "GB200", "GB300"})


# ====================================================================== coverage of the catalogs


def test_every_gpu_of_the_shipped_catalog_has_a_row() -> None:
    result = load_instances(default_paths()["instances"])
    names = {r.gpu_model for r in result.rows if r.gpu_model}
    assert len(names) >= 10
    assert sorted(n for n in names if n not in GPU_MEMORY_GB) == []
    assert all(getattr(gpu_spec(n), "name", None) == n for n in names)


def test_every_gpu_of_a_skypilot_import_has_a_row() -> None:
    if not SKY.is_dir():
        pytest.skip(f"shared SkyPilot data not found: {SKY}")
    result = parse_instances(SKY)  # every *vms.csv and the AWS vantage JSON below it
    names = {r.gpu_model for r in result.rows if r.gpu_model}
    assert len(names) >= 30
    assert sorted(n for n in names if n not in GPU_MEMORY_GB) == []
    assert all(gpu_spec(n) is not None for n in names)


# ====================================================================== rows


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_row_fields_are_valid(spec: GpuSpec) -> None:
    assert spec.vendor in VENDORS and spec.interconnect in INTERCONNECTS
    assert spec.memory_gb > 0 and spec.memory_bandwidth_gbps > 0
    assert spec.interconnect_gbps > 0 or spec.interconnect == "none"
    for value in (spec.fp16_tflops, spec.bf16_tflops, spec.fp8_tflops, spec.int8_tops, spec.fp4_tflops):
        assert value is None or value > 0
    if spec.fp16_tflops is None:  # no tensor cores: no other tensor figure either
        assert (spec.bf16_tflops, spec.fp8_tflops, spec.fp4_tflops) == (None, None, None)
    if spec.bf16_tflops is not None:  # fp16_tflops is the larger of fp16 / bf16
        assert spec.fp16_tflops is not None and spec.fp16_tflops >= spec.bf16_tflops
    if spec.fp8_tflops is not None and spec.fp16_tflops is not None:
        assert spec.fp8_tflops >= spec.fp16_tflops
    if spec.fp4_tflops is not None:
        assert spec.fp8_tflops is not None and spec.fp4_tflops >= spec.fp8_tflops
    # Dense, not "with sparsity": nothing shipping reaches 2.6 PF of dense 16-bit; before Blackwell no
    # NVIDIA GPU reaches 1 PF (H100 SXM is 989.5 dense, 1,979 sparse).
    assert spec.fp16_tflops is None or spec.fp16_tflops < 2600
    if spec.vendor == "nvidia" and spec.name not in BLACKWELL_DATA_CENTRE:
        assert spec.fp16_tflops is None or spec.fp16_tflops < 1000
    assert re.search(r"https?://", spec.source) and re.search(r"\b(19|20)\d\d\b", spec.source)


def test_every_row_is_a_canonical_fixed_point() -> None:
    assert [s.name for s in SPECS if normalize_gpu(s.name) != s.name] == []
    assert all(gpu_spec(s.name) is s for s in SPECS)


def test_memory_table_agrees_with_the_rows() -> None:
    assert {s.name: s.memory_gb for s in SPECS} == GPU_MEMORY_GB
    assert list(GPU_MEMORY_GB) == [s.name for s in SPECS]


def test_every_family_names_gpus_with_rows() -> None:
    catalog = load_gpu_catalog()
    upper = {s.name.upper(): s.name for s in SPECS}
    for family in catalog.families:
        if family.variants:
            assert all(name in catalog.specs for _, name in family.variants), family.pattern
            assert family.variants[-1][0] == 0, family.pattern
        elif "\\" not in family.template:
            assert family.template in catalog.specs, family.pattern
        else:  # a template ("RTX-\1"): at least one row is spelled by it
            produced = {m.expand(family.template) for u in upper if (m := family.regex.match(u))}
            assert produced & set(catalog.specs), family.pattern


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("NVIDIA H100 80GB HBM3", "H100"),
        ("a100-80g", "A100-80GB"),
        ("A100", "A100-40GB"),  # a bare family gets its default variant, as in normalize_gpu
        ("Tesla T4", "T4"),
        ("ARM Mali-G78MP12", "T4"),  # AWS g5g's NVIDIA T4G, mislabelled by instances.vantage.sh
        ("AMD Instinct MI355X", "MI355X"),
        ("GAUDI2", "Gaudi2"),
    ],
)
def test_gpu_spec_normalises_the_spelling(spelling: str, canonical: str) -> None:
    spec = gpu_spec(spelling)
    assert spec is not None and spec.name == canonical


def test_gpu_spec_unknown() -> None:
    assert gpu_spec(None) is None and gpu_spec("") is None and gpu_spec("cpu") is None
    assert gpu_spec("tpu-v5p-8") is None  # a fallback name, no row


# Published figures (dense fp16/bf16 TFLOPS, memory bandwidth GB/s):
@pytest.mark.parametrize(
    ("name", "bf16", "bandwidth"),
    [
        # NVIDIA H100 Tensor Core GPU datasheet (SXM5): BF16 1,979 TFLOPS with sparsity -> 989.5 dense; 3.35 TB/s
        ("H100", 989.5, 3350),
        # NVIDIA A100 datasheet: BF16 312 dense (624 with sparsity); A100 80GB SXM 2,039 GB/s
        ("A100-80GB", 312, 2039),
        # NVIDIA L4 datasheet: BF16 242 TFLOPS with sparsity -> 121 dense; 300 GB/s
        ("L4", 121, 300),
        # NVIDIA L40S datasheet: BF16 362.05 dense (733 with sparsity); 864 GB/s
        ("L40S", 362.05, 864),
        # AMD Instinct MI300X data sheet: FP16/BF16 1,307.4 TFLOPS dense; 5.3 TB/s
        ("MI300X", 1307.4, 5300),
    ],
)
def test_published_spot_checks(name: str, bf16: float, bandwidth: float) -> None:
    spec = gpu_spec(name)
    assert spec is not None
    assert (spec.bf16_tflops, spec.memory_bandwidth_gbps) == (pytest.approx(bf16), bandwidth)


def test_more_published_spot_checks() -> None:
    h100 = gpu_spec("H100")
    assert h100 is not None and (h100.fp8_tflops, h100.interconnect, h100.interconnect_gbps) == (1979, "nvlink", 900)
    b200 = gpu_spec("B200")  # HGX B200: per GPU 2.25 PF bf16, 4.5 PF fp8, 9 PF fp4 dense; 8 TB/s
    assert b200 is not None
    assert (b200.bf16_tflops, b200.fp8_tflops, b200.fp4_tflops, b200.memory_bandwidth_gbps) == (2250, 4500, 9000, 8000)
    t4 = gpu_spec("T4")  # T4 datasheet: 65 TFLOPS fp16, 130 TOPS int8, no bf16; PCIe Gen3 x16
    assert t4 is not None and (t4.fp16_tflops, t4.bf16_tflops, t4.int8_tops) == (65, None, 130)
    assert (t4.interconnect, t4.interconnect_gbps) == ("pcie", 32)
    mi300x = gpu_spec("MI300X")
    assert mi300x is not None and (mi300x.interconnect, mi300x.interconnect_gbps) == ("xgmi", 896)


# ====================================================================== the loader refuses broken files


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "gpus.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_loader_reads_a_copy_of_the_shipped_file(tmp_path: Path, data: dict[str, Any]) -> None:
    copy = load_gpu_catalog(_write(tmp_path, data))
    assert tuple(copy.specs.values()) == SPECS


def test_missing_field_in_a_raw_copy_names_the_row(tmp_path: Path) -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    broken, count = re.subn(r'(name: "L40S"\n(?:    .*\n)*?)    memory_bandwidth_gbps: .*\n', r"\1", text)
    assert count == 1
    path = tmp_path / "gpus.yaml"
    path.write_text(broken)
    with pytest.raises(ValueError, match=r"gpus\[\d+\] \(L40S\): missing key 'memory_bandwidth_gbps'"):
        load_gpu_catalog(path)


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: _row(d, "H100").update(memory_gb="80 GB"), r"\(H100\): memory_gb must be a number"),
        (lambda d: _row(d, "H100").update(memory_gb=0), r"\(H100\): memory_gb must be > 0"),
        (lambda d: _row(d, "L4").update(fp8_tflops=True), r"\(L4\): fp8_tflops must be a number"),
        (lambda d: _row(d, "L4").update(vendor="nvidea"), r"\(L4\): vendor must be one of"),
        (lambda d: _row(d, "L4").update(interconnect="infiniband"), r"\(L4\): interconnect must be one of"),
        (lambda d: _row(d, "L4").update(tdp_watts=72), r"\(L4\): unknown key 'tdp_watts'"),
        (lambda d: _row(d, "L4").update(source=""), r"\(L4\): source must be non-empty text"),
        (lambda d: d["gpus"].append(dict(_row(d, "T4"))), r"\(T4\): duplicate name"),
        (lambda d: d["gpus"].remove(_row(d, "K80")), r"families\[\d+\] \(K80\): names GPU 'K80', which has no row"),
        (lambda d: d["gpus"].remove(_row(d, "A100-40GB")), r"\(A100\): variant names GPU 'A100-40GB'"),
        (lambda d: d["families"].append({"pattern": "X(", "name": "X"}), r"\(X\(\): invalid regex"),
        (lambda d: d["families"].append({"pattern": "X1"}), r"\(X1\): missing key 'name'"),
        (lambda d: d.pop("vendor_words"), r"missing key 'vendor_words'"),
        (lambda d: d.update(as_of="soon"), r"as_of must be a date"),
    ],
)
def test_broken_files_raise_a_clear_error(tmp_path: Path, data: dict[str, Any], breakage: Any, message: str) -> None:
    breakage(data)
    with pytest.raises(ValueError, match=message):
        load_gpu_catalog(_write(tmp_path, data))


def test_invalid_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gpus.yaml"
    path.write_text("gpus: [\n")
    with pytest.raises(ValueError, match="invalid YAML"):
        load_gpu_catalog(path)


# ====================================================================== GPU counts in user text


@pytest.mark.parametrize(
    ("text", "count", "preference"),
    [
        ("train on 4 B300s", 4, "B300"),
        ("serve it on 4 MI355Xs", 4, "MI355X"),
        ("2 A30s are enough", 2, "A30"),
        ("two nvidia tesla t4s", 2, "T4"),
        ("8x Gaudi 3 in us-east-1", 8, "Gaudi3"),
        ("H200 x 8", 8, "H200"),
    ],
)
def test_gpu_counts_in_text_come_from_the_gpu_families(text: str, count: int, preference: str) -> None:
    spec = extract_spec([text], ModelLexicon.from_rows([]))
    assert (spec.gpu_count, spec.gpu_preference) == (count, preference)


@pytest.mark.parametrize("spec", all_gpu_specs(), ids=lambda s: s.name)
def test_every_gpu_of_the_data_file_is_read_with_a_count(spec: GpuSpec) -> None:
    """One place to add a GPU: a new row of gpus.yaml is understood in text at once ("4 B300s")."""
    names = {s.name.upper() for s in all_gpu_specs()}
    plural = "-" not in spec.name and f"{spec.name}S".upper() not in names  # "4 L40s" is read as L40S
    for text in (f"4x {spec.name}", f"{spec.name} x 4", *([f"run it on 4 {spec.name}s"] if plural else [])):
        read = extract_spec([text], ModelLexicon.from_rows([]))
        assert (read.gpu_count, read.gpu_preference) == (4, spec.name), text
