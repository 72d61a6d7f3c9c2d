"""The `stack8s` console script.

Command modules import only typer, rich and the standard library at the top; each command imports
what it needs (the database, the planner, torch) when it runs. `stack8s ask` against a running server
and `stack8s offers` therefore start in a fraction of a second (check with `python -X importtime`).
"""

from __future__ import annotations

import os

import typer

from stack8s.cli import ask, catalog, db, estimate, mcp, offers, serve
from stack8s.logging import configure_logging

app = typer.Typer(help="Stack8s: deployment planner for AI workloads.", no_args_is_help=True)
app.command("serve")(serve.serve)
app.command("ask")(ask.ask)
app.command("offers")(offers.offers)
app.command("gpus", help="Alias of `offers`.")(offers.offers)
app.command("estimate")(estimate.estimate)
app.command("mcp")(mcp.mcp)
app.add_typer(db.app, name="db")
app.add_typer(catalog.app, name="catalog")


LOUD = frozenset({"serve", "mcp"})  # long-running: their INFO log is the operator's view


@app.callback()
def main(
    ctx: typer.Context,
    log_level: str | None = typer.Option(
        None, envvar="STACK8S_LOG_LEVEL", help="DEBUG, INFO, WARNING; default INFO for serve and mcp, else WARNING"
    ),
) -> None:
    level = (log_level or ("INFO" if ctx.invoked_subcommand in LOUD else "WARNING")).upper()
    os.environ["STACK8S_LOG_LEVEL"] = level  # serve's worker processes set up their logging from it
    configure_logging(level)
