"""One chat turn as one unit of work: load -> requirements -> architect -> persist, in one transaction."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from pydantic import ValidationError

from stack8s.agents.architect import build_plan
from stack8s.agents.architect.render import clarification_markdown, plan_markdown
from stack8s.agents.deps import AgentDeps
from stack8s.agents.requirements.agent import extract_requirements
from stack8s.chat import repository
from stack8s.chat.models import ChatReply, ConversationDetail, MessageOut
from stack8s.errors import NotFound, Unprocessable
from stack8s.logging import request_id
from stack8s.planning.spec import WorkloadSpec

log = logging.getLogger(__name__)
TITLE_CHARS = 80


def validate_message(text: str, max_chars: int) -> str:
    cleaned = text.strip()  # NUL characters were already refused by request validation
    if not cleaned:
        raise Unprocessable("message is empty: send the workload you want to plan, in words")
    if len(cleaned) > max_chars:
        raise Unprocessable(f"message is {len(cleaned)} characters; the limit is {max_chars}. Shorten it.")
    return cleaned


async def load_conversation(
    conn: AsyncConnection[dict[str, Any]], user_id: str, conversation_id: UUID
) -> ConversationDetail:
    row = await repository.get(conn, user_id, conversation_id)
    if row is None:
        raise NotFound(f"conversation {conversation_id} not found")
    messages = [MessageOut(**m) for m in await repository.messages(conn, conversation_id)]
    return ConversationDetail(**row, messages=messages)


async def handle_message(user_id: str, conversation_id: UUID, text: str, deps: AgentDeps) -> ChatReply:
    """Answer one user message. The conversation row is locked for the turn, so concurrent turns on
    one conversation run one after another and each sees the full history before it."""
    text = validate_message(text, deps.settings.max_message_chars)
    conn = deps.conn
    conversation = await repository.get(conn, user_id, conversation_id, lock=True)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    stored = await repository.messages(conn, conversation_id)
    history = [m["content"] for m in stored if m["role"] == "user"]
    reply = await _reply(conversation_id, [*history, text], deps, _last_plan_spec(stored))
    payload = reply.model_dump(mode="json")
    await repository.append_turn(
        conn, conversation_id, text, reply.response, reply.response_type, payload, _title(text)
    )
    return reply


def _last_plan_spec(stored: list[dict[str, Any]]) -> WorkloadSpec | None:
    """The spec of the conversation's last plan, to say what the next plan changes; None without one."""
    for message in reversed(stored):
        payload = message.get("payload") or {}
        if message["role"] == "assistant" and message.get("response_type") == "deployment_plan":
            try:
                return WorkloadSpec.model_validate(payload.get("workload_spec") or {})
            except ValidationError:
                return None
    return None


async def _reply(
    conversation_id: UUID, user_messages: list[str], deps: AgentDeps, previous: WorkloadSpec | None = None
) -> ChatReply:
    result = await extract_requirements(user_messages, deps)
    if result.questions:
        return ChatReply(
            conversation_id=conversation_id,
            response=clarification_markdown(result.spec, result.questions),
            response_type="clarification",
            workload_spec=result.spec,
            clarifying_questions=result.questions,
        )
    try:
        async with deps.conn.transaction():  # a savepoint: a failure leaves the turn's transaction usable
            plan = await build_plan(result.spec, deps, previous)
    except Exception:  # the agent boundary: log it, and answer instead of losing the turn
        log.exception("architect.failed conversation_id=%s", conversation_id)
        return ChatReply(
            conversation_id=conversation_id,
            response=(
                "Sorry, I could not build a plan for this request because of an internal error "
                f"(request {request_id.get()}, logged). Your message is saved; try again or rephrase it."
            ),
            response_type="error",
            workload_spec=result.spec,
        )
    return ChatReply(
        conversation_id=conversation_id,
        response=plan_markdown(plan),
        response_type="deployment_plan",
        workload_spec=result.spec,
        deployment_plan=plan,
    )


def _title(text: str) -> str:
    first_line = " ".join(text.split())
    return first_line if len(first_line) <= TITLE_CHARS else first_line[: TITLE_CHARS - 1] + "…"
