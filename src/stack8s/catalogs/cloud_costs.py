"""Non-compute list prices per provider: block and object storage, load balancer, egress, managed
Kubernetes control plane, and per region where the list price differs.

Every price lives in ``catalogs/data/cloud_costs.yaml`` (sources: ``cloud_costs.SOURCES.md``). The file
is loaded and validated once (`cloud_costs()`); `prices_for(provider, region)` gives the prices a plan in
that region pays, as the cost estimator takes them: the region's own figure where the file has one, else
the provider's default (which names the region it was listed for, so the plan line can say so). A
provider the file does not list gets no prices at all, so its plan lines say the price is unknown instead
of borrowing another provider's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from stack8s.catalogs import regions
from stack8s.catalogs.datafile import as_of, check_keys, read_mapping
from stack8s.planning.cost import ListPrice, ProviderPrices

DATA_FILE = Path(__file__).parent / "data" / "cloud_costs.yaml"

ITEMS = ("block_storage", "object_storage", "load_balancer", "egress", "kubernetes")
_TOP_KEYS = frozenset({"as_of", "providers"})
_PRICE_KEYS = frozenset({"usd", "product", "region", "source", "as_of", "note"})
_REGION_KEYS = frozenset({"as_of", "verified"})
_OVERRIDE_KEYS = frozenset({"usd", "source", "note"})

RegionalPrices = Mapping[str, Mapping[str, ListPrice]]  # region id -> item -> that region's list price


@dataclass(frozen=True, slots=True)
class CloudCosts:
    """The validated contents of ``cloud_costs.yaml``."""

    as_of: date
    providers: Mapping[str, ProviderPrices]  # provider (SkyPilot cloud name) -> default prices, in file order
    regional: Mapping[str, RegionalPrices]  # provider -> its region overrides (only providers that have some)

    def prices(self, provider: str, region: str | None = None) -> ProviderPrices | None:
        """The provider's prices in `region`: the region's figure per item where the file has one, else
        the default; None for a provider the file does not list."""
        default = self.providers.get(provider)
        if default is None:
            return None
        overrides = self.regional.get(provider, {}).get(region or "", {})
        return _prices(provider, {item: overrides.get(item, getattr(default, item)) for item in ITEMS}, region or "")


def _prices(provider: str, items: Mapping[str, ListPrice], region: str = "") -> ProviderPrices:
    return ProviderPrices(
        provider=provider,
        block_storage=items["block_storage"],
        object_storage=items["object_storage"],
        load_balancer=items["load_balancer"],
        egress=items["egress"],
        kubernetes=items["kubernetes"],
        region=region,
    )


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{where}: {key} must be text, not {value!r}")
    return value.strip()


def _usd(entry: Mapping[str, Any], where: str, known: bool = False) -> float | None:
    usd = entry["usd"]
    if usd is None and not known:
        return None
    if isinstance(usd, bool) or not isinstance(usd, int | float) or not usd >= 0:
        raise ValueError(f"{where}: usd must be a number >= 0{'' if known else ' or null'}, not {usd!r}")
    return float(usd)


def _source(entry: Mapping[str, Any], where: str, default: str = "") -> str:
    source = _text(entry, "source", where) or default
    if not source.startswith("https://"):
        raise ValueError(f"{where}: source must be an https:// URL, not {source!r}")
    return source


def _region_of(provider: str, entry: Mapping[str, Any], where: str) -> str:
    """The region a price was listed for ('' = the same everywhere): one of the provider's in regions.yaml."""
    region = _text(entry, "region", where)
    if region and regions.region(provider, region) is None:
        raise ValueError(f"{where}: {provider} has no region {region!r} in regions.yaml")
    return region


def _price(provider: str, entry: Any, file_as_of: date, where: str) -> ListPrice:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping with keys {sorted(_PRICE_KEYS)}")
    check_keys(entry, frozenset({"usd"}), _PRICE_KEYS, where)
    usd = _usd(entry, where)
    product = _text(entry, "product", where)
    if usd is not None and not product:
        raise ValueError(f"{where}: a known price needs a product")
    dated = as_of(entry["as_of"], where) if entry.get("as_of") is not None else file_as_of
    return ListPrice(
        usd=usd,
        product=product,
        source=_source(entry, where),
        as_of=dated.isoformat(),
        note=_text(entry, "note", where),
        region=_region_of(provider, entry, where),
    )


def _override(default: ListPrice, entry: Any, region: str, dated: date, verified: bool, where: str) -> ListPrice:
    """One item's list price in `region`: a number, or {usd, source, note}; product, and source and note
    unless given, are the default's (the same pricing page lists every region)."""
    if not default.region:
        raise ValueError(f"{where}: the default price names no region (the same everywhere); give it one first")
    if region == default.region:
        raise ValueError(f"{where}: {region} is the default's own region; change the default instead")
    if not default.product:
        raise ValueError(f"{where}: the default price has no product to name")
    entry = entry if isinstance(entry, dict) else {"usd": entry}
    check_keys(entry, frozenset({"usd"}), _OVERRIDE_KEYS, where)
    return replace(
        default,
        usd=_usd(entry, where, known=True),
        source=_source(entry, where, default.source),
        as_of=dated.isoformat(),
        note=_text(entry, "note", where) or default.note,
        region=region,
        verified=verified,
    )


def _region_block(provider: str, default: ProviderPrices, region: str, block: Any, where: str) -> dict[str, ListPrice]:
    if regions.region(provider, region) is None:
        raise ValueError(f"{where}: {provider} has no region {region!r} in regions.yaml")
    if not isinstance(block, dict):
        raise ValueError(f"{where}: expected a mapping with as_of, verified and some of {list(ITEMS)}")
    check_keys(block, _REGION_KEYS, _REGION_KEYS | frozenset(ITEMS), where)
    verified = block["verified"]
    if not isinstance(verified, bool):
        raise ValueError(f"{where}: verified must be true or false, not {verified!r}")
    dated = as_of(block["as_of"], where)
    items = [item for item in ITEMS if item in block]
    if not items:
        raise ValueError(f"{where}: no price; list at least one of {list(ITEMS)}")
    return {
        item: _override(getattr(default, item), block[item], region, dated, verified, f"{where}.{item}")
        for item in items
    }


def _regional(provider: str, default: ProviderPrices, entries: Any, where: str) -> dict[str, dict[str, ListPrice]]:
    if not isinstance(entries, dict) or not entries:
        raise ValueError(f"{where}: regions must be a non-empty mapping of region id -> prices")
    return {
        str(region): _region_block(provider, default, str(region), block, f"{where}.{region}")
        for region, block in entries.items()
    }


def load_cloud_costs(path: Path | None = None) -> CloudCosts:
    """Read and validate a prices file (default: the shipped one). Raises ValueError naming the file,
    provider, region and item for a missing or unknown key, a negative or non-numeric price, a source that
    is not an https URL, a known price without a product, or a region that regions.yaml does not list for
    that provider."""
    path = Path(path) if path is not None else DATA_FILE
    data = read_mapping(path, _TOP_KEYS)
    file_as_of = as_of(data["as_of"], path.name)
    providers = data["providers"]
    if not isinstance(providers, dict) or not providers:
        raise ValueError(f"{path.name}: providers must be a non-empty mapping")
    out: dict[str, ProviderPrices] = {}
    regional: dict[str, dict[str, dict[str, ListPrice]]] = {}
    for name, items in providers.items():
        where, provider = f"{path.name}: {name}", str(name)
        if not isinstance(items, dict) or set(items) - {"regions"} != set(ITEMS):
            raise ValueError(f"{where}: expected exactly the items {list(ITEMS)}, and optionally regions")
        prices = {item: _price(provider, items[item], file_as_of, f"{where}.{item}") for item in ITEMS}
        out[provider] = _prices(provider, prices)
        if "regions" in items:
            regional[provider] = _regional(provider, out[provider], items["regions"], f"{where}.regions")
    return CloudCosts(as_of=file_as_of, providers=out, regional=regional)


@lru_cache(maxsize=1)
def cloud_costs() -> CloudCosts:
    """The shipped prices, loaded once."""
    return load_cloud_costs()


def prices_for(provider: str | None, region: str | None = None) -> ProviderPrices | None:
    """The provider's prices in `region` (None: its defaults); a provider the file does not list gets all
    prices unknown; no provider -> None."""
    if provider is None:
        return None
    return cloud_costs().prices(provider.lower(), region) or ProviderPrices(provider=provider, region=region or "")
