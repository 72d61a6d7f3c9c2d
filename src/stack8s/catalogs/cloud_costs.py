"""Non-compute list prices per provider: block and object storage, load balancer, egress, managed
Kubernetes control plane.

Every price lives in ``catalogs/data/cloud_costs.yaml`` (sources: ``cloud_costs.SOURCES.md``). The file
is loaded and validated once (`cloud_costs()`); `prices_for(provider)` gives the provider's prices as
the cost estimator takes them. A provider the file does not list gets no prices at all, so its plan
lines say the price is unknown instead of borrowing another provider's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from stack8s.catalogs.datafile import as_of, read_mapping
from stack8s.planning.cost import ListPrice, ProviderPrices

DATA_FILE = Path(__file__).parent / "data" / "cloud_costs.yaml"

ITEMS = ("block_storage", "object_storage", "load_balancer", "egress", "kubernetes")
_TOP_KEYS = frozenset({"as_of", "providers"})
_PRICE_KEYS = frozenset({"usd", "product", "source", "as_of", "note"})


@dataclass(frozen=True, slots=True)
class CloudCosts:
    """The validated contents of ``cloud_costs.yaml``."""

    as_of: date
    providers: Mapping[str, ProviderPrices]  # provider (SkyPilot cloud name) -> prices, in file order




def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{where}: {key} must be text, not {value!r}")
    return value.strip()


def _price(entry: Any, file_as_of: date, where: str) -> ListPrice:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping with keys {sorted(_PRICE_KEYS)}")
    unknown = set(entry) - _PRICE_KEYS
    if unknown or "usd" not in entry:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}" if unknown else f"{where}: missing usd")
    usd = entry["usd"]
    if usd is not None and (isinstance(usd, bool) or not isinstance(usd, int | float) or not usd >= 0):
        raise ValueError(f"{where}: usd must be a number >= 0 or null, not {usd!r}")
    source = _text(entry, "source", where)
    if not source.startswith("https://"):
        raise ValueError(f"{where}: source must be an https:// URL, not {source!r}")
    product = _text(entry, "product", where)
    if usd is not None and not product:
        raise ValueError(f"{where}: a known price needs a product")
    dated = as_of(entry["as_of"], where) if entry.get("as_of") is not None else file_as_of
    return ListPrice(
        usd=None if usd is None else float(usd),
        product=product,
        source=source,
        as_of=dated.isoformat(),
        note=_text(entry, "note", where),
    )


def load_cloud_costs(path: Path | None = None) -> CloudCosts:
    """Read and validate a prices file (default: the shipped one). Raises ValueError naming the file,
    provider and item for a missing or unknown key, a negative or non-numeric price, a source that is
    not an https URL, or a known price without a product."""
    path = Path(path) if path is not None else DATA_FILE
    data = read_mapping(path, _TOP_KEYS)
    file_as_of = as_of(data["as_of"], path.name)
    providers = data["providers"]
    if not isinstance(providers, dict) or not providers:
        raise ValueError(f"{path.name}: providers must be a non-empty mapping")
    out: dict[str, ProviderPrices] = {}
    for name, items in providers.items():
        where = f"{path.name}: {name}"
        if not isinstance(items, dict) or set(items) != set(ITEMS):
            raise ValueError(f"{where}: expected exactly the items {list(ITEMS)}")
        prices = {item: _price(items[item], file_as_of, f"{where}.{item}") for item in ITEMS}
        out[str(name)] = ProviderPrices(provider=str(name), **prices)
    return CloudCosts(as_of=file_as_of, providers=out)


@lru_cache(maxsize=1)
def cloud_costs() -> CloudCosts:
    """The shipped prices, loaded once."""
    return load_cloud_costs()


def prices_for(provider: str | None) -> ProviderPrices | None:
    """The provider's prices; a provider the file does not list gets all prices unknown; None -> None."""
    if provider is None:
        return None
    return cloud_costs().providers.get(provider.lower()) or ProviderPrices(provider=provider)
