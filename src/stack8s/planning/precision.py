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
}
"""Nominal storage size of one value. Used as is for KV-cache values and activations."""

INT4_QUANT_ALLOWANCE_BYTES = 0.0625
"""Decision: int4 *weights* are counted at 0.5 + 0.0625 = 0.5625 B/param (4.5 effective bits), inside
weights_gb. AWQ/GPTQ store a 16-bit scale and a packed zero point per group of 128 weights (~0.16 bit
per weight) and leave embeddings and lm_head in 16-bit (Llama-3.1-70B: 2.1B of 70.6B params), which puts
a 70B AWQ checkpoint near 40 GB; llama.cpp's Q4_K_S / Q4_1 are 4.5 bits/weight for the same reasons.
QLoRA's NF4 with double quantisation is 4.127 bits plus 16-bit embeddings (Dettmers et al. 2023, §3)."""


def weight_bytes_per_param(precision: Precision | str) -> float:
    """Bytes per stored weight, including the int4 quantisation allowance (INT4_QUANT_ALLOWANCE_BYTES)."""
    p = Precision(precision)
    return BYTES_PER_PARAM[p] + (INT4_QUANT_ALLOWANCE_BYTES if p is Precision.int4 else 0.0)


def kv_precision_for(weights_precision: Precision | str) -> Precision:
    """KV-cache dtype: fp8 next to fp8 weights (vLLM ``--kv-cache-dtype fp8``, part of FP8 serving
    recipes); fp32 next to fp32 weights (vLLM's ``auto`` = model dtype); otherwise fp16 (2 bytes):
    weight-only int8/int4 schemes (AWQ, GPTQ) still compute attention and store K/V in 16-bit."""
    p = Precision(weights_precision)
    return p if p in (Precision.fp8, Precision.fp32) else Precision.fp16
