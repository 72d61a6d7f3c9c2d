"""`stack8s catalog import|refresh|stats|reembed`: load real sources on top of the shipped catalog.

Messages are one per line (soft-wrapped by the terminal, never broken by rich), and every file of a
folder that is not imported is named with the reason, then summed up ("skipped 3 files: 2 not a
SkyPilot catalog CSV, 1 empty").
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from stack8s.cli._run import console
from stack8s.cli.catalog_stats import print_stats

if TYPE_CHECKING:
    from stack8s.catalogs.importers.base import ImportResult
    from stack8s.catalogs.service import ImportReport

app = typer.Typer(help="Catalogs: instances, Helm charts, Hugging Face models.", no_args_is_help=True)
MAX_ERRORS_SHOWN = 20
Store = Callable[..., Awaitable["ImportReport"]]
EMPTY = "empty"
NOT_SKYPILOT = "not a SkyPilot catalog CSV"
NOT_INSTANCES = "not an instance catalog (want *vms.csv or an instances.vantage.sh .json)"
NOT_HELM = "not a Helm repository index (want .yaml)"
NO_ROWS = "no usable rows"


class Kind(StrEnum):
    skypilot = "skypilot"
    helm = "helm"
    hf = "hf"


@dataclass
class Plan:
    """The files to import and those left out, each with its reason."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _is_empty(file: Path) -> bool:
    with file.open("rb") as handle:
        return not handle.read(4096).strip()


def _skypilot_reason(file: Path) -> str | None:
    """Why FILE is not a SkyPilot instance catalog, or None when it looks like one."""
    if file.name == "common_accelerators.csv" or not (file.name.endswith("vms.csv") or file.suffix == ".json"):
        return NOT_INSTANCES
    if _is_empty(file):
        return EMPTY
    if file.suffix == ".csv":
        with file.open(encoding="utf-8-sig", errors="replace") as handle:
            header = [h.strip() for h in handle.readline().split(",")]
            has_rows = any(line.strip(", \r\n") for line in handle)
        if "InstanceType" not in header:
            return NOT_SKYPILOT
        if not has_rows:
            return EMPTY
    return None


def _helm_reason(file: Path) -> str | None:
    if file.suffix not in (".yaml", ".yml"):
        return NOT_HELM
    return EMPTY if _is_empty(file) else None


def plan_files(path: Path, reason: Callable[[Path], str | None]) -> Plan:
    """A file given by name is always tried; a folder's files (recursively, hidden ones left out) are
    tried when `reason` has nothing against them."""
    plan = Plan()
    if path.is_file():
        why = reason(path)
        why = None if why in (NOT_INSTANCES, NOT_HELM) else why  # named by the user: tried whatever its name
        (plan.skipped.append((path, why)) if why else plan.files.append(path))
        return plan
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in file.relative_to(path).parts):
            continue
        why = reason(file)
        (plan.skipped.append((file, why)) if why else plan.files.append(file))
    return plan


async def _import_files(
    kind: str, plan: Plan, parse: Callable[[Path], ImportResult[Any]], store: Store
) -> list[ImportReport]:
    from rich.progress import Progress

    from stack8s.catalogs import service
    from stack8s.cli._run import database
    from stack8s.settings import Settings

    reports = []
    async with database(Settings()) as conn:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(f"importing {kind}", total=len(plan.files))
            for file in plan.files:
                bar.update(task, description=f"{kind}: {file.name}")
                result = parse(file)
                if not result.rows:
                    plan.skipped.append((file, f"{NO_ROWS} ({len(result.errors)} errors)"))
                    _print_errors(result.errors)
                else:
                    checksum = service.checksum_of(file)
                    reports.append(await store(conn, f"{kind}:{file.name}", result.rows, result.errors, checksum))
                bar.advance(task)
    return reports


def _hf_inputs(path: Path, cards: Path | None) -> tuple[list[Path], Path | None]:
    if path.is_file():
        return [path], cards
    metadata = sorted(p for p in path.iterdir() if p.suffix in (".json", ".csv") and p.is_file())
    default_cards = path / "model_cards"
    return metadata, cards or (default_cards if default_cards.is_dir() else None)


def is_config(path: Path) -> bool:
    """A model's config.json: the file itself, or a folder (a model checkout) holding one."""
    return path.name == "config.json" or (path.is_dir() and (path / "config.json").is_file())


def _import_hf_config(path: Path, model_id: str, params_billion: float | None) -> list[ImportReport]:
    """One model from its config.json: architecture read, parameters counted unless given, stored without a card."""
    from stack8s.catalogs import service
    from stack8s.catalogs.importers.hf_config import parse_hf_config

    result = parse_hf_config(path, model_id, params_billion)
    if not result.rows:
        _print_errors(result.errors)
        raise typer.Exit(1)
    checksum = service.checksum_of(path / "config.json" if path.is_dir() else path)
    reports = asyncio.run(_store_models(f"hf:{model_id}", result, checksum))
    row = result.rows[0]
    active = f", {row.active_params_billion:g}B active" if row.active_params_billion else ""
    how = "as given" if params_billion is not None else "counted from the config's shapes"
    console.print(f"{model_id}: {row.params_billion:g}B parameters{active} ({how}), {row.num_layers} layers")
    return reports


async def _store_models(source: str, result: ImportResult[Any], checksum: str) -> list[ImportReport]:
    from stack8s.catalogs import service
    from stack8s.cli._run import database
    from stack8s.embeddings import get_embedder
    from stack8s.settings import Settings

    settings = Settings()
    async with database(settings) as conn:
        embedder = get_embedder(settings)
        return [await service.store_models(conn, source, result.rows, [], result.errors, checksum, embedder)]


async def _import_hf(path: Path, cards_path: Path | None) -> list[ImportReport]:
    from rich.progress import Progress

    from stack8s.catalogs import repository, service
    from stack8s.catalogs.importers.huggingface import parse_hf_metadata, parse_model_cards
    from stack8s.catalogs.rows import ModelCard
    from stack8s.cli._run import database
    from stack8s.embeddings import get_embedder
    from stack8s.settings import Settings

    settings = Settings()
    embedder = get_embedder(settings)
    metadata, cards_path = _hf_inputs(path, cards_path)
    parsed = [(file, parse_hf_metadata(file)) for file in metadata]
    reports = []
    async with database(settings) as conn:
        known = {r.model_id for r in await repository.model_rows(conn)}
        known |= {row.model_id for _, result in parsed for row in result.rows}
        cards: list[ModelCard] = []
        card_errors = []
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


def _print_errors(errors: list[Any]) -> None:
    for error in errors[:MAX_ERRORS_SHOWN]:
        console.print(f"  [yellow]{error.file}:{error.line}[/yellow] {error.message}", highlight=False)
    if len(errors) > MAX_ERRORS_SHOWN:
        console.print(f"  ... and {len(errors) - MAX_ERRORS_SHOWN} more")


def _print(reports: list[ImportReport], skipped: list[tuple[Path, str]], seconds: float) -> None:
    for report in reports:
        extra = " ".join(f"{k}={v}" for k, v in report.details.items())
        console.print(
            f"[bold]{report.catalog}[/bold] {report.source}: {report.rows} rows, {len(report.errors)} skipped {extra}",
            highlight=False,
        )
        _print_errors(report.errors)
    for file, why in skipped:
        console.print(f"[yellow]skipped[/yellow] {file}: {why}", highlight=False)
    if skipped:
        reasons = Counter(why.split(" (")[0] for _, why in skipped)
        summary = ", ".join(f"{n} {why}" for why, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
        noun = "file" if len(skipped) == 1 else "files"
        console.print(f"skipped {len(skipped)} {noun}: {summary}", highlight=False)
    console.print(f"imported {len(reports)} {'file' if len(reports) == 1 else 'files'} in {seconds:.1f} s")


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
    model_id: str | None = typer.Option(
        None, "--model-id", help="hf: the id of the model whose config.json PATH is (a file or a folder holding it)"
    ),
    params_billion: float | None = typer.Option(
        None, "--params-billion", min=0.001, help="hf config.json: parameters in billions (default: counted)"
    ),
) -> None:
    """Import a real source: upserts in one transaction per file; bad rows and files are reported and skipped."""
    from stack8s.catalogs import service

    started = time.perf_counter()
    skipped: list[tuple[Path, str]] = []
    if kind is Kind.skypilot:
        from stack8s.catalogs.importers.skypilot import parse_instances

        plan = plan_files(path, _skypilot_reason)
        parse = partial(parse_instances, as_of=_date_option(as_of))
        reports = asyncio.run(_import_files("skypilot", plan, parse, service.store_instances))
        skipped = plan.skipped
    elif kind is Kind.helm:
        from stack8s.catalogs.importers.helm import parse_helm_index

        plan = plan_files(path, _helm_reason)
        reports = asyncio.run(_import_files("helm", plan, parse_helm_index, service.store_charts))
        skipped = plan.skipped
    elif model_id is not None or is_config(path):
        if not model_id:
            raise typer.BadParameter("a config.json import needs --model-id ORG/NAME (the id the model is known by)")
        reports = _import_hf_config(path, model_id.strip(), params_billion)
    else:
        reports = asyncio.run(_import_hf(path, cards))
    _print(reports, skipped, time.perf_counter() - started)


@app.command("refresh")
def refresh(
    source: str = typer.Option("all", "--source", help="skypilot | fx | all"),
    from_dir: Path | None = typer.Option(
        None,
        "--from",
        exists=True,
        file_okay=False,
        help="a local copy instead of the network: DIR/<cloud>/vms.csv, DIR/eurofxref-daily.xml",
    ),
) -> None:
    """Refresh catalogs from their upstream sources (skypilot: instances; fx: the ECB's daily reference rates). A
    part that fails keeps what was stored before and says why; exit code 1 when any part failed."""
    from stack8s.catalogs.refresh import refreshers

    registry = refreshers()
    if source != "all" and source not in registry:
        raise typer.BadParameter(f"--source wants one of {', '.join([*registry, 'all'])}, not {source!r}")
    names = list(registry) if source == "all" else [source]
    results = asyncio.run(_refresh([registry[n] for n in names], from_dir))
    for r in results:
        said = (r.reason or f"{r.rows} rows") if r.ok else f"[red]failed[/red]: {r.reason}"
        console.print(f"[bold]{r.source}[/bold]: {said}", highlight=False)
    failed = [r.source for r in results if not r.ok]
    if failed and len(failed) == len(results):
        console.print(f"every requested source failed ({', '.join(failed)}); nothing was refreshed")
    if failed:
        raise typer.Exit(1)


async def _refresh(refreshers: list[Any], from_dir: Path | None) -> list[Any]:
    from stack8s.cli._run import database
    from stack8s.settings import Settings

    async with database(Settings()) as conn:
        return [result for refresher in refreshers for result in await refresher(conn, from_dir)]


@app.command("stats")
def stats(as_json: bool = typer.Option(False, "--json", help="the JSON of GET /api/v1/catalog/stats")) -> None:
    """What the catalog holds: rows per catalog and provider, and where each source came from, and when."""
    from stack8s.catalogs import repository
    from stack8s.cli._run import database
    from stack8s.settings import Settings

    async def run() -> dict[str, Any]:
        async with database(Settings()) as conn:
            return await repository.stats(conn)

    found = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps(found, default=str))
        return
    print_stats(found)


@app.command("reembed")
def reembed() -> None:
    """Embed every stored card with the configured embedding model (after changing models)."""
    from stack8s.catalogs import repository
    from stack8s.catalogs.rows import ModelCard
    from stack8s.cli._run import database
    from stack8s.embeddings import get_embedder
    from stack8s.settings import Settings

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
