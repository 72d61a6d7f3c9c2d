"""Exchange rates from the ECB's euro foreign exchange reference rates (`--source fx`).

The ECB publishes, each working day at about 16:00 CET, the units of some 30 currencies that one euro
buys, in ``eurofxref-daily.xml``::

    <gesmes:Envelope ...><Cube><Cube time="2026-11-26"><Cube currency="USD" rate="1.0812"/>...

Our table stores US dollars per unit, so ``usd_per_unit = (USD per EUR) / (units per EUR)`` and EUR is
the USD rate itself. Rows of the shipped table that the ECB does not publish keep their hand-kept figure
and say so (``verified: false``). A time-out, an HTTP error, XML that does not parse, or a file without
its date or its USD rate raises `RefreshError`, and the stored table is left as it was.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import yaml

from stack8s.catalogs import fx
from stack8s.catalogs.refresh.source import RefreshError, RefreshOptions

FILE_NAME = "eurofxref-daily.xml"  # what `--from DIR` reads
ECB_SOURCE = "ECB euro foreign exchange reference rates"
SIGNIFICANT = 6  # the ECB quotes 4 to 6 significant figures; a quotient needs no more


@dataclass(frozen=True, slots=True)
class EcbRates:
    day: date
    per_eur: Mapping[str, float]  # currency -> units per euro


def refresh(options: RefreshOptions) -> str:
    """Fetch (or read), parse, convert and store; the summary line says what was stored where."""
    where, xml = _read(options)
    ecb = parse_ecb(xml, where)
    path = fx.refreshed_file(options.data_dir)
    table = store(ecb, path)
    read = sum(r.verified for r in table.rates.values())
    kept = [code for code, r in table.rates.items() if not r.verified]
    tail = f"; kept the fallback for {', '.join(kept)} (not published by the ECB)" if kept else ""
    return f"{read} rates from {ECB_SOURCE}, {ecb.day.isoformat()} ({where}) -> {path}{tail}"


def _read(options: RefreshOptions) -> tuple[str, bytes]:
    if options.from_dir is not None:
        file = options.from_dir / FILE_NAME
        try:
            return str(file), file.read_bytes()
        except OSError as exc:
            raise RefreshError(f"cannot read {file}: {exc.strerror or exc}") from None
    return options.ecb_url, fetch(options.ecb_url, options.timeout_seconds)


def fetch(url: str, timeout: float) -> bytes:
    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
    except httpx.TimeoutException:
        raise RefreshError(f"{url}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise RefreshError(f"{url}: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        raise RefreshError(f"{url}: HTTP {response.status_code}")
    return response.content


def parse_ecb(xml: bytes, where: str) -> EcbRates:
    """The day and the per-euro rates of an ECB reference-rates file (namespaces are not checked, the
    element names and attributes are)."""
    try:
        root = ET.fromstring(xml)  # the stdlib parser fetches no external entities
    except ET.ParseError as exc:
        raise RefreshError(f"{where}: not valid XML ({exc})") from None
    days = [c for c in root.iter() if _local(c.tag) == "Cube" and "time" in c.attrib]
    if not days:
        raise RefreshError(f"{where}: no <Cube time=...> element; has the ECB's format changed?")
    dated = max(days, key=lambda c: c.attrib["time"])  # the daily file has one; a history file, the latest
    try:
        day = date.fromisoformat(dated.attrib["time"])
    except ValueError:
        raise RefreshError(f"{where}: Cube time {dated.attrib['time']!r} is not a date YYYY-MM-DD") from None
    per_eur = {c.attrib["currency"]: _rate(c.attrib, where) for c in dated if "currency" in c.attrib}
    if "USD" not in per_eur:
        raise RefreshError(f"{where}: no USD rate for {day.isoformat()}; cannot convert to US dollars")
    return EcbRates(day=day, per_eur=per_eur)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rate(attrib: Mapping[str, str], where: str) -> float:
    try:
        value = float(attrib.get("rate", ""))
    except ValueError:
        value = 0.0
    if not value > 0:
        raise RefreshError(f"{where}: rate of {attrib['currency']} is {attrib.get('rate')!r}, not a number > 0")
    return value


def rows(ecb: EcbRates, fallback: fx.FxTable) -> list[dict[str, Any]]:
    """The fallback table's currencies, in its order, each from the ECB when it publishes it."""
    usd_per_eur = ecb.per_eur["USD"]
    out = []
    for rate in fallback.rates.values():
        per_unit = 1.0 if rate.code == "USD" else usd_per_eur if rate.code == "EUR" else None
        if rate.code in ecb.per_eur and per_unit is None:
            per_unit = float(f"{usd_per_eur / ecb.per_eur[rate.code]:.{SIGNIFICANT}g}")
        row: dict[str, Any] = {"code": rate.code, "name": rate.name, "symbol": rate.symbol}
        if per_unit is None:
            row |= {"usd_per_unit": rate.usd_per_unit, "source": rate.source, "as_of": rate.as_of.isoformat()}
            row["verified"] = rate.verified
        else:
            row |= {"usd_per_unit": per_unit, "source": ECB_SOURCE, "as_of": ecb.day.isoformat(), "verified": True}
        out.append(row)
    return out


def store(ecb: EcbRates, path: Path) -> fx.FxTable:
    """Write the refreshed table to `path` (atomically, after checking it loads) and return it."""
    document = {
        "as_of": ecb.day.isoformat(),
        "source": ECB_SOURCE,
        "verified": True,
        "rates": rows(ecb, fx.SHIPPED),
    }
    header = f"# Written by `stack8s catalog refresh --source fx` from {ECB_SOURCE}; see fx.SOURCES.md.\n"
    text = header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_text(text, encoding="utf-8")
        table = fx.load_fx(scratch)
        os.replace(scratch, path)  # readers see the old table or the new one, never half of one
    except (OSError, ValueError) as exc:
        scratch.unlink(missing_ok=True)
        raise RefreshError(f"cannot store {path}: {exc}") from None
    return table
