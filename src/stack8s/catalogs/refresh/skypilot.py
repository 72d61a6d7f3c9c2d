"""Instances from SkyPilot's catalog repository: `<base>/<schema version>/<cloud>/vms.csv` per cloud.

* Conditional requests: each cloud's last ETag / Last-Modified is kept in `cloud.catalog_sources.checksum`
  (source = the file's URL) and sent back as If-None-Match / If-Modified-Since; a 304 leaves that cloud's
  rows untouched ("not modified"). A local copy (`DIR/<cloud>/vms.csv`) is compared by its SHA-256 instead.
* Rows are dated by the response's Last-Modified, else the fetch day (a local file: its commit date, else its
  modification time, as `catalog import` does), and their `source` is the file's URL.
* A cloud that fails (timeout, HTTP error, truncated body, a header the importer does not know, no usable
  rows) keeps its previous rows and is reported with the reason; the other clouds still refresh. Everything
  is fetched and parsed before any write, then each cloud's rows are swapped in one short transaction, so
  the catalog keeps answering during a refresh.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import httpx
import psycopg
from psycopg import AsyncConnection

from stack8s.catalogs import repository
from stack8s.catalogs.importers.base import RowError
from stack8s.catalogs.importers.skypilot import parse_skypilot_csv
from stack8s.catalogs.refresh import RefreshResult
from stack8s.catalogs.rows import InstanceRow

log = logging.getLogger(__name__)

BASE_URL_ENV = "STACK8S_SKYPILOT_CATALOG_URL"
DEFAULT_BASE_URL = "https://raw.githubusercontent.com/skypilot-org/skypilot-catalog/master/catalogs"
# SkyPilot's own CATALOG_SCHEMA_VERSION (sky/skylet/constants.py): the folder its clients download from.
SCHEMA_VERSION = "v8"
CLOUDS = ("aws", "gcp", "azure", "lambda", "runpod", "oci", "nebius", "vast", "ibm", "fluidstack", "cudo")
# Columns the importer cannot do without; other columns (GpuInfo, AvailabilityZone, v9's disks) are optional.
REQUIRED_COLUMNS = frozenset({"InstanceType", "AcceleratorName", "AcceleratorCount", "Region", "Price"})
TIMEOUT_SECONDS = 60.0


class RefreshFailed(Exception):
    """One cloud could not be refreshed; the message is the reason reported."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A cloud's new file: its bytes, its path when local (dated by git or its file time, as `catalog import`
    does), the prices' date otherwise, and the validators to store for the next refresh."""

    body: bytes
    path: Path | None
    as_of: date | None
    validators: str


Fetch = Callable[[str, str, str | None], Awaitable[Fetched | None]]  # (cloud, url, stored) -> None = unchanged


def base_url() -> str:
    return os.environ.get(BASE_URL_ENV, "").strip().rstrip("/") or DEFAULT_BASE_URL


def cloud_url(base: str, cloud: str) -> str:
    return f"{base}/{SCHEMA_VERSION}/{cloud}/vms.csv"


async def refresh_from(conn: AsyncConnection[dict[str, Any]], folder: Path | None) -> list[RefreshResult]:
    """The registry's entry: a local copy when `folder` is given, else the catalog repository over HTTPS."""
    return await refresh_local(conn, folder) if folder else await refresh_skypilot(conn)


async def refresh_skypilot(
    conn: AsyncConnection[dict[str, Any]],
    *,
    base: str | None = None,
    clouds: tuple[str, ...] = CLOUDS,
    timeout_seconds: float = TIMEOUT_SECONDS,
) -> list[RefreshResult]:
    base = (base or base_url()).rstrip("/")
    async with httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=True) as client:

        async def fetch(cloud: str, url: str, stored: str | None) -> Fetched | None:
            return await _fetch_http(client, url, stored, timeout_seconds)

        return await _refresh_all(conn, [(c, cloud_url(base, c)) for c in clouds], fetch)


async def refresh_local(conn: AsyncConnection[dict[str, Any]], folder: Path) -> list[RefreshResult]:
    """Every `folder/<cloud>/vms.csv` (a checkout or a copy of one schema version's folder)."""
    files = await asyncio.to_thread(_local_files, folder)
    if not files:
        return [RefreshResult("skypilot", False, 0, f"no <cloud>/vms.csv under {folder}")]
    return await _refresh_all(conn, [(f.parent.name, f.resolve().as_uri()) for f in files], _fetch_local)


async def _refresh_all(
    conn: AsyncConnection[dict[str, Any]], clouds: list[tuple[str, str]], fetch: Fetch
) -> list[RefreshResult]:
    results = [await _refresh_cloud(conn, cloud, url, fetch) for cloud, url in clouds]
    if any(r.rows for r in results):
        async with conn.transaction():
            await repository.analyze(conn, "cloud.instances")
    return results


async def _refresh_cloud(conn: AsyncConnection[dict[str, Any]], cloud: str, url: str, fetch: Fetch) -> RefreshResult:
    name = f"skypilot:{cloud}"
    async with conn.transaction():  # commits at once: no transaction stays open during the download
        stored = await repository.source_checksum(conn, "instances", url)
    try:
        fetched = await fetch(cloud, url, stored)
        if fetched is None:
            log.info("catalog.refresh.not_modified source=%s", url)
            return RefreshResult(name, True, 0, "not modified")
        rows, errors = await asyncio.to_thread(_parse, fetched, cloud, url)
    except RefreshFailed as failed:
        log.warning("catalog.refresh.failed source=%s reason=%s", url, failed)
        return RefreshResult(name, False, 0, f"{failed}; previous rows kept")
    try:
        async with conn.transaction():  # rolled back on error: the previous rows stay
            await repository.replace_source_instances(conn, cloud, url, rows)
            await repository.record_source(
                conn, "instances", url, len(rows), rows[0].as_of, fetched.validators, len(errors)
            )
    except psycopg.Error as exc:
        log.warning("catalog.refresh.failed source=%s reason=%s", url, exc)
        return RefreshResult(name, False, 0, f"database refused the rows: {exc}; previous rows kept")
    log.info("catalog.refresh.stored source=%s rows=%d skipped=%d", url, len(rows), len(errors))
    return RefreshResult(name, True, len(rows), f"{len(errors)} rows skipped" if errors else "")


# ---------------------------------------------------------------- fetching


async def _fetch_http(
    client: httpx.AsyncClient, url: str, stored: str | None, timeout_seconds: float
) -> Fetched | None:
    try:
        response = await client.get(url, headers=_conditional_headers(stored))
    except httpx.TimeoutException:
        raise RefreshFailed(f"no answer within {timeout_seconds:g} s") from None
    except httpx.RemoteProtocolError as exc:
        raise RefreshFailed(f"truncated download: {exc}") from None
    except httpx.HTTPError as exc:
        raise RefreshFailed(f"{type(exc).__name__}: {exc}") from None
    if response.status_code == 304:
        return None
    if response.status_code != 200:
        raise RefreshFailed(f"HTTP {response.status_code} from {url}")
    return Fetched(response.content, None, _last_modified(response), _validators(response))


async def _fetch_local(cloud: str, url: str, stored: str | None) -> Fetched | None:
    return await asyncio.to_thread(_read_local, Path(url2pathname(urlparse(url).path)), stored)


def _local_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/vms.csv"))


def _read_local(path: Path, stored: str | None) -> Fetched | None:
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise RefreshFailed(f"cannot read {path}: {exc.strerror}") from None
    checksum = "sha256:" + hashlib.sha256(body).hexdigest()
    return None if checksum == stored else Fetched(body, path, None, checksum)


def _conditional_headers(stored: str | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the validators stored by the last fetch."""
    try:
        found = json.loads(stored or "{}")
    except ValueError:  # a checksum written by `catalog import`, not validators
        return {}
    if not isinstance(found, dict):
        return {}
    headers = {"If-None-Match": found.get("etag"), "If-Modified-Since": found.get("last-modified")}
    return {k: str(v) for k, v in headers.items() if v}


def _validators(response: httpx.Response) -> str:
    return json.dumps({k: response.headers[k] for k in ("etag", "last-modified") if k in response.headers})


def _last_modified(response: httpx.Response) -> date:
    text = response.headers.get("last-modified")
    try:
        return parsedate_to_datetime(text).date() if text else datetime.now(UTC).date()
    except (TypeError, ValueError):
        return datetime.now(UTC).date()


# ---------------------------------------------------------------- checking and parsing


def _parse(fetched: Fetched, cloud: str, url: str) -> tuple[list[InstanceRow], list[RowError]]:
    _check(fetched.body)
    if fetched.path is not None:
        result = parse_skypilot_csv(fetched.path, provider=cloud)
    else:
        with tempfile.TemporaryDirectory(prefix="stack8s-skypilot-") as tmp:
            path = Path(tmp) / "vms.csv"
            path.write_bytes(fetched.body)
            result = parse_skypilot_csv(path, provider=cloud, as_of=fetched.as_of)
    if not result.rows:
        raise RefreshFailed(f"no usable rows ({len(result.errors)} rows skipped)")
    return [replace(r, source=url) for r in result.rows], result.errors


def _check(body: bytes) -> None:
    """Refuse a file the importer would half-read: empty, cut short, or a header it does not know."""
    if not body.strip():
        raise RefreshFailed("empty file")
    if not body.endswith(b"\n"):
        raise RefreshFailed("truncated file: the last line has no line end")
    first = body.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    header = {h.strip() for h in next(csv.reader([first]), [])}
    missing = sorted(REQUIRED_COLUMNS - header)
    if missing:
        raise RefreshFailed(f"header not known to the importer: no {', '.join(missing)} column")
