"""`stack8s catalog stats` as tables: rows per catalog, offers per provider, and each source's dates."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table


def _when(value: Any) -> str:
    """A date, or a timestamp to the minute (UTC as stored)."""
    text = str(value or "-")
    return text[:16].replace("T", " ") if len(text) > 10 else text


def _table() -> Table:
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")


def summary_table(stats: dict[str, Any]) -> Table:
    models = stats.get("models", {})
    table = _table()
    table.add_column("kind")
    table.add_column("rows", justify="right")
    table.add_column("detail", overflow="fold")
    instances = stats.get("instances", {})
    table.add_row("instances", f"{instances.get('total', 0):,}", f"{len(instances.get('by_provider', {}))} providers")
    table.add_row("helm charts", f"{stats.get('charts', {}).get('total', 0):,}", "")
    cards = f"{models.get('with_cards', 0):,} with cards, {models.get('chunks', 0):,} card chunks"
    table.add_row("models", f"{models.get('total', 0):,}", cards)
    for embedding in stats.get("embeddings", []):
        name = f"embedded with {embedding['name']} ({embedding['dim']}-d)"
        table.add_row("embeddings", f"{embedding['chunks']:,}", name)
    return table


def provider_table(stats: dict[str, Any]) -> Table:
    table = _table()
    table.add_column("provider")
    table.add_column("offers", justify="right")
    for provider, count in sorted(stats.get("instances", {}).get("by_provider", {}).items()):
        table.add_row(provider, f"{count:,}")
    return table


def sources_table(stats: dict[str, Any]) -> Table:
    table = _table()
    for name, justify in (("catalog", "left"), ("source", "left"), ("rows", "right"), ("bad rows", "right")):
        table.add_column(name, justify="right" if justify == "right" else "left", overflow="fold")
    table.add_column("prices/data as of")
    table.add_column("imported (UTC)")
    for source in stats.get("sources", []):
        table.add_row(
            source["catalog"],
            source["source"],
            f"{source['rows']:,}",
            f"{source['errors']:,}",
            _when(source.get("as_of")),
            _when(source.get("imported_at")),
        )
    return table


def print_stats(stats: dict[str, Any]) -> None:
    console = Console()
    sections = (
        ("Catalog", summary_table(stats)),
        ("Instances by provider", provider_table(stats)),
        ("Sources (newest import of each)", sources_table(stats)),
    )
    for index, (heading, table) in enumerate(sections):
        console.print(("\n" if index else "") + heading, style="bold", highlight=False)
        console.print(table)
