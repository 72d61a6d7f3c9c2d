"""FastAPI dependencies: app state, the request's connection (one transaction), the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, TypedDict

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from stack8s.agents.deps import AgentDeps
from stack8s.agents.requirements.models import ModelLexicon
from stack8s.auth import Authenticator, Principal
from stack8s.embeddings import Embedder
from stack8s.llm import ChatModel
from stack8s.settings import Settings
from stack8s.tools.local import ClusterProbe


class State(TypedDict):
    settings: Settings
    pool: AsyncConnectionPool
    embedder: Embedder
    authenticator: Authenticator
    lexicon_cache: LexiconCache
    chat_model: ChatModel | None
    cluster: ClusterProbe


class LexiconCache:
    """The model-name lexicon, rebuilt when the models catalog changes (checked per use, cheaply)."""

    def __init__(self) -> None:
        self._version: object = None
        self._lexicon: ModelLexicon | None = None

    async def get(self, conn: AsyncConnection) -> ModelLexicon:
        from stack8s.catalogs import repository as catalog_repository

        version = await catalog_repository.models_version(conn)
        if self._lexicon is None or version != self._version:
            self._lexicon = ModelLexicon.from_rows(await catalog_repository.model_rows(conn))
            self._version = version
        return self._lexicon


def get_state(request: Request) -> State:
    return request.state._state  # type: ignore[no-any-return]


AppState = Annotated[State, Depends(get_state)]


async def get_conn(state: AppState) -> AsyncIterator[AsyncConnection]:
    """One connection and one transaction per request: committed if the handler returns normally,
    rolled back if it raises (psycopg_pool's connection() context does exactly this)."""
    async with state["pool"].connection() as conn:
        yield conn


DbConn = Annotated[AsyncConnection, Depends(get_conn)]
_bearer = HTTPBearer(auto_error=False, description="Supabase access token (JWT)")


async def get_principal(
    request: Request,
    state: AppState,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return await state["authenticator"].authenticate(request.headers.get("authorization"))


CurrentUser = Annotated[Principal, Depends(get_principal)]


async def get_agent_deps(state: AppState, conn: DbConn) -> AgentDeps:
    return AgentDeps(
        conn=conn,
        settings=state["settings"],
        embedder=state["embedder"],
        lexicon=await state["lexicon_cache"].get(conn),
        chat_model=state["chat_model"],
        cluster=state["cluster"],
    )


Agents = Annotated[AgentDeps, Depends(get_agent_deps)]
