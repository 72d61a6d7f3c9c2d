"""Bytes per value by precision: stored weights (with the int4 quantisation allowance) and KV-cache values.
Pure: no I/O."""

from __future__ import annotations

from stack8s.planning.spec import Precision

BYTES_PER_PARAM: dict[Precision, float] = {
    Precision.fp32: 4.0,
    Precision.fp16: 2.0,
    Precision.bf16: 2.0,
    Precision.fp8: 1.0,
    Precision.int8: 1.0,
    Precision.int4: 0.5,
    Precision.nvfp4: 4.5 / 8,
    Precision.mxfp4: 4.25 / 8,
}
"""Nominal storage size of one value. Used as is for KV-cache values and activations. The FP4 formats carry
their block scales: NVFP4 one FP8 E4M3 scale per 16 values (4.5 bits; NVIDIA, 'Introducing NVFP4', 2025),
MXFP4 one E8M0 scale per 32 (4.25 bits; OCP Microscaling Formats v1.0, 2023)."""

INT4_GROUP_SIZE = 128
INT4_GROUP_OVERHEAD_BYTES = 2.5
"""AWQ/GPTQ store per group of 128 weights one fp16 scale (2 B) and one packed 4-bit zero point (0.5 B):
2.5 / 128 = 0.0195 B per weight on top of 0.5 B (AutoAWQ / GPTQ packing formats). One fact, read by the
vLLM memory model (`vllm_memory.LINEAR_BYTES_PER_PARAM`) and by the training and non-LLM sizings here;
embeddings and lm_head stay 16-bit where the architecture is known (`vllm_memory.weight_bytes`)."""

INT4_QUANT_ALLOWANCE_BYTES = INT4_GROUP_OVERHEAD_BYTES / INT4_GROUP_SIZE


def weight_bytes_per_param(precision: Precision | str) -> float:
    """Bytes per stored weight, including the int4 quantisation allowance (INT4_QUANT_ALLOWANCE_BYTES)."""
    p = Precision(precision)
    return BYTES_PER_PARAM[p] + (INT4_QUANT_ALLOWANCE_BYTES if p is Precision.int4 else 0.0)
