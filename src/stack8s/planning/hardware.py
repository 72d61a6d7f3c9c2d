"""What the estimator needs to know about one GPU model. Pure: the rows are loaded from
`catalogs/data/gpus.yaml` by `stack8s.catalogs.gpus` and passed in.

Units: memory in GB (1e9 bytes, as vendors state it), bandwidth in GB/s, compute in dense
(no structured sparsity) TFLOPS / TOPS."""

from __future__ import annotations

from dataclasses import dataclass, field

from stack8s.planning.op_latency import KernelRef


@dataclass(frozen=True, slots=True)
class ExpectedError:
    """The serving estimator's measured error for one method (mean absolute % error against published vLLM
    runs, from `bench/accuracy.py`): kernel-measured, kernel-transferred or roofline."""

    method: str
    ttft_pct: float
    tpot_pct: float


USABLE_FRACTION: dict[str, float] = {"hbm": 0.98, "gddr-ecc": 0.91, "gddr": 0.98}
"""The rule for a GPU without a published usable-memory figure: the CUDA runtime's total memory, in GiB, as a
fraction of the nominal GB read as GiB (an "80 GB" HBM card has 80 GiB of DRAM; the driver keeps ~0.45 GiB and,
on GDDR5/6 data-centre cards, ECC keeps 1/16). Each fraction is the lowest measured ratio of its kind (rounded
down), from the published rows of ``catalogs/data/gpus.yaml``: hbm A30 23.53/24 (A100 40GB 39.50/40, H100 79.19/80,
A100 80GB 79.25/80); gddr-ecc T4 14.56/16 (A10 21.99/24, L40S 44.53/48, L40 44.40/48); gddr RTX 4090 23.64/24."""

UNKNOWN_MEMORY_TYPE = "gddr-ecc"
"""A GPU without a row (only an instance's listed GB is known) gets the lowest fraction: a fit is never
overstated."""

USABLE_GIB_PER_GB_CEILING = 1.0
"""No GPU's CUDA total exceeds its nominal GB read as GiB (DRAM is sold in GiB; the driver keeps part of it):
the bound a search may use to drop instances that cannot hold the weights (tests check every row)."""


def usable_memory_rule(memory_gb: float, memory_type: str) -> float:
    """One GPU's CUDA-reported total memory in GiB by the rule of its memory type (see `USABLE_FRACTION`)."""
    return round(memory_gb * USABLE_FRACTION[memory_type], 2)


@dataclass(frozen=True, slots=True)
class GpuSpec:
    name: str  # canonical name, as `catalogs.gpus.normalize_gpu` returns it ("H100", "A100-80GB")
    vendor: str  # nvidia | amd | intel | google | aws
    memory_gb: float  # one GPU, GB (1e9 bytes)
    memory_type: str  # hbm | gddr-ecc | gddr (`USABLE_FRACTION`)
    memory_bandwidth_gbps: float  # HBM/GDDR bandwidth of one GPU, GB/s
    fp16_tflops: float | None  # dense fp16/bf16 tensor-core TFLOPS (the larger of the two); None if no tensor cores
    bf16_tflops: float | None  # dense bf16; None where the GPU has no bf16 (T4, V100)
    fp8_tflops: float | None  # dense fp8; None where unsupported
    int8_tops: float | None  # dense int8 tensor TOPS; None where unsupported
    fp4_tflops: float | None  # dense fp4 (Blackwell NVFP4/MXFP4, MI355X); None where unsupported
    interconnect: str  # nvlink | pcie | xgmi | ici | neuronlink | none: how GPUs of one node talk
    interconnect_gbps: float  # per GPU, bidirectional GB/s as vendors quote it (NVLink4 900, PCIe Gen4 x16 64)
    source: str  # where the figures come from (datasheet URL / document, date)
    usable_memory_gib: float  # CUDA-reported total of one GPU, GiB: what vLLM's gpu_memory_utilization multiplies
    usable_memory_source: str  # the published figure's source, or the rule that gave it
    kernels: KernelRef | None = field(default=None, compare=False)  # measured kernel tables standing for it
    expected_error: ExpectedError | None = field(default=None, compare=False)  # of the estimator on this GPU

    @property
    def peak_tflops_16bit(self) -> float | None:
        return self.bf16_tflops or self.fp16_tflops
