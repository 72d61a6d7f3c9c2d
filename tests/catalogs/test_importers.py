"""Importers, GPU names and shipped-catalog loaders: real shared data (with its quirks) + small tmp files."""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stack8s.catalogs import shipped
from stack8s.catalogs.gpus import GPU_MEMORY_GB, gpu_memory_gb, match_gpu_preference, normalize_gpu
from stack8s.catalogs.importers.base import ImportResult, RowError
from stack8s.catalogs.importers.helm import newest, parse_helm_index, version_key
from stack8s.catalogs.importers.huggingface import (
    CHUNKER_VERSION,
    chunk_card,
    content_hash,
    parse_hf_metadata,
    parse_model_cards,
    torch_dtype_of,
)
from stack8s.catalogs.importers.skypilot import (
    parse_aws_vantage_json,
    parse_instances,
    parse_skypilot_csv,
    provider_from_path,
)
from stack8s.catalogs.rows import InstanceRow

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
SKY = SHARED / "skypilot"
HF = SHARED / "hf"
HELM = SHARED / "helm"


@pytest.fixture(scope="module")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data not found: {SHARED}")
    return SHARED


def _by_key(rows: list[InstanceRow]) -> dict[tuple[str, str], InstanceRow]:
    return {(r.instance_type, r.region): r for r in rows}


@pytest.fixture(scope="module")
def gcp(shared: Path) -> ImportResult[InstanceRow]:
    return parse_skypilot_csv(SKY / "anycloud" / "gcp_vms.csv")


@pytest.fixture(scope="module")
def vantage(shared: Path) -> ImportResult[InstanceRow]:
    return parse_aws_vantage_json(SKY / "aws-vantage" / "aws_gpu_instances.json")


# ====================================================================== GPU names


@pytest.mark.parametrize(
    ("spelling", "memory", "canonical"),
    [
        ("A100", None, "A100-40GB"),
        ("A100", 80, "A100-80GB"),
        ("A100", 40, "A100-40GB"),
        ("A100-80GB", None, "A100-80GB"),
        ("A100-80GB-SXM", None, "A100-80GB"),
        ("A100-80G-PCIe", None, "A100-PCIE-80GB"),
        ("H100-SXM", None, "H100"),
        ("H100-80G-SXM5", None, "H100"),
        ("H100-NVLINK", None, "H100"),
        ("NVIDIA H100 80GB HBM3", None, "H100"),
        ("NVIDIA-H100-80GB-HBM3", None, "H100"),
        ("H100-MEGA", None, "H100"),
        ("H100 NVL", None, "H100-NVL"),
        ("H100", 94, "H100-NVL"),
        ("Tesla T4", None, "T4"),
        ("t4", None, "T4"),
        ("RTXA6000", None, "RTX-A6000"),
        ("A6000", None, "RTX-A6000"),
        ("RTX 4090", None, "RTX-4090"),
        ("RTX4090", None, "RTX-4090"),
        ("A10G", None, "A10G"),
        ("a10", None, "A10"),
        ("L40S", None, "L40S"),
        ("l40", None, "L40"),
        ("L4", None, "L4"),
        ("V100", 32, "V100-32GB"),
        ("V100-32GB", None, "V100-32GB"),
        ("RTX6000Ada", None, "RTX-6000-Ada"),
        ("RTX-6000-Ada", None, "RTX-6000-Ada"),
        ("RTX6000", None, "RTX-6000"),
        ("RTXPro6000", None, "RTX-PRO-6000"),
        ("RTX PRO 6000 96GB", None, "RTX-PRO-6000"),
        ("RTXPRO6000WS", None, "RTX-PRO-6000"),
        ("NVIDIA RTX PRO 6000 Blackwell", None, "RTX-PRO-6000"),
        ("RTX-A4000", None, "A4000"),
        ("RTXA5000", None, "A5000"),
        ("GAUDI2", None, "Gaudi2"),
        ("MI300X", None, "MI300X"),
        ("NVIDIA GB200 Grace Blackwell", None, "GB200"),
        ("B300", None, "B300"),
        ("NVIDIA GRID K520", None, "K520"),
        ("tpu-v5p-8", None, "TPU-V5P-8"),
    ],
)
def test_normalize_gpu_spellings(spelling: str, memory: float | None, canonical: str) -> None:
    assert normalize_gpu(spelling, memory) == canonical


@pytest.mark.parametrize("empty", ["", "  ", "cpu", "CPU", "none", "N/A", "NVIDIA"])
def test_normalize_gpu_none_for_empty_or_cpu(empty: str) -> None:
    assert normalize_gpu(empty) is None


def test_gpu_memory_table() -> None:
    expected = {
        "T4": 16,
        "L4": 24,
        "A10G": 24,
        "L40S": 48,
        "RTX-A6000": 48,
        "RTX-4090": 24,
        "V100": 16,
        "V100-32GB": 32,
        "K80": 12,
        "A100-40GB": 40,
        "A100-80GB": 80,
        "H100": 80,
        "H100-NVL": 94,
        "H200": 141,
        "GH200": 96,
        "B200": 180,
        "MI300X": 192,
        "MI250": 128,
        "Gaudi2": 96,
        "RTX-PRO-6000": 96,
        "RTX-3090": 24,
        "A4000": 16,
        "A5000": 24,
        "MI325X": 256,
    }
    assert {name: gpu_memory_gb(name) for name in expected} == expected
    assert gpu_memory_gb("A100") == 40  # non-canonical spellings are normalised first
    assert gpu_memory_gb("TPU-V5P-8") is None and gpu_memory_gb(None) is None


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("h100s", "H100"),
        ("I need two H100s please", "H100"),
        ("a100 80gb", "A100-80GB"),
        ("A100-80G", "A100-80GB"),
        ("a100 80 GB", "A100-80GB"),
        ("a100", "A100"),  # no memory stated: any A100 (a prefix of both variants)
        ("4090", "RTX-4090"),
        ("rtx 4090 x2", "RTX-4090"),
        ("mi300x", "MI300X"),
        ("t4", "T4"),
        ("l40s", "L40S"),
        ("l4s", "L4"),
        ("NVIDIA A10G", "A10G"),
        ("h100 nvl", "H100-NVL"),
        ("no gpu preference", None),
        ("", None),
    ],
)
def test_match_gpu_preference(text: str, canonical: str | None) -> None:
    assert match_gpu_preference(text) == canonical


def test_every_canonical_name_is_a_fixed_point() -> None:
    assert [name for name in GPU_MEMORY_GB if normalize_gpu(name) != name] == []


@given(st.sampled_from(sorted(GPU_MEMORY_GB)), st.one_of(st.none(), st.floats(1, 300)))
def test_normalize_gpu_idempotent_on_canonical(name: str, memory: float | None) -> None:
    once = normalize_gpu(name, memory)
    assert once is not None
    assert normalize_gpu(once) == once
    assert normalize_gpu(once, memory) == once


@given(st.text(max_size=30), st.one_of(st.none(), st.floats(0, 300)))
def test_normalize_gpu_idempotent_on_any_text(text: str, memory: float | None) -> None:
    once = normalize_gpu(text, memory)
    assert once is None or normalize_gpu(once) == once


# ====================================================================== SkyPilot CSV: real data


@pytest.mark.shared
def test_azure_variable_field_count_rows_parse_fast(shared: Path) -> None:
    path = SKY / "anycloud" / "azure_vms.csv"
    started = time.perf_counter()
    result = parse_skypilot_csv(path)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"azure parse took {elapsed:.1f}s"
    assert 55_000 <= len(result.rows) <= 56_671
    with path.open(newline="") as handle:
        eleven = [f for f in csv.reader(handle) if len(f) == 11]
    assert len(eleven) == 27_141
    rows = _by_key(result.rows)
    row = rows[("Standard_NC12s_v3", "australiaeast")]  # an 11-field row ("V1,V2")
    assert (row.gpu_model, row.gpu_count, row.vram_per_gpu_gb, row.price_hourly_usd) == ("V100", 2, 16, 8.468)
    assert row.spot_price_hourly_usd == pytest.approx(1.564886)
    assert rows[("Standard_ND96asr_v4", "eastus")].gpu_model == "A100-40GB"
    assert rows[("Standard_A1_v2", "australiacentral")].gpu_model is None
    # Fractional GPU counts (A10 vGPU slices) are reported, with the file and 1-based line
    assert len(result.errors) == 108
    assert all("fractional" in e.message and e.file == "azure_vms.csv" and e.line > 1 for e in result.errors)
    assert {r.provider for r in result.rows} == {"azure"}
    assert result.rows[0].source == "skypilot:azure_vms.csv"


def _gcp_price(instance_type: str, accelerator: str, count: int, zone: str) -> float:
    """Hand computation straight from the CSV: host row + accelerator-only row of the same zone."""
    with (SKY / "anycloud" / "gcp_vms.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    host = next(r for r in rows if r["InstanceType"] == instance_type and r["AvailabilityZone"] == zone)
    acc = next(
        r
        for r in rows
        if not r["InstanceType"]
        and r["AcceleratorName"] == accelerator
        and r["AcceleratorCount"] == str(count)
        and r["AvailabilityZone"] == zone
    )
    return float(host["Price"]) + float(acc["Price"])


@pytest.mark.shared
def test_gcp_a2_highgpu_8g_is_host_plus_accelerator(gcp: ImportResult[InstanceRow]) -> None:
    row = _by_key(gcp.rows)[("a2-highgpu-8g", "us-central1")]
    assert (row.gpu_model, row.gpu_count, row.vram_per_gpu_gb, row.total_vram_gb) == ("A100-40GB", 8, 40, 320)
    expected = _gcp_price("a2-highgpu-8g", "A100", 8, "us-central1-a")
    assert expected == pytest.approx(5.91582 + 23.47126)
    assert row.price_hourly_usd == pytest.approx(expected)
    assert row.spot_price_hourly_usd == pytest.approx(2.958 + 11.4728)
    assert (row.vcpu, row.ram_gb) == (96, 680)


@pytest.mark.shared
def test_gcp_bundled_families(gcp: ImportResult[InstanceRow]) -> None:
    rows = _by_key(gcp.rows)
    a3 = rows[("a3-highgpu-8g", "us-central1")]
    assert (a3.gpu_model, a3.gpu_count, a3.total_vram_gb) == ("H100", 8, 640)
    assert a3.price_hourly_usd == pytest.approx(_gcp_price("a3-highgpu-8g", "H100", 8, "us-central1-a"))
    mega = rows[("a3-megagpu-8g", "us-central1")]
    assert (mega.gpu_model, mega.gpu_count) == ("H100", 8)
    assert mega.price_hourly_usd == pytest.approx(_gcp_price("a3-megagpu-8g", "H100-MEGA", 8, "us-central1-a"))
    assert rows[("a2-ultragpu-8g", "us-central1")].gpu_model == "A100-80GB"
    assert rows[("a3-ultragpu-8g", "us-central1")].gpu_model == "H200"
    assert (
        rows[("g2-standard-24", "us-central1")].gpu_model,
        rows[("g2-standard-24", "us-central1")].gpu_count,
    ) == ("L4", 2)
    assert rows[("g2-standard-8", "us-central1")].gpu_count == 1
    assert rows[("n1-standard-8", "us-central1")].gpu_model is None  # plain n1 stays CPU


@pytest.mark.shared
def test_gcp_counts_and_no_accelerator_only_rows(gcp: ImportResult[InstanceRow]) -> None:
    assert 9_000 <= len(gcp.rows) <= 12_000
    assert all(r.instance_type for r in gcp.rows)
    assert not any(r.instance_type.endswith("-tpu") for r in gcp.rows)
    assert any("TPU-VM host" in note for note in gcp.notes)
    assert all("accelerator price in zone" in e.message for e in gcp.errors)
    assert len(gcp.errors) <= 5


@pytest.mark.shared
def test_shadeform_memory_is_gb_and_provider_kept(shared: Path) -> None:
    result = parse_skypilot_csv(SKY / "v8" / "shadeform_vms.csv")
    h100 = [r for r in result.rows if r.gpu_model == "H100"]
    assert h100 and all(r.vram_per_gpu_gb == 80 for r in h100)
    assert all(r.total_vram_gb == 80 * r.gpu_count for r in h100)
    assert {r.provider for r in result.rows} == {"shadeform"}
    assert any(r.instance_type.startswith("lambdalabs_") for r in result.rows)
    gaudi = next(r for r in result.rows if r.instance_type.startswith("denvr_Gaudi2"))
    assert (gaudi.gpu_model, gaudi.gpu_count, gaudi.vram_per_gpu_gb) == ("Gaudi2", 8, 96)
    assert result.errors == []


@pytest.mark.shared
def test_nebius_memory_comes_from_canonical_table(shared: Path) -> None:
    rows = _by_key(parse_skypilot_csv(SKY / "v9" / "nebius_vms.csv").rows)
    h100 = rows[("gpu-h100-sxm_8gpu-128vcpu-1600gb", "eu-north1")]
    assert (h100.gpu_model, h100.gpu_count, h100.vram_per_gpu_gb, h100.total_vram_gb) == ("H100", 8, 80, 640)
    assert h100.spot_price_hourly_usd == 10.0
    assert {r.vram_per_gpu_gb for r in rows.values() if r.gpu_model == "L40S"} == {48}


@pytest.mark.shared
def test_digitalocean_lower_case_gpuinfo(shared: Path) -> None:
    result = parse_skypilot_csv(SKY / "v6" / "do_vms.csv")
    assert {r.provider for r in result.rows} == {"do"}
    row = _by_key(result.rows)[("gpu-h100x8-640gb", "tor1")]
    assert (row.gpu_model, row.gpu_count) == ("H100", 8)
    assert row.vram_per_gpu_gb == pytest.approx(81559 / 1024, abs=0.1)  # per-GPU key, not the buggy total
    assert row.total_vram_gb == pytest.approx(8 * row.vram_per_gpu_gb)


@pytest.mark.shared
def test_verda_spot_only_rows_are_reported(shared: Path) -> None:
    result = parse_skypilot_csv(SKY / "v8" / "verda_vms.csv")
    spot_only = [e for e in result.errors if "no on-demand" in e.message]
    assert len(spot_only) == 5
    assert RowError("verda_vms.csv", 3, "no on-demand Price (only a SpotPrice)") in result.errors  # 2B300.60V
    rows = _by_key(result.rows)
    assert ("2B300.60V", "FIN-03") not in rows
    b300 = rows[("1B300.30V", "FIN-03")]
    assert (b300.gpu_model, b300.price_hourly_usd, b300.spot_price_hourly_usd) == ("B300", 6.99, 2.447)


@pytest.mark.shared
def test_vast_free_text_regions_and_total_memory(shared: Path) -> None:
    rows = parse_skypilot_csv(SKY / "anycloud" / "vast_vms.csv").rows
    regions = {r.region for r in rows}
    assert "Oregon, US, NA" in regions and "US, NA" in regions
    assert not any(r.startswith(",") or r != r.strip() for r in regions)
    h200x4 = next(r for r in rows if r.instance_type.startswith("4x-H200"))
    assert h200x4.vram_per_gpu_gb == pytest.approx(140.4, abs=0.2)  # SizeInMiB holds the total here
    assert all(r.spot_price_hourly_usd is None for r in rows)  # "0.00" is no spot price


@pytest.mark.shared
def test_ibm_zones_collapse_and_seeweb_empty_regions(shared: Path) -> None:
    ibm = parse_skypilot_csv(SKY / "v9" / "ibm_vms.csv")
    assert Counter((r.instance_type, r.region) for r in ibm.rows)[("gx2-8x64x1v100", "us-south")] == 1
    seeweb = parse_skypilot_csv(SKY / "v9" / "seeweb_vms.csv")
    assert [e.message for e in seeweb.errors] == ["empty Region"] * 14
    assert all(e.line > 1 for e in seeweb.errors)
    pro = next(r for r in seeweb.rows if r.gpu_model == "RTX-PRO-6000")
    assert pro.vram_per_gpu_gb == 96  # SizeInMiB 0 -> canonical table


def _instance_files() -> list[Path]:
    return (
        sorted(p for p in SKY.rglob("*") if p.name.endswith("vms.csv") or p.suffix == ".json") if SKY.is_dir() else []
    )


@pytest.mark.shared
@pytest.mark.parametrize("path", _instance_files(), ids=lambda p: p.name)
def test_no_duplicate_keys_and_sane_values(path: Path) -> None:
    result = parse_instances(path)
    keys = Counter((r.provider, r.instance_type, r.region) for r in result.rows)
    assert keys and max(keys.values()) == 1
    for row in result.rows:
        assert row.price_hourly_usd >= 0 and row.region and row.instance_type
        assert (row.gpu_model is None) == (row.gpu_count == 0)
        assert row.total_vram_gb == pytest.approx(row.gpu_count * row.vram_per_gpu_gb, abs=0.01)
    assert all(e.file == path.name and e.line >= 0 for e in result.errors)


@pytest.mark.shared
def test_parse_instances_folder(shared: Path) -> None:
    result = parse_instances(SKY)
    providers = {r.provider for r in result.rows}
    assert {
        "aws",
        "azure",
        "gcp",
        "lambda",
        "vast",
        "do",
        "paperspace",
        "nebius",
        "shadeform",
        "verda",
    } <= providers
    assert "common" not in providers and "common_accelerators" not in providers
    assert len(result.rows) > 60_000


# ====================================================================== AWS vantage JSON


@pytest.mark.shared
def test_vantage_p5_48xlarge(vantage: ImportResult[InstanceRow]) -> None:
    rows = _by_key(vantage.rows)
    p5 = rows[("p5.48xlarge", "us-east-1")]
    assert (p5.provider, p5.gpu_model, p5.gpu_count, p5.vram_per_gpu_gb, p5.total_vram_gb) == (
        "aws",
        "H100",
        8,
        80,
        640,
    )
    assert (p5.vcpu, p5.ram_gb, p5.spot_price_hourly_usd) == (192, 2048, None)
    assert rows[("p4d.24xlarge", "us-east-1")].gpu_model == "A100-40GB"
    assert rows[("p4de.24xlarge", "us-east-1")].gpu_model == "A100-80GB"
    g4 = rows[("g4dn.12xlarge", "us-east-1")]  # gpuMemory "16 GB" is per GPU here
    assert (g4.gpu_model, g4.gpu_count, g4.vram_per_gpu_gb) == ("T4", 4, 16)


@pytest.mark.shared
def test_vantage_skips_asics_and_unpriced(vantage: ImportResult[InstanceRow]) -> None:
    types = {r.instance_type for r in vantage.rows}
    assert not any(t.startswith(("inf", "trn", "dl2q")) for t in types)
    assert "p5e.48xlarge" not in types and "u-p6e-gb200x72" not in types
    assert any("non-GPU" in note for note in vantage.notes)
    assert all("fractional" in e.message and e.line > 0 for e in vantage.errors)  # g6f L40 slices
    assert 800 <= len(vantage.rows) <= 1_157


# ====================================================================== SkyPilot CSV: bad rows in tmp files


def test_skypilot_bad_rows_reported_with_line(tmp_path: Path) -> None:
    folder = tmp_path / "mycloud"
    folder.mkdir()
    gpu_info = "\"{'Gpus': [{'Name': 'H100', 'Count': 1, 'MemoryInfo': {'SizeInMiB': 81920}}]}\""
    lines = [
        "Region,Price,InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,SpotPrice,Generation",
        f"r1,1.5,good-1,H100,1.0,8,32,{gpu_info},0.5,V1",
        "r1,abc,bad-price,,,4,16,,,V1",
        "r1,1.0,bad-count,T4,x,4,16,T4,,V1",
        "r1,1.0,too-few",
        ",1.0,no-region,,,4,16,,,V1",
        "r2,2.0,extra-field,T4,1,4,16,T4,,V1,V2",
        "r2,,spot-only,,,4,16,,0.3,V1",
        "r2,1.0,bad-gpuinfo,T4,1,4,16,{broken,,V1",
    ]
    path = folder / "vms.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    result = parse_instances(path)
    assert {(e.line, e.file) for e in result.errors} == {(n, "vms.csv") for n in (3, 4, 5, 6, 8, 9)}
    messages = {e.line: e.message for e in result.errors}
    assert "non-numeric Price" in messages[3] and "AcceleratorCount" in messages[4]
    assert "fields" in messages[5] and messages[6] == "empty Region" and "no on-demand" in messages[8]
    assert "GpuInfo" in messages[9]
    rows = _by_key(result.rows)
    assert set(rows) == {("good-1", "r1"), ("extra-field", "r2")}
    good = rows[("good-1", "r1")]
    assert (good.provider, good.gpu_model, good.vram_per_gpu_gb, good.spot_price_hourly_usd) == (
        "mycloud",
        "H100",
        80,
        0.5,
    )
    assert good.as_of == date.fromtimestamp(path.stat().st_mtime)
    assert rows[("extra-field", "r2")].vram_per_gpu_gb == 16  # name-only GpuInfo -> table


def test_skypilot_keeps_cheapest_zone(tmp_path: Path) -> None:
    path = tmp_path / "ibm_vms.csv"
    path.write_text(
        "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,Price,SpotPrice,Region,AvailabilityZone\n"
        "t,V100,1,8,64,V100,3.0,1.0,r,r-1\n"
        "t,V100,1,8,64,V100,2.0,,r,r-2\n"
        "t,V100,1,8,64,V100,2.5,0.8,r,r-3\n"
    )
    result = parse_skypilot_csv(path, as_of=date(2025, 1, 2))
    (row,) = result.rows
    assert (row.provider, row.price_hourly_usd, row.spot_price_hourly_usd, row.as_of) == (
        "ibm",
        2.0,
        0.8,
        date(2025, 1, 2),
    )


@pytest.mark.parametrize(
    ("name", "provider"),
    [("aws_vms.csv", "aws"), ("do_vms.csv", "do"), ("lambda/vms.csv", "lambda"), ("gcp/vms.csv", "gcp")],
)
def test_provider_from_path(name: str, provider: str) -> None:
    assert provider_from_path(Path("/x") / name) == provider


def test_vantage_bad_entries(tmp_path: Path) -> None:
    entries = [
        {
            "name": "g9.xlarge",
            "gpu": "NVIDIA L4",
            "gpuCount": 2,
            "gpuMemory": "48 GB",
            "vcpu": 8,
            "memory": "32 GiB",
            "pricing": {"us-east-1": {"onDemand": 1.5}, "eu-west-1": {"onDemand": "n/a"}},
        },
        {
            "name": "bad.count",
            "gpu": "NVIDIA T4",
            "gpuCount": "many",
            "pricing": {"us-east-1": {"onDemand": 1}},
        },
        {
            "name": "inf9.xlarge",
            "gpu": "AWS Inferentia",
            "gpuCount": 1,
            "pricing": {"us-east-1": {"onDemand": 1}},
        },
    ]
    path = tmp_path / "aws.json"
    path.write_text(json.dumps(entries, indent=2))
    result = parse_aws_vantage_json(path)
    assert [(r.instance_type, r.gpu_model, r.vram_per_gpu_gb, r.ram_gb) for r in result.rows] == [
        ("g9.xlarge", "L4", 24, 32)
    ]
    lines = path.read_text().splitlines()
    name_line = {name: lines.index(f'    "name": "{name}",') + 1 for name in ("g9.xlarge", "bad.count")}
    assert sorted((e.line, e.message.split()[0]) for e in result.errors) == [
        (name_line["g9.xlarge"], "non-numeric"),
        (name_line["bad.count"], "non-numeric"),
    ]
    assert all(e.file == "aws.json" for e in result.errors)


# ====================================================================== Helm


@pytest.mark.shared
def test_bitnami_index(shared: Path) -> None:
    result = parse_helm_index(HELM / "bitnami-charts.yaml")
    assert len(result.rows) == 117 and result.errors == []
    assert {(r.repository, r.repository_url, r.as_of) for r in result.rows} == {
        ("bitnami", "https://github.com/bitnami/charts", date(2026, 7, 1))
    }
    assert all(r.official for r in result.rows)
    assert [r.name for r in result.rows if r.deprecated] == ["nginx-ingress-controller"]
    airflow = next(r for r in result.rows if r.name == "airflow")
    assert (airflow.version, airflow.app_version, airflow.stars) == ("25.1.0", "3.0.5", 0)
    assert "workflow" in airflow.keywords and airflow.source == "helm:bitnami-charts.yaml"


@pytest.mark.shared
def test_helm_placeholders_and_official(shared: Path) -> None:
    (operator,) = parse_helm_index(HELM / "nvidia-gpu-operator-charts.yaml").rows
    assert (operator.version, operator.app_version, operator.official) == (
        "v1.0.0-devel",
        "main-latest",
        True,
    )
    assert operator.repository == "nvidia-gpu-operator"
    (hub,) = parse_helm_index(HELM / "jupyterhub-charts.yaml").rows
    assert hub.version == "0.0.1-set.by.chartpress"
    community = {r.name: r for r in parse_helm_index(HELM / "community-charts-charts.yaml").rows}
    assert community["kserve"].deprecated and not community["kserve"].official
    assert all(r.official for r in parse_helm_index(HELM / "kserve-charts.yaml").rows)
    (ollama,) = parse_helm_index(HELM / "ollama-helm-charts.yaml").rows
    assert not ollama.official  # community packaging of ollama/ollama


@pytest.mark.shared
@pytest.mark.parametrize("path", sorted(HELM.glob("*.yaml")) if HELM.is_dir() else [], ids=lambda p: p.name)
def test_all_helm_files_parse_cleanly(path: Path) -> None:
    result = parse_helm_index(path)
    assert result.rows and result.errors == []
    assert len({r.name for r in result.rows}) == len(result.rows)


INDEX_YAML = """\
apiVersion: v1
generated: '2024-05-06T07:08:09Z'
entries:
  app:
  - name: app
    version: 1.2.0
    appVersion: 1.10
    description: An app
    keywords: [web, demo]
    annotations:
      artifacthub.io/stars: "42"
  - name: app
    version: 1.10.0
    appVersion: "1.10"
  - name: app
    version: 1.10.1-rc.1
  - name: app
    version: v0.9.0
  - name: app
    description: no version here
  preview:
  - name: preview
    version: 0.1.0-alpha.1
  - name: preview
    version: 0.1.0-alpha.2
  floaty:
  - version: 1.9
  - version: 1.10
  broken:
  - just a string
  old:
  - name: old
    version: 2.0.0
    deprecated: true
"""


def test_helm_index_picks_newest_and_reports_bad_entries(tmp_path: Path) -> None:
    folder = tmp_path / "myrepo"
    folder.mkdir()
    (folder / "index.yaml").write_text(INDEX_YAML)
    result = parse_helm_index(folder / "index.yaml", repository_url="https://charts.example.com")
    rows = {r.name: r for r in result.rows}
    assert rows["app"].version == "1.10.0" and rows["app"].app_version == "1.10"
    assert rows["preview"].version == "0.1.0-alpha.2"  # only pre-releases: the newest of them
    assert rows["floaty"].version == "1.10"  # read as written, not as the float 1.1
    assert rows["old"].deprecated and not rows["app"].deprecated
    assert {r.repository for r in result.rows} == {"myrepo"}
    assert {r.repository_url for r in result.rows} == {"https://charts.example.com"}
    assert {r.as_of for r in result.rows} == {date(2024, 5, 6)}
    assert sorted((e.line, e.file) for e in result.errors) == [(19, "index.yaml"), (30, "index.yaml")]
    assert "no version" in result.errors[0].message


def test_helm_stars_annotation(tmp_path: Path) -> None:
    path = tmp_path / "demo-charts.yaml"
    path.write_text(INDEX_YAML.replace("  - name: app\n    version: 1.10.0\n", "  - name: app\n    version: 0.0.1\n"))
    result = parse_helm_index(path, repository="demo", as_of=date(2025, 1, 1))
    app = next(r for r in result.rows if r.name == "app")
    assert (app.version, app.stars, app.keywords, app.repository, app.as_of) == (
        "1.2.0",
        42,
        ("web", "demo"),
        "demo",
        date(2025, 1, 1),
    )
    assert app.repository_url == ""


def test_helm_invalid_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries: [\n")
    assert parse_helm_index(bad).errors[0].message.startswith("invalid YAML")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("hello: world\n")
    assert "entries" in parse_helm_index(wrong).errors[0].message


def test_version_ordering() -> None:
    ordered = [
        "not-a-version",
        "0.9.0",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "v1.2.0",
        "1.10.0",
    ]
    assert sorted(reversed(ordered), key=version_key) == ordered
    assert newest(["1.0.0", "2.0.0-rc.1", "0.5.0"]) == "1.0.0"
    assert newest(["0.0.1-set.by.chartpress"]) == "0.0.1-set.by.chartpress"


# ====================================================================== Hugging Face metadata


@pytest.mark.shared
def test_llmfit_rows(shared: Path) -> None:
    result = parse_hf_metadata(HF / "llmfit_hf_models.json")
    assert len(result.rows) == 1852 and result.errors == []
    rows = {r.model_id: r for r in result.rows}
    awq = rows["hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4"]
    assert (awq.num_kv_heads, awq.head_dim, awq.num_layers, awq.quantization) == (8, 128, 32, "awq")
    assert awq.max_context is None  # 1048576 is not trusted
    llama = rows["meta-llama/Llama-3.1-8B-Instruct"]
    assert (llama.max_context, llama.pipeline_tag, llama.likes) == (None, "text-generation", 5804)
    assert llama.params_billion == pytest.approx(8.03, abs=0.01) and llama.quantization is None
    v3 = rows["deepseek-ai/DeepSeek-V3"]
    assert (v3.num_experts, v3.active_params_billion, v3.max_context, v3.family) == (
        256,
        37.0,
        None,
        "deepseek_v3",
    )
    assert (v3.vocab_size, v3.intermediate_size, v3.num_experts_per_tok) == (129280, 2048, 8)  # per expert
    qwen = rows["Qwen/Qwen2.5-7B-Instruct"]
    assert (qwen.vocab_size, qwen.intermediate_size, qwen.num_experts_per_tok) == (152064, 18944, None)
    assert (rows["openai/gpt-oss-20b"].num_experts, rows["openai/gpt-oss-20b"].num_experts_per_tok) == (32, 4)
    assert all(
        r.tie_word_embeddings is None and r.sliding_window is None and r.torch_dtype is None for r in result.rows
    )
    assert sum(r.pipeline_tag is None for r in result.rows) == 1702
    assert all(r.source == "llmfit:llmfit_hf_models.json" for r in result.rows)


@pytest.mark.shared
def test_model_info_csv_rows(shared: Path) -> None:
    result = parse_hf_metadata(HF / "hf_model_info_2023-10.csv")
    assert len(result.rows) == 74_970 and result.errors == []
    bert = next(r for r in result.rows if r.model_id == "bert-base-uncased")
    assert (bert.pipeline_tag, bert.downloads, bert.likes, bert.license) == ("fill-mask", 31_924_518, 0, None)
    assert sum(r.pipeline_tag is None for r in result.rows) == 26_296


@pytest.mark.shared
def test_gpu_poor_config_keys(shared: Path) -> None:
    result = parse_hf_metadata(HF / "gpu_poor_hf_configs.json")
    assert len(result.rows) == 2980 and result.errors == []
    rows = {r.model_id: r for r in result.rows}
    llama = rows["NousResearch/Llama-2-13b-hf"]
    assert (llama.num_layers, llama.hidden_size, llama.num_attention_heads, llama.head_dim, llama.family) == (
        40,
        5120,
        40,
        128,
        "llama",
    )
    t5 = rows["google/flan-t5-base"]
    assert (t5.num_layers, t5.hidden_size, t5.num_attention_heads, t5.family) == (12, 768, 12, "t5")
    assert (llama.vocab_size, llama.intermediate_size, llama.tie_word_embeddings, llama.torch_dtype) == (
        32000,
        13824,
        None,
        None,
    )
    assert (t5.vocab_size, t5.intermediate_size) == (32128, 2048)  # T5 d_ff
    gpt2 = rows["distilgpt2"]
    assert (gpt2.num_layers, gpt2.hidden_size, gpt2.num_attention_heads, gpt2.family) == (6, 768, 12, "gpt2")
    assert all(r.params_billion is None for r in result.rows)


def test_hf_bad_rows_and_duplicates(tmp_path: Path) -> None:
    models = [
        {
            "name": "org/a",
            "parameters_raw": 7_000_000_000,
            "pipeline_tag": "unknown",
            "hf_downloads": 5,
            "hf_likes": 1,
            "hidden_size": 4096,
            "num_attention_heads": 32,
            "num_key_value_heads": 8,
            "context_length": 32768,
            "format": "gguf",
            "quantization": "Q4_K_M",
        },
        {"name": "org/bad", "hf_downloads": "lots"},
        {"name": "org/a", "hf_downloads": 9, "format": "gptq"},
        {"name": "org/b-GGUF", "hf_downloads": 1},
        "not an object",
    ]
    path = tmp_path / "llmfit.json"
    path.write_text(json.dumps(models, indent=2))
    result = parse_hf_metadata(path)
    rows = {r.model_id: r for r in result.rows}
    assert set(rows) == {"org/a", "org/b-GGUF"}
    assert (rows["org/a"].downloads, rows["org/a"].quantization) == (9, "gptq")  # the last one wins
    assert rows["org/b-GGUF"].quantization == "gguf"
    assert any("duplicate" in note for note in result.notes)
    assert [(e.file, e.line) for e in result.errors] == [("llmfit.json", 16), ("llmfit.json", 0)]

    csv_path = tmp_path / "model_info.csv"
    csv_path.write_text(
        "modelId,downloads,task_category\nok/model,12,text-generation\nbad/model,x,unknown\n"
        ",3,unknown\nok/other,4,unknown\n"
    )
    result = parse_hf_metadata(csv_path)
    assert [r.model_id for r in result.rows] == ["ok/model", "ok/other"]
    assert [(e.line, e.message.split()[0]) for e in result.errors] == [(3, "non-numeric"), (4, "empty")]


def test_hf_single_model_derivations(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps(
            [
                {
                    "name": "meta-llama/Llama-3.3-70B-Instruct",
                    "hidden_size": 8192,
                    "num_attention_heads": 64,
                    "context_length": 4096,
                },
                {"name": "x/y-FP8-dynamic", "context_length": 131072},
                {
                    "name": "x/moe",
                    "vocab_size": 151936,
                    "moe_intermediate_size": 768,
                    "num_experts": 128,
                    "active_experts": 8,
                },
            ]
        )
    )
    rows = {r.model_id: r for r in parse_hf_metadata(path).rows}
    moe = rows["x/moe"]
    assert (moe.vocab_size, moe.intermediate_size, moe.num_experts, moe.num_experts_per_tok) == (151936, 768, 128, 8)
    assert rows["x/y-FP8-dynamic"].vocab_size is None and rows["x/y-FP8-dynamic"].num_experts_per_tok is None
    llama = rows["meta-llama/Llama-3.3-70B-Instruct"]
    assert (llama.head_dim, llama.max_context) == (128, None)
    assert (rows["x/y-FP8-dynamic"].quantization, rows["x/y-FP8-dynamic"].max_context) == ("fp8", 131072)


def test_config_map_architecture_fields(tmp_path: Path) -> None:
    configs = {
        "org/mistral-like": {
            "architectures": ["MistralForCausalLM"],
            "vocab_size": 32000,
            "intermediate_size": 14336,
            "max_position_embeddings": 32768,
            "sliding_window": 4096,
            "tie_word_embeddings": False,
            "torch_dtype": "bfloat16",
        },
        "org/qwen-like": {  # the window is configured but switched off
            "vocab_size": 151936,
            "max_position_embeddings": 32768,
            "sliding_window": 32768,
            "use_sliding_window": False,
            "tie_word_embeddings": True,
            "torch_dtype": "float16",
        },
        "org/phi3-128k-like": {"max_position_embeddings": 131072, "sliding_window": 262144, "torch_dtype": "fp8"},
        "org/deepseek-like": {
            "intermediate_size": 18432,
            "moe_intermediate_size": 2048,
            "n_routed_experts": 256,
            "num_experts_per_tok": 8,
        },
        "org/gpt-oss-like": {"num_local_experts": 32, "experts_per_token": 4, "sliding_window": 128, "dtype": "bf16"},
        "org/chatglm-like": {"padded_vocab_size": 151552, "ffn_hidden_size": 13696},
        "org/bad-tie": {"tie_word_embeddings": "yes"},
    }
    path = tmp_path / "configs.json"
    path.write_text(json.dumps(configs, indent=2))
    result = parse_hf_metadata(path)
    rows = {r.model_id: r for r in result.rows}
    fields = ("vocab_size", "tie_word_embeddings", "intermediate_size", "num_experts_per_tok", "sliding_window")

    def arch(model_id: str) -> tuple[object, ...]:
        return (*(getattr(rows[model_id], f) for f in fields), rows[model_id].torch_dtype)

    assert arch("org/mistral-like") == (32000, False, 14336, None, 4096, "bfloat16")
    assert arch("org/qwen-like") == (151936, True, None, None, None, "float16")
    assert arch("org/phi3-128k-like") == (None, None, None, None, None, None)  # window >= context; fp8 unknown
    assert arch("org/deepseek-like") == (None, None, 2048, 8, None, None)  # per-expert FFN first
    assert arch("org/gpt-oss-like") == (None, None, None, 4, 128, "bfloat16")
    assert arch("org/chatglm-like")[:3] == (151552, None, 13696)
    assert [(e.line, "tie_word_embeddings" in e.message) for e in result.errors] == [(42, True)]


@pytest.mark.parametrize(
    ("text", "dtype"),
    [
        ("bfloat16", "bfloat16"),
        ("torch.float16", "float16"),
        ("BF16", "bfloat16"),
        ("float32", "float32"),
        ("float8_e4m3fn", None),
        (None, None),
    ],
)
def test_torch_dtype_of(text: str | None, dtype: str | None) -> None:
    assert torch_dtype_of(text) == dtype


# ====================================================================== model cards


@pytest.mark.shared
def test_model_cards_with_index(shared: Path) -> None:
    known = ["meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.10-X", "deepseek-ai/DeepSeek-R1-0528"]
    result = parse_model_cards(HF / "model_cards", known_ids=known)
    assert len(result.rows) == 59 and result.errors == []
    assert not any("LICENSE" in card.source for card in result.rows)
    by_source = {card.source: card for card in result.rows}
    llama = by_source["github:docker/model-cards/ai/llama3.1.md"]
    assert llama.model_ids == ("meta-llama/Llama-3.1", "meta-llama/Llama-3.1-8B-Instruct")
    assert llama.extra["license"] == "Apache-2.0 (repository LICENSE)"
    assert llama.extra["model_license"] == "Llama 3.1 Community license"
    assert llama.extra["docker_model"] == "ai/llama3.1"
    r1 = by_source["github:deepseek-ai/DeepSeek-R1/README.md"]
    assert r1.model_ids == ("deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-R1-0528")
    meta = by_source["github:meta-llama/llama-models/models/llama3_3/MODEL_CARD.md"]
    assert meta.model_ids[0] == "meta-llama/Llama-3.3" and "Llama" in meta.extra["license"]
    assert by_source["github:QwenLM/Qwen3/README.md"].model_ids[0] == "Qwen/Qwen3"
    qwen25 = by_source["github:docker/model-cards/ai/qwen2.5.md"]
    assert qwen25.model_ids[0] == "Qwen/Qwen2.5-7B"
    (single,) = parse_model_cards(HF / "model_cards" / "docker" / "llama3.1.md").rows  # index two levels up
    assert single.model_ids == ("meta-llama/Llama-3.1",) and single.text == llama.text


def test_model_cards_front_matter_and_bad_files(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    (cards / "sub").mkdir(parents=True)
    (cards / "sub" / "fancy.md").write_text(
        "---\nmodel_id: org/fancy-7b\nlicense: mit\nbase_model: [org/base-7b]\ntags: [chat, llm]\n"
        "pipeline_tag: text-generation\n---\n# Fancy 7B\n\nA fine-tuned chat model.\n"
    )
    (cards / "plain.md").write_text("# Plain\n\nNo front matter here.\n")
    (cards / "LLAMA_LICENSE.txt").write_text("license text")
    (cards / "empty.md").write_text("  \n")
    (cards / "latin1.md").write_bytes("caf\xe9".encode("latin-1"))
    (cards / "only-meta.md").write_text("---\nmodel_id: x/y\n---\n")
    (cards / "rule.md").write_text("---\nJust prose, not YAML: a rule above and below\nmore\n---\nrest\n")
    result = parse_model_cards(cards)
    by_id = {card.model_ids: card for card in result.rows}
    fancy = by_id[("org/fancy-7b",)]
    assert fancy.text.startswith("# Fancy 7B") and "---" not in fancy.text
    assert fancy.extra == {
        "base_model": "org/base-7b",
        "license": "mit",
        "pipeline_tag": "text-generation",
        "tags": "chat, llm",
    }
    assert by_id[("plain",)].source == "model-card:plain.md"
    assert by_id[("rule",)].text.startswith("---\nJust prose")  # not front matter: nothing stripped
    assert parse_model_cards(tmp_path / "missing").errors[0].message.startswith("not found")
    assert sorted((e.file, e.line) for e in result.errors) == [
        ("empty.md", 0),
        ("latin1.md", 0),
        ("only-meta.md", 0),
    ]
    assert "UTF-8" in next(e.message for e in result.errors if e.file == "latin1.md")
    single = parse_model_cards(cards / "sub" / "fancy.md")
    assert [c.model_ids for c in single.rows] == [("org/fancy-7b",)]


# ====================================================================== chunker


@pytest.mark.shared
def test_chunker_on_real_cards(shared: Path) -> None:
    cards = parse_model_cards(HF / "model_cards").rows
    for card in cards:
        chunks = chunk_card(card.text)
        assert chunks == chunk_card(card.text)
        assert chunks and all(len(c) <= 1000 for c in chunks)
        assert all(len(c.split()) >= 3 for c in chunks)
    assert CHUNKER_VERSION == "md-v1"


def test_chunker_splits_on_headings_and_long_paragraphs() -> None:
    text = (
        "# Title\n\nIntro paragraph with enough words to be kept as a chunk of text.\n\n"
        "## Section\n\n" + " ".join(f"word{i}" for i in range(600)) + "\n\n## Tiny\n\nok\n"
    )
    chunks = chunk_card(text, max_chars=300, overlap=50)
    assert chunks[0].startswith("# Title") and "## Section" not in chunks[0]
    assert all(len(c) <= 300 for c in chunks)
    assert chunks[1].startswith("## Section")
    words = [f"word{i}" for i in range(600)]
    joined = " ".join(chunks)
    assert all(w in joined.split() for w in words)  # overlap windows lose no word
    assert not any(c.startswith("## Tiny") for c in chunks)  # under 40 word characters: merged or dropped


def test_content_hash_normalises_whitespace() -> None:
    assert content_hash("a  b\n\nc") == content_hash(" a b c ")
    assert content_hash("a b") != content_hash("a c")
    assert len(content_hash("x")) == 64


markdownish = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300),
        st.from_regex(r"#{1,3} [A-Za-z ]{0,30}", fullmatch=True),
        st.just("\n\n"),
        st.just("\r\n"),
    ),
    max_size=30,
).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(markdownish, st.integers(60, 1500), st.integers(0, 59))
def test_chunker_properties(text: str, max_chars: int, overlap: int) -> None:
    chunks = chunk_card(text, max_chars=max_chars, overlap=overlap)
    assert chunks == chunk_card(text, max_chars=max_chars, overlap=overlap)
    normalised = " ".join(text.split())
    for chunk in chunks:
        assert len(chunk) <= max_chars
        assert chunk == chunk.strip() and "\n\n\n" not in chunk
        assert " ".join(chunk.split()) in normalised  # contiguous input text, whitespace aside
        assert sum(ch.isalnum() or ch == "_" for ch in chunk) >= 40


@settings(max_examples=100, deadline=None)
@given(st.lists(st.from_regex(r"[a-z]{1,12}", fullmatch=True), min_size=20, max_size=400))
def test_chunker_keeps_every_word_of_plain_prose(words: list[str]) -> None:
    text = " ".join(words)
    chunks = chunk_card(text, max_chars=200, overlap=40)
    if sum(len(w) for w in words) >= 40:
        assert set(words) <= set(" ".join(chunks).split())


# ====================================================================== shipped loaders


def test_load_instances_tmp(tmp_path: Path) -> None:
    path = tmp_path / "instances.csv"
    path.write_text(
        "# comment line\n# another\n"
        "provider,instance_type,region,gpu_model,gpu_count,vram_per_gpu_gb,vcpu,ram_gb,price_hourly_usd,"
        "spot_price_hourly_usd,source,as_of\n"
        "aws,p5.48xlarge,us-east-1,H100,8,80,192,2048,55.04,,aws-ec2-pricing,2025-07-01\n"
        "aws,m5.large,us-east-1,,0,0,2,8,0.096,0.04,aws-ec2-pricing,2025-07-01\n"
        "# a comment in the middle\n"
        "aws,bad.price,us-east-1,,0,0,2,8,cheap,,aws-ec2-pricing,2025-07-01\n"
        "aws,bad.date,us-east-1,,0,0,2,8,1,,aws-ec2-pricing,July\n"
        "GCP,a2-highgpu-1g,us-central1,A100,1,40,12,85,3.67,,,2025-07-01\n"
        "aws,p5.48xlarge,us-east-1,H100,8,80,192,2048,50,,aws-ec2-pricing,2025-07-01\n"
    )
    result = shipped.load_instances(path)
    assert [(e.file, e.line) for e in result.errors] == [
        ("instances.csv", 7),
        ("instances.csv", 8),
        ("instances.csv", 10),
    ]
    rows = {r.instance_type: r for r in result.rows}
    assert (rows["p5.48xlarge"].total_vram_gb, rows["p5.48xlarge"].price_hourly_usd) == (640, 55.04)
    assert rows["m5.large"].gpu_model is None and rows["m5.large"].spot_price_hourly_usd == 0.04
    a2 = rows["a2-highgpu-1g"]
    assert (a2.provider, a2.gpu_model, a2.source) == ("gcp", "A100-40GB", "stack8s-curated:instances.csv")


def test_load_instances_bad_header(tmp_path: Path) -> None:
    path = tmp_path / "instances.csv"
    path.write_text("# only a comment\nprovider,region\naws,x\n")
    (error,) = shipped.load_instances(path).errors
    assert error.line == 2 and "lacks columns" in error.message


CHARTS_YAML = """\
as_of: "2025-07-01"
sources:
  - key: vllm
    url: https://github.com/vllm-project/production-stack
    note: vLLM
charts:
  - name: vllm-stack
    repository: vllm
    repository_url: https://vllm-project.github.io/production-stack
    description: vLLM production stack
    keywords: [vllm, llm]
    version: 0.1.10
    app_version: v0.9.1
    stars: 1900
    official: true
    home: https://github.com/vllm-project/production-stack
    deprecated: false
    source: vllm
  - name: no-version
    repository: vllm
  - name: bad-stars
    repository: vllm
    version: "1.0.0"
    stars: many
  - name: minimal
    repository: other
    version: "2.0.0"
"""


def test_load_charts_tmp(tmp_path: Path) -> None:
    path = tmp_path / "charts.yaml"
    path.write_text(CHARTS_YAML)
    result = shipped.load_charts(path)
    assert [(e.file, e.line) for e in result.errors] == [("charts.yaml", 19), ("charts.yaml", 21)]
    rows = {r.name: r for r in result.rows}
    stack = rows["vllm-stack"]
    assert (stack.version, stack.stars, stack.official, stack.keywords, stack.as_of) == (
        "0.1.10",
        1900,
        True,
        ("vllm", "llm"),
        date(2025, 7, 1),
    )
    minimal = rows["minimal"]
    assert (minimal.official, minimal.deprecated, minimal.stars, minimal.home, minimal.source) == (
        False,
        False,
        0,
        None,
        "stack8s-curated:charts.yaml",
    )


MODELS_YAML = """\
as_of: "2025-07-01"
source_note: test
models:
  - model_id: org/llm-7b
    pipeline_tag: text-generation
    library: transformers
    license: apache-2.0
    downloads: 1000
    likes: 10
    params_billion: 7.2
    num_layers: 32
    num_kv_heads: 8
    max_context: 32768
    vocab_size: 32000
    tie_word_embeddings: false
    intermediate_size: 14336
    sliding_window: 4096
    torch_dtype: bfloat16
    quantization: null
    family: llm
    aliases: ["llm 7b", "llm-7b"]
    card: |
      # LLM 7B
      A small model.
  - model_id: org/bad
    downloads: many
    card: should not be kept
  - model_id: org/awq
    quantization: AWQ
  - model_id: org/moe
    num_experts: 8
    num_experts_per_tok: 2
    tie_word_embeddings: true
  - model_id: org/bad-dtype
    torch_dtype: fp8
  - model_id: org/bad-tie
    tie_word_embeddings: "yes"
"""


def test_load_models_tmp(tmp_path: Path) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "llm.yaml").write_text(MODELS_YAML)
    (folder / "broken.yaml").write_text("models: [\n")
    (folder / "notes.md").write_text("ignored")
    result, cards = shipped.load_models(folder)
    assert {(e.file, e.line) for e in result.errors} == {
        ("llm.yaml", 25),
        ("llm.yaml", 34),
        ("llm.yaml", 36),
        ("broken.yaml", 0),
    }
    assert {e.message.split()[0] for e in result.errors if e.line in (34, 36)} == {"torch_dtype", "tie_word_embeddings"}
    rows = {r.model_id: r for r in result.rows}
    llm = rows["org/llm-7b"]
    assert (llm.params_billion, llm.num_kv_heads, llm.aliases, llm.source, llm.as_of) == (
        7.2,
        8,
        ("llm 7b", "llm-7b"),
        "stack8s-curated:llm.yaml",
        date(2025, 7, 1),
    )
    assert llm.hidden_size is None and rows["org/awq"].quantization == "awq"
    assert (llm.vocab_size, llm.tie_word_embeddings, llm.intermediate_size, llm.sliding_window, llm.torch_dtype) == (
        32000,
        False,
        14336,
        4096,
        "bfloat16",
    )
    assert llm.num_experts_per_tok is None and rows["org/awq"].tie_word_embeddings is None
    assert (rows["org/moe"].num_experts_per_tok, rows["org/moe"].tie_word_embeddings) == (2, True)
    assert [(c.model_ids, c.text, c.source) for c in cards] == [
        (("org/llm-7b",), "# LLM 7B\nA small model.\n", "stack8s-curated:llm.yaml")
    ]


def test_default_paths() -> None:
    paths = shipped.default_paths()
    assert set(paths) == {"instances", "charts", "models"}
    assert all(p.is_relative_to(shipped.DATA_DIR) for p in paths.values())


def test_real_shipped_files_load_cleanly() -> None:
    paths = shipped.default_paths()
    missing = [name for name, p in paths.items() if not p.exists()]
    if missing:
        pytest.skip(f"shipped catalog files not present yet: {missing}")
    instances = shipped.load_instances(paths["instances"])
    charts = shipped.load_charts(paths["charts"])
    models, cards = shipped.load_models(paths["models"])
    assert instances.errors == [] and charts.errors == [] and models.errors == []
    assert instances.rows and charts.rows and models.rows and cards
    keys = Counter((r.provider, r.instance_type, r.region) for r in instances.rows)
    assert max(keys.values()) == 1
    assert all(r.gpu_model is None or r.gpu_model == normalize_gpu(r.gpu_model) for r in instances.rows)


# Published config.json values (https://huggingface.co/<model_id>/blob/main/config.json), cross-checked with
# ../shared/data/hf/maxtext_model_architectures.json (llama3.1-8b, qwen2.5-7b, gpt-oss-20b) and llmfit.
PUBLISHED = {
    # meta-llama/Llama-3.1-8B-Instruct config.json: vocab_size 128256, tie_word_embeddings false,
    # intermediate_size 14336, torch_dtype bfloat16
    "meta-llama/Llama-3.1-8B-Instruct": {
        "vocab_size": 128256,
        "tie_word_embeddings": False,
        "intermediate_size": 14336,
        "torch_dtype": "bfloat16",
    },
    # meta-llama/Llama-3.2-1B-Instruct config.json: tie_word_embeddings true (lm_head = embed_tokens)
    "meta-llama/Llama-3.2-1B-Instruct": {"vocab_size": 128256, "tie_word_embeddings": True},
    # Qwen/Qwen2.5-7B-Instruct config.json: vocab_size 152064 (padded), untied, intermediate_size 18944
    "Qwen/Qwen2.5-7B-Instruct": {"vocab_size": 152064, "tie_word_embeddings": False, "intermediate_size": 18944},
    # Qwen/Qwen2.5-0.5B-Instruct config.json: vocab_size 151936, tied; use_sliding_window false -> no window
    "Qwen/Qwen2.5-0.5B-Instruct": {"vocab_size": 151936, "tie_word_embeddings": True, "sliding_window": None},
    # openai/gpt-oss-20b config.json: num_local_experts 32, num_experts_per_tok 4, sliding_window 128,
    # vocab_size 201088, intermediate_size 2880 (per expert)
    "openai/gpt-oss-20b": {
        "num_experts": 32,
        "num_experts_per_tok": 4,
        "sliding_window": 128,
        "vocab_size": 201088,
        "intermediate_size": 2880,
    },
    # mistralai/Mixtral-8x7B-Instruct-v0.1 config.json: num_local_experts 8, num_experts_per_tok 2
    "mistralai/Mixtral-8x7B-Instruct-v0.1": {"num_experts": 8, "num_experts_per_tok": 2, "vocab_size": 32000},
    # deepseek-ai/DeepSeek-V3 config.json: n_routed_experts 256, num_experts_per_tok 8, moe_intermediate_size 2048
    "deepseek-ai/DeepSeek-V3": {"num_experts": 256, "num_experts_per_tok": 8, "intermediate_size": 2048},
    # mistralai/Mistral-7B-Instruct-v0.1 config.json: sliding_window 4096 (v0.2 and later: null)
    "mistralai/Mistral-7B-Instruct-v0.1": {"sliding_window": 4096, "vocab_size": 32000},
    "mistralai/Mistral-7B-Instruct-v0.2": {"sliding_window": None},
    # google/gemma-2-9b-it config.json: vocab_size 256000, tied, sliding_window 4096 (local layers)
    "google/gemma-2-9b-it": {"vocab_size": 256000, "tie_word_embeddings": True, "sliding_window": 4096},
}


@pytest.mark.parametrize("model_id", sorted(PUBLISHED))
def test_shipped_models_carry_published_architecture(model_id: str) -> None:
    models, _ = shipped.load_models(shipped.default_paths()["models"])
    row = next(r for r in models.rows if r.model_id == model_id)
    assert {key: getattr(row, key) for key in PUBLISHED[model_id]} == PUBLISHED[model_id]


def test_shipped_llms_have_the_estimator_fields() -> None:
    """Every text-generation / image-text-to-text row has what a vLLM memory estimate needs, and MoE rows
    say how many experts a token uses."""
    models, _ = shipped.load_models(shipped.default_paths()["models"])
    llms = [r for r in models.rows if r.pipeline_tag in ("text-generation", "image-text-to-text")]
    assert len(llms) >= 120
    assert all(r.num_experts_per_tok for r in llms if r.num_experts)
    assert all(r.num_experts_per_tok is None for r in llms if not r.num_experts)
    assert all(r.num_experts_per_tok <= r.num_experts for r in llms if r.num_experts and r.num_experts_per_tok)
    text = [r for r in llms if r.pipeline_tag == "text-generation"]
    assert all(
        r.vocab_size and r.intermediate_size for r in text if r.model_id != "ibm-granite/granite-3.1-8b-instruct"
    )
    assert all(r.torch_dtype in (None, "bfloat16", "float16", "float32") for r in llms)
    assert all(r.sliding_window is None or (r.max_context and r.sliding_window < r.max_context) for r in llms)


# --- imported rows keep the source's date, never the import day ---------------------------------------

_VMS = (
    "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,Price,SpotPrice,Region\n"
    "g-1,L4,1,8,32,L4,0.8,,us-east-1\n"
)


def test_skypilot_rows_dated_by_file_time(tmp_path: Path) -> None:
    import os

    path = tmp_path / "aws_vms.csv"
    path.write_text(_VMS)
    stamp = time.mktime((2025, 3, 4, 12, 0, 0, 0, 0, -1))
    os.utime(path, (stamp, stamp))
    assert {r.as_of for r in parse_instances(tmp_path).rows} == {date(2025, 3, 4)}
    assert {r.as_of for r in parse_instances(tmp_path, as_of=date(2024, 1, 2)).rows} == {date(2024, 1, 2)}


def test_skypilot_rows_dated_by_commit(tmp_path: Path) -> None:
    """A SkyPilot catalog checkout: the clone's files are all new, so the commit date is the prices' date."""
    import os
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git not installed")
    folder = tmp_path / "catalogs" / "v7" / "aws"
    folder.mkdir(parents=True)
    (folder / "vms.csv").write_text(_VMS)
    env = {
        **os.environ,
        "GIT_COMMITTER_DATE": "2025-05-20T12:00:00+00:00",
        "GIT_AUTHOR_DATE": "2025-05-20T12:00:00+00:00",
    }
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "prices"]):
        subprocess.run([*git, *args], check=True, env=env, capture_output=True)
    rows = parse_instances(tmp_path / "catalogs" / "v7").rows
    assert rows and {(r.provider, r.as_of) for r in rows} == {("aws", date(2025, 5, 20))}
    assert date.fromtimestamp((folder / "vms.csv").stat().st_mtime) != date(2025, 5, 20)
