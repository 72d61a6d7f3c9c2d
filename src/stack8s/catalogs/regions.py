"""Cloud regions: where every provider's region ids are, and which regions an area ("in Europe") allows.

Every fact lives in ``catalogs/data/regions.yaml`` (sources: ``regions.SOURCES.md``), loaded and validated
once on import:

* ``countries`` – ISO 3166-1 alpha-2 code -> English name, continent and data-residency groups
  (``eu``, ``eea``, ``eu_adequacy``, ``uk``, ``us``, ``china``, ``nordics``). A region takes its continent
  and groups from its country, so each of these facts is written once.
* ``regions`` – provider (SkyPilot cloud name) -> one row per region id, spelt as the catalogs spell it.

Areas are derived from the rows, never listed by hand. Only ordinary regions belong to an area: AWS
Local and Wavelength Zones, regions opened only on request (Azure restricted regions, AWS GovCloud)
and placeholders (Hyperbolic's ``default``) do not, because a plan should not send a user there
unasked. The areas (`AREA_RULES` plus one area per country that has such a region):

* ``eu`` – Europe under the EU's data-protection regime or one the EU recognises as equivalent:
  the EEA (EU + Iceland, Liechtenstein, Norway) plus European countries with an EU adequacy decision
  (the United Kingdom, Switzerland). This keeps what the old hand-written table meant by "eu" (it
  tagged London and Zurich "eu"); it leaves out European countries with neither (Russia).
* ``eu_strict`` – EU member states only, for "must stay in the European Union".
* ``na``, ``asia``, ``south_america``, ``middle_east``, ``africa``, ``oceania`` – continents. ``asia``
  does not include the Middle East or Oceania; ``apac`` is Asia plus Oceania.
* ``latin_america`` – South America plus Mexico. ``nordics`` – Denmark, Finland, Iceland, Norway, Sweden.
* one area per country, keyed by the country's ``area`` (``uk``, ``us``, ``korea``, ``uae``) or its name in
  lower case (``germany``, ``south_africa``). ``china`` is mainland China (not Hong Kong or Taiwan).

`mentionable_regions` gives the ids the requirements rules look for in user messages: lower-case ids
whose row does not say ``mention: false``. The rules match case-insensitively and look the lower-cased
match up, so an upper-case id (RunPod's ``EU-RO-1``) cannot be looked for until they keep the catalog's
spelling; such ids still take part in areas.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from stack8s.catalogs.datafile import as_of, check_keys, read_mapping, unique_rows

DATA_FILE = Path(__file__).parent / "data" / "regions.yaml"

CONTINENTS = ("europe", "north_america", "south_america", "asia", "oceania", "africa", "middle_east")
GROUPS = frozenset({"eu", "eea", "eu_adequacy", "uk", "us", "china", "nordics"})
KINDS = ("region", "local_zone", "wavelength_zone", "placeholder")

_TOP_KEYS = frozenset({"as_of", "countries", "regions"})
_COUNTRY_KEYS = frozenset({"name", "continent", "groups"})
_COUNTRY_OPTIONAL = frozenset({"area"})
_ROW_KEYS = frozenset({"id", "country", "location"})
_ROW_OPTIONAL = frozenset({"kind", "restricted", "mention", "note"})
_CODE = re.compile(r"[A-Z]{2}")
_AREA_KEY = re.compile(r"[a-z][a-z_]*")
_PROVIDER = re.compile(r"[a-z][a-z0-9]*")


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str
    continent: str
    groups: frozenset[str]
    area: str  # key of the country's own area


@dataclass(frozen=True, slots=True)
class Region:
    """One region id of one provider, with the facts of its country."""

    provider: str
    id: str
    country: str  # ISO 3166-1 alpha-2
    location: str
    continent: str
    groups: frozenset[str]
    kind: str = "region"
    restricted: bool = False
    mention: bool = True
    note: str | None = None

    @property
    def in_areas(self) -> bool:
        """Whether an area may allow this region (an ordinary region, open to everyone)."""
        return self.kind == "region" and not self.restricted

    @property
    def mentionable(self) -> bool:
        """Whether the requirements rules may look for this id in a message."""
        return self.mention and self.id == self.id.lower()


# Compound areas: key -> which regions belong. Country areas are added per country (see module doc).
AREA_RULES: tuple[tuple[str, Callable[[Region], bool]], ...] = (
    ("eu", lambda r: r.continent == "europe" and bool(r.groups & {"eea", "eu_adequacy"})),
    ("eu_strict", lambda r: "eu" in r.groups),
    ("na", lambda r: r.continent == "north_america"),
    ("asia", lambda r: r.continent == "asia"),
    ("apac", lambda r: r.continent in ("asia", "oceania")),
    ("south_america", lambda r: r.continent == "south_america"),
    ("latin_america", lambda r: r.continent == "south_america" or r.country == "MX"),
    ("middle_east", lambda r: r.continent == "middle_east"),
    ("africa", lambda r: r.continent == "africa"),
    ("oceania", lambda r: r.continent == "oceania"),
    ("nordics", lambda r: "nordics" in r.groups),
)


def _in_country(code: str) -> Callable[[Region], bool]:
    return lambda r: r.country == code


@dataclass(frozen=True, slots=True)
class RegionCatalog:
    """The validated contents of ``regions.yaml``."""

    as_of: date
    countries: Mapping[str, Country]  # code -> country, in file order
    regions: tuple[Region, ...]  # in file order, providers grouped

    @property
    def providers(self) -> tuple[str, ...]:
        """Providers in file order: the order that decides who owns an id several providers share."""
        return tuple(dict.fromkeys(r.provider for r in self.regions))

    def region(self, provider: str, region_id: str) -> Region | None:
        return next((r for r in self.regions if r.provider == provider and r.id == region_id), None)

    def areas(self) -> dict[str, Callable[[Region], bool]]:
        """Area key -> membership test: `AREA_RULES`, then one area per country with an area region."""
        areas = dict(AREA_RULES)
        present = dict.fromkeys(r.country for r in self.regions if r.in_areas)
        for code in present:
            areas[self.countries[code].area] = _in_country(code)
        return areas

    def area_regions(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """Area -> provider -> region ids (file order), leaving out providers with no region in the area."""
        out: dict[str, dict[str, tuple[str, ...]]] = {}
        for area, member in self.areas().items():
            by_provider: dict[str, list[str]] = {}
            for region in self.regions:
                if region.in_areas and member(region):
                    by_provider.setdefault(region.provider, []).append(region.id)
            out[area] = {provider: tuple(ids) for provider, ids in by_provider.items()}
        return out


# ---------------------------------------------------------------- loading and validation


def load_region_catalog(path: Path | None = None) -> RegionCatalog:
    """Read and validate a region facts file (default: the shipped ``regions.yaml``).

    Raises ValueError naming the file and the offending row for a missing or unknown key, a wrong type,
    an unknown country, continent, group or kind, a duplicate id within a provider, or an area key that
    two countries (or a country and a compound area) share.
    """
    path = Path(path) if path is not None else DATA_FILE
    data = read_mapping(path, _TOP_KEYS)
    countries = _countries(data["countries"], path.name)
    regions = _regions(data["regions"], countries, path.name)
    return RegionCatalog(as_of=as_of(data["as_of"], path.name), countries=countries, regions=regions)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be non-empty text, not {value!r}")
    return value.strip()


def _flag(value: Any, default: bool, where: str) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValueError(f"{where} must be true or false, not {value!r}")
    return value


def _country(code: Any, entry: Any, where: str) -> Country:
    # YAML 1.1 reads an unquoted NO (Norway) as false: insist on a two-letter string.
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError(f"{where}: country code must be two upper-case letters (quote NO), not {code!r}")
    label = f"{where} ({code})"
    if not isinstance(entry, dict):
        raise ValueError(f"{label}: expected a mapping, not {entry!r}")
    check_keys(entry, _COUNTRY_KEYS, _COUNTRY_KEYS | _COUNTRY_OPTIONAL, label)
    name = _text(entry["name"], f"{label}: name")
    continent = entry["continent"]
    if continent not in CONTINENTS:
        raise ValueError(f"{label}: continent must be one of {list(CONTINENTS)}, not {continent!r}")
    groups = entry["groups"]
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise ValueError(f"{label}: groups must be a list of group names, not {groups!r}")
    unknown = sorted(set(groups) - GROUPS)
    if unknown:
        raise ValueError(f"{label}: unknown group{'s' if len(unknown) > 1 else ''} {unknown}; known: {sorted(GROUPS)}")
    if "eu" in groups and "eea" not in groups:
        raise ValueError(f"{label}: an EU member state is also in the EEA (add 'eea')")
    area = entry.get("area", name.lower().replace(" ", "_"))
    if not isinstance(area, str) or not _AREA_KEY.fullmatch(area):
        raise ValueError(f"{label}: area must be a lower-case key like 'south_africa', not {area!r}")
    return Country(code, name, continent, frozenset(groups), area)


def _countries(entries: Any, file: str) -> dict[str, Country]:
    if not isinstance(entries, dict) or not entries:
        raise ValueError(f"{file}: 'countries' must be a non-empty mapping of ISO code -> facts")
    countries: dict[str, Country] = {}
    areas = {key for key, _ in AREA_RULES}
    for code, entry in entries.items():
        country = _country(code, entry, f"{file}: countries")
        if country.area in areas:
            raise ValueError(f"{file}: countries ({code}): area {country.area!r} is already taken")
        areas.add(country.area)
        countries[code] = country
    return countries


def _row(provider: str, countries: Mapping[str, Country], entry: Any, where: str) -> Region:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping, not {entry!r}")
    label = f"{where} ({entry['id']})" if isinstance(entry.get("id"), str) else where
    check_keys(entry, _ROW_KEYS, _ROW_KEYS | _ROW_OPTIONAL, label)
    region_id = entry["id"]
    if not isinstance(region_id, str) or not region_id or region_id != region_id.strip():
        raise ValueError(f"{label}: id must be text without surrounding spaces, not {region_id!r}")
    code = entry["country"]
    if code not in countries:
        raise ValueError(f"{label}: country {code!r} has no entry in 'countries' (quote NO)")
    kind = entry.get("kind", "region")
    if kind not in KINDS:
        raise ValueError(f"{label}: kind must be one of {list(KINDS)}, not {kind!r}")
    note = entry.get("note")
    country = countries[code]
    return Region(
        provider=provider,
        id=region_id,
        country=code,
        location=_text(entry["location"], f"{label}: location"),
        continent=country.continent,
        groups=country.groups,
        kind=kind,
        restricted=_flag(entry.get("restricted"), False, f"{label}: restricted"),
        mention=_flag(entry.get("mention"), True, f"{label}: mention"),
        note=None if note is None else _text(note, f"{label}: note"),
    )


def _regions(entries: Any, countries: Mapping[str, Country], file: str) -> tuple[Region, ...]:
    if not isinstance(entries, dict) or not entries:
        raise ValueError(f"{file}: 'regions' must be a non-empty mapping of provider -> rows")
    regions: list[Region] = []
    for provider, rows in entries.items():
        if not isinstance(provider, str) or not _PROVIDER.fullmatch(provider):
            raise ValueError(f"{file}: regions: provider must be a lower-case cloud name, not {provider!r}")
        parse = functools.partial(_row, provider, countries)
        regions.extend(unique_rows(rows, f"{file}: regions.{provider}", parse, lambda r: r.id, "id").values())
    return tuple(regions)


# ---------------------------------------------------------------- the shipped file, and what the lexicon needs

CATALOG = load_region_catalog(DATA_FILE)  # once, on import


def providers() -> tuple[str, ...]:
    """Providers in file order; for an id several providers share, the first one owns it."""
    return CATALOG.providers


def region(provider: str, region_id: str) -> Region | None:
    """The facts of one region, or None when the file has no such row."""
    return CATALOG.region(provider, region_id)


def regions_of(provider: str) -> tuple[Region, ...]:
    return tuple(r for r in CATALOG.regions if r.provider == provider)


def mentionable_regions() -> dict[str, tuple[str, ...]]:
    """Provider -> the region ids the requirements rules look for in messages (every provider, file order)."""
    return {p: tuple(r.id for r in regions_of(p) if r.mentionable) for p in CATALOG.providers}


@lru_cache(maxsize=1)
def _area_regions() -> dict[str, dict[str, tuple[str, ...]]]:
    return CATALOG.area_regions()


def area_regions(areas: Iterable[str] | None = None) -> dict[str, dict[str, tuple[str, ...]]]:
    """Area -> provider -> region ids (all areas, or the ones asked for; an unknown area raises KeyError)."""
    table = _area_regions()
    keys = table.keys() if areas is None else areas
    return {area: dict(table[area]) for area in keys}


def country_areas() -> dict[str, str]:
    """Country area key -> English country name, for countries that have a region in some area."""
    present = dict.fromkeys(r.country for r in CATALOG.regions if r.in_areas)
    return {CATALOG.countries[code].area: CATALOG.countries[code].name for code in present}
