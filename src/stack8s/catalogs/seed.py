"""Load the curated catalog shipped in the package, on first start and whenever a shipped file changes."""

from __future__ import annotations

import logging
from typing import Any

from psycopg import AsyncConnection

from stack8s.catalogs import repository, service, shipped
from stack8s.catalogs.service import ImportReport
from stack8s.embeddings import Embedder

log = logging.getLogger(__name__)


async def seed_shipped(conn: AsyncConnection[dict[str, Any]], embedder: Embedder) -> list[ImportReport]:
    """Idempotent: each shipped file is loaded only when its checksum differs from the recorded one."""
    paths = shipped.default_paths()
    reports = []
    instances, charts, models = paths["instances"], paths["charts"], paths["models"]
    if await _changed(conn, "instances", instances):
        instance_result = shipped.load_instances(instances)
        reports.append(
            await service.store_instances(
                conn, _source(instances), instance_result.rows, instance_result.errors, service.checksum_of(instances)
            )
        )
    if await _changed(conn, "charts", charts):
        chart_result = shipped.load_charts(charts)
        reports.append(
            await service.store_charts(
                conn, _source(charts), chart_result.rows, chart_result.errors, service.checksum_of(charts)
            )
        )
    if await _changed(conn, "models", models) or await repository.missing_embeddings(conn, embedder.name):
        model_result, cards = shipped.load_models(models)
        reports.append(
            await service.store_models(
                conn,
                _source(models),
                model_result.rows,
                cards,
                model_result.errors,
                service.checksum_of(models),
                embedder,
            )
        )
    for report in reports:
        log.info("catalog.seeded catalog=%s rows=%d errors=%d", report.catalog, report.rows, len(report.errors))
    return reports


def _source(path: object) -> str:
    return f"stack8s-curated:{getattr(path, 'name', path)}"


async def _changed(conn: AsyncConnection[dict[str, Any]], catalog: str, path: object) -> bool:
    from pathlib import Path

    assert isinstance(path, Path)
    if not path.exists():
        log.warning("catalog.shipped.missing path=%s", path)
        return False
    recorded = await repository.source_checksum(conn, catalog, _source(path))
    return recorded != service.checksum_of(path)
