"""One chat turn in this process, as the local user: the database, the catalogs and the embedding
model started here (what `stack8s ask` does when no server answers). Imported only then."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection

from stack8s.agents.requirements.cache import LexiconCache
from stack8s.auth import LOCAL_PRINCIPAL
from stack8s.catalogs.seed import seed_shipped
from stack8s.chat import service
from stack8s.cli._run import database
from stack8s.embeddings import get_embedder
from stack8s.llm import get_chat_model
from stack8s.settings import Settings
from stack8s.tools.cluster import ClusterProbe


async def ask_in_process(message: str, conversation: UUID | None) -> dict[str, Any]:
    """The reply as the API would send it (JSON-ready)."""
    settings = Settings()
    embedder = get_embedder(settings)
    async with database(settings) as conn:
        if settings.seed_catalogs:
            await seed_shipped(conn, embedder)

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
        if conversation is None:
            reply = await service.first_message(LOCAL_PRINCIPAL.user_id, message, context)
        else:
            reply = await service.handle_message(LOCAL_PRINCIPAL.user_id, conversation, message, context)
        await conn.commit()
        return reply.model_dump(mode="json")
