"""The async connection pool: opened in the app's lifespan, pgvector registered on each connection."""

from __future__ import annotations

from typing import Any

from pgvector.psycopg import register_vector_async
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool


async def _configure(conn: AsyncConnection[dict[str, Any]]) -> None:
    await register_vector_async(conn)
    await conn.set_autocommit(False)


async def open_pool(
    dsn: str, *, min_size: int = 1, max_size: int = 10
) -> AsyncConnectionPool[AsyncConnection[dict[str, Any]]]:
    pool: AsyncConnectionPool[AsyncConnection[dict[str, Any]]] = AsyncConnectionPool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        open=False,
        configure=_configure,
        kwargs={"row_factory": dict_row},
        name="stack8s",
    )
    await pool.open(wait=True, timeout=30)
    return pool
