"""Compute instance search: SQL filters, ranked by price asc, VRAM desc, GPU count desc, provider, name.

The last tie-break (region) makes the order total, so the same query always returns the same bytes.
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection, sql

from stack8s.planning.plan import HOURS_PER_MONTH
from stack8s.tools.schemas import ComputeHit, ComputeQuery

_COLUMNS = sql.SQL(
    "provider, instance_type, region, gpu_model, gpu_count, vram_per_gpu_gb, total_vram_gb, vcpu, ram_gb, "
    "price_hourly_usd, spot_price_hourly_usd, source, as_of"
)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filters(q: ComputeQuery) -> tuple[list[sql.Composable], list[Any]]:
    clauses: list[sql.Composable] = []
    params: list[Any] = []

    def add(clause: str, *values: Any) -> None:
        clauses.append(sql.SQL(clause))
        params.extend(values)

    if q.gpu_needed is True:
        add("gpu_count > 0")
    elif q.gpu_needed is False:
        add("gpu_count = 0")
    if q.min_vram_gb is not None:
        add("total_vram_gb >= %s", q.min_vram_gb)
    if q.min_vram_per_gpu_gb is not None:
        add("vram_per_gpu_gb >= %s", q.min_vram_per_gpu_gb)
    if q.gpu_model:
        # the named model and its memory variants ("A100" takes A100-80GB), never a longer name (L4 vs L40S)
        name = q.gpu_model.lower()
        add("(lower(gpu_model) = %s OR lower(gpu_model) LIKE %s)", name, escape_like(name) + "-%")
    if q.min_gpu_count is not None:
        add("gpu_count >= %s", q.min_gpu_count)
    if q.max_gpu_count is not None:
        add("gpu_count <= %s", q.max_gpu_count)
    if q.spot:
        add("spot_price_hourly_usd IS NOT NULL")
    price = sql.SQL("spot_price_hourly_usd" if q.spot else "price_hourly_usd")
    if q.max_price_hourly is not None:
        clauses.append(sql.SQL("{} <= %s").format(price))
        params.append(q.max_price_hourly)
    if q.max_price_monthly is not None:
        clauses.append(sql.SQL("{} * %s <= %s").format(price))
        params.extend([HOURS_PER_MONTH, q.max_price_monthly])
    providers = [p.lower() for p in ([q.provider] if q.provider else []) + q.providers]
    if providers:
        add("provider = ANY(%s)", providers)
    regions = ([q.region] if q.region else []) + q.regions
    if regions:
        add("region = ANY(%s)", regions)
    if q.exclude_providers:
        add("NOT (provider = ANY(%s))", [p.lower() for p in q.exclude_providers])
    if q.exclude_regions:
        add("NOT (region = ANY(%s))", q.exclude_regions)
    for gpu in q.exclude_gpus:
        # the named model and its memory variants ("A100" rules out A100-80GB), never a longer name (L4 vs L40S)
        add(
            "(gpu_model IS NULL OR NOT (lower(gpu_model) = %s OR lower(gpu_model) LIKE %s))",
            gpu.lower(),
            escape_like(gpu.lower()) + "-%",
        )
    if q.min_vcpu is not None:
        add("vcpu >= %s", q.min_vcpu)
    if q.min_ram_gb is not None:
        add("ram_gb >= %s", q.min_ram_gb)
    return clauses, params


_ORDER = "ORDER BY {price}, total_vram_gb DESC, gpu_count DESC, provider, instance_type, region LIMIT %s"


def build_query(q: ComputeQuery) -> tuple[sql.Composed, list[Any]]:
    clauses, params = _filters(q)
    where = sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("TRUE")
    price = sql.SQL("spot_price_hourly_usd" if q.spot else "price_hourly_usd")
    if q.gpu_model:
        # A GPU model is selective but often expensive (last in price order): filter first through
        # the prefix index, then sort the few hundred rows, instead of walking the price index.
        template = "WITH m AS MATERIALIZED (SELECT {cols} FROM cloud.instances WHERE {where}) SELECT * FROM m "
    else:
        template = "SELECT {cols} FROM cloud.instances WHERE {where} "
    query = sql.SQL(template + _ORDER).format(cols=_COLUMNS, where=where, price=price)
    return query, [*params, q.top_k]


def to_hit(row: dict[str, Any]) -> ComputeHit:
    return ComputeHit(**row, price_monthly_usd=round(row["price_hourly_usd"] * HOURS_PER_MONTH, 2))


async def search(conn: AsyncConnection[dict[str, Any]], q: ComputeQuery) -> list[ComputeHit]:
    query, params = build_query(q)
    cur = await conn.execute(query, params)
    return [to_hit(r) for r in await cur.fetchall()]


async def largest(conn: AsyncConnection[dict[str, Any]], q: ComputeQuery) -> list[ComputeHit]:
    """The instances with the most total VRAM (then cheapest) among those matching q's filters."""
    clauses, params = _filters(q)
    where = sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("TRUE")
    query = sql.SQL(
        "SELECT {cols} FROM cloud.instances WHERE {where} "
        "ORDER BY total_vram_gb DESC, price_hourly_usd, gpu_count DESC, provider, instance_type, region LIMIT %s"
    ).format(cols=_COLUMNS, where=where)
    cur = await conn.execute(query, [*params, q.top_k])
    return [to_hit(r) for r in await cur.fetchall()]


async def all_offers(conn: AsyncConnection[dict[str, Any]], q: ComputeQuery) -> list[ComputeHit]:
    """Every (provider, instance type) matching q at its cheapest region, in the search's order: the
    candidates an exact search compares (the cheapest per node is not the cheapest for the load)."""
    clauses, params = _filters(q)
    where = sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("TRUE")
    price = sql.SQL("spot_price_hourly_usd" if q.spot else "price_hourly_usd")
    query = sql.SQL(
        "WITH m AS (SELECT DISTINCT ON (provider, instance_type) {cols} FROM cloud.instances WHERE {where} "
        "ORDER BY provider, instance_type, {price}, region) SELECT * FROM m "
        "ORDER BY {price}, total_vram_gb DESC, gpu_count DESC, provider, instance_type, region"
    ).format(cols=_COLUMNS, where=where, price=price)
    cur = await conn.execute(query, params)
    return [to_hit(r) for r in await cur.fetchall()]


async def cheapest_per_region(conn: AsyncConnection[dict[str, Any]], q: ComputeQuery) -> list[ComputeHit]:
    """The cheapest instance matching q in every (provider, region), ordered by provider and region: where a
    part beside the main model (a RAG plan's embedder, its vector store) would run in each place the main
    model may be placed. Ties at a price go to more VRAM, then the instance type's name."""
    clauses, params = _filters(q)
    where = sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("TRUE")
    price = sql.SQL("spot_price_hourly_usd" if q.spot else "price_hourly_usd")
    query = sql.SQL(
        "SELECT DISTINCT ON (provider, region) {cols} FROM cloud.instances WHERE {where} "
        "ORDER BY provider, region, {price}, total_vram_gb DESC, instance_type"
    ).format(cols=_COLUMNS, where=where, price=price)
    cur = await conn.execute(query, params)
    return [to_hit(r) for r in await cur.fetchall()]
