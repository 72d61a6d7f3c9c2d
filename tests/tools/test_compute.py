"""Compute search: every result satisfies every filter, in exactly the ranking order, and is the true top-k."""

from __future__ import annotations

import httpx
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.rows import dict_row
from tests.conftest import LiveServer

PROVIDERS = ["aws", "gcp", "azure", "lambda", "oci", "runpod", "nebius", "do", "paperspace", "nope"]
GPUS = ["H100", "A100", "A100-80GB", "L4", "T4", "L40S", "MI300X", "H200", "B200", "a10", "%", "_"]


@pytest.fixture(scope="module")
def all_rows(db_dsn: str) -> list[dict]:
    with psycopg.connect(db_dsn, row_factory=dict_row) as conn:
        return conn.execute("SELECT * FROM cloud.instances").fetchall()


def matches(row: dict, q: dict) -> bool:
    price = row["spot_price_hourly_usd"] if q.get("spot") else row["price_hourly_usd"]
    checks = [
        q.get("gpu_needed") is None or (row["gpu_count"] > 0) == q["gpu_needed"],
        q.get("min_vram_gb") is None or row["total_vram_gb"] >= q["min_vram_gb"],
        q.get("gpu_model") is None
        or (row["gpu_model"] or "").lower() == q["gpu_model"].lower()
        or (row["gpu_model"] or "").lower().startswith(q["gpu_model"].lower() + "-"),
        not q.get("spot") or row["spot_price_hourly_usd"] is not None,
        q.get("max_price_hourly") is None or (price is not None and price <= q["max_price_hourly"]),
        q.get("max_price_monthly") is None or (price is not None and price * 730 <= q["max_price_monthly"]),
        q.get("provider") is None or row["provider"] == q["provider"],
        q.get("min_vcpu") is None or row["vcpu"] >= q["min_vcpu"],
        q.get("min_ram_gb") is None or row["ram_gb"] >= q["min_ram_gb"],
    ]
    return all(checks)


def rank_key(row: dict, spot: bool) -> tuple:
    price = row["spot_price_hourly_usd"] if spot else row["price_hourly_usd"]
    return (price, -row["total_vram_gb"], -row["gpu_count"], row["provider"], row["instance_type"], row["region"])


queries = st.fixed_dictionaries(
    {},
    optional={
        "gpu_needed": st.booleans(),
        "min_vram_gb": st.sampled_from([0, 16, 24, 40, 80, 141, 160, 320, 640, 1000]),
        "gpu_model": st.sampled_from(GPUS),
        "max_price_hourly": st.floats(0, 120, allow_nan=False),
        "max_price_monthly": st.floats(0, 80_000, allow_nan=False),
        "provider": st.sampled_from(PROVIDERS),
        "min_vcpu": st.sampled_from([1, 4, 16, 64]),
        "min_ram_gb": st.sampled_from([1, 16, 64, 512]),
        "spot": st.booleans(),
        "top_k": st.integers(1, 100),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=queries)
def test_results_are_exactly_the_filtered_ranked_top_k(live: LiveServer, all_rows: list[dict], q: dict) -> None:
    response = httpx.post(
        f"{live.url}/api/v1/tools/compute/search", json=q, headers={"Authorization": f"Bearer {_token()}"}
    )
    assert response.status_code == 200, response.text
    got = response.json()["results"]
    expected = sorted((r for r in all_rows if matches(r, q)), key=lambda r: rank_key(r, bool(q.get("spot"))))
    expected = expected[: q.get("top_k", 10)]
    assert [(r["provider"], r["instance_type"], r["region"]) for r in got] == [
        (r["provider"], r["instance_type"], r["region"]) for r in expected
    ]
    for r in got:
        assert r["price_monthly_usd"] == round(r["price_hourly_usd"] * 730, 2)


def _token() -> str:
    from tests.conftest import token_for

    return token_for("compute-tester")


def test_seed_example_returns_results(client: httpx.Client) -> None:
    body = {
        "gpu_needed": True,
        "min_vram_gb": 40,
        "max_price_monthly": 5000,
        "provider": "aws",
        "region": "us-east-1",
        "min_vcpu": 16,
        "min_ram_gb": 64,
        "top_k": 10,
    }
    response = client.post("/api/v1/tools/compute/search", json=body)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == len(data["results"]) > 0
    assert all(r["provider"] == "aws" and r["region"] == "us-east-1" for r in data["results"])
    assert {"source", "as_of", "spot_price_hourly_usd", "price_monthly_usd"} <= set(data["results"][0])


@pytest.mark.parametrize(
    "body",
    [
        {"min_vram_gb": -1},
        {"top_k": 101},
        {"top_k": 0},
        {"max_price_monthly": -5},
        {"min_vcpu": 1e9},
        {"unknown": 1},
        {"gpu_model": "x" * 41},
    ],
)
def test_bad_filters_are_422(client: httpx.Client, body: dict) -> None:
    response = client.post("/api/v1/tools/compute/search", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_same_request_same_bytes(client: httpx.Client) -> None:
    body = {"gpu_needed": True, "min_vram_gb": 80, "top_k": 50}
    first = client.post("/api/v1/tools/compute/search", json=body).content
    assert all(client.post("/api/v1/tools/compute/search", json=body).content == first for _ in range(3))


def test_injection_in_text_filters_is_inert(client: httpx.Client) -> None:
    for evil in ["aws' OR '1'='1", "aws; DROP TABLE cloud.instances; --", "%", "_"]:
        response = client.post("/api/v1/tools/compute/search", json={"provider": evil, "region": evil})
        assert response.status_code == 200 and response.json()["results"] == []
    assert client.post("/api/v1/tools/compute/search", json={"top_k": 5}).json()["count"] == 5


def test_a_gpu_name_takes_its_variants_never_a_longer_name(client: httpx.Client) -> None:
    """The name "L4" is the L4, not the L40S or L40; "A100" includes the A100-80GB."""
    l4 = client.post("/api/v1/tools/compute/search", json={"gpu_model": "L4", "top_k": 100}).json()["results"]
    assert l4 and {r["gpu_model"] for r in l4} == {"L4"}
    a100 = client.post("/api/v1/tools/compute/search", json={"gpu_model": "a100", "top_k": 100}).json()["results"]
    names = {r["gpu_model"] for r in a100}
    assert "A100-80GB" in names and all(n == "A100" or n.startswith("A100-") for n in names)


@pytest.mark.parametrize("params", [{"provider": "aws\x00"}, {"region": "eu\x00west"}])
def test_offers_with_bad_filters_are_422_naming_the_filter(client: httpx.Client, params: dict) -> None:
    response = client.get("/api/v1/offers", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"] and response.json()["detail"]


@pytest.mark.parametrize("gpu", ["!!!", "%", "\x00", " ", ""])
def test_a_gpu_filter_that_names_no_gpu_is_422_not_dropped(client: httpx.Client, gpu: str) -> None:
    """Issue 21: `gpu=!!!` (or %, NUL, a space) returned every offer with `gpu: null`."""
    response = client.get("/api/v1/offers", params={"gpu": gpu})
    assert response.status_code == 422, response.text
    assert "names no GPU" in response.json()["detail"] or "NUL" in response.json()["detail"]


def test_a_gpu_filter_that_names_an_unknown_gpu_lists_nothing(client: httpx.Client) -> None:
    body = client.get("/api/v1/offers", params={"gpu": "notagpu"}).json()
    assert body["count"] == 0 and body["offers"] == []
