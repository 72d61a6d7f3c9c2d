"""Exchange rates to US dollars, for budgets stated in another currency.

Two tables, one format. The package ships ``catalogs/data/fx.yaml``, a hand-kept fallback (sources:
``fx.SOURCES.md``) that claims no published source. `stack8s catalog refresh --source fx` writes a table
read from the ECB's reference rates to ``fx.yaml`` in the data directory (``STACK8S_DATA_DIR``); when that
file is there and valid, it is the one used. Each row says where its figure came from, its date, and
whether it was read from that source (`verified`). `to_usd` converts an amount and returns a note naming
the rate, its source and its date, so the caller can say how it got the dollar figure.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from stack8s.catalogs.datafile import as_of, check_keys, read_mapping, unique_rows

log = logging.getLogger(__name__)

DATA_FILE = Path(__file__).parent / "data" / "fx.yaml"
REFRESHED_NAME = "fx.yaml"  # in the data directory

_TOP_KEYS = frozenset({"as_of", "source", "rates"})
_TOP_OPTIONAL = frozenset({"verified"})  # absent: false
_ROW_KEYS = frozenset({"code", "name", "symbol", "usd_per_unit"})
_ROW_OPTIONAL = frozenset({"source", "as_of", "verified"})  # absent: the table's
_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class Rate:
    code: str  # ISO 4217
    name: str
    symbol: str | None  # "£"; None: notes write the code ("1,200 CHF")
    usd_per_unit: float
    source: str  # where the figure came from
    as_of: date
    verified: bool  # True: read from `source`; False: a hand-kept figure

    def note(self) -> str:
        """'1.31861 USD per GBP (ECB euro foreign exchange reference rates, 2026-11-26)'; a hand-kept
        figure says so: '(hand-kept fallback table of 2026-11-27, not read from a published source)'."""
        head = f"{self.usd_per_unit:g} USD per {self.code}"
        if self.verified:
            return f"{head} ({self.source}, {self.as_of.isoformat()})"
        return f"{head} ({self.source} of {self.as_of.isoformat()}, not read from a published source)"


@dataclass(frozen=True, slots=True)
class FxTable:
    """The validated contents of a rates file."""

    as_of: date
    source: str
    verified: bool
    rates: Mapping[str, Rate]  # code -> rate, in file order


def load_fx(path: Path | None = None) -> FxTable:
    """Read and validate a rates file (default: the shipped ``fx.yaml``).

    Raises ValueError naming the file and the offending row for a missing or unknown key, a bad code,
    a duplicate code, a rate that is not a positive number, or a USD row other than 1.0.
    """
    path = Path(path) if path is not None else DATA_FILE
    data = read_mapping(path, _TOP_KEYS, _TOP_OPTIONAL)
    table = FxTable(
        as_of=as_of(data["as_of"], path.name),
        source=_text(data["source"], "source", path.name),
        verified=_flag(data.get("verified", False), path.name),
        rates={},
    )
    parse = functools.partial(_rate, table=table)
    rates = unique_rows(data["rates"], f"{path.name}: rates", parse, lambda rate: rate.code, "code")
    usd = rates.get("USD")
    if usd is None or usd.usd_per_unit != 1.0:
        raise ValueError(f"{path.name}: needs a USD row with usd_per_unit 1.0")
    return FxTable(as_of=table.as_of, source=table.source, verified=table.verified, rates=rates)


def _text(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key} must be non-empty text, not {value!r}")
    return value.strip()


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where}: verified must be true or false, not {value!r}")
    return value


def _rate(entry: Any, where: str, table: FxTable) -> Rate:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping, not {entry!r}")
    code = entry.get("code")
    label = f"{where} ({code})" if isinstance(code, str) else where
    check_keys(entry, _ROW_KEYS, _ROW_KEYS | _ROW_OPTIONAL, label)
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError(f"{label}: code must be three upper-case letters, not {code!r}")
    name, symbol, value = entry["name"], entry["symbol"], entry["usd_per_unit"]
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{label}: name must be non-empty text, not {name!r}")
    if symbol is not None and (not isinstance(symbol, str) or not symbol.strip()):
        raise ValueError(f"{label}: symbol must be non-empty text or null, not {symbol!r}")
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{label}: usd_per_unit must be a number > 0, not {value!r}")
    return Rate(
        code=code,
        name=name.strip(),
        symbol=symbol,
        usd_per_unit=float(value),
        source=_text(entry.get("source", table.source), "source", label),
        as_of=as_of(entry.get("as_of", table.as_of), label),
        verified=_flag(entry.get("verified", table.verified), label),
    )


SHIPPED = load_fx(DATA_FILE)  # once, on import: the fallback
_data_dir: Path | None = None  # set by `use_data_dir`; None: the settings' data directory
_loaded: dict[Path, tuple[int, FxTable]] = {}  # refreshed file -> (its mtime, its table)


def use_data_dir(path: Path | None) -> None:
    """Read the refreshed table from `path` from now on (None: the settings' `STACK8S_DATA_DIR`)."""
    global _data_dir
    _data_dir = path


@functools.cache
def _settings_data_dir() -> Path:
    from stack8s.settings import Settings

    return Settings().data_dir


def refreshed_file(data_dir: Path | None = None) -> Path:
    """Where `catalog refresh --source fx` stores its table, and where `fx_table` looks for it."""
    base = data_dir if data_dir is not None else _data_dir if _data_dir is not None else _settings_data_dir()
    return base / REFRESHED_NAME


def fx_table() -> FxTable:
    """The refreshed rates when the data directory has a valid table, else the shipped fallback.
    Re-read when the file changes, so a running service takes a refresh without a restart."""
    path = refreshed_file()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return SHIPPED
    cached = _loaded.get(path)
    if cached is None or cached[0] != mtime:
        try:
            table = load_fx(path)
        except (OSError, ValueError) as exc:
            log.warning("fx.refreshed_table_unusable path=%s error=%s; using the shipped fallback", path, exc)
            table = SHIPPED
        cached = _loaded[path] = (mtime, table)
    return cached[1]


def rate(code: str) -> Rate:
    """The rate of a currency by ISO code (any case); ValueError when the table has no such currency."""
    found = fx_table().rates.get(code.upper())
    if found is None:
        raise ValueError(f"no exchange rate for {code!r} in {DATA_FILE.name}")
    return found


def to_usd(amount: float, currency: str) -> tuple[float, str]:
    """`amount` of `currency` in US dollars (unrounded), and a note naming the rate, its source and date:
    ``(1582.3, "1.31861 USD per GBP (ECB euro foreign exchange reference rates, 2026-11-26)")``. USD
    converts to itself with the note ``""``. ValueError for a currency the table does not have."""
    found = rate(currency)
    if found.code == "USD":
        return float(amount), ""
    return amount * found.usd_per_unit, found.note()
