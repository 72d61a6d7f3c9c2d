"""Exchange rates to US dollars, for budgets stated in another currency.

Every rate lives in ``catalogs/data/fx.yaml`` (sources: ``fx.SOURCES.md``). The file is loaded and
validated once, on import. `to_usd` converts an amount and returns a note naming the rate and the
table's date, so the caller can say how it got the dollar figure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from stack8s.catalogs.datafile import as_of, check_keys, read_mapping, unique_rows

DATA_FILE = Path(__file__).parent / "data" / "fx.yaml"

_TOP_KEYS = frozenset({"as_of", "source", "rates"})
_ROW_KEYS = frozenset({"code", "name", "symbol", "usd_per_unit"})
_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class Rate:
    code: str  # ISO 4217
    name: str
    symbol: str | None  # "£"; None: notes write the code ("1,200 CHF")
    usd_per_unit: float


@dataclass(frozen=True, slots=True)
class FxTable:
    """The validated contents of ``fx.yaml``."""

    as_of: date
    source: str
    rates: Mapping[str, Rate]  # code -> rate, in file order


def load_fx(path: Path | None = None) -> FxTable:
    """Read and validate a rates file (default: the shipped ``fx.yaml``).

    Raises ValueError naming the file and the offending row for a missing or unknown key, a bad code,
    a duplicate code, a rate that is not a positive number, or a USD row other than 1.0.
    """
    path = Path(path) if path is not None else DATA_FILE
    data = read_mapping(path, _TOP_KEYS)
    source = data["source"]
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"{path.name}: source must be non-empty text, not {source!r}")
    rates = unique_rows(data["rates"], f"{path.name}: rates", _rate, lambda rate: rate.code, "code")
    usd = rates.get("USD")
    if usd is None or usd.usd_per_unit != 1.0:
        raise ValueError(f"{path.name}: needs a USD row with usd_per_unit 1.0")
    return FxTable(as_of=as_of(data["as_of"], path.name), source=source.strip(), rates=rates)


def _rate(entry: Any, where: str) -> Rate:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping, not {entry!r}")
    code = entry.get("code")
    label = f"{where} ({code})" if isinstance(code, str) else where
    check_keys(entry, _ROW_KEYS, _ROW_KEYS, label)
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError(f"{label}: code must be three upper-case letters, not {code!r}")
    name, symbol, value = entry["name"], entry["symbol"], entry["usd_per_unit"]
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{label}: name must be non-empty text, not {name!r}")
    if symbol is not None and (not isinstance(symbol, str) or not symbol.strip()):
        raise ValueError(f"{label}: symbol must be non-empty text or null, not {symbol!r}")
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{label}: usd_per_unit must be a number > 0, not {value!r}")
    return Rate(code=code, name=name.strip(), symbol=symbol, usd_per_unit=float(value))


_TABLE = load_fx(DATA_FILE)  # once, on import


def fx_table() -> FxTable:
    """The shipped rates."""
    return _TABLE


def rate(code: str) -> Rate:
    """The rate of a currency by ISO code (any case); ValueError when the table has no such currency."""
    found = _TABLE.rates.get(code.upper())
    if found is None:
        raise ValueError(f"no exchange rate for {code!r} in {DATA_FILE.name}")
    return found


def to_usd(amount: float, currency: str) -> tuple[float, str]:
    """`amount` of `currency` in US dollars (unrounded), and a note naming the rate and the table's date:
    ``(1581.6, "1.318 USD per GBP (ECB reference rates, 2026-11-27)")``. USD converts to itself with
    the note ``""``. ValueError for a currency the table does not have."""
    found = rate(currency)
    if found.code == "USD":
        return float(amount), ""
    note = f"{found.usd_per_unit:g} USD per {found.code} ({_TABLE.source}, {_TABLE.as_of.isoformat()})"
    return amount * found.usd_per_unit, note
