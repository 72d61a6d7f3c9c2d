"""`stack8s ask "MESSAGE"`: one chat turn through the same service the API uses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import typer
from psycopg import AsyncConnection
from rich.console import Console
from rich.markdown import Markdown

from stack8s.agents.requirements.cache import LexiconCache
from stack8s.auth import LOCAL_PRINCIPAL
from stack8s.catalogs.seed import seed_shipped
from stack8s.chat import repository, service
from stack8s.chat.models import ChatReply
from stack8s.cli._run import database
from stack8s.embeddings import get_embedder
from stack8s.errors import Stack8sError
from stack8s.llm import get_chat_model
from stack8s.planning.plan import DeploymentPlan
from stack8s.settings import Settings
from stack8s.tools.local import ClusterProbe


async def _ask(message: str, conversation: UUID | None) -> ChatReply:
    settings = Settings()
    embedder = get_embedder(settings)
    async with database(settings) as conn:
        if settings.seed_catalogs:
            await seed_shipped(conn, embedder)
        if conversation is None:
            conversation = (await repository.create(conn, LOCAL_PRINCIPAL.user_id, None))["conversation_id"]

        @asynccontextmanager
        async def lend() -> AsyncIterator[AsyncConnection[dict[str, Any]]]:
            async with conn.transaction():
                yield conn

        context = service.TurnContext(
            connect=lend,
            settings=settings,
            embedder=embedder,
            lexicon_cache=LexiconCache(),
            chat_model=get_chat_model(settings),
            cluster=ClusterProbe(),
        )
        reply = await service.handle_message(LOCAL_PRINCIPAL.user_id, conversation, message, context)
        await conn.commit()
        return reply


def emit_artifacts(plan: DeploymentPlan, directory: Path) -> list[Path]:
    """Write each artifact of the plan to DIRECTORY/filename (created when missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for artifact in plan.artifacts:
        path = directory / artifact.filename
        path.write_text(artifact.content, encoding="utf-8")
        written.append(path)
    return written


def _emit(reply: ChatReply, directory: Path) -> None:
    err = Console(stderr=True)
    if reply.deployment_plan is None:
        err.print("No plan in this reply (answer the question first): no artifacts written.", style="yellow")
        return
    for path in emit_artifacts(reply.deployment_plan, directory):
        err.print(f"wrote {path}", style="dim")


def ask(
    message: str = typer.Argument(..., help="what you want to deploy, in words"),
    conversation: UUID | None = typer.Option(None, help="continue a conversation of the local user"),
    as_json: bool = typer.Option(False, "--json", help="print the raw API response"),
    emit: Path | None = typer.Option(
        None, "--emit", help="write the plan's artifacts (Helm values, manifests, SkyPilot YAML) to this directory"
    ),
) -> None:
    """Plan a deployment from the terminal (as the local user)."""
    try:
        reply = asyncio.run(_ask(message, conversation))
    except Stack8sError as exc:
        Console(stderr=True).print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    if emit is not None:
        _emit(reply, emit)
    if as_json:
        typer.echo(json.dumps(reply.model_dump(mode="json"), indent=2))
        return
    console = Console()
    console.print(Markdown(reply.response))
    console.print(f"\nconversation: {reply.conversation_id}", style="dim")
