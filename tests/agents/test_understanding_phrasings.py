"""Exclusions, lifts, take-backs, ranking, currencies and periods (issue 9): phrasings -> exact WorkloadSpec
fields; the exchange-rate table (catalogs/fx.py); the LLM path against the local OpenAI-protocol server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from openai import AsyncOpenAI
from tests.agents.test_requirements import LEX, spec_of
from tests.fakes.openai_server import FakeOpenAI

from stack8s.agents.requirements import lexicon as lx
from stack8s.agents.requirements.llm_extract import llm_spec, merge
from stack8s.agents.requirements.rules import extract_spec, taken_back
from stack8s.catalogs import fx
from stack8s.llm.openai_compat import OpenAIChatModel
from stack8s.planning.spec import WorkloadSpec

HOUR, DAY, WEEK, YEAR = 730.0, 730 / 24, 730 / 168, 1 / 12


def differs(got: Any, want: Any) -> bool:
    """Exact, type included; floats to the cent."""
    if isinstance(want, float):
        return not (isinstance(got, float) and got == pytest.approx(want, abs=0.01))
    return got != want or type(got) is not type(want)


def check(messages: list[str], expected: dict[str, Any]) -> None:
    dumped = spec_of(*messages).model_dump()
    wrong = {name: (dumped[name], want) for name, want in expected.items() if differs(dumped[name], want)}
    assert wrong == {}


def area(name: str, provider: str | None = None) -> list[str]:
    """An area's region ids: of one provider, or of every provider in REGION_OWNERS order (never empty here)."""
    per_provider = lx.AREA_REGIONS[name]
    owners = [provider] if provider else list(lx.REGION_OWNERS)
    ids = list(dict.fromkeys(r for p in owners for r in per_provider.get(p, ())))
    assert ids, (name, provider)
    return ids


def usd(amount: float, currency: str, per_month: float = 1.0) -> float:
    return round(amount * per_month * fx.rate(currency).usd_per_unit, 2)


# --------------------------------------------------------------------------- 1. excluded providers

PROVIDERS: list[tuple[str, list[str], str | None]] = [
    ("no AWS", ["aws"], None),
    ("Deploy Llama 3.1 8B, no AWS", ["aws"], None),
    ("anything but AWS or Azure", ["aws", "azure"], None),
    ("Anything but AWS", ["aws"], None),
    ("except GCP", ["gcp"], None),
    ("avoid Azure", ["azure"], None),
    ("never on Oracle", ["oci"], None),
    ("We don't want AWS", ["aws"], None),
    ("I don't want to use Azure", ["azure"], None),
    ("we can't use Azure", ["azure"], None),
    ("Use anything except Azure and GCP", ["azure", "gcp"], None),
    ("neither AWS nor Azure", ["aws", "azure"], None),
    ("No AWS, Azure or GCP", ["aws", "azure", "gcp"], None),
    ("not AWS or Azure", ["aws", "azure"], None),
    ("without Azure", ["azure"], None),
    ("other than AWS", ["aws"], None),
    ("exclude Lambda Labs and RunPod", ["lambda", "runpod"], None),
    ("keep it off AWS", ["aws"], None),
    ("stay away from Oracle", ["oci"], None),
    ("AWS is out", ["aws"], None),
    ("AWS is not an option", ["aws"], None),
    ("AWS isn't an option", ["aws"], None),
    ("Oracle is not allowed", ["oci"], None),
    # the provider wanted is never the one ruled out; a list joined by commas alone is one item
    ("not on AWS, GCP please", ["aws"], "gcp"),
    ("Use GCP, AWS is not an option", ["aws"], "gcp"),
    ("Serve Mistral 7B on Azure, never on Google Cloud", ["gcp"], "azure"),
    ("Deploy Llama 3.1 8B on GCP, exclude L4 and L40S", [], "gcp"),
    # not exclusions
    ("Deploy on GCP, if not AWS", [], "gcp"),
    ("Why not AWS?", [], None),
    ("We have no AWS credits left, so use GCP", [], "gcp"),
    # German, French, Spanish, Portuguese
    ("kein AWS", ["aws"], None),
    ("nicht auf AWS, lieber Azure", ["aws"], "azure"),
    ("ohne Azure", ["azure"], None),
    ("außer GCP", ["gcp"], None),
    ("Bitte nicht Oracle", ["oci"], None),
    ("weder AWS noch Azure", ["aws", "azure"], None),
    ("pas sur AWS", ["aws"], None),
    ("pas d'AWS", ["aws"], None),
    ("sauf GCP", ["gcp"], None),
    ("sans Azure", ["azure"], None),
    ("jamais sur Oracle", ["oci"], None),
    ("évitez Azure", ["azure"], None),
    ("ni AWS ni Azure", ["aws", "azure"], None),
    ("no en AWS", ["aws"], None),
    ("excepto GCP", ["gcp"], None),
    ("sin AWS ni Azure", ["aws", "azure"], None),
    ("nunca en Oracle", ["oci"], None),
    ("evitar Azure", ["azure"], None),
    ("todo menos AWS", ["aws"], None),
    ("não na AWS", ["aws"], None),
    ("exceto GCP", ["gcp"], None),
    ("sem Azure", ["azure"], None),
    ("nunca na Oracle", ["oci"], None),
    ("nem AWS nem Azure", ["aws", "azure"], None),
]


@pytest.mark.parametrize(("text", "excluded", "provider"), PROVIDERS, ids=[t for t, _, _ in PROVIDERS])
def test_excluded_providers(text: str, excluded: list[str], provider: str | None) -> None:
    check([text], {"excluded_providers": excluded, "provider": provider})


def test_an_excluded_provider_is_not_implied_by_a_shared_region_id() -> None:
    owners = [p for p in lx.REGION_OWNERS if "us-east-1" in lx.REGIONS.get(p, ()) and p != "aws"]
    assert owners  # us-east-1 is also another provider's region id
    check(["no AWS", "deploy in us-east-1"], {"provider": owners[0], "excluded_providers": ["aws"]})


def test_ruling_out_the_provider_chosen_before_clears_it_and_its_region() -> None:
    check(
        ["Deploy Llama 3.1 8B on AWS in eu-west-1", "no AWS"],
        {"provider": None, "region": None, "excluded_providers": ["aws"]},
    )


# --------------------------------------------------------------------------- 2. excluded GPUs

GPUS: list[tuple[list[str], list[str], str | None]] = [
    (["not on L4"], ["L4"], None),
    (["exclude L4 and L40S"], ["L4", "L40S"], None),
    (["no A10G GPUs"], ["A10G"], None),
    (["Serve Llama 3.1 8B, not on a T4"], ["T4"], None),
    (["no A100s"], ["A100"], None),
    (["no A100 80GB"], ["A100-80GB"], None),
    (["avoid H100 and H200"], ["H100", "H200"], None),
    (["L4s are not allowed"], ["L4"], None),
    (["anything but the T4"], ["T4"], None),
    (["no RTX 4090"], ["RTX-4090"], None),
    (["no MI300X"], ["MI300X"], None),
    (["Deploy Mistral 7B Instruct on AWS but not on A10G GPUs"], ["A10G"], None),
    (["Serve Llama 3.1 8B on an L4, not an A10G"], ["A10G"], "L4"),
    (["no L4, T4 is fine"], ["L4"], "T4"),
    (["Serve Llama 3.1 8B on 2x A100 80GB, no H100"], ["H100"], "A100-80GB"),
    # a GPU chosen before and ruled out now is no longer the preference, a memory variant included
    (["Serve Mistral 7B on an L4 on AWS", "no, exclude L4 and L40S, and move to GCP"], ["L4", "L40S"], None),
    (["Serve Llama on 2x A100 80GB", "no A100"], ["A100"], None),
    (["keine L4"], ["L4"], None),
    (["sans L4"], ["L4"], None),
    (["pas de A10G"], ["A10G"], None),
    (["sin T4"], ["T4"], None),
    (["nada de L4"], ["L4"], None),
    (["sem A10G"], ["A10G"], None),
]


@pytest.mark.parametrize(("messages", "excluded", "preference"), GPUS, ids=[" | ".join(m) for m, _, _ in GPUS])
def test_excluded_gpus(messages: list[str], excluded: list[str], preference: str | None) -> None:
    check(messages, {"excluded_gpus": excluded, "gpu_preference": preference})


def test_exclude_and_move_after_a_first_message() -> None:
    check(
        ["Serve Mistral 7B Instruct on AWS with an L4", "no, exclude L4 and L40S, and move to GCP"],
        {
            "provider": "gcp",
            "gpu_preference": None,
            "excluded_gpus": ["L4", "L40S"],
            "model_id": "mistralai/Mistral-7B-Instruct-v0.3",
            "gpu_needed": True,
        },
    )


# --------------------------------------------------------------------------- 3. excluded regions and areas

EU_AWS_BUT_UK = [r for r in area("eu", "aws") if r != "eu-west-2"]
REGIONS: list[tuple[list[str], dict[str, Any]]] = [
    (["not in the UK"], {"excluded_regions": area("uk")}),
    (["outside China"], {"excluded_regions": area("china")}),
    (["outside the EU"], {"excluded_regions": area("eu")}),
    (["not in Asia"], {"excluded_regions": area("asia")}),
    (["outside the US"], {"excluded_regions": area("us")}),
    (["no regions in Asia"], {"excluded_regions": area("asia")}),
    (["anywhere but the UK"], {"excluded_regions": area("uk")}),
    (
        ["Deploy on AWS in the EU but not in the UK regions"],
        {"provider": "aws", "excluded_regions": ["eu-west-2"], "regions": EU_AWS_BUT_UK},
    ),
    (["Deploy Llama 3.1 8B on GCP in Europe, not in Germany"], {"excluded_regions": ["europe-west3", "europe-west10"]}),
    (["exclude us-east-1"], {"excluded_regions": ["us-east-1"]}),
    (["avoid eu-west-2"], {"excluded_regions": ["eu-west-2"]}),
    (
        ["Deploy Llama 3.1 8B on AWS in eu-west-2", "not in the UK"],
        {"region": None, "provider": "aws", "excluded_regions": ["eu-west-2"]},
    ),
    (["on AWS", "not in the UK"], {"excluded_regions": ["eu-west-2"]}),
    (["Serve Llama 3.1 8B in the EU", "anywhere but the UK"], {"excluded_regions": area("uk"), "regions": []}),
    (["We are not a US company but want the EU"], {"excluded_regions": [], "regions": area("eu")}),
    # German, French, Spanish, Portuguese
    (["nicht in Deutschland"], {"excluded_regions": area("germany")}),
    (["ausserhalb der EU"], {"excluded_regions": area("eu")}),
    (["pas au Royaume-Uni"], {"excluded_regions": area("uk")}),
    (["hors de l'Europe"], {"excluded_regions": area("eu")}),
    (["fuera de Europa"], {"excluded_regions": area("eu")}),
    (["no en Reino Unido"], {"excluded_regions": area("uk")}),
    (["fora dos Estados Unidos"], {"excluded_regions": area("us")}),
    (["não no Japão"], {"excluded_regions": area("japan")}),
]


@pytest.mark.parametrize(("messages", "expected"), REGIONS, ids=[" | ".join(m) for m, _ in REGIONS])
def test_excluded_regions(messages: list[str], expected: dict[str, Any]) -> None:
    check(messages, expected)


def test_an_excluded_area_is_removed_from_the_area_wanted() -> None:
    spec = spec_of("Deploy Llama 3.1 8B on GCP in Europe, not in Germany")
    assert spec.regions == [r for r in area("eu", "gcp") if r not in ("europe-west3", "europe-west10")]
    assert spec.regions and not set(spec.regions) & set(spec.excluded_regions)
    everywhere = spec_of("in Europe but not Germany")
    assert everywhere.excluded_regions == area("germany")
    assert everywhere.regions == [r for r in area("eu") if r not in area("germany")]


def test_an_excluded_area_follows_a_later_provider() -> None:
    check(["not in the UK", "use GCP"], {"provider": "gcp", "excluded_regions": area("uk", "gcp")})


# --------------------------------------------------------------------------- 4. lifting an exclusion

LIFTS: list[tuple[list[str], dict[str, Any]]] = [
    (
        [
            "Deploy Mistral 7B Instruct on AWS but not on A10G GPUs",
            "Actually A10G is fine, and drop the AWS requirement",
        ],
        {"excluded_gpus": [], "gpu_preference": None, "provider": None, "excluded_providers": []},
    ),
    (["no AWS", "AWS is ok again"], {"excluded_providers": [], "provider": None}),
    (["no AWS", "AWS is fine"], {"excluded_providers": [], "provider": None}),
    (["no AWS or Azure", "Azure works too"], {"excluded_providers": ["aws"]}),
    (["Serve Llama 3.1 8B, no AWS", "allow AWS again"], {"excluded_providers": []}),
    (["no AWS", "use AWS after all"], {"excluded_providers": [], "provider": "aws"}),
    (["not in the UK", "the UK is fine too"], {"excluded_regions": []}),
    (["not in eu-west-2", "eu-west-2 is fine"], {"excluded_regions": []}),
    (["in the EU, not in Germany", "Germany is fine too"], {"excluded_regions": [], "regions": area("eu")}),
    (["exclude L4 and L40S", "L4 is acceptable now"], {"excluded_gpus": ["L40S"]}),
    (["no L4", "an L4 is fine"], {"excluded_gpus": [], "gpu_preference": None}),
    (["no L4", "actually use an L4"], {"excluded_gpus": [], "gpu_preference": "L4"}),
    (["no L4", "we can use L4 again"], {"excluded_gpus": []}),
    (["kein AWS", "AWS ist doch ok"], {"excluded_providers": []}),
    (["sans L4", "L4 est ok"], {"excluded_gpus": []}),
    (["sin AWS", "AWS está bien"], {"excluded_providers": []}),
    # nothing ruled out: "X is fine" is an ordinary mention
    (["an L4 is fine"], {"gpu_preference": "L4", "excluded_gpus": []}),
    (["AWS is fine"], {"provider": "aws", "excluded_providers": []}),
    # an exclusion stays through later messages that do not lift it
    (["no AWS", "Deploy Llama 3.1 8B with a $500 budget"], {"excluded_providers": ["aws"], "provider": None}),
]


@pytest.mark.parametrize(("messages", "expected"), LIFTS, ids=[" | ".join(m) for m, _ in LIFTS])
def test_lifts(messages: list[str], expected: dict[str, Any]) -> None:
    check(messages, expected)


# --------------------------------------------------------------------------- 5. take-backs

NO_BUDGET = {"budget_monthly_usd": None, "budget_total_usd": None, "currency_note": None}
BUDGET_TAKE_BACKS = [
    "forget the budget",
    "no budget",
    "drop the budget limit",
    "budget doesn't matter",
    "money is no object",
    "no budget limit anymore",
    "remove the budget cap",
    "ignore the cost cap",
    "forget the budget of $500",
    "kein Budget",
    "pas de budget",
    "sin presupuesto",
    "sem orçamento",
]


@pytest.mark.parametrize("text", BUDGET_TAKE_BACKS)
def test_budget_take_backs(text: str) -> None:
    check(
        ["Serve Llama 3.1 8B, budget $500/month", text], {**NO_BUDGET, "model_id": "meta-llama/Llama-3.1-8B-Instruct"}
    )


PROVIDER_TAKE_BACKS = [
    "any cloud is fine now",
    "drop the AWS requirement",
    "any provider",
    "whatever cloud",
    "the cloud doesn't matter",
    "no provider preference",
    "it doesn't have to be AWS",
    "AWS is no longer required",
    "cualquier proveedor",
    "egal welche Cloud",
    "n'importe quel cloud",
    "qualquer provedor",
]


@pytest.mark.parametrize("text", PROVIDER_TAKE_BACKS)
def test_provider_take_backs(text: str) -> None:
    check(["Deploy Llama 3.1 8B on AWS in eu-west-1", text], {"provider": None, "region": None})


REGION_TAKE_BACKS = [
    "drop the region",
    "any region",
    "region doesn't matter",
    "no region preference",
    "forget the region requirement",
    "anywhere is fine",
]


@pytest.mark.parametrize("text", REGION_TAKE_BACKS)
def test_region_take_backs(text: str) -> None:
    check(["Deploy Llama 3.1 8B on AWS in eu-west-1", text], {"provider": "aws", "region": None})


GPU_TAKE_BACKS = [
    "no preference on GPU",
    "any GPU",
    "any GPU is fine",
    "the GPU doesn't matter",
    "drop the H100 preference",
    "whatever GPU",
    "H100 is no longer required",
]


@pytest.mark.parametrize("text", GPU_TAKE_BACKS)
def test_gpu_take_backs_keep_the_count(text: str) -> None:
    check(["Serve Llama 3.1 8B on 2 H100s", text], {"gpu_preference": None, "gpu_count": 2, "gpu_needed": True})


TAKE_BACKS: list[tuple[list[str], dict[str, Any]]] = [
    (["a total budget of $2,000 for the run", "forget the budget"], NO_BUDGET),
    (["£1,200 a month", "forget the budget"], NO_BUDGET),
    # the take-back survives later messages that do not restate the field
    (["budget $500/month", "forget the budget", "use Llama 3.1 8B on GCP"], {**NO_BUDGET, "provider": "gcp"}),
    (["on AWS in eu-west-1", "any cloud", "budget $800 a month"], {"provider": None, "region": None}),
    (["Serve on 2 H100s", "any GPU", "on GCP"], {"gpu_preference": None, "provider": "gcp"}),
    # and a later value counts again
    (["budget $500/month", "forget the budget, it's $800 now"], {"budget_monthly_usd": 800.0}),
    (["budget $500/month", "forget the budget", "budget is $800 per month"], {"budget_monthly_usd": 800.0}),
    (["on AWS", "drop the AWS requirement and use GCP"], {"provider": "gcp"}),
    (["Deploy on AWS", "any cloud except AWS"], {"provider": None, "excluded_providers": ["aws"]}),
    (["Llama in Europe on GCP", "any region"], {"regions": [], "provider": "gcp"}),
    (["Llama in the EU", "drop the EU requirement"], {"regions": []}),
    (["Llama in Europe on GCP", "region doesn't matter"], {"regions": []}),
    (["Llama in Europe on GCP", "anywhere in the US"], {"regions": area("us", "gcp")}),
    (["Serve Llama 3.1 8B on 2 H100s", "any number of GPUs"], {"gpu_count": None, "gpu_preference": "H100"}),
    (["Serve Llama 3.1 8B on 2 H100s", "any GPU, any number of GPUs"], {"gpu_count": None, "gpu_preference": None}),
]


@pytest.mark.parametrize(("messages", "expected"), TAKE_BACKS, ids=[" | ".join(m) for m, _ in TAKE_BACKS])
def test_take_backs(messages: list[str], expected: dict[str, Any]) -> None:
    check(messages, expected)


def test_taken_back_names_only_fields_still_empty() -> None:
    assert taken_back(["budget $500/month on AWS", "forget the budget, any cloud"]) == {
        "budget_monthly_usd",
        "budget_total_usd",
        "currency_note",
        "provider",
        "region",
    }
    assert taken_back(["budget $500/month", "forget the budget", "budget is $800"]) == {
        "budget_total_usd",
        "currency_note",
    }
    assert taken_back(["budget $500/month on AWS"]) == frozenset()


# --------------------------------------------------------------------------- 6. ranking

RANKINGS: list[tuple[list[str], str | None]] = [
    (["make it cheaper"], "cheapest"),
    (["cheapest option please"], "cheapest"),
    (["cut the cost"], "cheapest"),
    (["reduce costs"], "cheapest"),
    (["as cheap as possible"], "cheapest"),
    (["a cost-effective setup"], "cheapest"),
    (["billiger bitte"], "cheapest"),
    (["moins cher"], "cheapest"),
    (["más barato"], "cheapest"),
    (["mais barato"], "cheapest"),
    (["faster please"], "fastest"),
    (["make it quicker"], "fastest"),
    (["lower latency"], "fastest"),
    (["speed it up"], "fastest"),
    (["as fast as possible"], "fastest"),
    (["schneller"], "fastest"),
    (["plus rapide"], "fastest"),
    (["más rápido"], "fastest"),
    (["mais rápido"], "fastest"),
    (["make it cheaper", "actually, faster"], "fastest"),
    (["make it cheaper", "Deploy on GCP"], "cheapest"),
    (["Transcribe calls with faster-whisper"], None),
    (["Deploy Llama 3.1 8B"], None),
]


@pytest.mark.parametrize(("messages", "ranking"), RANKINGS, ids=[" | ".join(m) for m, _ in RANKINGS])
def test_ranking(messages: list[str], ranking: str | None) -> None:
    check(messages, {"ranking": ranking})


# --------------------------------------------------------------------------- 7. currencies and periods

MONEY: list[tuple[str, float, str, float]] = [
    ("budget £1,200 a month", 1200, "GBP", 1.0),
    ("1200 GBP per month", 1200, "GBP", 1.0),
    ("GBP 1200 monthly", 1200, "GBP", 1.0),
    ("1,200 pounds a month", 1200, "GBP", 1.0),
    ("1200 quid a month", 1200, "GBP", 1.0),
    ("our budget is €800 per month", 800, "EUR", 1.0),
    ("€2000 monthly", 2000, "EUR", 1.0),
    ("presupuesto de 2.000 € al mes", 2000, "EUR", 1.0),
    ("Budget 800 € pro Monat", 800, "EUR", 1.0),
    ("1000 euros par mois", 1000, "EUR", 1.0),
    ("800 EUR a month", 800, "EUR", 1.0),
    ("€1.5k per month", 1500, "EUR", 1.0),
    ("budget 1000 in euros per month", 1000, "EUR", 1.0),
    ("budget 1000 per month, in euros", 1000, "EUR", 1.0),
    ("CHF 900 per month", 900, "CHF", 1.0),
    ("900 Swiss francs a month", 900, "CHF", 1.0),
    ("C$2,000 a month", 2000, "CAD", 1.0),
    ("2000 CAD per month", 2000, "CAD", 1.0),
    ("2000 Canadian dollars a month", 2000, "CAD", 1.0),
    ("A$3,000 monthly", 3000, "AUD", 1.0),
    ("3000 AUD a month", 3000, "AUD", 1.0),
    ("¥500,000 per month", 500_000, "JPY", 1.0),
    ("500000 yen a month", 500_000, "JPY", 1.0),
    ("JPY 500,000 per month", 500_000, "JPY", 1.0),
    ("₹1,00,000 per month", 100_000, "INR", 1.0),
    ("Rs. 80,000 per month", 80_000, "INR", 1.0),
    ("2 lakh rupees a month", 200_000, "INR", 1.0),
    ("80000 INR monthly", 80_000, "INR", 1.0),
    ("CNY 10,000 per month", 10_000, "CNY", 1.0),
    ("10000 yuan a month", 10_000, "CNY", 1.0),
    ("20,000 SEK per month", 20_000, "SEK", 1.0),
    ("20000 kronor a month", 20_000, "SEK", 1.0),
    ("15000 DKK a month", 15_000, "DKK", 1.0),
    ("NOK 20,000 per month", 20_000, "NOK", 1.0),
    ("R$ 5.000 por mês", 5000, "BRL", 1.0),
    # periods: hour, day, week, year -> month (730-hour month)
    ("€3 per hour", 3, "EUR", HOUR),
    ("£2.50/hour", 2.5, "GBP", HOUR),
    ("£100 a day", 100, "GBP", DAY),
    ("5000 yen a day", 5000, "JPY", DAY),
    ("€500 a week", 500, "EUR", WEEK),
    ("10k euros a year", 10_000, "EUR", YEAR),
    ("CHF 12,000 per year", 12_000, "CHF", YEAR),
    # US dollars stay as they are
    ("$500 a month", 500, "USD", 1.0),
    ("it's $500 a month", 500, "USD", 1.0),
    ("500 dollars a month", 500, "USD", 1.0),
    ("US$500 a month", 500, "USD", 1.0),
    ("up to $1.50/hour", 1.5, "USD", HOUR),
    ("Quiero un presupuesto de 500 dólares al mes", 500, "USD", 1.0),
]


@pytest.mark.parametrize(("text", "amount", "currency", "per_month"), MONEY, ids=[t for t, *_ in MONEY])
def test_monthly_budgets_in_any_currency(text: str, amount: float, currency: str, per_month: float) -> None:
    spec = spec_of(text)
    assert spec.budget_monthly_usd == pytest.approx(usd(amount, currency, per_month), abs=0.01)
    assert spec.budget_total_usd is None
    assert (spec.currency_note is None) is (currency == "USD")


TOTALS: list[tuple[str, float, str]] = [
    ("a total budget of €5,000", 5000, "EUR"),
    ("€5,000 in total for the fine-tuning run", 5000, "EUR"),
    ("a one-off budget of £2,000", 2000, "GBP"),
    ("¥300,000 for the whole job", 300_000, "JPY"),
    ("a total budget of $2,000", 2000, "USD"),
]


@pytest.mark.parametrize(("text", "amount", "currency"), TOTALS, ids=[t for t, *_ in TOTALS])
def test_one_off_budgets_in_any_currency(text: str, amount: float, currency: str) -> None:
    check([text], {"budget_total_usd": usd(amount, currency), "budget_monthly_usd": None})


def note(stated: str, usd_text: str, currency: str, total: bool = False) -> str:
    return f"{stated} = {usd_text} at {fx.rate(currency).note()}"


def test_currency_notes_give_amount_rate_and_date() -> None:
    gbp = round(1200 * fx.rate("GBP").usd_per_unit)
    assert spec_of("£1,200 a month").currency_note == note("£1,200/month", f"${gbp:,}/month", "GBP")
    eur_month = 3 * 730
    eur_usd = round(eur_month * fx.rate("EUR").usd_per_unit)
    assert spec_of("€3 per hour").currency_note == note("€3/hour = €2,190/month", f"${eur_usd:,}/month", "EUR")
    chf = round(900 * fx.rate("CHF").usd_per_unit)
    assert spec_of("CHF 900 per month").currency_note == note("900 CHF/month", f"${chf:,}/month", "CHF")
    total = round(5000 * fx.rate("EUR").usd_per_unit)
    assert spec_of("a total budget of €5,000").currency_note == note("€5,000 in total", f"${total:,} in total", "EUR")
    both = spec_of("$500 a month and a one-off £1,000")
    assert (both.budget_monthly_usd, both.budget_total_usd) == (500.0, usd(1000, "GBP"))
    assert both.currency_note == note(
        "£1,000 in total", f"${round(1000 * fx.rate('GBP').usd_per_unit):,} in total", "GBP"
    )
    assert "2026-11-27" in (both.currency_note or "")


def test_eval_case_budget_in_pounds() -> None:
    spec = spec_of("Serve Phi-4 for an internal tool, £1,200 a month maximum")
    assert spec.budget_monthly_usd is not None and 1500 <= spec.budget_monthly_usd <= 1620
    assert spec.model_id == "microsoft/phi-4"
    assert spec.currency_note is not None and spec.currency_note.startswith("£1,200/month = $")


CURRENCY_CHANGES: list[tuple[list[str], dict[str, Any]]] = [
    (["Budget $1,000 a month", "make that €1,000 a month"], {"budget_monthly_usd": usd(1000, "EUR")}),
    (["Budget $1,000 a month", "sorry, I meant pounds"], {"budget_monthly_usd": usd(1000, "GBP")}),
    (["Budget $1,000 a month", "the budget is in GBP"], {"budget_monthly_usd": usd(1000, "GBP")}),
    (["Budget 1000 a month", "in euros"], {"budget_monthly_usd": usd(1000, "EUR")}),
    (["Budget €1,000 a month", "actually it's in pounds, not euros"], {"budget_monthly_usd": usd(1000, "GBP")}),
    (["total budget 2000", "that's in euros"], {"budget_total_usd": usd(2000, "EUR"), "budget_monthly_usd": None}),
    (["£1,200 a month", "budget is now $2,000 per month"], {"budget_monthly_usd": 2000.0, "currency_note": None}),
    (["€50 a day", "Deploy Llama 3.1 8B on GCP"], {"budget_monthly_usd": usd(50, "EUR", DAY), "provider": "gcp"}),
]


@pytest.mark.parametrize(("messages", "expected"), CURRENCY_CHANGES, ids=[" | ".join(m) for m, _ in CURRENCY_CHANGES])
def test_currency_changes(messages: list[str], expected: dict[str, Any]) -> None:
    check(messages, expected)


def test_every_currency_spelling_has_a_rate() -> None:
    codes = {code for code, _ in (*lx.CURRENCY_CODES, *lx.CURRENCY_SYMBOLS)}
    assert codes <= set(fx.fx_table().rates)
    assert {"EUR", "GBP", "CHF", "CAD", "AUD", "JPY", "INR", "CNY", "SEK", "NOK", "DKK"} <= codes


# --------------------------------------------------------------------------- 8. robustness


@pytest.mark.parametrize(
    "text",
    [
        "not " * 3000,
        "no AWS, " * 2000,
        "L4 and " * 2500,
        "exclude " + "L4, " * 3000,
        "forget the budget " * 1000,
        "11,11," * 3000 + " rupees",
        "AWS is fine " * 1500,
    ],
    ids=range(7),
)
def test_directives_on_long_input_are_quick(text: str) -> None:
    started = time.perf_counter()
    spec = extract_spec([text], LEX)
    assert isinstance(spec, WorkloadSpec)
    assert time.perf_counter() - started < 3.0


# --------------------------------------------------------------------------- 9. catalogs/fx.py

GOOD_ROWS = """as_of: "2026-11-27"
source: "Test rates"
rates:
  - {code: USD, name: "US dollar", symbol: "$", usd_per_unit: 1.0}
  - {code: GBP, name: "pound sterling", symbol: "£", usd_per_unit: 1.25}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fx.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_rates_load() -> None:
    table = fx.fx_table()
    assert table.as_of.isoformat() == "2026-11-27"
    assert (table.source, table.verified) == ("hand-kept fallback table", False)  # never claims the ECB
    assert table.rates["USD"].usd_per_unit == 1.0
    assert len(table.rates) >= 20 and all(r.usd_per_unit > 0 for r in table.rates.values())
    assert 1.25 <= table.rates["GBP"].usd_per_unit <= 1.35  # the eval case: £1,200 -> $1,500-1,620
    assert table.rates["EUR"].symbol == "€" and table.rates["CHF"].symbol is None
    assert fx.load_fx() == table


def test_a_good_file_loads(tmp_path: Path) -> None:
    table = fx.load_fx(write(tmp_path, GOOD_ROWS))
    assert table.source == "Test rates" and list(table.rates) == ["USD", "GBP"]
    assert table.rates["GBP"] == fx.Rate(
        code="GBP",
        name="pound sterling",
        symbol="£",
        usd_per_unit=1.25,
        source="Test rates",
        as_of=table.as_of,
        verified=False,
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("usd_per_unit: 1.25", "usd_per_unit: -1.25", r"rates\[1\] \(GBP\): usd_per_unit must be a number > 0"),
        ("usd_per_unit: 1.25", "usd_per_unit: 0", r"rates\[1\] \(GBP\): usd_per_unit must be a number > 0"),
        ("usd_per_unit: 1.25", "usd_per_unit: true", r"rates\[1\] \(GBP\): usd_per_unit must be a number > 0"),
        ("usd_per_unit: 1.25", 'usd_per_unit: "1.25"', r"rates\[1\] \(GBP\): usd_per_unit must be a number > 0"),
        ("code: GBP", "code: gbp", r"rates\[1\] \(gbp\): code must be three upper-case letters"),
        ("code: GBP", "code: USD", r"rates\[1\] \(USD\): duplicate code"),
        (', symbol: "£"', "", r"rates\[1\] \(GBP\): missing key 'symbol'"),
        ('symbol: "£",', 'symbol: "£", rate: 2,', r"rates\[1\] \(GBP\): unknown key 'rate'"),
        ('name: "pound sterling"', 'name: ""', r"rates\[1\] \(GBP\): name must be non-empty text"),
        ('"2026-11-27"', '"27/11/2026"', r"as_of must be a date"),
        ('source: "Test rates"', 'source: ""', r"source must be non-empty text"),
        ("usd_per_unit: 1.0}", "usd_per_unit: 1.1}", r"needs a USD row with usd_per_unit 1.0"),
        ("rates:", "rate:", r"missing key 'rates'"),
    ],
)
def test_a_bad_row_fails_clearly(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert GOOD_ROWS.count(old) == 1
    with pytest.raises(ValueError, match=rf"^fx\.yaml: .*{message}"):
        fx.load_fx(write(tmp_path, GOOD_ROWS.replace(old, new)))


@pytest.mark.parametrize("text", ["rates: [", "- just\n- a list\n", "as_of: 2026-11-27\nsource: x\nrates: []\n"])
def test_a_bad_file_fails_clearly(tmp_path: Path, text: str) -> None:
    with pytest.raises(ValueError, match=r"^fx\.yaml: "):
        fx.load_fx(write(tmp_path, text))


def test_conversion_math() -> None:
    gbp, eur = fx.rate("GBP"), fx.rate("eur")
    amount, text = fx.to_usd(1200, "GBP")
    assert amount == pytest.approx(1200 * gbp.usd_per_unit)
    assert text == (
        f"{gbp.usd_per_unit:g} USD per GBP (hand-kept fallback table of 2026-11-27, not read from a published source)"
    )
    assert fx.to_usd(100, "eur")[0] == pytest.approx(100 * eur.usd_per_unit)
    assert fx.to_usd(0, "JPY")[0] == 0.0
    assert fx.to_usd(2.5, "USD") == (2.5, "")
    assert fx.to_usd(1, "JPY")[0] < 0.01 < fx.to_usd(1, "INR")[0] < fx.to_usd(1, "CNY")[0] < fx.to_usd(1, "GBP")[0]
    with pytest.raises(ValueError, match="no exchange rate for 'XYZ'"):
        fx.to_usd(1, "XYZ")


# --------------------------------------------------------------------------- 10. the LLM path


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def through_llm(fake: FakeOpenAI, reply: dict[str, Any], messages: list[str]) -> WorkloadSpec:
    """The rules' reading merged with the local server's answer, as the Requirements agent does it."""
    fake.mode, fake.reply = "valid", {"spec": reply}

    async def ask() -> WorkloadSpec | None:
        async with AsyncOpenAI(api_key="sk-test", base_url=fake.base_url, max_retries=0, timeout=5.0) as client:
            return await llm_spec(OpenAIChatModel(client, "test"), messages, 5.0)

    llm = anyio.run(ask)
    assert llm is not None
    return merge(spec_of(*messages), llm)


def test_llm_prompt_names_the_new_fields(fake: FakeOpenAI) -> None:
    through_llm(fake, {"task_type": "inference"}, ["Deploy Llama 3.1 8B, not on L4"])
    system = fake.requests[-1]["body"]["messages"][0]["content"]
    for word in (
        "excluded_providers",
        "excluded_gpus",
        "excluded_regions",
        "ranking",
        "currency_note",
        "take a value back",
    ):
        assert word in system


def test_llm_exclusions_lose_to_the_rules_and_never_pick_what_is_ruled_out(fake: FakeOpenAI) -> None:
    spec = through_llm(
        fake,
        {"task_type": "inference", "provider": "aws", "gpu_preference": "A10G", "excluded_gpus": ["T4"]},
        ["Deploy Mistral 7B Instruct on AWS but not on A10G GPUs"],
    )
    assert (spec.provider, spec.gpu_preference, spec.excluded_gpus) == ("aws", None, ["A10G"])
    spec = through_llm(fake, {"task_type": "inference", "provider": "aws"}, ["Serve Llama 3.1 8B, no AWS"])
    assert (spec.provider, spec.excluded_providers) == (None, ["aws"])
    spec = through_llm(
        fake,
        {"task_type": "inference", "provider": "aws", "excluded_providers": ["aws"], "region": "europe-west2"},
        ["Serve Llama 3.1 8B on GCP, not in the UK"],
    )
    assert (spec.provider, spec.excluded_providers, spec.region) == ("gcp", ["aws"], None)
    assert spec.excluded_regions == area("uk", "gcp")


def test_llm_exclusions_count_when_the_rules_found_none(fake: FakeOpenAI) -> None:
    spec = through_llm(
        fake,
        {"task_type": "inference", "provider": "azure", "excluded_providers": ["azure"], "excluded_gpus": ["L4"]},
        ["Serve Llama 3.1 8B somewhere that is not Microsoft's cloud, and skip Nvidia's smallest Ada card"],
    )
    assert (spec.excluded_providers, spec.excluded_gpus, spec.provider) == (["azure"], ["L4"], None)


def test_llm_does_not_bring_back_what_was_taken_back(fake: FakeOpenAI) -> None:
    messages = [
        "Serve Llama 3.1 8B on AWS in eu-west-1, budget $500 a month",
        "forget the budget, any cloud is fine now",
    ]
    spec = through_llm(
        fake,
        {"task_type": "inference", "provider": "aws", "region": "eu-west-1", "budget_monthly_usd": 500},
        messages,
    )
    assert (spec.budget_monthly_usd, spec.provider, spec.region) == (None, None, None)
    again = through_llm(
        fake,
        {"task_type": "inference", "budget_monthly_usd": 800},
        ["budget $500 a month", "forget the budget", "budget is $800 per month now"],
    )
    assert again.budget_monthly_usd == 800.0


def test_llm_ranking_and_currency_defer_to_the_rules(fake: FakeOpenAI) -> None:
    spec = through_llm(
        fake,
        {"task_type": "inference", "ranking": "fastest", "budget_monthly_usd": 1200, "currency_note": "made up"},
        ["Serve Phi-4, make it cheaper, £1,200 a month"],
    )
    assert spec.ranking == "cheapest"
    assert spec.budget_monthly_usd == usd(1200, "GBP")
    assert spec.currency_note is not None and spec.currency_note.startswith("£1,200/month")
    llm_only = through_llm(fake, {"task_type": "inference", "ranking": "fastest"}, ["Serve Phi-4 snappily"])
    assert llm_only.ranking == "fastest" and llm_only.currency_note is None
