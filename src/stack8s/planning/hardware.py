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


@dataclass(frozen=True, slots=True)
class GpuSpec:
    name: str  # canonical name, as `catalogs.gpus.normalize_gpu` returns it ("H100", "A100-80GB")
    vendor: str  # nvidia | amd | intel | google | aws
    memory_gb: float  # one GPU, GB (1e9 bytes)
    memory_bandwidth_gbps: float  # HBM/GDDR bandwidth of one GPU, GB/s
    fp16_tflops: float | None  # dense fp16/bf16 tensor-core TFLOPS (the larger of the two); None if no tensor cores
    bf16_tflops: float | None  # dense bf16; None where the GPU has no bf16 (T4, V100)
    fp8_tflops: float | None  # dense fp8; None where unsupported
    int8_tops: float | None  # dense int8 tensor TOPS; None where unsupported
    fp4_tflops: float | None  # dense fp4 (Blackwell NVFP4/MXFP4, MI355X); None where unsupported
    interconnect: str  # nvlink | pcie | xgmi | ici | neuronlink | none: how GPUs of one node talk
    interconnect_gbps: float  # per GPU, bidirectional GB/s as vendors quote it (NVLink4 900, PCIe Gen4 x16 64)
    source: str  # where the figures come from (datasheet URL / document, date)
    kernels: KernelRef | None = field(default=None, compare=False)  # measured kernel tables standing for it
    expected_error: ExpectedError | None = field(default=None, compare=False)  # of the estimator on this GPU

    @property
    def peak_tflops_16bit(self) -> float | None:
        return self.bf16_tflops or self.fp16_tflops
