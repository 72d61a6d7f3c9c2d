"""Import flows: parse a source, upsert it in one transaction, record where it came from."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from psycopg import AsyncConnection

from stack8s.catalogs import repository
from stack8s.catalogs.importers.base import RowError
from stack8s.catalogs.rows import ChartRow, HFModelRow, InstanceRow, ModelCard
from stack8s.embeddings import Embedder

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    catalog: str
    source: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    details: dict[str, int] = field(default_factory=dict)


def checksum_of(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _as_of(rows: list[InstanceRow] | list[ChartRow] | list[HFModelRow]) -> date | None:
    dates = [r.as_of for r in rows if r.as_of is not None]
    return max(dates) if dates else None


async def store_instances(
    conn: AsyncConnection[dict[str, Any]], source: str, rows: list[InstanceRow], errors: list[RowError], checksum: str
) -> ImportReport:
    async with conn.transaction():
        await repository.upsert_instances(conn, rows)
        await repository.record_source(conn, "instances", source, len(rows), _as_of(rows), checksum, len(errors))
    await repository.analyze(conn, "cloud.instances")
    return ImportReport("instances", source, len(rows), errors=errors)


async def store_charts(
    conn: AsyncConnection[dict[str, Any]], source: str, rows: list[ChartRow], errors: list[RowError], checksum: str
) -> ImportReport:
    async with conn.transaction():
        await repository.upsert_charts(conn, rows)
        await repository.record_source(conn, "charts", source, len(rows), _as_of(rows), checksum, len(errors))
    await repository.analyze(conn, "cloud.helm_charts")
    return ImportReport("charts", source, len(rows), errors=errors)


async def store_models(
    conn: AsyncConnection[dict[str, Any]],
    source: str,
    rows: list[HFModelRow],
    cards: list[ModelCard],
    errors: list[RowError],
    checksum: str,
    embedder: Embedder,
    progress: repository.Progress | None = None,
) -> ImportReport:
    async with conn.transaction():
        await repository.upsert_models(conn, rows)
        details = await repository.upsert_cards(conn, cards, embedder, progress)
        await repository.ensure_vector_index(conn, embedder.name, embedder.dim)
        await repository.record_source(conn, "models", source, len(rows), _as_of(rows), checksum, len(errors))
    await repository.analyze(conn, "hf.models", "hf.model_to_card", "hf.card_chunks")
    return ImportReport("models", source, len(rows), errors=errors, details=details)
