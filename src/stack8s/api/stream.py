"""POST /chat/message/stream: the same turn as POST /chat/message, with its progress as Server-Sent Events.

Refusals known before work starts (401, 404, 413, 422, 429, 503) are plain HTTP error responses. Then the
stream: an `event: stage` as each stage of the turn starts, and one `event: reply` (the object
/chat/message returns) or one `event: error` (`{error, detail, status}`), after which it ends. The turn
runs in a task of its own: a client that goes away does not cancel it, and it is stored all the same.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from fastapi import APIRouter
from sse_starlette import EventSourceResponse, ServerSentEvent

from stack8s.agents.deps import STAGE_LABELS, Stage
from stack8s.api.chat import MESSAGE_ERRORS, MessageBody
from stack8s.api.deps import AppState, CurrentUser, Turns
from stack8s.api.errors import ERROR_RESPONSES, error_payload
from stack8s.chat import service
from stack8s.chat.schemas import ChatReply
from stack8s.db.gate import CONNECTION_ERRORS

router = APIRouter(prefix="/chat", tags=["chat"], responses=ERROR_RESPONSES)
PING_SECONDS = 10
EVENT_STREAM = """Server-Sent Events, in this order:

- `event: stage`, `data: {"stage", "label", "elapsed_ms"}` as each stage starts, in the order they happen
  (`stage` is one of requirements, sizing, compute_search, model_search, charts, plan; a clarification has
  only requirements);
- then exactly one of `event: reply`, `data:` the reply object of `POST /chat/message`, or `event: error`,
  `data: {"error", "detail", "status"}`; then the stream ends.

Comment lines (`: ping`) keep the connection alive."""
SSE_CONTENT = {
    "schema": {"type": "string"},
    "example": (
        'event: stage\ndata: {"stage":"requirements","label":"Reading your requirements","elapsed_ms":1}\n\n'
        'event: stage\ndata: {"stage":"sizing","label":"Sizing the workload","elapsed_ms":9}\n\n'
        'event: reply\ndata: {"conversation_id":"123e4567-e89b-12d3-a456-426614174000",'
        '"response":"## Deployment plan ...","response_type":"deployment_plan", ...}\n\n'
    ),
}


def _data(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@router.post(
    "/message/stream",
    response_class=EventSourceResponse,
    summary="Send a message, with progress (SSE)",
    responses={200: {"description": EVENT_STREAM, "content": {"text/event-stream": SSE_CONTENT}}, **MESSAGE_ERRORS},
)
async def message_stream(user: CurrentUser, body: MessageBody, turns: Turns, state: AppState) -> EventSourceResponse:
    """The same turn as `POST /chat/message` (same body, same reply, stored the same way), streamed as
    Server-Sent Events with a `stage` event as each stage starts. A client that disconnects loses nothing:
    the turn completes and is stored, and `GET /chat/{id}` shows it."""
    started = time.monotonic()
    events: asyncio.Queue[ServerSentEvent | None] = asyncio.Queue()

    async def progress(stage: Stage) -> None:
        elapsed_ms = round((time.monotonic() - started) * 1000)
        data = {"stage": stage, "label": STAGE_LABELS[stage], "elapsed_ms": elapsed_ms}
        events.put_nowait(ServerSentEvent(_data(data), event="stage"))

    ctx = replace(turns, progress=progress)
    task = await service.start_turn(user.user_id, body.conversation_id, body.message, ctx)
    task.add_done_callback(lambda _: events.put_nowait(None))  # after the turn's last stage
    return EventSourceResponse(_events(events, task, state), ping=PING_SECONDS)


async def _events(
    events: asyncio.Queue[ServerSentEvent | None], task: asyncio.Task[ChatReply], state: AppState
) -> AsyncIterator[ServerSentEvent]:
    while (event := await events.get()) is not None:
        yield event
    yield _outcome(task, state)


def _outcome(task: asyncio.Task[ChatReply], state: AppState) -> ServerSentEvent:
    if task.cancelled():  # only when the service stops
        status, body = 503, {"error": "ServiceUnavailable", "detail": "the service stopped mid-turn; send it again"}
    elif (error := task.exception()) is None:
        return ServerSentEvent(_data(task.result().model_dump(mode="json")), event="reply")
    else:
        if isinstance(error, CONNECTION_ERRORS):
            state["db"].mark_down(str(error))  # as the 503 handler does for a plain request
        status, body = error_payload(error)
    return ServerSentEvent(_data({**body, "status": status}), event="error")
