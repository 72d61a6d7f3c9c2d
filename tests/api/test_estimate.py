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


def test_every_current_precision_and_the_method_with_its_error(client: httpx.Client) -> None:
    """NVFP4 runs FP4 math on B200 and is dequantised on H100; W4A16 and MXFP4 are accepted; the answer says
    which data stand behind it and the bench's error for that method."""
    base = {"model_id": "meta-llama/Llama-3.1-8B-Instruct", "input_tokens": 4096, "output_tokens": 256}
    b200 = client.post(URL, json={**base, "gpu": "B200", "precision": "nvfp4"})
    h100 = client.post(URL, json={**base, "gpu": "H100", "precision": "fp4"})
    for r in (b200, h100):
        assert r.status_code == 200, r.text
    assert b200.json()["method"].startswith("kernel-measured on B200") and "dequantised" not in b200.json()["method"]
    assert "dequantised" in h100.json()["method"]
    assert b200.json()["memory"]["weights_gib"] < 0.45 * 16.06e9 / 2**30 * 1.3
    for precision in ("w4a16", "awq", "mxfp4", "fp8"):
        r = client.post(URL, json={**base, "gpu": "H100", "precision": precision})
        assert r.status_code == 200, (precision, r.text)
    l4 = client.post(URL, json={**base, "gpu": "L4"}).json()
    assert l4["method"].startswith("kernel-transferred: L4")
    assert l4["ttft_error_pct"] > 0 and l4["tpot_error_pct"] > 0


def test_impossible_architectures_are_a_422_naming_the_field(client: httpx.Client) -> None:
    """Issue 21: 64 of 8 experts per token crashed the estimator (a 500)."""
    arch = {"params_billion": 8, "num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32}
    cases = [
        ({"num_local_experts": 8, "num_experts_per_tok": 64}, "num_experts_per_tok"),
        ({"num_local_experts": 8, "num_experts_per_tok": 9}, "num_experts_per_tok"),
        ({"active_params_billion": 9}, "active_params_billion"),
        ({"num_key_value_heads": 5}, "num_key_value_heads"),
        ({"num_hidden_layers": True}, "num_hidden_layers"),
        ({"hidden_size": "4096"}, "hidden_size"),
        ({"num_hidden_layers": 0}, "num_hidden_layers"),
    ]
    for extra, field in cases:
        body = {"architecture": {**arch, **extra}, "gpu": "H100", "input_tokens": 512, "output_tokens": 256}
        r = client.post(URL, json=body)
        assert r.status_code == 422, (extra, r.text)
        assert field in r.text, (extra, r.text)
