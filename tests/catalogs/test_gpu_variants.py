"""GPUs that share a name with a faster part (issue 18, item 5): the PCIe and NVL cards have rows of their
own, every spelling that says PCIe/NVL reaches them, plain names stay on the SXM row, and the instance
catalogs (the SkyPilot importer and the shipped instances.csv) carry them."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack8s.catalogs.gpus import gpu_spec, load_gpu_catalog, match_gpu_preference, normalize_gpu
from stack8s.catalogs.importers.skypilot import parse_skypilot_csv
from stack8s.catalogs.shipped import default_paths, load_instances

# Spellings as the catalogs write them: Hyperstack's AcceleratorName (shared/data/skypilot/v8), RunPod's GPU
# ids (SkyPilot sky/provision/runpod/utils.py GPU_NAME_MAP), nvidia-smi names, and user text.
PCIE_AND_NVL = [
    ("H100-80G-PCIe", None, "H100-PCIE"),
    ("H100-80G-PCIe-NVLink", None, "H100-PCIE"),  # PCIe cards with NVLink bridges are still PCIe cards
    ("NVIDIA H100 PCIe", None, "H100-PCIE"),
    ("h100 pcie", None, "H100-PCIE"),
    ("A100-80G-PCIe", None, "A100-PCIE-80GB"),
    ("A100-80G-PCIe-NVLink", None, "A100-PCIE-80GB"),
    ("NVIDIA A100 80GB PCIe", None, "A100-PCIE-80GB"),
    ("NVIDIA A100-PCIE-40GB", None, "A100-PCIE-40GB"),
    ("A100 PCIe", 80, "A100-PCIE-80GB"),
    ("A100 PCIe", None, "A100-PCIE-40GB"),
    ("H200 NVL", None, "H200-NVL"),
    ("NVIDIA H200 NVL", None, "H200-NVL"),
    ("H100 NVL", None, "H100-NVL"),
]
SXM = [
    ("H100", None, "H100"),
    ("NVIDIA H100 80GB HBM3", None, "H100"),
    ("H100-80G-SXM5", None, "H100"),
    ("H100-SXM", None, "H100"),
    ("H100-NVLINK", None, "H100"),
    ("H100-MEGA", None, "H100"),
    ("H200", None, "H200"),
    ("NVIDIA H200", None, "H200"),
    ("A100", 80, "A100-80GB"),
    ("NVIDIA A100-SXM4-80GB", None, "A100-80GB"),
    ("A100-80GB-SXM", None, "A100-80GB"),
]


@pytest.mark.parametrize(("spelling", "memory", "canonical"), PCIE_AND_NVL + SXM)
def test_spellings_resolve(spelling: str, memory: float | None, canonical: str) -> None:
    assert normalize_gpu(spelling, memory) == canonical
    spec = gpu_spec(normalize_gpu(spelling, memory))
    assert spec is not None and spec.name == canonical


def test_user_text_names_the_pcie_card() -> None:
    assert match_gpu_preference("two H100 PCIe please") == "H100-PCIE"
    assert match_gpu_preference("an a100 pcie 80gb") == "A100-PCIE-80GB"
    assert match_gpu_preference("an h100") == "H100"


@pytest.mark.parametrize(
    ("slower", "faster"),
    [("H100-PCIE", "H100"), ("A100-PCIE-80GB", "A100-80GB"), ("H200-NVL", "H200")],
)
def test_the_slower_part_is_slower(slower: str, faster: str) -> None:
    slow, fast = gpu_spec(slower), gpu_spec(faster)
    assert slow is not None and fast is not None
    assert slow.memory_gb == fast.memory_gb
    assert slow.interconnect == "pcie" and fast.interconnect == "nvlink"
    assert slow.interconnect_gbps < fast.interconnect_gbps
    assert (slow.bf16_tflops or 0) <= (fast.bf16_tflops or 0)
    assert slow.memory_bandwidth_gbps <= fast.memory_bandwidth_gbps
    assert (slow.bf16_tflops, slow.memory_bandwidth_gbps) != (fast.bf16_tflops, fast.memory_bandwidth_gbps)


def test_h100_pcie_datasheet_figures() -> None:
    # NVIDIA H100 datasheet, PCIe column: BF16 1,513 / FP8 3,026 TFLOPS with sparsity, 2 TB/s, PCIe Gen5 x16;
    # NVIDIA aiconfigurator systems/h100_pcie.yaml: 756.5 dense BF16, 1,513 dense FP8
    spec = gpu_spec("H100-PCIE")
    assert spec is not None
    assert (spec.bf16_tflops, spec.fp8_tflops, spec.memory_bandwidth_gbps) == (756.5, 1513, 2000)
    assert (spec.interconnect, spec.interconnect_gbps) == ("pcie", 128)
    a100 = gpu_spec("A100-PCIE-80GB")  # A100 datasheet, 80GB PCIe column: 1,935 GB/s, PCIe Gen4
    assert a100 is not None and (a100.memory_bandwidth_gbps, a100.interconnect_gbps) == (1935, 64)


# ====================================================================== instance catalogs

_HEADER = "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region,GpuInfo,SpotPrice\n"


def _gpu_info(name: str, mib: int) -> str:
    return f"\"{{'Gpus': [{{'Name': '{name}', 'Count': 1.0, 'MemoryInfo': {{'SizeInMiB': {mib}}}}}]}}\""


def test_importer_reads_pcie_from_the_instance_type(tmp_path: Path) -> None:
    # The shapes of Lambda's and Vast's SkyPilot rows: the accelerator column says "H100" / "A100", only the
    # instance type says PCIe (or SXM).
    rows = [
        f"gpu_1x_h100_pcie,H100,1.0,26.0,200.0,2.49,us-east-1,{_gpu_info('H100', 81920)},",
        f"gpu_1x_h100_sxm5,H100,1.0,26.0,225.0,3.29,us-east-1,{_gpu_info('H100', 81920)},",
        f"1x-A100_PCIE-32-65536,A100,1.0,32.0,64.0,1.1,US,{_gpu_info('A100', 81920)},",
        f"1x-A100_SXM4-32-65536,A100,1.0,32.0,64.0,1.3,US,{_gpu_info('A100', 81920)},",
        f"1x-RTX_4090_pcie-32-65536,RTX4090,1.0,32.0,64.0,0.4,US,{_gpu_info('RTX4090', 24564)},",
        f"n3-H100x1,H100-80G-PCIe,1,28,180.0,1.9,CANADA-1,{_gpu_info('H100-80G-PCIe', 81920)},",
        "Standard_NC40ads_H100_v5,H100,1,40,320,6.98,eastus,H100,",  # Azure: the H100 NVL, listed as "H100"
        "Standard_ND96isr_H100_v5,H100,8,96,1900,98.32,eastus,H100,",
    ]
    path = tmp_path / "test_vms.csv"
    path.write_text(_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    result = parse_skypilot_csv(path)
    assert result.errors == []
    models = {row.instance_type: row.gpu_model for row in result.rows}
    assert models == {
        "gpu_1x_h100_pcie": "H100-PCIE",
        "gpu_1x_h100_sxm5": "H100",
        "1x-A100_PCIE-32-65536": "A100-PCIE-80GB",
        "1x-A100_SXM4-32-65536": "A100-80GB",
        "1x-RTX_4090_pcie-32-65536": "RTX-4090",  # no PCIe row: the card's own row
        "n3-H100x1": "H100-PCIE",
        "Standard_NC40ads_H100_v5": "H100-NVL",
        "Standard_ND96isr_H100_v5": "H100",
    }


def test_shipped_catalog_carries_the_pcie_cards() -> None:
    result = load_instances(default_paths()["instances"])
    models: dict[tuple[str, str], set[str | None]] = {}
    for row in result.rows:
        models.setdefault((row.provider, row.instance_type), set()).add(row.gpu_model)
    assert models[("lambda", "gpu_1x_h100_pcie")] == {"H100-PCIE"}
    assert models[("lambda", "gpu_1x_h100_sxm5")] == {"H100"}
    for n in (1, 2, 4, 8):
        assert models[("runpod", f"{n}x_H100_SECURE")] == {"H100-PCIE"}  # RunPod "H100" = NVIDIA H100 PCIe
        assert models[("runpod", f"{n}x_A100-80GB_SECURE")] == {"A100-PCIE-80GB"}
    assert models[("runpod", "1x_H100-SXM_SECURE")] == {"H100"}
    assert models[("runpod", "1x_A100-80GB-SXM_SECURE")] == {"A100-80GB"}
    # no offer whose instance type says PCIe keeps an SXM row
    pcie = {k: v for k, v in models.items() if "pcie" in k[1].lower()}
    assert pcie and all(all(m is not None and "-PCIE" in m for m in v) for v in pcie.values())


def test_a_family_name_is_a_prefix_of_its_variants() -> None:
    """A preference for the family ("A100 PCIe" -> "A100-PCIE") finds every variant: the compute search
    matches a GPU name or the name followed by "-"."""
    catalog = load_gpu_catalog()
    for family in catalog.families:
        for _, name in family.variants:
            assert name == family.template or name.startswith(family.template + "-"), (family.template, name)
    assert match_gpu_preference("two a100 pcie") == "A100-PCIE"
