"""`catalog refresh --source skypilot` against a local catalog server (real HTTP on loopback) and a real
PostgreSQL database of this module's own, with real SkyPilot rows (tests/data/skypilot_refresh)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
import pytest
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row
from tests.fakes.skypilot_catalog import LAST_MODIFIED, FakeCatalog, etag
from typer.testing import CliRunner

from stack8s.catalogs.refresh import RefreshResult
from stack8s.catalogs.refresh.skypilot import cloud_url, refresh_skypilot
from stack8s.cli.catalog import app
from stack8s.db.migrate import migrate

DATA = Path(__file__).resolve().parents[1] / "data" / "skypilot_refresh"
SERVED_DATE = date(2026, 11, 3)  # the fake server's Last-Modified


@pytest.fixture(scope="module")
def dsn(db_dsn: str) -> str:
    """A new, migrated database on the test PostgreSQL: refreshes commit, so they stay out of the shared one."""
    name = f"refresh_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    fresh = make_conninfo(db_dsn, dbname=name)
    asyncio.run(migrate(fresh))
    return fresh


@pytest.fixture
def catalog() -> Iterator[FakeCatalog]:
    with FakeCatalog() as fake:
        for cloud in ("lambda", "nebius"):
            fake.files[_path(fake, cloud)] = (DATA / cloud / "vms.csv").read_bytes()
        yield fake


def _path(fake: FakeCatalog, cloud: str) -> str:
    return urlparse(cloud_url(fake.base_url, cloud)).path


def refresh(dsn: str, fake: FakeCatalog, timeout_seconds: float = 5.0) -> dict[str, RefreshResult]:
    async def run() -> list[RefreshResult]:
        async with await psycopg.AsyncConnection.connect(dsn, row_factory=dict_row) as conn:
            return await refresh_skypilot(
                conn, base=fake.base_url, clouds=("lambda", "nebius"), timeout_seconds=timeout_seconds
            )

    return {r.source: r for r in asyncio.run(run())}


def stored(dsn: str, source: str) -> list[dict[str, Any]]:
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT * FROM cloud.instances WHERE source = %s ORDER BY instance_type, region", (source,)
        ).fetchall()


def test_rows_are_stored_with_their_url_and_date_and_a_second_refresh_is_not_modified(
    dsn: str, catalog: FakeCatalog
) -> None:
    first = refresh(dsn, catalog)
    assert first["skypilot:lambda"] == RefreshResult("skypilot:lambda", True, 4)
    assert first["skypilot:nebius"] == RefreshResult("skypilot:nebius", True, 3)
    url = cloud_url(catalog.base_url, "lambda")
    rows = stored(dsn, url)
    assert [(r["instance_type"], r["region"]) for r in rows] == [
        ("cpu_4x_generalx", "asia-south-1"),
        ("cpu_4x_generalx", "europe-central-1"),
        ("gpu_8x_a100", "asia-south-1"),
        ("gpu_8x_a100", "europe-central-1"),
    ]
    a100 = rows[3]
    assert (a100["provider"], a100["gpu_model"], a100["gpu_count"], a100["price_hourly_usd"]) == (
        "lambda",
        "A100-40GB",
        8,
        15.92,
    )
    assert {r["as_of"] for r in rows} == {SERVED_DATE}

    catalog.requests.clear()
    second = refresh(dsn, catalog)
    assert {r.reason for r in second.values()} == {"not modified"}
    assert all(r.ok and r.rows == 0 for r in second.values())
    sent = dict(catalog.requests)[_path(catalog, "lambda")]
    assert sent["If-None-Match"] == etag((DATA / "lambda" / "vms.csv").read_bytes())
    assert sent["If-Modified-Since"] == LAST_MODIFIED
    assert stored(dsn, url) == rows


def test_without_last_modified_rows_are_dated_by_the_fetch_day(dsn: str, catalog: FakeCatalog) -> None:
    path = _path(catalog, "nebius")
    catalog.modes[path] = "no-date"
    assert refresh(dsn, catalog)["skypilot:nebius"].rows == 3
    assert {r["as_of"] for r in stored(dsn, cloud_url(catalog.base_url, "nebius"))} == {datetime.now(UTC).date()}
    catalog.requests.clear()
    assert refresh(dsn, catalog)["skypilot:nebius"].reason == "not modified"
    sent = dict(catalog.requests)[path]
    assert "If-Modified-Since" not in sent and sent["If-None-Match"] == etag(catalog.files[path])


def test_a_changed_file_replaces_the_clouds_rows(dsn: str, catalog: FakeCatalog) -> None:
    refresh(dsn, catalog)
    path = _path(catalog, "lambda")
    catalog.files[path] = b"".join(catalog.files[path].splitlines(keepends=True)[:-1])  # asia-south-1 A100 gone
    assert refresh(dsn, catalog)["skypilot:lambda"].rows == 3
    assert [r["region"] for r in stored(dsn, cloud_url(catalog.base_url, "lambda")) if r["gpu_count"]] == [
        "europe-central-1"
    ]


def _header_renamed(body: bytes) -> bytes:
    return body.replace(b",Price,", b",HourlyPrice,", 1)


def _cut_mid_line(body: bytes) -> bytes:
    return body[: len(body) - 40]


@pytest.mark.parametrize(
    ("mode", "change", "reason"),
    [
        ("error", None, "HTTP 500"),
        ("sleep", None, "no answer within 0.5 s"),
        ("short", None, "truncated download"),
        ("", _cut_mid_line, "truncated file: the last line has no line end"),
        ("", _header_renamed, "header not known to the importer: no Price column"),
    ],
)
def test_a_failing_cloud_keeps_its_rows_and_the_others_refresh(
    dsn: str, catalog: FakeCatalog, mode: str, change: Any, reason: str
) -> None:
    refresh(dsn, catalog)
    lambda_url, nebius_url = (cloud_url(catalog.base_url, c) for c in ("lambda", "nebius"))
    before = stored(dsn, lambda_url)
    lambda_path, nebius_path = _path(catalog, "lambda"), _path(catalog, "nebius")
    catalog.modes[lambda_path] = mode
    catalog.sleep_seconds = 2.0
    if change:
        catalog.files[lambda_path] = change(catalog.files[lambda_path])
    catalog.files[nebius_path] = catalog.files[nebius_path].splitlines(keepends=True)[0] + b"".join(
        catalog.files[nebius_path].splitlines(keepends=True)[2:]
    )  # the CPU row gone

    results = refresh(dsn, catalog, timeout_seconds=0.5)

    failed = results["skypilot:lambda"]
    assert not failed.ok and failed.rows == 0
    assert failed.reason.startswith(reason) and failed.reason.endswith("previous rows kept")
    assert stored(dsn, lambda_url) == before
    assert results["skypilot:nebius"] == RefreshResult("skypilot:nebius", True, 2)
    assert [r["instance_type"] for r in stored(dsn, nebius_url)] == [
        "gpu-h100-sxm_1gpu-16vcpu-200gb",
        "gpu-h100-sxm_8gpu-128vcpu-1600gb",
    ]


def test_cli_refresh_from_a_local_copy(dsn: str, tmp_path: Path) -> None:
    folder = tmp_path / "v8"
    shutil.copytree(DATA, folder)
    stamp = datetime(2026, 10, 1, 12).timestamp()
    for file in folder.glob("*/vms.csv"):
        os.utime(file, (stamp, stamp))
    runner = CliRunner()
    env = {"DATABASE_URL": dsn}

    first = runner.invoke(app, ["refresh", "--source", "skypilot", "--from", str(folder)], env=env)
    assert first.exit_code == 0, first.output
    assert "skypilot:lambda: 4 rows" in first.output and "skypilot:nebius: 3 rows" in first.output
    rows = stored(dsn, (folder / "lambda" / "vms.csv").resolve().as_uri())
    assert len(rows) == 4 and {r["as_of"] for r in rows} == {date(2026, 10, 1)}

    again = runner.invoke(app, ["refresh", "--source", "skypilot", "--from", str(folder)], env=env)
    assert again.exit_code == 0, again.output
    assert "skypilot:lambda: not modified" in again.output

    (folder / "nebius" / "vms.csv").write_bytes(b"InstanceType,vCPUs\r\nx,1\r\n")
    broken = runner.invoke(app, ["refresh", "--source", "skypilot", "--from", str(folder)], env=env)
    assert broken.exit_code == 1
    assert "skypilot:nebius: failed: header not known to the importer" in broken.output
    assert len(stored(dsn, (folder / "nebius" / "vms.csv").resolve().as_uri())) == 3


def test_cli_refuses_an_unknown_source() -> None:
    result = CliRunner().invoke(app, ["refresh", "--source", "nope"])
    assert result.exit_code == 2 and "--source wants one of skypilot, fx, all" in result.output
