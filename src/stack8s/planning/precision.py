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
    Precision.nvfp4: 0.5,
    Precision.mxfp4: 0.5,
}
"""Nominal storage size of one value (4 bits for the FP4 formats; their block scales are in
SCALE_BYTES_PER_PARAM). Used as is for KV-cache values and activations."""

INT4_GROUP_SIZE = 128
INT4_GROUP_OVERHEAD_BYTES = 2.5
"""AWQ/GPTQ store per group of 128 weights one fp16 scale (2 B) and one packed 4-bit zero point (0.5 B):
2.5 / 128 = 0.0195 B per weight on top of 0.5 B (AutoAWQ / GPTQ packing formats). One fact, read by the
vLLM memory model (`vllm_memory.LINEAR_BYTES_PER_PARAM`) and by the training and non-LLM sizings here;
embeddings and lm_head stay 16-bit where the architecture is known (`vllm_memory.weight_bytes`)."""

INT4_QUANT_ALLOWANCE_BYTES = INT4_GROUP_OVERHEAD_BYTES / INT4_GROUP_SIZE


SCALE_BYTES_PER_PARAM: dict[Precision, float] = {
    Precision.int4: INT4_QUANT_ALLOWANCE_BYTES,
    Precision.nvfp4: 1 / 16,  # one FP8 scale per 16 values
    Precision.mxfp4: 1 / 32,  # one E8M0 scale per 32 values
}
"""Block scales stored beside the 4-bit values (NVFP4: NVIDIA 2025; MXFP4: OCP MX Formats v1.0, 2023)."""


def weight_bytes_per_param(precision: Precision | str) -> float:
    """Bytes per stored weight, including the 4-bit formats' scales (SCALE_BYTES_PER_PARAM)."""
    p = Precision(precision)
    return BYTES_PER_PARAM[p] + SCALE_BYTES_PER_PARAM.get(p, 0.0)
