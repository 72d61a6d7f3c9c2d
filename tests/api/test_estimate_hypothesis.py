"""Any integers in an inline architecture: 200 with finite numbers, or a 422; never a 500 (issue 21)."""

from __future__ import annotations

import math
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

URL = "/api/v1/tools/performance/estimate"
ints = st.integers(min_value=-5, max_value=2**40) | st.sampled_from([0, 1, 2, 8, 64, 128, 4096])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    layers=ints,
    hidden=ints,
    heads=ints,
    kv=st.none() | ints,
    experts=st.none() | ints,
    per_tok=st.none() | ints,
    params=st.floats(min_value=-1, max_value=20_000, allow_nan=False),
    tokens=st.integers(min_value=-1, max_value=10**8),
)
def test_inline_architectures_never_500(
    client: httpx.Client,
    layers: int,
    hidden: int,
    heads: int,
    kv: int | None,
    experts: int | None,
    per_tok: int | None,
    params: float,
    tokens: int,
) -> None:
    arch: dict[str, Any] = {
        "params_billion": params,
        "num_hidden_layers": layers,
        "hidden_size": hidden,
        "num_attention_heads": heads,
    }
    for key, value in (("num_key_value_heads", kv), ("num_local_experts", experts), ("num_experts_per_tok", per_tok)):
        if value is not None:
            arch[key] = value
    body = {"architecture": arch, "gpu": "H100", "input_tokens": tokens, "output_tokens": 128, "concurrency": 8}
    r = client.post(URL, json=body)
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        out = r.json()
        for key in ("ttft_ms", "itl_ms", "e2e_ms", "output_tokens_per_s", "requests_per_s"):
            assert math.isfinite(out[key]) and out[key] >= 0, (key, out)
