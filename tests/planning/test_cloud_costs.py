"""Provider-true non-compute costs (catalogs/data/cloud_costs.yaml) and dated instance prices."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from tests.agents.test_architect import check_invariants, plan_for

from stack8s.agents.architect.prices import REFRESH_COMMAND, freshness
from stack8s.catalogs.cloud_costs import DATA_FILE, ITEMS, cloud_costs, load_cloud_costs, prices_for
from stack8s.planning.cost import estimate_cost, estimate_job_cost
from stack8s.planning.plan import GpuRecommendation
from stack8s.settings import Settings

SHIPPED_PROVIDERS = ("aws", "gcp", "azure", "oci", "lambda", "runpod", "paperspace", "nebius", "do")
HOST = re.compile(r"https://(?:www\.)?([^/]+)/")
PRICED = {"storage": "block_storage", "load balancer": "load_balancer", "egress": "egress"}
PRICED["kubernetes control plane"] = "kubernetes"


def _full(provider: str | None) -> list:
    return estimate_cost(
        instance_hourly_usd=2.5,
        storage_gb=150,
        load_balancer=True,
        egress_gb=100,
        prices=prices_for(provider),
        kubernetes_control_plane=True,
    ).breakdown


# --- the data file ----------------------------------------------------------------------------------


def test_file_loads_and_is_dated() -> None:
    costs = cloud_costs()
    assert costs.as_of == date(2026, 12, 2)
    assert set(SHIPPED_PROVIDERS) <= set(costs.providers)
    sources = (DATA_FILE.parent / "cloud_costs.SOURCES.md").read_text()
    assert "2026-12-02" in sources
    for name, prices in costs.providers.items():
        assert name in sources, name
        for item in ITEMS:
            price = getattr(prices, item)
            assert price.source.startswith("https://") and price.as_of, (name, item)


def test_known_list_prices() -> None:
    p = {name: prices_for(name) for name in ("aws", "gcp", "azure", "oci", "do")}
    assert p["aws"].block_storage.usd == 0.08 and "gp3" in p["aws"].block_storage.product
    assert p["gcp"].block_storage.usd == 0.10 and "pd-balanced" in p["gcp"].block_storage.product
    assert p["do"].block_storage.usd == 0.10
    assert p["aws"].kubernetes.usd == 0.10 and "EKS" in p["aws"].kubernetes.product
    assert p["gcp"].kubernetes.usd == 0.10 and "free tier" in p["gcp"].kubernetes.note
    assert p["azure"].kubernetes.usd == 0.10 and "Free tier" in p["azure"].kubernetes.note
    assert p["do"].kubernetes.usd == 0.0 and p["oci"].kubernetes.usd == 0.0
    assert "LCU" in p["aws"].load_balancer.note


def test_bad_files_are_rejected(tmp_path: Path) -> None:
    good = DATA_FILE.read_text()
    cases = {
        "negative": good.replace("usd: 0.08", "usd: -0.08", 1),
        "no url": good.replace("source: https://aws.amazon.com/ebs/pricing/", "source: aws", 1),
        "unknown key": good.replace("usd: 0.08\n", "usd: 0.08\n      x: 1\n", 1),
        "missing item": good.replace("  gcp:\n    block_storage:", "  gcp:\n    block_storag:", 1),
    }
    for name, text in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.yaml"
        path.write_text(text)
        with pytest.raises(ValueError, match=r"\.yaml"):
            load_cloud_costs(path)


# --- each provider's lines name that provider's source ---------------------------------------------


@pytest.mark.parametrize("provider", sorted(cloud_costs().providers))
def test_lines_name_their_own_provider(provider: str) -> None:
    prices = prices_for(provider)
    assert prices is not None
    hosts = {
        m
        for name, other in cloud_costs().providers.items()
        if name != provider
        for item in ITEMS
        for m in HOST.findall(getattr(other, item).source)
    }
    own = {HOST.findall(getattr(prices, item).source)[0] for item in ITEMS}
    for line in _full(provider)[1:]:
        price = getattr(prices, PRICED[line.item])
        assert price.source in line.assumption, (provider, line)
        assert not (hosts - own) & set(HOST.findall(line.assumption)), (provider, line)  # no other provider's page
        if price.usd is None:
            assert line.monthly_usd == 0 and f"no list price known for {provider}" in line.assumption
            assert "not counted" in line.assumption
        else:
            assert price.as_of in line.assumption and line.monthly_usd >= 0


def test_aws_lines() -> None:
    lines = {line.item: line for line in _full("aws")}
    assert lines["storage"].monthly_usd == 12.00  # 150 GB x $0.08
    assert lines["load balancer"].monthly_usd == 16.43  # $0.0225 x 730, half-up
    assert lines["egress"].monthly_usd == 9.00  # 100 GB x $0.09
    assert lines["kubernetes control plane"].monthly_usd == 73.00  # EKS $0.10 x 730
    assert "aws.amazon.com/eks" in lines["kubernetes control plane"].assumption
    assert "GCP" not in " ".join(line.assumption for line in lines.values())


def test_unknown_provider_borrows_nothing() -> None:
    runpod = {line.item: line for line in _full("runpod")}
    assert runpod["load balancer"].assumption.startswith("1 load balancer: no list price known for runpod")
    assert runpod["load balancer"].monthly_usd == 0
    nowhere = _full("nowhere-cloud")
    assert all(
        line.monthly_usd == 0 and "no list price known for nowhere-cloud" in line.assumption for line in nowhere[1:]
    )


@pytest.mark.parametrize("provider", [*SHIPPED_PROVIDERS, None])
def test_totals_add_up_per_provider(provider: str | None) -> None:
    est = estimate_cost(
        instance_hourly_usd=3.33,
        replicas=3,
        storage_gb=321,
        load_balancer=True,
        egress_gb=77,
        prices=prices_for(provider),
        kubernetes_control_plane=True,
        budget_monthly_usd=8000,
    )
    lines = sum((Decimal(repr(x.monthly_usd)) for x in est.breakdown), Decimal(0))
    assert Decimal(repr(est.total_monthly_usd)) == lines
    parts = [est.compute_monthly_usd, est.storage_monthly_usd, est.other_monthly_usd]
    assert sum(Decimal(repr(x)) for x in parts) == lines
    assert est.within_budget is (est.total_monthly_usd <= 8000)


def test_job_cost_has_control_plane_line() -> None:
    est = estimate_job_cost(
        hourly_usd=10.0,
        instances=2,
        wall_clock_hours=5,
        storage_gb=100,
        prices=prices_for("azure"),
        kubernetes_control_plane=True,
    )
    items = {line.item: line.monthly_usd for line in est.breakdown}
    assert items["storage"] == 8.12 and items["kubernetes control plane"] == 73.00
    assert est.other_monthly_usd == 73.00
    assert est.total_monthly_usd == items["compute"] + 8.12 + 73.00
    assert est.job_cost_usd == 100.00


# --- dated prices --------------------------------------------------------------------------------


def _rec(as_of: str | None, source: str = "aws-ec2-pricing") -> GpuRecommendation:
    return GpuRecommendation(
        rank=1, provider="aws", instance_type="g6.xlarge", region="us-east-1", gpu_model="L4", gpu_count=1,
        vram_per_gpu_gb=24, total_vram_gb=24, vcpu=4, ram_gb=16, price_hourly_usd=0.8048, price_monthly_usd=587.5,
        fits=True, rationale="", price_source=source, price_as_of=as_of,
    )  # fmt: skip


def test_old_price_triggers_warning() -> None:
    today = date(2026, 12, 2)
    old = freshness([_rec("2025-07-01"), _rec("2025-06-01", "skypilot:aws_vms.csv")], 90, today)
    assert old[0].startswith("Instance prices are on-demand list prices as of 2025-07-01")
    assert "aws-ec2-pricing" in old[0] and "skypilot:aws_vms.csv" in old[0]
    assert len(old) == 2 and "519 days old" in old[1] and REFRESH_COMMAND in old[1]
    assert "stack8s catalog import skypilot" in old[1]
    fresh = freshness([_rec((today - timedelta(days=30)).isoformat())], 90, today)
    assert len(fresh) == 1 and "Warning" not in fresh[0]
    assert len(freshness([_rec("2025-07-01")], 1000, today)) == 1  # the age is configurable
    assert freshness([], 90, today) == []
    assert "no date" in freshness([_rec(None)], 90, today)[0]


def test_price_age_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).price_max_age_days == 90  # type: ignore[call-arg]
    monkeypatch.setenv("STACK8S_PRICE_MAX_AGE_DAYS", "30")
    assert Settings(_env_file=None).price_max_age_days == 30  # type: ignore[call-arg]


# --- golden plans per provider (HTTP) --------------------------------------------------------------

GOLDEN = {
    "aws": ("aws.amazon.com", "EBS gp3", "Amazon EKS"),
    "gcp": ("cloud.google.com", "pd-balanced", "GKE"),
    "azure": ("azure.microsoft.com", "Premium SSD v2", "AKS"),
}


@pytest.mark.parametrize("provider", sorted(GOLDEN))
def test_golden_plan_per_provider(client: httpx.Client, provider: str) -> None:
    plan = plan_for(client, f"Serve Llama 3.1 8B on {provider}")["deployment_plan"]
    check_invariants(plan)
    top = plan["gpu_recommendations"][0]
    assert top["provider"] == provider
    for rec in plan["gpu_recommendations"]:
        assert rec["price_source"] and rec["price_as_of"] == "2025-07-01"  # the shipped file's date
    host, storage, k8s = GOLDEN[provider]
    lines = {line["item"]: line for line in plan["cost_estimate"]["breakdown"]}
    assert set(lines) == {"compute", "storage", "load balancer", "egress", "kubernetes control plane"}
    prices = prices_for(provider)
    assert prices is not None
    for item, field in PRICED.items():
        assert host in lines[item]["assumption"], (item, lines[item])
        assert getattr(prices, field).source in lines[item]["assumption"]
        others = [GOLDEN[name][0] for name in GOLDEN if name != provider]
        assert all(host_ not in lines[item]["assumption"] for host_ in others), (item, lines[item])
    assert storage in lines["storage"]["assumption"] and k8s in lines["kubernetes control plane"]["assumption"]
    assert lines["egress"]["monthly_usd"] == round(100 * (prices.egress.usd or 0), 2)
    assert lines["kubernetes control plane"]["monthly_usd"] == 73.00
    dated = [a for a in plan["assumptions"] if a.startswith("Instance prices are on-demand list prices as of")]
    assert dated == [
        f"Instance prices are on-demand list prices as of 2025-07-01 (newest date; sources: "
        f"{', '.join(sorted({r['price_source'] for r in plan['gpu_recommendations']}))})."
    ]
    # the shipped catalog (2025-07-01) is older than the default 90 days: the plan says how to refresh
    assert any(a.startswith("Warning: the newest instance price") and REFRESH_COMMAND in a for a in plan["assumptions"])


def test_job_plan_is_dated(client: httpx.Client) -> None:
    plan = plan_for(client, "Fine-tune Llama 3 8B with LoRA on 2 GB of data on aws")["deployment_plan"]
    recs = plan["gpu_recommendations"]
    assert recs and all(r["price_as_of"] and r["price_source"] for r in recs)
    items = [line["item"] for line in plan["cost_estimate"]["breakdown"]]
    assert "kubernetes control plane" in items
    assert any("as of" in a for a in plan["assumptions"])


def test_datasets_are_priced_as_object_storage_at_the_providers_price() -> None:
    from stack8s.catalogs import cloud_costs
    from stack8s.planning.cost import estimate_cost

    for provider in ("aws", "gcp", "azure"):
        prices = cloud_costs.prices_for(provider)
        cost = estimate_cost(instance_hourly_usd=1.0, storage_gb=100, dataset_gb=500, prices=prices)
        line = next(c for c in cost.breakdown if c.item == "object storage")
        assert prices.object_storage.usd is not None
        assert line.monthly_usd == round(500 * prices.object_storage.usd, 2)
        assert "500 GB of datasets" in line.assumption and str(prices.object_storage.source) in line.assumption
        assert cost.storage_monthly_usd == round(sum(c.monthly_usd for c in cost.breakdown if "storage" in c.item), 2)
