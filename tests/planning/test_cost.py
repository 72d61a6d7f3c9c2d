"""Cost estimates: exact cents, totals that add up, budget boundaries, storage sizing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stack8s.catalogs.cloud_costs import prices_for
from stack8s.planning.cost import ListPrice, ProviderPrices, estimate_cost, monthly, storage_gb_for
from stack8s.planning.plan import HOURS_PER_MONTH


def dec(x: float) -> Decimal:
    return Decimal(repr(x))


def test_monthly() -> None:
    assert monthly(4.10) == 2993.00  # 4.10 x 730
    assert monthly(0.0225) == 16.43  # AWS ALB base: $0.0225/h x 730 = $16.425 -> half-up
    assert monthly(0.005, hours_per_month=1) == 0.01  # half-up, not banker's rounding
    with pytest.raises(ValueError):
        monthly(-1)


def test_two_replicas_compute() -> None:
    est = estimate_cost(instance_hourly_usd=4.10, replicas=2)
    assert est.compute_monthly_usd == 5986.00
    assert est.total_monthly_usd == 5986.00
    assert est.breakdown[0].assumption.startswith("2 x instance at $4.10/h x 730 h")
    assert est.within_budget is None
    assert est.hours_per_month == HOURS_PER_MONTH


def test_nodes_times_replicas() -> None:
    est = estimate_cost(instance_hourly_usd=98.32, instance_count=2, replicas=3)
    assert est.compute_monthly_usd == 430_641.60  # 6 x 98.32 x 730


def test_full_breakdown_adds_up() -> None:
    est = estimate_cost(
        instance_hourly_usd=4.10,
        replicas=2,
        storage_gb=200,
        load_balancer=True,
        egress_gb=100,
        prices=prices_for("gcp"),
        kubernetes_control_plane=True,
    )
    items = {line.item: line.monthly_usd for line in est.breakdown}
    assert items == {
        "compute": 5986.00,
        "storage": 20.00,  # 200 GB x pd-balanced $0.10
        "load balancer": 18.25,  # $0.025/h x 730
        "egress": 12.00,  # 100 GB x $0.12
        "kubernetes control plane": 73.00,  # GKE $0.10/h x 730
    }
    assert est.storage_monthly_usd == 20.00
    assert est.other_monthly_usd == 103.25
    assert est.total_monthly_usd == 6109.25
    assert all(line.assumption for line in est.breakdown)
    storage = est.breakdown[1].assumption
    assert "200 GB of weights, checkpoints and images on block storage at $0.10/GB-month" in storage


def test_no_prices_no_borrowing() -> None:
    """Without a provider's prices every non-compute line is $0 and says the price is unknown."""
    est = estimate_cost(instance_hourly_usd=1.0, storage_gb=100, load_balancer=True, egress_gb=10)
    assert [line.monthly_usd for line in est.breakdown[1:]] == [0.0, 0.0, 0.0]
    assert all("no list price known" in line.assumption for line in est.breakdown[1:])
    assert est.total_monthly_usd == est.compute_monthly_usd == 730.0


def test_zero_storage_and_egress_have_no_lines() -> None:
    est = estimate_cost(instance_hourly_usd=1.0)
    assert [line.item for line in est.breakdown] == ["compute"]
    assert est.storage_monthly_usd == 0 and est.other_monthly_usd == 0


def test_budget_boundaries() -> None:
    total = estimate_cost(instance_hourly_usd=4.10, replicas=2).total_monthly_usd
    assert estimate_cost(instance_hourly_usd=4.10, replicas=2, budget_monthly_usd=total).within_budget is True
    assert estimate_cost(instance_hourly_usd=4.10, replicas=2, budget_monthly_usd=5985.99).within_budget is False
    assert estimate_cost(instance_hourly_usd=0, budget_monthly_usd=0).within_budget is True


def test_spot() -> None:
    est = estimate_cost(instance_hourly_usd=4.10, spot=True, spot_hourly_usd=1.23)
    assert est.compute_monthly_usd == 897.90
    assert "spot" in est.breakdown[0].assumption
    fallback = estimate_cost(instance_hourly_usd=4.10, spot=True)
    assert fallback.compute_monthly_usd == 2993.00
    assert "on-demand" in fallback.breakdown[0].assumption
    assert estimate_cost(instance_hourly_usd=4.10, spot_hourly_usd=1.23).compute_monthly_usd == 2993.00


@pytest.mark.parametrize(
    "kwargs",
    [
        {"instance_hourly_usd": -1},
        {"instance_hourly_usd": 1, "replicas": 0},
        {"instance_hourly_usd": 1, "instance_count": 0},
        {"instance_hourly_usd": 1, "storage_gb": -5},
        {"instance_hourly_usd": float("inf")},
        {"instance_hourly_usd": float("nan")},
    ],
)
def test_invalid(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        estimate_cost(**kwargs)


# --- which region a price is for ----------------------------------------------------------------------

# Made-up prices for the wording alone; the real figures live in catalogs/data/cloud_costs.yaml.
DISK = ListPrice(0.5, product="Disk X", source="https://example.test/disk", as_of="2026-01-01", region="r-home")
FEE = ListPrice(0.25, product="Cluster fee", source="https://example.test/fee", as_of="2026-01-01")


def _storage(prices: ProviderPrices) -> str:
    est = estimate_cost(instance_hourly_usd=1.0, storage_gb=10, kubernetes_control_plane=True, prices=prices)
    assert est.breakdown[1].monthly_usd == 5.00 and est.total_monthly_usd == 730 + 5.00 + 182.50
    assert "Cluster fee;" in est.breakdown[2].assumption and "list price" not in est.breakdown[2].assumption
    return est.breakdown[1].assumption


def test_line_names_the_region_of_its_price() -> None:
    own = _storage(ProviderPrices("x", block_storage=DISK, kubernetes=FEE, region="r-home"))
    assert "; Disk X, r-home list price; source https://example.test/disk, as of 2026-01-01" in own
    fallback = _storage(ProviderPrices("x", block_storage=DISK, kubernetes=FEE, region="r-far"))
    assert "; Disk X, r-home list price (default; r-far not priced separately); source" in fallback
    unasked = _storage(ProviderPrices("x", block_storage=DISK, kubernetes=FEE))
    assert "; Disk X, r-home list price; source" in unasked and "default" not in unasked
    assert "from memory" not in own + fallback + unasked


def test_unverified_price_says_so() -> None:
    recalled = ListPrice(0.5, product="Disk X", source="https://example.test/disk", region="r-far", verified=False)
    line = _storage(ProviderPrices("x", block_storage=recalled, kubernetes=FEE, region="r-far"))
    assert "Disk X, r-far list price; r-far figure written from memory, not yet checked against the source" in line


# --- storage ---------------------------------------------------------------------------------------


def test_storage_inference() -> None:
    # 70.55B x 2 B = 141.1 GB of weights + 50 GB for OS and images -> 192 GB (whole GB, rounded up)
    assert storage_gb_for(params_billion=70.55, precision="fp16") == 192
    assert storage_gb_for(params_billion=0) == 50


def test_storage_training() -> None:
    # full fine-tune 13B: 26 GB base + 3 checkpoints x 13B x 14 B + 5 GB data + 50 GB = 627 GB
    full = storage_gb_for(params_billion=13, task="fine_tuning", fine_tuning_method="full", dataset_size_gb=5)
    assert full == 627
    lora = storage_gb_for(params_billion=13, task="fine_tuning", fine_tuning_method="lora", dataset_size_gb=5)
    assert 26 + 5 + 50 < lora < full
    assert storage_gb_for(params_billion=13, task="training") == storage_gb_for(
        params_billion=13, task="training", fine_tuning_method="full"
    )


# --- properties ------------------------------------------------------------------------------------

money = st.floats(min_value=0, max_value=500, allow_nan=False).map(lambda x: round(x, 4))


@given(
    money,
    st.integers(1, 16),
    st.integers(1, 64),
    st.floats(0, 100_000),
    st.booleans(),
    st.floats(0, 100_000),
    st.one_of(st.none(), st.floats(0, 1e7)),
    st.booleans(),
    st.one_of(st.none(), money),
    st.sampled_from([None, "aws", "gcp", "azure", "oci", "do", "lambda", "runpod", "nowhere"]),
    st.booleans(),
)
def test_totals_add_up(hourly, nodes, replicas, storage, lb, egress, budget, spot, spot_price, provider, k8s) -> None:
    est = estimate_cost(
        instance_hourly_usd=hourly,
        instance_count=nodes,
        replicas=replicas,
        storage_gb=storage,
        load_balancer=lb,
        egress_gb=egress,
        budget_monthly_usd=budget,
        spot=spot,
        spot_hourly_usd=spot_price,
        prices=prices_for(provider),
        kubernetes_control_plane=k8s,
    )
    lines = sum((dec(x.monthly_usd) for x in est.breakdown), Decimal(0))
    assert dec(est.total_monthly_usd) == lines
    parts = dec(est.compute_monthly_usd) + dec(est.storage_monthly_usd) + dec(est.other_monthly_usd)
    assert parts == lines
    assert all(
        x.monthly_usd >= 0 and dec(x.monthly_usd) == dec(x.monthly_usd).quantize(Decimal("0.01")) for x in est.breakdown
    )
    assert est.within_budget == (None if budget is None else est.total_monthly_usd <= budget)


@given(st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_monthly_is_hourly_times_730(hourly) -> None:
    assert abs(dec(monthly(hourly)) - dec(hourly) * 730) <= Decimal("0.005")


@given(
    st.floats(0, 1000),
    st.floats(0, 1000),
    st.sampled_from(["inference", "training", "fine_tuning"]),
    st.sampled_from([None, "full", "lora", "qlora"]),
    st.floats(0, 10_000),
)
def test_storage_monotone(p1, p2, task, method, data) -> None:
    lo, hi = sorted((p1, p2))
    a = storage_gb_for(params_billion=lo, task=task, fine_tuning_method=method, dataset_size_gb=data)
    b = storage_gb_for(params_billion=hi, task=task, fine_tuning_method=method, dataset_size_gb=data)
    assert 50 <= a <= b
