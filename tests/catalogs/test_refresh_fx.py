"""`catalog refresh --source fx` over real HTTP on loopback: a server serving an ECB reference-rates file
(the ECB's format; tests/data/ecb), what is stored and cited after a refresh, and each failure keeping
the previous table."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tests.agents.test_requirements import spec_of
from typer.testing import CliRunner

from stack8s.catalogs import fx
from stack8s.catalogs.refresh import RefreshOptions
from stack8s.catalogs.refresh import refresh_files as refresh
from stack8s.catalogs.refresh.ecb import ECB_SOURCE
from stack8s.cli.catalog import app

ECB_DIR = Path(__file__).resolve().parents[1] / "data" / "ecb"
GOOD = (ECB_DIR / "eurofxref-daily.xml").read_bytes()
NO_USD = GOOD.replace(b"<Cube currency='USD' rate='1.1580'/>", b"")
NO_TIME = GOOD.replace(b" time='2026-11-26'", b"")
WITHOUT_INR = GOOD.replace(b"<Cube currency='INR' rate='103.7250'/>", b"")


class FakeEcb:
    """Answers every GET with `body`, or per `mode`: "500", "sleep" (past the client's time-out)."""

    def __init__(self) -> None:
        self.mode, self.body = "ok", GOOD
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if fake.mode == "sleep":
                    time.sleep(1.5)
                status = 500 if fake.mode == "500" else 200
                body = b"Internal Server Error" if status == 500 else fake.body
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/stats/eurofxref/eurofxref-daily.xml"

    def __enter__(self) -> FakeEcb:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def ecb() -> Iterator[FakeEcb]:
    with FakeEcb() as fake:
        yield fake


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    fx.use_data_dir(tmp_path)
    yield tmp_path
    fx.use_data_dir(None)


def options(data_dir: Path, ecb: FakeEcb) -> RefreshOptions:
    return RefreshOptions(data_dir=data_dir, ecb_url=ecb.url, timeout_seconds=0.5)


def test_a_refresh_stores_the_ecb_rates_and_date(ecb: FakeEcb, data_dir: Path) -> None:
    [outcome] = refresh(["fx"], options(data_dir, ecb))
    assert outcome.ok, outcome.reason
    assert "22 rates" in outcome.reason and "2026-11-26" in outcome.reason
    table = fx.load_fx(data_dir / "fx.yaml")
    assert (table.as_of, table.source, table.verified) == (date(2026, 11, 26), ECB_SOURCE, True)
    assert list(table.rates) == list(fx.SHIPPED.rates)  # same currencies, same order
    assert table.rates["EUR"].usd_per_unit == 1.158
    assert table.rates["GBP"].usd_per_unit == pytest.approx(1.158 / 0.8782, rel=1e-5)
    assert table.rates["JPY"].usd_per_unit == pytest.approx(1.158 / 180.52, rel=1e-5)
    assert all(r.verified and r.as_of == date(2026, 11, 26) for r in table.rates.values())
    assert fx.fx_table() == table  # what the service reads from now on
    assert fx.SHIPPED == fx.load_fx()  # the package's fallback is untouched


def test_the_currency_note_cites_the_ecb_and_its_date(ecb: FakeEcb, data_dir: Path) -> None:
    before = spec_of("£1,200 a month").currency_note or ""
    assert "hand-kept fallback table of 2026-11-27, not read from a published source" in before
    assert "ECB" not in before
    assert refresh(["fx"], options(data_dir, ecb))[0].ok
    gbp = round(1.158 / 0.8782, 5)
    usd, note = fx.to_usd(1200, "GBP")
    assert note == f"{gbp:g} USD per GBP (ECB euro foreign exchange reference rates, 2026-11-26)"
    after = spec_of("£1,200 a month").currency_note
    assert after == f"£1,200/month = ${round(usd):,}/month at {note}"


def test_a_currency_the_ecb_does_not_publish_keeps_its_fallback_row(ecb: FakeEcb, data_dir: Path) -> None:
    ecb.body = WITHOUT_INR
    [outcome] = refresh(["fx"], options(data_dir, ecb))
    assert outcome.ok and "kept the fallback for INR" in outcome.reason
    inr = fx.rate("INR")
    assert inr == fx.SHIPPED.rates["INR"] and not inr.verified and inr.source == "hand-kept fallback table"
    assert "not read from a published source" in fx.to_usd(50_000, "INR")[1]
    assert fx.rate("GBP").verified


@pytest.mark.parametrize(
    ("mode", "body", "reason"),
    [
        ("500", GOOD, "HTTP 500"),
        ("sleep", GOOD, "no answer within 0.5 s"),
        ("ok", GOOD[: len(GOOD) // 2], "not valid XML"),
        ("ok", NO_USD, "no USD rate for 2026-11-26"),
        ("ok", NO_TIME, "no <Cube time=...> element"),
        ("ok", GOOD.replace(b"rate='0.87820'", b"rate='n/a'"), "rate of GBP is 'n/a'"),
    ],
    ids=["http-500", "timeout", "truncated", "no-usd", "no-time", "bad-rate"],
)
def test_a_failure_keeps_the_previous_table(ecb: FakeEcb, data_dir: Path, mode: str, body: bytes, reason: str) -> None:
    ecb.body = WITHOUT_INR  # a first refresh, to be kept
    assert refresh(["fx"], options(data_dir, ecb))[0].ok
    stored = (data_dir / "fx.yaml").read_bytes()
    previous = fx.fx_table()
    ecb.mode, ecb.body = mode, body
    [outcome] = refresh(["fx"], options(data_dir, ecb))
    assert not outcome.ok and outcome.source == "fx"
    assert reason in outcome.reason and ecb.url in outcome.reason
    assert (data_dir / "fx.yaml").read_bytes() == stored
    assert fx.fx_table() == previous and fx.fx_table().as_of == date(2026, 11, 26)
    assert sorted(p.name for p in data_dir.iterdir()) == ["fx.yaml"]  # no scratch file left


def test_a_failure_without_a_previous_refresh_keeps_the_fallback(ecb: FakeEcb, data_dir: Path) -> None:
    ecb.mode = "500"
    assert not refresh(["fx"], options(data_dir, ecb))[0].ok
    assert not (data_dir / "fx.yaml").exists() and fx.fx_table() is fx.SHIPPED


def test_an_unusable_refreshed_file_falls_back_to_the_shipped_table(data_dir: Path) -> None:
    (data_dir / "fx.yaml").write_text("rates: [", encoding="utf-8")
    assert fx.fx_table() is fx.SHIPPED


def test_the_cli_refreshes_from_a_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"STACK8S_DATA_DIR": str(tmp_path / "data"), "STACK8S_ECB_URL": "http://127.0.0.1:9/unused"}
    result = runner.invoke(app, ["refresh", "--source", "fx", "--from", str(ECB_DIR)], env=env)
    assert result.exit_code == 0, result.output
    assert "fx: refreshed 22 rates from ECB euro foreign exchange reference rates, 2026-11-26" in result.output
    table = fx.load_fx(tmp_path / "data" / "fx.yaml")
    assert table.as_of == date(2026, 11, 26) and table.rates["GBP"].verified


def test_the_cli_fails_when_every_source_failed(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {"STACK8S_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(app, ["refresh", "--source", "all", "--from", str(empty)], env=env)
    assert result.exit_code == 1
    assert f"fx: failed: cannot read {empty / 'eurofxref-daily.xml'}" in result.output
    assert "kept the previous table" in result.output
    assert "every requested source failed (skypilot, fx); nothing was refreshed" in result.output
    assert not (tmp_path / "data" / "fx.yaml").exists()


def test_the_cli_names_the_sources_it_knows(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["refresh", "--source", "ecb"], env={"STACK8S_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2 and "skypilot, fx, all" in result.output
