"""`stack8s catalog import|stats|reembed`: load real sources on top of the shipped catalog."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import date
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress

from stack8s.catalogs import repository, service
from stack8s.catalogs.importers.base import ImportResult, RowError
from stack8s.catalogs.importers.helm import parse_helm_index
from stack8s.catalogs.importers.huggingface import parse_hf_metadata, parse_model_cards
from stack8s.catalogs.importers.skypilot import parse_instances
from stack8s.catalogs.models import ModelCard
from stack8s.catalogs.service import ImportReport
from stack8s.cli._run import console, database
from stack8s.embeddings import get_embedder
from stack8s.settings import Settings

app = typer.Typer(help="Catalogs: instances, Helm charts, Hugging Face models.", no_args_is_help=True)
MAX_ERRORS_SHOWN = 20
Store = Callable[..., Awaitable[ImportReport]]


class Kind(StrEnum):
    skypilot = "skypilot"
    helm = "helm"
    hf = "hf"


def _files(path: Path, patterns: tuple[str, ...]) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted({f for pattern in patterns for f in path.rglob(pattern)})


async def _import_files(
    kind: str, files: list[Path], parse: Callable[[Path], ImportResult[Any]], store: Store
) -> list[ImportReport]:
    reports = []
    async with database(Settings()) as conn:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(f"importing {kind}", total=len(files))
            for file in files:
                bar.update(task, description=f"{kind}: {file.name}")
                result = parse(file)
                reports.append(
                    await store(conn, f"{kind}:{file.name}", result.rows, result.errors, service.checksum_of(file))
                )
                bar.advance(task)
    return reports


def _hf_inputs(path: Path, cards: Path | None) -> tuple[list[Path], Path | None]:
    if path.is_file():
        return [path], cards
    metadata = sorted(p for p in path.iterdir() if p.suffix in (".json", ".csv") and p.is_file())
    default_cards = path / "model_cards"
    return metadata, cards or (default_cards if default_cards.is_dir() else None)


async def _import_hf(path: Path, cards_path: Path | None) -> list[ImportReport]:
    settings = Settings()
    embedder = get_embedder(settings)
    metadata, cards_path = _hf_inputs(path, cards_path)
    parsed = [(file, parse_hf_metadata(file)) for file in metadata]
    reports = []
    async with database(settings) as conn:
        known = {r.model_id for r in await repository.model_rows(conn)}
        known |= {row.model_id for _, result in parsed for row in result.rows}
        cards: list[ModelCard] = []
        card_errors: list[RowError] = []
        if cards_path:
            card_result = parse_model_cards(cards_path, known_ids=known)
            cards, card_errors = card_result.rows, card_result.errors
        for index, (file, result) in enumerate(parsed):
            batch = cards if index == len(parsed) - 1 else []
            errors = result.errors + (card_errors if batch else [])
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task(f"{file.name}: embedding cards", total=len(batch) or 1)
                reports.append(
                    await service.store_models(
                        conn,
                        f"hf:{file.name}",
                        result.rows,
                        batch,
                        errors,
                        service.checksum_of(file),
                        embedder,
                        progress=partial(bar.advance, task),
                    )
                )
    return reports


def _print(reports: list[ImportReport], seconds: float) -> None:
    for report in reports:
        extra = " ".join(f"{k}={v}" for k, v in report.details.items())
        console.print(
            f"[bold]{report.catalog}[/bold] {report.source}: {report.rows} rows, {len(report.errors)} skipped {extra}"
        )
        for error in report.errors[:MAX_ERRORS_SHOWN]:
            console.print(f"  [yellow]{error.file}:{error.line}[/yellow] {error.message}")
        if len(report.errors) > MAX_ERRORS_SHOWN:
            console.print(f"  ... and {len(report.errors) - MAX_ERRORS_SHOWN} more")
    console.print(f"done in {seconds:.1f} s")


def _date_option(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise typer.BadParameter(f"--as-of wants a date YYYY-MM-DD, not {text!r}") from None


@app.command("import")
def import_(
    kind: Kind = typer.Argument(..., help="skypilot | helm | hf"),
    path: Path = typer.Argument(..., exists=True, help="a file or a folder of files"),
    cards: Path | None = typer.Option(None, exists=True, help="hf: folder of model-card Markdown files"),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="skypilot: the prices' date (YYYY-MM-DD); default: each file's git commit date, else its file time",
    ),
) -> None:
    """Import a real source: upserts in one transaction per file; bad rows are reported and skipped."""
    started = time.perf_counter()
    if kind is Kind.skypilot:
        files = _files(path, ("*vms.csv", "*.json"))
        parse = partial(parse_instances, as_of=_date_option(as_of))
        reports = asyncio.run(_import_files("skypilot", files, parse, service.store_instances))
    elif kind is Kind.helm:
        files = _files(path, ("*.yaml", "*.yml"))
        reports = asyncio.run(_import_files("helm", files, parse_helm_index, service.store_charts))
    else:
        reports = asyncio.run(_import_hf(path, cards))
    _print(reports, time.perf_counter() - started)


@app.command("stats")
def stats(as_json: bool = typer.Option(False, "--json")) -> None:
    """Row counts per catalog and the freshness of each source."""

    async def run() -> dict[str, object]:
        async with database(Settings()) as conn:
            return await repository.stats(conn)

    typer.echo(json.dumps(asyncio.run(run()), indent=2 if not as_json else None, default=str))


@app.command("reembed")
def reembed() -> None:
    """Embed every stored card with the configured embedding model (after changing models)."""

    async def run() -> dict[str, int]:
        settings = Settings()
        embedder = get_embedder(settings)
        async with database(settings) as conn:
            cur = await conn.execute(
                "SELECT c.content, c.source, array_agg(mc.model_id ORDER BY mc.model_id) AS ids "
                "FROM hf.cards c JOIN hf.model_to_card mc USING (card_hash) GROUP BY c.card_hash ORDER BY c.card_hash"
            )
            cards = [ModelCard(tuple(r["ids"]), r["content"], r["source"]) for r in await cur.fetchall()]
            async with conn.transaction():
                details = await repository.upsert_cards(conn, cards, embedder)
                await repository.ensure_vector_index(conn, embedder.name, embedder.dim)
            return details

    console.print(asyncio.run(run()))
