"""`stack8s offers` (alias `gpus`): browse the instance catalog the planner uses, like `sky show-gpus`
or `dstack offer`.

Data: GET /api/v1/offers of a running server (`--url`, STACK8S_URL), else the database in-process
(the compute search of `tools/compute.py`, no embedding model). Only GPU instances are listed.
Filtering happens in SQL; sorting, grouping and the row limit here.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from stack8s.cli._http import TOKEN_HELP, URL_HELP, ServerError, call, client, reachable, server_url

DEFAULT_LIMIT = 25
MAX_ROWS = 100_000
Row = dict[str, Any]


class SortKey(StrEnum):
    price = "price"
    memory = "memory"
    gpu = "gpu"


class GroupBy(StrEnum):
    gpu = "gpu"
    provider = "provider"


@dataclass(frozen=True)
class Filters:
    """What the user asked for; the keys of GET /api/v1/offers's query string."""

    gpu: str | None = None
    count: int | None = None
    min_count: int | None = None
    min_memory: float | None = None
    min_total_memory: float | None = None
    provider: list[str] = field(default_factory=list)
    region: list[str] = field(default_factory=list)
    spot: bool = False
    max_price: float | None = None

    def params(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], False)}

    def describe(self) -> str:
        """The filters as the flags that set them: "--gpu H100 --max-price 2"."""
        flags = [
            _flag(key, one)
            for key, value in self.params().items()
            for one in (value if isinstance(value, list) else [value])
        ]
        return " ".join(flags) or "no filters"


def _flag(key: str, value: object) -> str:
    flag = "--" + key.replace("_", "-")
    if value is True:
        return flag
    return f"{flag} {value:g}" if isinstance(value, float) else f"{flag} {value}"


@dataclass
class Listing:
    rows: list[Row]
    gpu: str | None  # the canonical GPU name --gpu resolved to
    origin: str  # "server http://..." or "in-process"


# ---------------------------------------------------------------- reading the catalog


def fetch(filters: Filters, url: str | None, token: str | None) -> Listing:
    """Rows from the server when one answers (and has /api/v1/offers), else from the database."""
    base = server_url(url)
    with client(base, token, timeout=60) as http:
        if reachable(http) is not None:
            return asyncio.run(_fetch_local(filters))
        try:
            body = call(http, "GET", "/api/v1/offers", params=filters.params())
            return Listing(body["offers"], body.get("gpu"), f"server {base}")
        except ServerError as exc:
            if exc.status != 404:
                raise
    Console(stderr=True).print(
        f"the server at {base} has no /api/v1/offers: reading the catalog in-process", style="dim", soft_wrap=True
    )
    return asyncio.run(_fetch_local(filters))


async def _fetch_local(filters: Filters) -> Listing:
    from stack8s.catalogs.gpus import gpu_matches, gpu_named
    from stack8s.catalogs.seed import seed_shipped
    from stack8s.cli._run import database
    from stack8s.embeddings import get_embedder
    from stack8s.settings import Settings
    from stack8s.tools import compute

    gpu = gpu_named(filters.gpu) if filters.gpu is not None else None
    settings = Settings()
    async with database(settings) as conn:
        if settings.seed_catalogs:  # a fresh data folder gets the shipped catalog, as `serve` does (the card
            await seed_shipped(conn, get_embedder(settings))  # vectors ship too: no model is loaded)
        hits = await compute.search(conn, compute_query(filters, gpu))
    rows = [h.model_dump(mode="json") for h in hits if gpu is None or gpu_matches(h.gpu_model, gpu)]
    return Listing(rows, gpu, "in-process")


def compute_query(filters: Filters, gpu: str | None) -> Any:
    """The compute search's query for these filters, with no top-k cap (a listing wants every match)."""
    from stack8s.tools.schemas import ComputeQuery

    query = ComputeQuery(
        gpu_needed=True,
        gpu_model=gpu,
        min_gpu_count=filters.count if filters.count is not None else filters.min_count,
        max_gpu_count=filters.count,
        min_vram_per_gpu_gb=filters.min_memory,
        min_vram_gb=filters.min_total_memory,
        providers=filters.provider,
        regions=filters.region,
        spot=filters.spot,
        max_price_hourly=filters.max_price,
    )
    return query.model_copy(update={"top_k": MAX_ROWS})


# ---------------------------------------------------------------- sorting and grouping


def hourly(row: Row, spot: bool) -> float:
    value = row["spot_price_hourly_usd"] if spot else row["price_hourly_usd"]
    return float("inf") if value is None else float(value)


def sort_rows(rows: list[Row], key: SortKey, spot: bool) -> list[Row]:
    def tie(r: Row) -> tuple[Any, ...]:
        return (r["provider"], r["instance_type"], r["region"])

    orders: dict[SortKey, Callable[[Row], tuple[Any, ...]]] = {
        SortKey.price: lambda r: (hourly(r, spot), -r["total_vram_gb"], -r["gpu_count"], *tie(r)),
        SortKey.memory: lambda r: (-r["total_vram_gb"], hourly(r, spot), -r["gpu_count"], *tie(r)),
        SortKey.gpu: lambda r: (r["gpu_model"] or "", r["gpu_count"], hourly(r, spot), *tie(r)),
    }
    return sorted(rows, key=orders[key])


def _cheapest(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def group_rows(rows: list[Row], by: GroupBy) -> list[Row]:
    buckets: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        buckets[(row["gpu_model"] if by is GroupBy.gpu else row["provider"]) or "-"].append(row)
    make = _gpu_group if by is GroupBy.gpu else _provider_group
    return [make(name, members) for name, members in buckets.items()]


def _gpu_group(name: str, rows: list[Row]) -> Row:
    return {
        "gpu": name,
        "vram_per_gpu_gb": max(r["vram_per_gpu_gb"] for r in rows),
        "gpu_counts": sorted({r["gpu_count"] for r in rows}),
        "offers": len(rows),
        "providers": sorted({r["provider"] for r in rows}),
        "min_price_hourly_usd": _cheapest([r["price_hourly_usd"] for r in rows]),
        "min_price_per_gpu_hourly_usd": _cheapest([r["price_hourly_usd"] / r["gpu_count"] for r in rows]),
        "min_spot_price_hourly_usd": _cheapest([r["spot_price_hourly_usd"] for r in rows]),
    }


def _provider_group(name: str, rows: list[Row]) -> Row:
    return {
        "provider": name,
        "offers": len(rows),
        "gpus": sorted({r["gpu_model"] for r in rows if r["gpu_model"]}),
        "regions": len({r["region"] for r in rows}),
        "min_price_hourly_usd": _cheapest([r["price_hourly_usd"] for r in rows]),
        "min_spot_price_hourly_usd": _cheapest([r["spot_price_hourly_usd"] for r in rows]),
    }


def sort_groups(groups: list[Row], key: SortKey, spot: bool) -> list[Row]:
    def price(g: Row) -> float:
        value = g["min_spot_price_hourly_usd"] if spot else g["min_price_hourly_usd"]
        return float("inf") if value is None else float(value)

    name = "gpu" if "gpu" in (groups[0] if groups else {}) else "provider"
    if key is SortKey.memory and name == "gpu":
        return sorted(groups, key=lambda g: (-g["vram_per_gpu_gb"], price(g), g["gpu"]))
    if key is SortKey.price:
        return sorted(groups, key=lambda g: (price(g), g[name]))
    return sorted(groups, key=lambda g: g[name])


# ---------------------------------------------------------------- output


def _money(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}" if value >= 1 else f"{value:.3f}"


def _number(value: float | None, unit: str = "") -> str:
    if not value:
        return "-"
    return f"{value:g}{unit}"


FLAT_COLUMNS: tuple[tuple[str, str, Callable[[Row], str]], ...] = (
    ("GPU", "left", lambda r: f"{r['gpu_count']}x {r['gpu_model']}"),
    ("mem/GPU", "right", lambda r: _number(r["vram_per_gpu_gb"], "GB")),
    ("vCPU", "right", lambda r: _number(r["vcpu"])),
    ("RAM", "right", lambda r: _number(r["ram_gb"], "GB")),
    ("provider", "left", lambda r: r["provider"]),
    ("instance", "left", lambda r: r["instance_type"]),
    ("region", "left", lambda r: r["region"]),
    ("$/h", "right", lambda r: _money(r["price_hourly_usd"])),
    ("spot $/h", "right", lambda r: _money(r["spot_price_hourly_usd"])),
)
# For terminals too narrow for every name whole: the memory rides in the GPU cell, vCPU and RAM go.
NARROW_COLUMNS: tuple[tuple[str, str, Callable[[Row], str]], ...] = (
    ("GPU", "left", lambda r: f"{r['gpu_count']}x {r['gpu_model']} {_number(r['vram_per_gpu_gb'], 'GB')}"),
    *(c for c in FLAT_COLUMNS if c[0] in ("provider", "instance", "region", "$/h")),
    ("spot", "right", lambda r: _money(r["spot_price_hourly_usd"])),
)

GPU_COLUMNS: tuple[tuple[str, str, Callable[[Row], str]], ...] = (
    ("GPU", "left", lambda g: g["gpu"]),
    ("mem/GPU", "right", lambda g: _number(g["vram_per_gpu_gb"], "GB")),
    ("counts", "left", lambda g: ", ".join(str(c) for c in g["gpu_counts"])),
    ("offers", "right", lambda g: str(g["offers"])),
    ("providers", "left", lambda g: ", ".join(g["providers"])),
    ("$/h from", "right", lambda g: _money(g["min_price_hourly_usd"])),
    ("$/GPU-h from", "right", lambda g: _money(g["min_price_per_gpu_hourly_usd"])),
    ("spot $/h from", "right", lambda g: _money(g["min_spot_price_hourly_usd"])),
)

PROVIDER_COLUMNS: tuple[tuple[str, str, Callable[[Row], str]], ...] = (
    ("provider", "left", lambda g: g["provider"]),
    ("offers", "right", lambda g: str(g["offers"])),
    ("regions", "right", lambda g: str(g["regions"])),
    ("GPUs", "left", lambda g: ", ".join(g["gpus"])),
    ("$/h from", "right", lambda g: _money(g["min_price_hourly_usd"])),
    ("spot $/h from", "right", lambda g: _money(g["min_spot_price_hourly_usd"])),
)


def table_of(rows: list[Row], columns: tuple[tuple[str, str, Callable[[Row], str]], ...]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True, header_style="bold")
    for heading, justify, _ in columns:
        table.add_column(heading, justify="right" if justify == "right" else "left", overflow="fold")
    for row in rows:
        table.add_row(*(cell(row) for _, _, cell in columns))
    return table


def fitting_table(console: Console, rows: list[Row]) -> tuple[Table, bool]:
    """The offers table; without vCPU and RAM when the full one cannot hold every name whole."""
    from stack8s.cli.render import fit_columns

    table = table_of(rows, FLAT_COLUMNS)
    if fit_columns(console, console.options, table):
        return table, False
    narrow = table_of(rows, NARROW_COLUMNS)
    fit_columns(console, console.options, narrow)
    return narrow, True


def _footer(total: int, shown: int, noun: str) -> str:
    if shown >= total:
        return f"{total:,} {noun}"
    return f"{total:,} {noun}, {shown:,} shown, {total - shown:,} hidden (--limit 0 shows all)"


def print_flat(listing: Listing, shown: list[Row], as_json: bool) -> None:
    total = len(listing.rows)
    if as_json:
        body = {"offers": shown, "total": total, "shown": len(shown), "hidden": total - len(shown)}
        typer.echo(json.dumps({**body, "gpu": listing.gpu, "origin": listing.origin}, indent=2))
        return
    console = Console()
    table, narrowed = fitting_table(console, shown)
    console.print(table)
    err = Console(stderr=True)
    err.print(_footer(total, len(shown), "offers") + f" ({listing.origin})", style="dim", soft_wrap=True)
    if narrowed:
        err.print("vCPU and RAM left out to keep names whole: widen the terminal or use --json", style="dim")


def print_groups(listing: Listing, by: GroupBy, groups: list[Row], shown: list[Row], as_json: bool) -> None:
    if as_json:
        body: dict[str, Any] = {"group_by": by.value, "groups": shown, "total": len(groups), "shown": len(shown)}
        body |= {"hidden": len(groups) - len(shown), "offers": len(listing.rows), "gpu": listing.gpu}
        typer.echo(json.dumps({**body, "origin": listing.origin}, indent=2))
        return
    from stack8s.cli.render import fit_columns

    console = Console()
    table = table_of(shown, GPU_COLUMNS if by is GroupBy.gpu else PROVIDER_COLUMNS)
    fit_columns(console, console.options, table)  # when it cannot, rich folds the widest column
    console.print(table)
    noun = "GPUs" if by is GroupBy.gpu else "providers"
    footer = _footer(len(groups), len(shown), noun) + f" over {len(listing.rows):,} offers ({listing.origin})"
    Console(stderr=True).print(footer, style="dim", soft_wrap=True)


def say_nothing_matches(filters: Filters, listing: Listing, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"offers": [], "total": 0, "shown": 0, "hidden": 0, "gpu": listing.gpu}, indent=2))
    if not filters.params():
        Console(stderr=True).print(
            f"The catalog has no GPU offers ({listing.origin}): start the server once (`stack8s serve` loads the "
            "shipped catalog) or run `stack8s catalog import skypilot PATH`.",
            soft_wrap=True,
        )
        return
    unknown = f" ({filters.gpu!r} is read as {listing.gpu})" if filters.gpu and listing.gpu else ""
    Console(stderr=True).print(
        f"No offers match {filters.describe()}{unknown} ({listing.origin}). Loosen a filter, or see "
        "`stack8s offers --group-by gpu` for what the catalog has.",
        soft_wrap=True,
    )


# ---------------------------------------------------------------- the command


def offers(
    gpu: str | None = typer.Option(None, "--gpu", help="GPU name as the planner reads it: H100, a100-80gb, 'rtx 4090'"),
    count: int | None = typer.Option(None, "--count", min=1, help="exactly this many GPUs per instance"),
    min_count: int | None = typer.Option(None, "--min-count", min=1, help="at least this many GPUs per instance"),
    min_memory: float | None = typer.Option(None, "--min-memory", min=0, help="GB of memory per GPU, at least"),
    min_total_memory: float | None = typer.Option(
        None, "--min-total-memory", min=0, help="GB of GPU memory of the whole instance, at least"
    ),
    provider: list[str] = typer.Option(
        [], "--provider", help="aws, gcp, azure, lambda, ... (repeat or comma-separate for several)"
    ),
    region: list[str] = typer.Option([], "--region", help="exact region id (repeat or comma-separate for several)"),
    spot: bool = typer.Option(False, "--spot", help="only offers with a spot price; prices and sort by spot"),
    max_price: float | None = typer.Option(None, "--max-price", min=0, help="USD per hour (spot with --spot)"),
    sort: SortKey = typer.Option(SortKey.price, "--sort", help="price (cheapest first), memory (most first), gpu"),
    group_by: GroupBy | None = typer.Option(None, "--group-by", help="gpu: one row per GPU; provider"),
    limit: int = typer.Option(DEFAULT_LIMIT, "--limit", min=0, help="rows to show; 0 = all"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
    token: str | None = typer.Option(None, "--token", help=TOKEN_HELP),
) -> None:
    """List GPU instance offers of the catalog the planner uses: filter, sort, group."""
    providers = [p.strip().lower() for value in provider for p in value.split(",") if p.strip()]
    regions = [r.strip() for value in region for r in value.split(",") if r.strip()]
    filters = Filters(gpu, count, min_count, min_memory, min_total_memory, providers, regions, spot, max_price)
    if gpu is not None:
        from stack8s.catalogs.gpus import gpu_named

        try:
            gpu_named(gpu)
        except ValueError as exc:  # what the API answers with a 422: a filter that names no GPU is refused
            Console(stderr=True).print(f"[red]{exc}[/red]", soft_wrap=True)
            raise typer.Exit(2) from None
    try:
        listing = fetch(filters, url, token)
    except ServerError as exc:
        Console(stderr=True).print(f"[red]{exc.message}[/red]", soft_wrap=True)
        raise typer.Exit(2) from exc
    if not listing.rows:
        say_nothing_matches(filters, listing, as_json)
        return
    rows = sort_rows(listing.rows, sort, spot)
    if group_by is None:
        print_flat(listing, rows[:limit] if limit else rows, as_json)
        return
    groups = sort_groups(group_rows(rows, group_by), sort, spot)
    print_groups(listing, group_by, groups, groups[:limit] if limit else groups, as_json)
