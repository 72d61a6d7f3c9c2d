"""Region facts (catalogs/data/regions.yaml): coverage of the catalogs, validation, areas, and the lexicon."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.agents.test_requirements import spec_of
from tests.conftest import SHARED, needs_shared

from stack8s.agents.requirements import lexicon as lx
from stack8s.catalogs import regions, shipped
from stack8s.catalogs.importers.skypilot import parse_instances, provider_from_path
from stack8s.catalogs.regions import CONTINENTS, DATA_FILE, load_region_catalog
from stack8s.tools.schemas import ComputeQuery

SKY = SHARED / "data" / "skypilot"


def _missing(pairs: set[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(p for p in pairs if regions.region(*p) is None)


def _continent(provider: str, region_id: str) -> str:
    region = regions.region(provider, region_id)
    assert region is not None, (provider, region_id)
    return region.continent


def _yaml(countries: str, body: str = "regions: {}\n") -> str:
    return f'as_of: "2026-12-02"\ncountries:\n{countries}{body}'


# --------------------------------------------------------------------------- coverage of the catalogs


def test_every_region_of_the_shipped_catalog_has_a_row_with_a_continent() -> None:
    result = shipped.load_instances(shipped.default_paths()["instances"])
    pairs = {(row.provider, row.region) for row in result.rows}
    assert len(pairs) > 40
    assert _missing(pairs) == []
    assert all(_continent(*p) in CONTINENTS for p in pairs)


def _raw_skypilot_regions() -> Iterator[tuple[str, str]]:
    """(provider, Region cell) of every row of every SkyPilot file, also rows the importer rejects."""
    for path in sorted(SKY.rglob("*vms.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for record in csv.DictReader(handle):
                region = (record.get("Region") or "").strip().strip(",").strip()  # as the importer cleans it
                if region:
                    yield provider_from_path(path), region
    for path in sorted(SKY.rglob("*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8")):
            for region in entry.get("pricing") or {}:
                yield "aws", region


@needs_shared()
def test_every_region_of_the_skypilot_files_has_a_row_with_a_continent() -> None:
    imported = {(row.provider, row.region) for row in parse_instances(SKY).rows}
    raw = set(_raw_skypilot_regions())
    assert imported <= raw and len(raw) > 300
    assert _missing(raw) == []
    assert all(_continent(*p) in CONTINENTS for p in raw)


# --------------------------------------------------------------------------- the file and its validation


def test_the_shipped_file_loads_and_every_row_is_complete() -> None:
    catalog = regions.CATALOG
    assert str(catalog.as_of) == "2026-12-02"
    assert len(catalog.providers) >= 18 and len(catalog.regions) > 350
    for region in catalog.regions:
        assert re.fullmatch(r"[A-Z]{2}", region.country), region
        assert region.location and region.continent in CONTINENTS, region
        assert catalog.countries[region.country].continent == region.continent


BAD_ROWS = [
    ("{id: x-1, country: XX, location: Nowhere}", "country 'XX' has no entry"),
    ("{id: x-1, country: DE}", "missing key 'location'"),
    ("{id: x-1, country: DE, location: Berlin, kind: zone}", "kind must be one of"),
    ("{id: x-1, country: DE, location: Berlin, restricted: yes please}", "restricted must be true or false"),
    ("{id: x-1, country: DE, location: Berlin, city: Berlin}", "unknown key 'city'"),
    ("{id: ' x-1', country: DE, location: Berlin}", "without surrounding spaces"),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_a_bad_row_is_a_clear_error_naming_the_row(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "regions.yaml"
    countries = "countries:\n  DE: {name: Germany, continent: europe, groups: [eu, eea]}\n"
    path.write_text(f'as_of: "2026-12-02"\n{countries}regions:\n  aws:\n    - {row}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        load_region_catalog(path)
    assert "regions.aws[0]" in str(raised.value)


def test_an_unquoted_norway_and_a_duplicate_id_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "regions.yaml"
    path.write_text(_yaml("  NO: {name: Norway, continent: europe, groups: []}\n"))
    with pytest.raises(ValueError, match="quote NO"):
        load_region_catalog(path)
    de = "  DE: {name: Germany, continent: europe, groups: [eu, eea]}\n"
    row = "    - {id: a, country: DE, location: Berlin}\n"
    path.write_text(_yaml(de, f"regions:\n  aws:\n{row}{row}"))
    with pytest.raises(ValueError, match=r"regions\.aws\[1\] \(a\): duplicate id"):
        load_region_catalog(path)


def test_an_eu_member_must_be_in_the_eea_and_areas_must_not_collide(tmp_path: Path) -> None:
    path = tmp_path / "regions.yaml"
    path.write_text(_yaml("  DE: {name: Germany, continent: europe, groups: [eu]}\n"))
    with pytest.raises(ValueError, match="also in the EEA"):
        load_region_catalog(path)
    path.write_text(_yaml("  DE: {name: Germany, continent: europe, groups: [], area: eu}\n"))
    with pytest.raises(ValueError, match="area 'eu' is already taken"):
        load_region_catalog(path)
    assert load_region_catalog(DATA_FILE) == regions.CATALOG


# --------------------------------------------------------------------------- the lexicon reads the same facts


def test_the_lexicon_tables_are_the_region_facts() -> None:
    assert lx.REGION_OWNERS == regions.providers()
    assert lx.REGIONS == regions.mentionable_regions()
    assert lx.AREA_REGIONS == regions.area_regions()
    assert {area for _, area in lx.AREAS.rows} == set(lx.AREA_REGIONS)  # every area has words, every word an area


def test_the_rules_look_only_for_lower_case_ids_users_type() -> None:
    ids = {r for rs in lx.REGIONS.values() for r in rs}
    assert all(r == r.lower() for r in ids)
    assert "default" not in ids and "EU-RO-1" not in ids and "us-east-1-lim-1" in ids


AREA_WORDS = [
    ("in Europe", "eu"),
    ("must stay in the European Union", "eu_strict"),
    ("keep it in the EU", "eu"),
    ("en Francia", "france"),
    ("near Paris", "france"),
    ("in Mumbai", "india"),
    ("in Australien", "australia"),
    ("somewhere in Latin America", "latin_america"),
    ("in South America", "south_america"),
    ("in the Middle East", "middle_east"),
    ("in South Africa", "south_africa"),
    ("in Africa", "africa"),
    ("in Seoul", "korea"),
    ("in Scandinavia", "nordics"),
    ("in APAC", "apac"),
    ("in Ireland", "ireland"),
    ("in the Netherlands", "netherlands"),
    ("in Canada", "canada"),
    ("in China", "china"),
    ("in Singapore", "singapore"),
    ("in Brazil", "brazil"),
    ("in the US", "us"),
]


@pytest.mark.parametrize(("text", "area"), AREA_WORDS)
def test_area_words(text: str, area: str) -> None:
    assert lx.AREAS.values(text) == [area]


@pytest.mark.parametrize("text", ["a budget of 2000 canadian dollars", "5000 US dollars", "50k South African rand"])
def test_a_currency_is_not_an_area(text: str) -> None:
    assert lx.AREAS.values(text) == []


# --------------------------------------------------------------------------- spot checks of the facts


def _area(area: str, provider: str) -> tuple[str, ...]:
    return regions.area_regions([area])[area].get(provider, ())


def test_spot_checks() -> None:
    london = regions.region("aws", "eu-west-2")
    assert london is not None and london.country == "GB" and "uk" in london.groups
    assert "eu-west-2" in _area("uk", "aws") and "eu-west-2" in _area("eu", "aws")
    assert "eu-west-2" not in _area("eu_strict", "aws") and "eu-west-1" in _area("eu_strict", "aws")
    assert "europe-west3" in _area("germany", "gcp")
    assert "uksouth" in _area("uk", "azure")
    assert _area("eu", "runpod") and all(_continent("runpod", r) == "europe" for r in _area("eu", "runpod"))
    assert {"EU-RO-1", "EU-SE-1"} <= set(_area("eu", "runpod"))


def test_no_canadian_or_non_european_region_is_in_eu() -> None:
    for area in ("eu", "eu_strict"):
        for provider, ids in regions.area_regions([area])[area].items():
            for region_id in ids:
                region = regions.region(provider, region_id)
                assert region is not None and region.country != "CA" and region.continent == "europe", region


def test_edge_zones_keep_their_own_country_and_stay_out_of_areas() -> None:
    casablanca = regions.region("aws", "eu-west-3-wl1-cmn1")
    lima = regions.region("aws", "us-east-1-lim-1")
    assert casablanca is not None and casablanca.country == "MA" and casablanca.continent == "africa"
    assert lima is not None and lima.country == "PE"
    every = {r for by_provider in regions.area_regions().values() for rs in by_provider.values() for r in rs}
    assert not {"eu-west-3-wl1-cmn1", "us-east-1-lim-1", "us-gov-east-1", "germanynorth", "default"} & every


def _allowed(area: str) -> list[str]:
    """The ids an area allows when no provider is named, as the rules build them."""
    by_provider = regions.area_regions([area])[area]
    return list(dict.fromkeys(r for p in regions.providers() for r in by_provider.get(p, ())))


@pytest.mark.parametrize("area", ["eu", "us", "uk", "germany", "asia", "japan", "eu_strict"])
def test_common_areas_fit_the_search_cap(area: str) -> None:
    cap = next(m.max_length for m in ComputeQuery.model_fields["regions"].metadata if hasattr(m, "max_length"))
    assert len(_allowed(area)) <= cap


def test_every_area_fits_the_search_cap() -> None:
    cap = next(m.max_length for m in ComputeQuery.model_fields["regions"].metadata if hasattr(m, "max_length"))
    assert all(len(_allowed(area)) <= cap for area in ("na", "eu", "us", "asia", "apac"))


# --------------------------------------------------------------------------- through the requirement rules


def test_runpod_in_europe_allows_only_european_runpod_regions() -> None:
    spec = spec_of("Run Qwen3 235B on RunPod in Europe")
    assert spec.provider == "runpod" and spec.regions
    assert spec.regions == list(_area("eu", "runpod"))
    assert all(_continent("runpod", r) == "europe" for r in spec.regions)
    assert not any(r.startswith("CA-") or r.startswith("US-") for r in spec.regions)


def test_azure_in_europe_allows_azure_european_regions() -> None:
    spec = spec_of("Serve Mixtral 8x7B in Europe on Azure")
    assert spec.provider == "azure"
    assert {"westeurope", "northeurope", "uksouth", "germanywestcentral"} <= set(spec.regions)
    assert all(_continent("azure", r) == "europe" for r in spec.regions)


def test_a_country_and_a_strict_eu_request_through_the_rules() -> None:
    assert spec_of("Deploy Llama 3.1 8B on GCP in France").regions == ["europe-west9"]
    strict = spec_of("Deploy Llama 3.1 8B on AWS, data must stay in the EU")
    assert "eu-west-1" in strict.regions and "eu-west-2" not in strict.regions and "eu-central-2" not in strict.regions
