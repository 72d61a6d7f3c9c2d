"""SQL for chat.conversations and chat.messages. Every query is scoped by the caller's user_id."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, sql
from psycopg.types.json import Jsonb

Row = dict[str, Any]
_COLS = sql.SQL("id AS conversation_id, title, created_at, updated_at, message_count")


async def create(conn: AsyncConnection[dict[str, Any]], user_id: str, title: str | None) -> Row:
    cur = await conn.execute(
        sql.SQL("INSERT INTO chat.conversations (user_id, title) VALUES (%s, %s) RETURNING {}").format(_COLS),
        (user_id, title),
    )
    return await cur.fetchone()  # type: ignore[return-value]


async def get(
    conn: AsyncConnection[dict[str, Any]], user_id: str, conversation_id: UUID, *, lock: bool = False
) -> Row | None:
    suffix = sql.SQL(" FOR UPDATE" if lock else "")
    cur = await conn.execute(
        sql.SQL("SELECT {} FROM chat.conversations WHERE id = %s AND user_id = %s{}").format(_COLS, suffix),
        (conversation_id, user_id),
    )
    return await cur.fetchone()


async def list_for_user(
    conn: AsyncConnection[dict[str, Any]], user_id: str, limit: int, offset: int
) -> tuple[list[Row], int]:
    cur = await conn.execute(
        sql.SQL(
            "SELECT {} FROM chat.conversations WHERE user_id = %s ORDER BY updated_at DESC, id DESC LIMIT %s OFFSET %s"
        ).format(_COLS),
        (user_id, limit, offset),
    )
    rows = await cur.fetchall()
    cur = await conn.execute("SELECT count(*) AS n FROM chat.conversations WHERE user_id = %s", (user_id,))
    total = (await cur.fetchone() or {"n": 0})["n"]
    return rows, total


async def messages(conn: AsyncConnection[dict[str, Any]], conversation_id: UUID) -> list[Row]:
    cur = await conn.execute(
        "SELECT turn, role, content, response_type, payload, created_at FROM chat.messages "
        "WHERE conversation_id = %s ORDER BY turn, id",
        (conversation_id,),
    )
    return await cur.fetchall()


async def append_turn(
    conn: AsyncConnection[dict[str, Any]],
    conversation_id: UUID,
    user_text: str,
    reply_text: str,
    response_type: str,
    payload: dict[str, Any],
    title: str | None,
) -> int:
    """Store one user message and its reply as turn n+1; the caller holds the conversation lock."""
    cur = await conn.execute(
        "UPDATE chat.conversations SET message_count = message_count + 2, updated_at = clock_timestamp(), "
        "title = COALESCE(title, %s) WHERE id = %s RETURNING message_count / 2 AS turn",
        (title, conversation_id),
    )
    turn: int = (await cur.fetchone())["turn"]  # type: ignore[index]
    await conn.execute(
        "INSERT INTO chat.messages (conversation_id, turn, role, content, response_type, payload) "
        "VALUES (%s, %s, 'user', %s, NULL, NULL), (%s, %s, 'assistant', %s, %s, %s)",
        (conversation_id, turn, user_text, conversation_id, turn, reply_text, response_type, Jsonb(payload)),
    )
    return turn


async def rename(conn: AsyncConnection[dict[str, Any]], user_id: str, conversation_id: UUID, title: str) -> Row | None:
    cur = await conn.execute(
        sql.SQL(
            "UPDATE chat.conversations SET title = %s, updated_at = clock_timestamp() "
            "WHERE id = %s AND user_id = %s RETURNING {}"
        ).format(_COLS),
        (title, conversation_id, user_id),
    )
    return await cur.fetchone()


async def delete(conn: AsyncConnection[dict[str, Any]], user_id: str, conversation_id: UUID) -> bool:
    cur = await conn.execute(
        "DELETE FROM chat.conversations WHERE id = %s AND user_id = %s", (conversation_id, user_id)
    )
    return cur.rowcount == 1
