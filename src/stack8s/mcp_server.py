"""The planner as an MCP server (the `mcp` SDK 2.x): five tools for agents.

- `plan_deployment`: one chat turn through the same service the API uses (a new conversation per call
  unless `conversation_id` continues one of the caller's);
- `search_offers`, `search_models`, `search_charts`: the retrieval tools, with the debug endpoints' queries;
- `estimate_performance`: the estimator, with the body of POST /api/v1/tools/performance/estimate.

Transports: `stack8s mcp` serves it over stdio as the local user (`build_server` with a fixed Backend);
the HTTP app mounts the streamable HTTP transport at /mcp (`mount`), behind the app's Authenticator:
a request without a valid bearer token is refused with 401 before it reaches the MCP session.

Bad arguments and domain errors (not found, unprocessable, database unavailable) come back as a tool
error (`is_error`) with a message that says what to fix; nothing crashes the server.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import FastAPI
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import CallToolResult, InputRequiredResult
from psycopg import InterfaceError, OperationalError
from psycopg_pool import PoolTimeout
from pydantic import Field, ValidationError
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from stack8s import __version__
from stack8s.api.deps import State, get_turn_context
from stack8s.api.errors import describe_errors
from stack8s.auth import Principal
from stack8s.chat import service
from stack8s.chat.schemas import ChatReply
from stack8s.chat.service import TurnContext
from stack8s.errors import Stack8sError, Unauthorized
from stack8s.tools import compute, hf, k8s
from stack8s.tools.estimate import EstimateRequest, EstimateResponse, estimate
from stack8s.tools.schemas import (
    ChartQuery,
    ChartResults,
    ComputeQuery,
    ComputeResults,
    ModelQuery,
    ModelResults,
)

log = logging.getLogger(__name__)

MCP_PATH = "/mcp"
PRINCIPAL_KEY = "stack8s.principal"  # the ASGI scope key the /mcp auth wrapper sets
INSTRUCTIONS = (
    "Stack8s plans deployments of AI workloads (instances, models, Helm charts, steps and costs). "
    "Call plan_deployment with what the user wants to deploy, in words; pass its conversation_id back "
    "to answer its clarifying questions. The search and estimate tools look up single facts."
)


@dataclass(frozen=True)
class Backend:
    """What a tool call needs: the turn context (connections, settings, embedder, ...) and the caller."""

    turns: TurnContext
    principal: Principal


Resolver = Callable[[Context[Any, Any]], Awaitable[Backend]]


@asynccontextmanager
async def _tool_errors() -> AsyncIterator[None]:
    """Domain and database errors as tool errors with their message (never a crash, never internals)."""
    try:
        yield
    except ToolError:
        raise
    except Stack8sError as exc:
        raise ToolError(exc.message) from None
    except (PoolTimeout, OperationalError, InterfaceError):
        log.warning("mcp.tool.database_unavailable", exc_info=True)
        raise ToolError("the database is unavailable; retry shortly") from None


class _Server(MCPServer[Any]):
    """The SDK's server, with argument errors worded as the API words them: the SDK's text is pydantic's,
    which echoes the rejected value (``input_value=...``) and a documentation link."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc, UnexpectedToolError) or not isinstance(exc.__cause__, ValidationError):
                raise
            raise ToolError(
                f"Error executing tool {name}: {describe_errors(exc.__cause__.errors())}"
            ) from exc.__cause__


def build_server(resolve: Resolver) -> MCPServer[Any]:
    """The MCP server; `resolve` gives each call its Backend (fixed for stdio, from the request for HTTP)."""
    server: MCPServer[Any] = _Server(
        "stack8s", title="Stack8s deployment planner", version=__version__, instructions=INSTRUCTIONS
    )

    @server.tool(
        description="Plan a deployment from a message in words (what to run, load, budget, cloud). Returns the "
        "reply: a deployment plan, or clarifying questions to answer in a follow-up call with the same "
        "conversation_id."
    )
    async def plan_deployment(
        message: Annotated[str, Field(min_length=1, description="what you want to deploy, in words")],
        ctx: Context[Any, Any],
        conversation_id: Annotated[
            UUID | None, Field(description="continue this conversation (from an earlier reply); omit to start one")
        ] = None,
    ) -> ChatReply:
        backend = await resolve(ctx)
        user_id = backend.principal.user_id
        async with _tool_errors():
            if conversation_id is None:
                return await service.first_message(user_id, message, backend.turns)
            return await service.handle_message(user_id, conversation_id, message, backend.turns)

    @server.tool(
        description="Search cloud GPU/CPU instance offers (provider, region, price) by hardware and price filters; "
        "the same query as POST /api/v1/tools/compute/search."
    )
    async def search_offers(query: ComputeQuery, ctx: Context[Any, Any]) -> ComputeResults:
        backend = await resolve(ctx)
        async with _tool_errors(), backend.turns.connect() as conn:
            results = await compute.search(conn, query)
        return ComputeResults(results=results, count=len(results))

    @server.tool(
        description="Estimate vLLM memory per GPU, latency and throughput of one model (a catalog model_id or "
        "config.json architecture) on one GPU type; the body of POST /api/v1/tools/performance/estimate."
    )
    async def estimate_performance(request: EstimateRequest, ctx: Context[Any, Any]) -> EstimateResponse:
        backend = await resolve(ctx)
        async with _tool_errors(), backend.turns.connect() as conn:
            return await estimate(conn, request)

    @server.tool(
        description="Search the Hugging Face model catalog by meaning (optionally by pipeline tag and license); "
        "the same query as POST /api/v1/tools/hf/search."
    )
    async def search_models(query: ModelQuery, ctx: Context[Any, Any]) -> ModelResults:
        backend = await resolve(ctx)
        async with _tool_errors(), backend.turns.connect() as conn:
            results = await hf.search(conn, backend.turns.embedder, query)
        return ModelResults(results=results, count=len(results))

    @server.tool(
        description="Search Helm charts by name or description; the same query as POST /api/v1/tools/k8s/search."
    )
    async def search_charts(query: ChartQuery, ctx: Context[Any, Any]) -> ChartResults:
        backend = await resolve(ctx)
        async with _tool_errors(), backend.turns.connect() as conn:
            results = await k8s.search(conn, query)
        return ChartResults(results=results, count=len(results))

    return server


def fixed(backend: Backend) -> Resolver:
    """Every call runs as one backend (stdio, in-memory tests)."""

    async def resolve(_: Context[Any, Any]) -> Backend:
        return backend

    return resolve


async def _from_request(ctx: Context[Any, Any]) -> Backend:
    """HTTP: the app's lifespan State and the principal the /mcp wrapper authenticated."""
    scope = getattr(ctx.request_context.request, "scope", None)
    if not isinstance(scope, dict) or PRINCIPAL_KEY not in scope or "state" not in scope:
        raise ToolError("this call did not come through the authenticated /mcp endpoint")
    state: State = scope["state"]
    return Backend(turns=get_turn_context(state), principal=scope[PRINCIPAL_KEY])


class _Endpoint:
    """The /mcp ASGI endpoint: the app's Authenticator first (401 like the API), then the MCP session manager."""

    def __init__(self) -> None:
        self.manager: StreamableHTTPSessionManager | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") != "POST":
            # Stateless JSON mode: no session to stream to (GET) or to end (DELETE); the transport allows 405.
            detail = "MCP here is stateless streamable HTTP: send JSON-RPC requests with POST"
            await JSONResponse(
                {"error": "MethodNotAllowed", "detail": detail}, status_code=405, headers={"Allow": "POST"}
            )(scope, receive, send)
            return
        state: State = scope["state"]
        try:
            principal = await state["authenticator"].authenticate(Headers(scope=scope).get("authorization"))
        except Unauthorized as exc:
            response = JSONResponse(
                {"error": type(exc).__name__, "detail": exc.message},
                status_code=exc.status_code,
                headers={"WWW-Authenticate": "Bearer", **(exc.headers or {})},
            )
            await response(scope, receive, send)
            return
        if self.manager is None:
            await JSONResponse({"error": "ServiceUnavailable", "detail": "MCP is starting"}, 503)(scope, receive, send)
            return
        scope[PRINCIPAL_KEY] = principal
        await self.manager.handle_request(scope, receive, send)


def mount(app: FastAPI) -> None:
    """Serve MCP (streamable HTTP, stateless, JSON responses) at /mcp with the API's auth. The session
    manager runs inside the app's lifespan (a fresh one per start: a manager runs only once)."""
    server = build_server(_from_request)
    endpoint = _Endpoint()
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with inner(a) as state:
            configured = bool(state and state["authenticator"].configured)
            # No token to steal when auth is on; without auth (local use) keep the SDK's DNS-rebinding guard.
            security = None if not configured else TransportSecuritySettings(enable_dns_rebinding_protection=False)
            server.streamable_http_app(
                streamable_http_path=MCP_PATH, stateless_http=True, json_response=True, transport_security=security
            )
            endpoint.manager = server.session_manager
            try:
                async with endpoint.manager.run():
                    yield state
            finally:
                endpoint.manager = None

    app.router.lifespan_context = lifespan
    app.router.routes.append(Route(MCP_PATH, endpoint=endpoint))
