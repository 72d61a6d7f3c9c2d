"""Chat routes: start, send a message, read, list, rename and delete the caller's conversations."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from stack8s.api.deps import CurrentUser, DbConn, Turns
from stack8s.api.errors import ERROR_RESPONSES
from stack8s.chat import repository, service
from stack8s.chat.models import (
    ChatMessageIn,
    ChatReply,
    ChatStartIn,
    ChatStartOut,
    ConversationDetail,
    ConversationPage,
    ConversationPatch,
    ConversationSummary,
)
from stack8s.errors import NotFound
from stack8s.planning.plan import Artifact, ArtifactFormat

router = APIRouter(prefix="/chat", tags=["chat"], responses=ERROR_RESPONSES)
YAML = "application/yaml"
GREETING = "Conversation started. How can I help you deploy your workload?"


@router.post("/start", response_model=ChatStartOut)
async def start(user: CurrentUser, conn: DbConn, body: ChatStartIn | None = None) -> ChatStartOut:
    row = await repository.create(conn, user.user_id, body.title if body else None)
    return ChatStartOut(
        conversation_id=row["conversation_id"], message=GREETING, title=row["title"], created_at=row["created_at"]
    )


@router.post("/message", response_model=ChatReply)
async def message(user: CurrentUser, body: ChatMessageIn, turns: Turns) -> ChatReply:
    return await service.handle_message(user.user_id, body.conversation_id, body.message, turns)


@router.get("", response_model=ConversationPage)
async def list_conversations(
    user: CurrentUser,
    conn: DbConn,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ConversationPage:
    rows, total = await repository.list_for_user(conn, user.user_id, limit, offset)
    items = [ConversationSummary(**r) for r in rows]
    return ConversationPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{conversation_id}", response_model=ConversationDetail)
async def read(user: CurrentUser, conn: DbConn, conversation_id: UUID) -> ConversationDetail:
    return await service.load_conversation(conn, user.user_id, conversation_id)


@router.get(
    "/{conversation_id}/artifacts",
    response_model=list[Artifact],
    responses={200: {"content": {YAML: {"schema": {"type": "string"}}}, "description": "artifacts, or one as YAML"}},
)
async def artifacts(
    user: CurrentUser,
    conn: DbConn,
    conversation_id: UUID,
    format: Annotated[ArtifactFormat | None, Query(description="one artifact, as YAML text")] = None,
) -> Response | list[Artifact]:
    """The files to apply for the latest plan of the conversation: all of them (JSON), or one as YAML."""
    found = await service.latest_artifacts(conn, user.user_id, conversation_id)
    if format is None:
        return found
    for artifact in found:
        if artifact.format == format:
            disposition = f'inline; filename="{artifact.filename}"'
            return Response(artifact.content, media_type=YAML, headers={"Content-Disposition": disposition})
    formats = ", ".join(a.format for a in found) or "none"
    raise NotFound(f"the latest plan has no {format} artifact (it has: {formats})")


@router.patch("/{conversation_id}", response_model=ConversationSummary)
async def rename(
    user: CurrentUser, conn: DbConn, conversation_id: UUID, body: ConversationPatch
) -> ConversationSummary:
    row = await repository.rename(conn, user.user_id, conversation_id, body.title.strip())
    if row is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return ConversationSummary(**row)


@router.delete("/{conversation_id}", status_code=204, response_class=Response)
async def delete(user: CurrentUser, conn: DbConn, conversation_id: UUID) -> Response:
    if not await repository.delete(conn, user.user_id, conversation_id):
        raise NotFound(f"conversation {conversation_id} not found")
    return Response(status_code=204)
