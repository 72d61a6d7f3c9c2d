"""One chat turn: read the history, compute the reply (no connection held while an LLM thinks), store
the pair in a short transaction."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection, OperationalError
from psycopg_pool import PoolTimeout
from pydantic import ValidationError

from stack8s.agents.architect import plan_for
from stack8s.agents.architect.artifacts import build_artifacts
from stack8s.agents.architect.markdown import clarification_markdown, plan_markdown
from stack8s.agents.architect.narrate import narrate
from stack8s.agents.deps import AgentDeps, Progress, Stage
from stack8s.agents.requirements.agent import extract_requirements
from stack8s.agents.requirements.cache import LexiconCache
from stack8s.agents.requirements.model_names import ModelLexicon
from stack8s.chat import repository
from stack8s.chat.schemas import ChatReply, ConversationDetail, MessageOut
from stack8s.embeddings import Embedder
from stack8s.errors import NotFound, Stack8sError, TooManyRequests, Unprocessable
from stack8s.llm import ChatModel
from stack8s.logging import request_id
from stack8s.planning.plan import Artifact, DeploymentPlan
from stack8s.planning.spec import WorkloadSpec
from stack8s.settings import Settings
from stack8s.tools.cluster import ClusterProbe

log = logging.getLogger(__name__)
TITLE_CHARS = 80


def validate_message(text: str, max_chars: int) -> str:
    """The message every path admits (HTTP, MCP, the command line): text without NUL, not empty, not too long."""
    if "\x00" in text:
        raise Unprocessable("message must not contain NUL (\\u0000) characters")
    cleaned = text.strip()
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


@dataclass(frozen=True)
class TurnContext:
    """What a turn needs. `connect` lends a connection for one short unit of work (a pool's
    `connection()`: a transaction committed on exit); no connection is held while an LLM thinks."""

    connect: Callable[[], AbstractAsyncContextManager[AsyncConnection[dict[str, Any]]]]
    settings: Settings
    embedder: Embedder
    lexicon_cache: LexiconCache
    chat_model: ChatModel | None = None
    cluster: ClusterProbe | None = None
    in_flight: InFlight = field(default_factory=lambda: InFlight())
    progress: Progress | None = None  # told each stage as it starts (the streaming endpoint)

    async def report(self, stage: Stage) -> None:
        if self.progress is not None:
            await self.progress(stage)


class InFlight:
    """Turns being computed per conversation (this process): past the limit a clear 429, instead of
    queueing connections behind one conversation."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, UUID], int] = {}
        self._detached: set[asyncio.Task[Any]] = set()

    @asynccontextmanager
    async def hold(self, user_id: str, conversation_id: UUID, limit: int) -> AsyncIterator[None]:
        """Keyed by the caller too, so nobody can use up another user's turns by sending to their id."""
        key = (user_id, conversation_id)
        if self._counts.get(key, 0) >= limit:
            raise TooManyRequests(
                f"{limit} message(s) of this conversation are still being answered; wait for the reply, then send"
            )
        self._counts[key] = self._counts.get(key, 0) + 1
        try:
            yield
        finally:
            left = self._counts[key] - 1
            if left:
                self._counts[key] = left
            else:
                del self._counts[key]

    def detach(self, work: Coroutine[Any, Any, ChatReply]) -> asyncio.Task[ChatReply]:
        """Run a turn as a task of its own, referenced here until it ends: a caller that goes away (a
        disconnected stream) does not cancel it. Its failure is logged, whether or not anyone reads it."""
        task = asyncio.create_task(work)
        self._detached.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._detached.discard(task)
        error = None if task.cancelled() else task.exception()
        if isinstance(error, Stack8sError) and error.status_code < 500:
            log.info("turn.refused error=%s detail=%s", type(error).__name__, error.message)
        elif error is not None:
            log.error("turn.failed error=%s", type(error).__name__, exc_info=error)

    async def drain(self, grace_seconds: float) -> None:
        """Wait (up to `grace_seconds`) for the detached turns to be stored, before shutting down."""
        if self._detached:
            await asyncio.wait(set(self._detached), timeout=grace_seconds)


@dataclass(frozen=True)
class Admitted:
    """A turn let in: its message is valid, its conversation is the caller's, a turn slot is held."""

    user_id: str
    conversation_id: UUID
    text: str
    stored: list[dict[str, Any]]
    lexicon: ModelLexicon


@asynccontextmanager
async def admit(user_id: str, conversation_id: UUID, text: str, ctx: TurnContext) -> AsyncIterator[Admitted]:
    """Everything that can refuse a turn before work starts (422, 404, 429, 503), then the history (one
    short transaction). The turn slot is held until the block ends."""
    text = validate_message(text, ctx.settings.max_message_chars)
    async with ctx.in_flight.hold(user_id, conversation_id, ctx.settings.max_turns_in_flight):
        async with ctx.connect() as conn:
            if await repository.get(conn, user_id, conversation_id) is None:
                raise NotFound(f"conversation {conversation_id} not found")
            stored = await repository.messages(conn, conversation_id)
            lexicon = await ctx.lexicon_cache.get(conn)
        yield Admitted(user_id, conversation_id, text, stored, lexicon)


async def answer(turn: Admitted, ctx: TurnContext) -> ChatReply:
    """Compute the reply (catalog reads on a lent connection; LLM calls with no connection held), then store
    the turn (one short transaction that appends the pair at the next turn number, so turns stay whole and
    in order; a concurrent turn is answered against the history it saw)."""
    history = [m["content"] for m in turn.stored if m["role"] == "user"]
    previous = _last_plan_spec(turn.stored)
    reply = await _reply(turn.conversation_id, [*history, turn.text], ctx, turn.lexicon, previous)
    payload = reply.model_dump(mode="json")
    async with ctx.connect() as conn:
        if await repository.get(conn, turn.user_id, turn.conversation_id, lock=True) is None:
            raise NotFound(f"conversation {turn.conversation_id} was deleted while it was being answered")
        await repository.append_turn(
            conn, turn.conversation_id, turn.text, reply.response, reply.response_type, payload, _title(turn.text)
        )
    return reply


async def handle_message(user_id: str, conversation_id: UUID, text: str, ctx: TurnContext) -> ChatReply:
    """Answer one user message: admit it, compute the reply, store the turn."""
    async with admit(user_id, conversation_id, text, ctx) as turn:
        return await answer(turn, ctx)


async def first_message(user_id: str, text: str, ctx: TurnContext) -> ChatReply:
    """Start a conversation with its first message (MCP, the command line): the conversation is kept only
    when that turn is answered and stored; a refused or failed first turn leaves no empty conversation."""
    validate_message(text, ctx.settings.max_message_chars)
    async with ctx.connect() as conn:
        conversation_id: UUID = (await repository.create(conn, user_id, None))["conversation_id"]
    try:
        return await handle_message(user_id, conversation_id, text, ctx)
    except BaseException:
        with suppress(Exception):  # the refusal is what the caller needs to see
            async with ctx.connect() as conn:
                if not await repository.messages(conn, conversation_id):
                    await repository.delete(conn, user_id, conversation_id)
        raise


async def start_turn(user_id: str, conversation_id: UUID, text: str, ctx: TurnContext) -> asyncio.Task[ChatReply]:
    """Admit the turn now (a refusal raises here, before anything is sent), then answer and store it in a
    detached task that keeps the turn slot: the caller may go away, the turn is still stored."""
    held = AsyncExitStack()
    turn = await held.enter_async_context(admit(user_id, conversation_id, text, ctx))

    async def run() -> ChatReply:
        async with held:
            return await answer(turn, ctx)

    return ctx.in_flight.detach(run())


async def latest_artifacts(
    conn: AsyncConnection[dict[str, Any]], user_id: str, conversation_id: UUID
) -> list[Artifact]:
    """The artifacts of the latest plan in the caller's conversation (generated from the stored plan when
    it predates artifacts); NotFound when the conversation is not theirs or has no plan."""
    if await repository.get(conn, user_id, conversation_id) is None:
        raise NotFound(f"conversation {conversation_id} not found")
    for message in reversed(await repository.messages(conn, conversation_id)):
        payload = message.get("payload") or {}
        if message["role"] == "assistant" and payload.get("deployment_plan"):
            try:
                plan = DeploymentPlan.model_validate(payload["deployment_plan"])
            except ValidationError:
                break
            return plan.artifacts or build_artifacts(plan)
    raise NotFound(f"conversation {conversation_id} has no deployment plan yet")


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


def _remaining(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


async def _reply(
    conversation_id: UUID,
    user_messages: list[str],
    ctx: TurnContext,
    lexicon: ModelLexicon,
    previous: WorkloadSpec | None,
) -> ChatReply:
    deadline = time.monotonic() + ctx.settings.llm_turn_deadline_seconds
    await ctx.report("requirements")
    result = await extract_requirements(
        user_messages, lexicon, ctx.chat_model, min(ctx.settings.llm_timeout_seconds, _remaining(deadline))
    )
    if result.questions:
        return ChatReply(
            conversation_id=conversation_id,
            response=clarification_markdown(result.spec, result.questions),
            response_type="clarification",
            workload_spec=result.spec,
            clarifying_questions=result.questions,
        )
    try:
        async with ctx.connect() as conn:  # catalog reads only: no LLM call while it is held
            deps = AgentDeps(conn, ctx.settings, ctx.embedder, lexicon, ctx.chat_model, ctx.cluster, ctx.progress)
            plan = await plan_for(result.spec, deps, previous)
    except (Stack8sError, OperationalError, PoolTimeout):
        raise  # a database fault or a domain error is answered by its own handler (503, 4xx), not as a plan
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
    plan = await narrate(plan, ctx.chat_model, _remaining(deadline))
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
