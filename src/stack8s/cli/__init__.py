"""The `stack8s` console script."""

from __future__ import annotations

import typer

from stack8s.cli import ask, catalog, db, estimate, mcp, serve
from stack8s.logging import configure_logging

app = typer.Typer(help="Stack8s: deployment planner for AI workloads.", no_args_is_help=True)
app.command("serve")(serve.serve)
app.command("ask")(ask.ask)
app.command("estimate")(estimate.estimate)
app.command("mcp")(mcp.mcp)
app.add_typer(db.app, name="db")
app.add_typer(catalog.app, name="catalog")


@app.callback()
def main(log_level: str = typer.Option("INFO", envvar="STACK8S_LOG_LEVEL", help="DEBUG, INFO, WARNING")) -> None:
    configure_logging(log_level.upper())
