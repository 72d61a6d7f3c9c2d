"""`stack8s ask "MESSAGE"`: one chat turn, through a running server when one answers, else in-process.

Against a server this module needs only httpx and rich: no planner, database driver or embedding model
is imported, so the command takes well under a second more than the server's turn.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import httpx
import typer
from rich.console import Console

from stack8s.cli._http import TOKEN_HELP, URL_HELP, ServerError, call, client, reachable, server_url
from stack8s.cli.render import print_markdown

if TYPE_CHECKING:
    from stack8s.planning.plan import DeploymentPlan


def ask_server(http: httpx.Client, message: str, conversation: UUID | None) -> dict[str, Any]:
    """The reply of POST /api/v1/chat/message (a new conversation unless one is given)."""
    if conversation is None:
        conversation = call(http, "POST", "/api/v1/chat/start", json={})["conversation_id"]
    body = {"conversation_id": str(conversation), "message": message}
    reply: dict[str, Any] = call(http, "POST", "/api/v1/chat/message", json=body)
    return reply


def ask_locally(message: str, conversation: UUID | None, verbose: bool) -> dict[str, Any]:
    from stack8s.cli._local_ask import ask_in_process
    from stack8s.errors import Stack8sError

    root = logging.getLogger()
    root.setLevel(min(root.level, logging.INFO) if verbose else logging.WARNING)
    try:
        return asyncio.run(ask_in_process(message, conversation))
    except Stack8sError as exc:
        raise ServerError(0, exc.message) from exc


def ask_somewhere(
    url: str, token: str | None, message: str, conversation: UUID | None, verbose: bool
) -> dict[str, Any]:
    """Through the server at `url` when it answers /health, else in-process (saying so in one line)."""
    with client(url, token) as http:
        why = reachable(http)
        if why is None:
            return ask_server(http, message, conversation)
    note = f"{why}: planning in-process (starts the database and the embedding model)"
    Console(stderr=True).print(note, style="dim", soft_wrap=True)
    return ask_locally(message, conversation, verbose)


def write_artifacts(artifacts: Iterable[tuple[str, str]], directory: Path) -> list[Path]:
    """Write each (filename, content) to DIRECTORY/filename (created when missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, content in artifacts:
        path = directory / filename
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


def emit_artifacts(plan: DeploymentPlan, directory: Path) -> list[Path]:
    """Write each artifact of the plan to DIRECTORY/filename (created when missing)."""
    return write_artifacts(((a.filename, a.content) for a in plan.artifacts), directory)


def _emit(reply: dict[str, Any], directory: Path) -> None:
    err = Console(stderr=True)
    plan = reply.get("deployment_plan")
    if plan is None:
        err.print("No plan in this reply (answer the question first): no artifacts written.", style="yellow")
        return
    for path in write_artifacts(((a["filename"], a["content"]) for a in plan.get("artifacts", [])), directory):
        err.print(f"wrote {path}", style="dim", soft_wrap=True)


def ask(
    message: str = typer.Argument(..., help="what you want to deploy, in words"),
    conversation: UUID | None = typer.Option(None, help="continue one of your conversations"),
    as_json: bool = typer.Option(False, "--json", help="print the raw API response"),
    emit: Path | None = typer.Option(
        None, "--emit", help="write the plan's artifacts (Helm values, manifests, SkyPilot YAML) to this directory"
    ),
    url: str | None = typer.Option(None, "--url", help=URL_HELP),
    token: str | None = typer.Option(None, "--token", help=TOKEN_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="show the log (in-process runs)"),
) -> None:
    """Plan a deployment from the terminal: through the server at --url, else in this process (local user)."""
    err = Console(stderr=True)
    try:
        reply = ask_somewhere(server_url(url), token, message, conversation, verbose)
    except ServerError as exc:
        err.print(f"[red]{exc.message}[/red]", soft_wrap=True)
        raise typer.Exit(2) from exc
    if emit is not None:
        _emit(reply, emit)
    if as_json:
        typer.echo(json.dumps(reply, indent=2))
        return
    console = Console()
    print_markdown(console, reply["response"])
    console.print(f"\nconversation: {reply['conversation_id']}", style="dim")
