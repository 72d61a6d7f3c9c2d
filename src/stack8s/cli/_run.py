"""Helpers for commands that need the database outside the server (imported lazily: psycopg is heavy)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from psycopg import AsyncConnection

    from stack8s.settings import Settings

console = Console(stderr=True, soft_wrap=True)  # a message is one line: the terminal wraps it, not rich


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncConnection[dict[str, Any]]]:
    from stack8s.db.migrate import migrate
    from stack8s.db.pool import open_pool
    from stack8s.db.url import resolve_database

    dsn, embedded = resolve_database(settings)
    try:
        await migrate(dsn)
        pool = await open_pool(dsn, min_size=1, max_size=2)
        try:
            async with pool.connection() as conn:
                yield conn
        finally:
            await pool.close()
    finally:
        if embedded is not None:
            embedded.stop()
