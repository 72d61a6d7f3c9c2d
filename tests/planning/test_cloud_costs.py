"""Provider-true non-compute costs (catalogs/data/cloud_costs.yaml) and dated instance prices."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import httpx
import pytest
import yaml
from tests.agents.test_architect import check_invariants, plan_for

from stack8s.agents.architect.prices import REFRESH_COMMAND, freshness
from stack8s.catalogs import regions
from stack8s.catalogs.cloud_costs import DATA_FILE, ITEMS, cloud_costs, load_cloud_costs, prices_for
from stack8s.planning.cost import estimate_cost, estimate_job_cost
from stack8s.planning.plan import CostLine, GpuRecommendation
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
    prices = prices_for(provider, top["region"])  # the plan's region: its own figure or the default
    assert prices is not None
    for item, field in PRICED.items():
        assert host in lines[item]["assumption"], (item, lines[item])
        if getattr(prices, field).region:  # a regional list price names the region it is for
            assert f"{getattr(prices, field).region} list price" in lines[item]["assumption"], (item, lines[item])
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


# --- region list prices ----------------------------------------------------------------------------

RAW = yaml.safe_load(DATA_FILE.read_text())["providers"]  # the figures as written in the file


def _usd(provider: str, item: str, region: str | None = None) -> float:
    """An item's figure straight from the file: the region block's, or the provider default's."""
    entry = RAW[provider]["regions"][region][item] if region else RAW[provider][item]
    return float(entry["usd"] if isinstance(entry, dict) else entry)


def _money(quantity: float, usd: float) -> float:
    """quantity x price, half-up to cents (the estimator's rounding)."""
    return float((Decimal(repr(float(quantity))) * Decimal(repr(usd))).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _verified(provider: str, region: str) -> bool:
    return bool(RAW[provider]["regions"][region]["verified"])


def test_every_override_is_a_region_of_its_provider() -> None:
    costs = cloud_costs()
    assert {"aws", "gcp"} <= set(costs.regional)
    for provider, by_region in costs.regional.items():
        known = {r.id for r in regions.regions_of(provider)}
        for region, items in by_region.items():
            assert region in known, (provider, region)
            for item, price in items.items():
                default = getattr(costs.providers[provider], item)
                assert default.region in known and price.region == region != default.region, (provider, region)
                assert price.usd == _usd(provider, item, region) and price.product == default.product
                assert price.source.startswith("https://") and price.as_of, (provider, region, item)
                assert price.verified is _verified(provider, region)


def test_sources_note_says_overrides_are_unverified() -> None:
    sources = (DATA_FILE.parent / "cloud_costs.SOURCES.md").read_text()
    unverified = {(p, r) for p, by in cloud_costs().regional.items() for r, i in by.items() if not _verified(p, r)}
    assert not unverified or "verified: false" in sources
    for provider, region in unverified:
        assert region in sources, (provider, region)


def _line(provider: str, region: str | None, item: str) -> CostLine:
    est = estimate_cost(
        instance_hourly_usd=1.0,
        storage_gb=200,
        dataset_gb=1000,
        load_balancer=True,
        egress_gb=100,
        prices=prices_for(provider, region),
        kubernetes_control_plane=True,
    )
    return next(line for line in est.breakdown if line.item == item)


def test_frankfurt_and_virginia_storage_differ_as_the_file_says() -> None:
    frankfurt, virginia = _line("aws", "eu-central-1", "storage"), _line("aws", "us-east-1", "storage")
    assert _usd("aws", "block_storage", "eu-central-1") != _usd("aws", "block_storage")
    assert frankfurt.monthly_usd == round(200 * _usd("aws", "block_storage", "eu-central-1"), 2)
    assert virginia.monthly_usd == round(200 * _usd("aws", "block_storage"), 2)
    assert "AWS EBS gp3, eu-central-1 list price;" in frankfurt.assumption
    assert "AWS EBS gp3, us-east-1 list price;" in virginia.assumption and "default" not in virginia.assumption
    unchecked = "eu-central-1 figure written from memory, not yet checked against the source"
    assert (unchecked in frankfurt.assumption) is not _verified("aws", "eu-central-1")
    bucket = _line("aws", "eu-central-1", "object storage")
    assert bucket.monthly_usd == round(1000 * _usd("aws", "object_storage", "eu-central-1"), 2)


def test_region_without_override_uses_the_default_and_says_so() -> None:
    assert "ca-central-1" not in cloud_costs().regional["aws"]
    assert regions.region("aws", "ca-central-1") is not None
    line = _line("aws", "ca-central-1", "storage")
    assert line.monthly_usd == round(200 * _usd("aws", "block_storage"), 2)
    assert "AWS EBS gp3, us-east-1 list price (default; ca-central-1 not priced separately)" in line.assumption
    # a region block may leave an item out: that item alone falls back
    partial = {i for i in ITEMS if i != "kubernetes"} - set(cloud_costs().regional["aws"]["sa-east-1"])
    assert partial == {"load_balancer"}
    lb = _line("aws", "sa-east-1", "load balancer")
    assert lb.monthly_usd == _money(730, _usd("aws", "load_balancer"))
    assert "us-east-1 list price (default; sa-east-1 not priced separately)" in lb.assumption
    assert "sa-east-1 list price;" in _line("aws", "sa-east-1", "egress").assumption
    # a price that is the same everywhere (the EKS fee) names no region
    k8s = _line("aws", "eu-central-1", "kubernetes control plane")
    assert "list price" not in k8s.assumption and k8s.monthly_usd == _line("aws", None, k8s.item).monthly_usd
    # another provider's region id is not one of AWS's: the default again, said so
    assert "(default; europe-west3 not priced separately)" in _line("aws", "europe-west3", "storage").assumption


@pytest.mark.parametrize(
    ("provider", "region"), [(p, r) for p, by in sorted(cloud_costs().regional.items()) for r in by]
)
def test_totals_add_up_per_region(provider: str, region: str) -> None:
    est = estimate_cost(
        instance_hourly_usd=3.33,
        replicas=2,
        storage_gb=321,
        dataset_gb=55,
        load_balancer=True,
        egress_gb=77,
        prices=prices_for(provider, region),
        kubernetes_control_plane=True,
    )
    lines = sum((Decimal(repr(x.monthly_usd)) for x in est.breakdown), Decimal(0))
    assert Decimal(repr(est.total_monthly_usd)) == lines
    assert (
        sum(Decimal(repr(x)) for x in (est.compute_monthly_usd, est.storage_monthly_usd, est.other_monthly_usd))
        == lines
    )
    assert all(region in x.assumption for x in est.breakdown if x.item in ("storage", "object storage", "egress"))


FRANKFURT = "      eu-central-1:\n        as_of"
SAO_PAULO = "        verified: false\n        block_storage: 0.152"
REGION_FILE_CASES = {  # name -> (text in the shipped file, its replacement, what the error says)
    "another provider's region": (FRANKFURT, FRANKFURT.replace("eu-central-1", "europe-west3"), "no region"),
    "made-up region": (FRANKFURT, FRANKFURT.replace("eu-central-1", "eu-central-9"), "no region"),
    "the default's own region": (FRANKFURT, FRANKFURT.replace("eu-central-1", "us-east-1"), "own region"),
    "an item priced the same everywhere": ("        egress: 0.15\n", "        kubernetes: 0.2\n", "names no region"),
    "no verified flag": (SAO_PAULO, SAO_PAULO.replace("verified: false\n        ", ""), "verified"),
    "verified not a flag": (SAO_PAULO, SAO_PAULO.replace("false", "maybe"), "true or false"),
    "unknown key": ("        egress: 0.15\n", "        egres: 0.15\n", "unknown key"),
    "null price": ("        egress: 0.15\n", "        egress: null\n", "usd must be"),
    "default region unknown": ("      region: us-east-1\n", "      region: us-east-7\n", "no region"),
}


@pytest.mark.parametrize("case", sorted(REGION_FILE_CASES))
def test_bad_region_overrides_are_rejected(tmp_path: Path, case: str) -> None:
    old, new, message = REGION_FILE_CASES[case]
    good = DATA_FILE.read_text()
    assert good.count(old) >= 1, case
    path = tmp_path / "cloud_costs.yaml"
    path.write_text(good.replace(old, new, 1))
    with pytest.raises(ValueError, match=message):
        load_cloud_costs(path)


@pytest.mark.parametrize("region", ["eu-central-1", "us-east-1", "us-east-2"])
def test_aws_plan_is_priced_in_its_region(client: httpx.Client, region: str) -> None:
    """A real plan through the planner: the top recommendation's region picks the storage, load balancer
    and egress figures (its own where the file has them, else the default, said so)."""
    plan = plan_for(client, f"Serve Llama 3.1 8B on AWS in {region}")["deployment_plan"]
    check_invariants(plan)
    top = plan["gpu_recommendations"][0]
    assert (top["provider"], top["region"]) == ("aws", region)
    own = cloud_costs().regional["aws"].get(region, {})
    lines = {line["item"]: line for line in plan["cost_estimate"]["breakdown"]}
    storage_gb = float(lines["storage"]["assumption"].split(" GB ")[0])
    expected = {"storage": storage_gb, "load balancer": 730, "egress": 100}
    for item, quantity in expected.items():
        field = PRICED[item]
        usd = _usd("aws", field, region if field in own else None)
        assert lines[item]["monthly_usd"] == _money(quantity, usd), (item, lines[item])
        said = f"{region} list price" if field in own or region == "us-east-1" else f"default; {region} not priced"
        assert said in lines[item]["assumption"], (item, lines[item])


OTHER_PRICED = {"oci": "Oracle", "do": "DigitalOcean", "lambda": "Lambda", "runpod": "RunPod"}


@pytest.mark.parametrize("provider", sorted(OTHER_PRICED))
def test_golden_plan_per_other_priced_provider(client: httpx.Client, provider: str) -> None:
    """The rest of the providers with prices in the file: a real plan whose cost lines name that provider's
    own pricing pages, and a price the file lacks is said, not borrowed."""
    assert any(getattr(cloud_costs().providers[provider], item).usd is not None for item in ITEMS)
    plan = plan_for(client, f"Serve Llama 3.1 8B on {OTHER_PRICED[provider]}")["deployment_plan"]
    top = plan["gpu_recommendations"][0]
    assert top["provider"] == provider
    cost = plan["cost_estimate"]
    assert Decimal(repr(cost["total_monthly_usd"])) == sum(Decimal(repr(x["monthly_usd"])) for x in cost["breakdown"])
    prices = prices_for(provider, top["region"])
    assert prices is not None
    own = {HOST.findall(getattr(prices, item).source)[0] for item in ITEMS}
    others = {
        host
        for name, other in cloud_costs().providers.items()
        if name != provider
        for item in ITEMS
        for host in HOST.findall(getattr(other, item).source)
    } - own
    for line in plan["cost_estimate"]["breakdown"][1:]:
        price = getattr(prices, PRICED[line["item"]])
        assert price.source in line["assumption"], line
        assert not others & set(HOST.findall(line["assumption"])), line
        if price.usd is None:
            assert line["monthly_usd"] == 0 and f"no list price known for {provider}" in line["assumption"]
