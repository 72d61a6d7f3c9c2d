from __future__ import annotations

import asyncio

import typer

from stack8s.cli._run import console

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("migrate")
def migrate() -> None:
    """Apply pending migrations (safe to run from several replicas at once)."""
    from stack8s.db import migrate as migrations
    from stack8s.db.url import resolve_database
    from stack8s.settings import Settings

    dsn, embedded = resolve_database(Settings())
    try:
        applied = asyncio.run(migrations.migrate(dsn))
    except migrations.MigrationError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    finally:
        if embedded:
            embedded.stop()
    console.print(f"applied: {', '.join(applied)}" if applied else "database is up to date", soft_wrap=True)


@app.command("status")
def status() -> None:
    """List migrations and whether each is applied (and unchanged)."""
    from rich.table import Table

    from stack8s.db import migrate as migrations
    from stack8s.db.url import resolve_database
    from stack8s.settings import Settings

    dsn, embedded = resolve_database(Settings())
    try:
        rows = asyncio.run(migrations.status(dsn))
    finally:
        if embedded:
            embedded.stop()
    table = Table("migration", "applied", "changed since")
    for row in rows:
        table.add_row(row.name, "yes" if row.applied else "no", "CHANGED" if row.changed else "")
    console.print(table)
    if any(r.changed for r in rows):
        raise typer.Exit(1)
