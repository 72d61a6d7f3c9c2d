"""FastAPI dependencies: app state, the request's connection (one transaction), the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, TypedDict, cast

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from stack8s.agents.requirements.cache import LexiconCache
from stack8s.auth import Authenticator, Principal
from stack8s.chat.service import InFlight, TurnContext
from stack8s.db.gate import Database
from stack8s.embeddings import Embedder
from stack8s.llm import ChatModel
from stack8s.settings import Settings
from stack8s.tools.cluster import ClusterProbe


class State(TypedDict):
    settings: Settings
    pool: AsyncConnectionPool[AsyncConnection[dict[str, Any]]]
    db: Database
    embedder: Embedder
    authenticator: Authenticator
    lexicon_cache: LexiconCache
    in_flight: InFlight
    chat_model: ChatModel | None
    cluster: ClusterProbe


def get_state(request: Request) -> State:
    """The lifespan's State: Starlette copies what the lifespan yields into scope["state"]."""
    return cast(State, request.scope["state"])


AppState = Annotated[State, Depends(get_state)]


async def get_conn(state: AppState) -> AsyncIterator[AsyncConnection[dict[str, Any]]]:
    """One connection and one transaction per request: committed if the handler returns normally,
    rolled back if it raises (psycopg_pool's connection() context does exactly this). Used with
    scope="function", so the commit happens before the response is sent: a client never sees an id
    that is not yet committed, and a failed commit is an error response, not silently lost data."""
    async with state["db"].connection() as conn:
        yield conn


DbConn = Annotated[AsyncConnection[dict[str, Any]], Depends(get_conn, scope="function")]
_bearer = HTTPBearer(auto_error=False, description="Supabase access token (JWT)")


async def get_principal(
    request: Request,
    state: AppState,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return await state["authenticator"].authenticate(request.headers.get("authorization"))


CurrentUser = Annotated[Principal, Depends(get_principal)]


def get_turn_context(state: AppState) -> TurnContext:
    """A chat turn borrows pooled connections only for its short reads and writes (no request-wide
    connection: an LLM call never holds one)."""
    return TurnContext(
        connect=state["db"].connection,
        settings=state["settings"],
        embedder=state["embedder"],
        lexicon_cache=state["lexicon_cache"],
        chat_model=state["chat_model"],
        cluster=state["cluster"],
        in_flight=state["in_flight"],
    )


Turns = Annotated[TurnContext, Depends(get_turn_context)]
