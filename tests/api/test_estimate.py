"""POST /api/v1/tools/performance/estimate through HTTP: real numbers, and 422s that say what to fix."""

from __future__ import annotations

import httpx

URL = "/api/v1/tools/performance/estimate"


def test_estimate_for_a_catalog_model(client: httpx.Client) -> None:
    body = {
        "model_id": "meta-llama/Llama-3.1-8B-Instruct",
        "gpu": "H100",
        "input_tokens": 1024,
        "output_tokens": 256,
        "concurrency": 32,
    }
    r = client.post(URL, json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    # ITL can never beat reading the 16 GB of weights from 3.35 TB/s HBM (4.8 ms)
    assert out["itl_ms"] >= 16.06e9 / 3.35e12 * 1000
    assert out["output_tokens_per_s"] <= 32 / out["itl_ms"] * 1000
    assert out["memory"]["weights_gib"] > 14.5 and out["memory"]["kv_cache_tokens"] > 100_000
    assert out["method"]


def test_estimate_for_an_inline_architecture_and_rate(client: httpx.Client) -> None:
    arch = {
        "params_billion": 7.62,
        "num_hidden_layers": 28,
        "hidden_size": 3584,
        "num_attention_heads": 28,
        "num_key_value_heads": 4,
        "vocab_size": 152064,
    }
    r = client.post(
        URL, json={"architecture": arch, "gpu": "l4", "input_tokens": 500, "output_tokens": 200, "request_rate": 2}
    )
    assert r.status_code == 200, r.text
    assert r.json()["gpu"] == "L4"


def test_bad_input_is_a_clear_422(client: httpx.Client) -> None:
    base = {"model_id": "meta-llama/Llama-3.1-8B-Instruct", "input_tokens": 100, "output_tokens": 10}
    unknown = client.post(URL, json={**base, "gpu": "Voodoo5"})
    assert unknown.status_code == 422 and "unknown GPU" in unknown.text
    bad_tp = client.post(URL, json={**base, "gpu": "H100", "tensor_parallel": 3, "gpu_count": 4})
    assert bad_tp.status_code == 422 and "tensor_parallel 3" in bad_tp.text
    zero = client.post(URL, json={**base, "gpu": "H100", "input_tokens": 0})
    assert zero.status_code == 422
    both = client.post(
        URL,
        json={
            **base,
            "gpu": "H100",
            "architecture": {"params_billion": 1, "num_hidden_layers": 2, "hidden_size": 8, "num_attention_heads": 2},
        },
    )
    assert both.status_code == 422 and "exactly one" in both.text
    too_big = client.post(URL, json={**base, "gpu": "T4", "model_id": "meta-llama/Llama-3.1-70B-Instruct"})
    assert too_big.status_code == 422 and "does not fit" in too_big.text
