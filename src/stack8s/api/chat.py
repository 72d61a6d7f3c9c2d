"""Chat routes: start, send a message, read, list, rename and delete the caller's conversations."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query, Response

from stack8s.api.deps import CurrentUser, DbConn, Turns
from stack8s.api.errors import BODY_ERRORS, CONVERSATION_ERRORS, ERROR_RESPONSES, error_responses
from stack8s.chat import repository, service
from stack8s.chat.schemas import (
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
EXAMPLE_ID = "123e4567-e89b-12d3-a456-426614174000"
START_EXAMPLES = {
    "untitled": {"summary": "no title (the first message becomes it)", "value": {}},
    "titled": {"summary": "with a title", "value": {"title": "Llama 3.1 70B for support"}},
}
MESSAGE_EXAMPLES = {
    "serve": {
        "summary": "serve a model",
        "value": {"conversation_id": EXAMPLE_ID, "message": "Serve Llama 3.1 70B to 200 users on AWS, $10k a month"},
    },
    "fine-tune": {
        "summary": "fine-tune",
        "value": {"conversation_id": EXAMPLE_ID, "message": "Fine-tune Llama 3 8B with LoRA and track it in MLflow"},
    },
    "vague": {
        "summary": "too vague (answered with questions)",
        "value": {"conversation_id": EXAMPLE_ID, "message": "I need some GPUs"},
    },
}
RENAME_EXAMPLES = {"rename": {"summary": "a new title", "value": {"title": "Mistral 7B on Azure"}}}
MESSAGE_ERRORS = {**CONVERSATION_ERRORS, **BODY_ERRORS, **error_responses(429)}
MessageBody = Annotated[ChatMessageIn, Body(openapi_examples=MESSAGE_EXAMPLES)]


@router.post("/start", response_model=ChatStartOut, summary="Start a conversation", responses=BODY_ERRORS)
async def start(
    user: CurrentUser, conn: DbConn, body: Annotated[ChatStartIn | None, Body(openapi_examples=START_EXAMPLES)] = None
) -> ChatStartOut:
    """Create an empty conversation for the caller. Send its `conversation_id` with each message."""
    row = await repository.create(conn, user.user_id, body.title if body else None)
    return ChatStartOut(
        conversation_id=row["conversation_id"], message=GREETING, title=row["title"], created_at=row["created_at"]
    )


@router.post("/message", response_model=ChatReply, summary="Send a message", responses=MESSAGE_ERRORS)
async def message(user: CurrentUser, body: MessageBody, turns: Turns) -> ChatReply:
    """Answer one message of the conversation: a deployment plan (`response_type` deployment_plan), 1-3
    clarifying questions (clarification) or an apology (error). The message and the reply are stored
    together; the reply is also in the conversation's history. `POST /chat/message/stream` answers the
    same, with progress."""
    return await service.handle_message(user.user_id, body.conversation_id, body.message, turns)


@router.get("", response_model=ConversationPage, summary="List conversations")
async def list_conversations(
    user: CurrentUser,
    conn: DbConn,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ConversationPage:
    """The caller's conversations, the most recently updated first, a page at a time."""
    rows, total = await repository.list_for_user(conn, user.user_id, limit, offset)
    items = [ConversationSummary(**r) for r in rows]
    return ConversationPage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{conversation_id}",
    response_model=ConversationDetail,
    summary="Read a conversation",
    responses=CONVERSATION_ERRORS,
)
async def read(user: CurrentUser, conn: DbConn, conversation_id: UUID) -> ConversationDetail:
    """One conversation with its messages in order; each assistant message carries the full reply in
    `payload` (the same object `POST /chat/message` returned)."""
    return await service.load_conversation(conn, user.user_id, conversation_id)


@router.get(
    "/{conversation_id}/artifacts",
    response_model=list[Artifact],
    summary="Files to apply for the latest plan",
    responses={
        200: {"content": {YAML: {"schema": {"type": "string"}}}, "description": "artifacts, or one as YAML"},
        **CONVERSATION_ERRORS,
    },
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


@router.patch(
    "/{conversation_id}",
    response_model=ConversationSummary,
    summary="Rename a conversation",
    responses={**CONVERSATION_ERRORS, **BODY_ERRORS},
)
async def rename(
    user: CurrentUser,
    conn: DbConn,
    conversation_id: UUID,
    body: Annotated[ConversationPatch, Body(openapi_examples=RENAME_EXAMPLES)],
) -> ConversationSummary:
    """Set the conversation's title (1 to 200 characters, trimmed)."""
    row = await repository.rename(conn, user.user_id, conversation_id, body.title.strip())
    if row is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return ConversationSummary(**row)


@router.delete(
    "/{conversation_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a conversation",
    responses=CONVERSATION_ERRORS,
)
async def delete(user: CurrentUser, conn: DbConn, conversation_id: UUID) -> Response:
    """Delete the conversation and all its messages, for good."""
    if not await repository.delete(conn, user.user_id, conversation_id):
        raise NotFound(f"conversation {conversation_id} not found")
    return Response(status_code=204)
