"""`stack8s mcp`: the MCP server over stdio, as the local user (for agents such as Claude Desktop or Cursor).

stdout carries the protocol: logs go to stderr."""

from __future__ import annotations

import asyncio


async def _serve() -> None:
    import anyio.to_thread

    from stack8s.agents.requirements.cache import LexiconCache
    from stack8s.auth import LOCAL_PRINCIPAL
    from stack8s.catalogs.seed import seed_shipped
    from stack8s.chat.service import TurnContext
    from stack8s.db.gate import Database
    from stack8s.db.migrate import migrate
    from stack8s.db.pool import open_pool
    from stack8s.db.url import resolve_database
    from stack8s.embeddings import get_embedder
    from stack8s.llm import get_chat_model
    from stack8s.mcp_server import Backend, build_server, fixed
    from stack8s.settings import Settings
    from stack8s.tools.cluster import ClusterProbe

    settings = Settings()
    dsn, embedded = resolve_database(settings)
    try:
        await migrate(dsn)
        embedder = await anyio.to_thread.run_sync(get_embedder, settings)
        pool = await open_pool(dsn, min_size=1, max_size=4)
        try:
            db = Database(pool, dsn, settings.pool_timeout_seconds)
            if settings.seed_catalogs:
                async with db.connection() as conn:
                    await seed_shipped(conn, embedder)
            turns = TurnContext(
                connect=db.connection,
                settings=settings,
                embedder=embedder,
                lexicon_cache=LexiconCache(),
                chat_model=get_chat_model(settings),
                cluster=ClusterProbe(),
            )
            await build_server(fixed(Backend(turns=turns, principal=LOCAL_PRINCIPAL))).run_stdio_async()
        finally:
            await pool.close()
    finally:
        if embedded is not None:
            embedded.stop()


def mcp() -> None:
    """Serve the planner to agents over MCP (stdio), as the local user."""
    asyncio.run(_serve())
