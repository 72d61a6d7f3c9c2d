"""create_app(settings): the FastAPI app. The lifespan owns every resource; nothing opens at import."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from stack8s import __version__, mcp_server
from stack8s.agents.requirements.cache import LexiconCache
from stack8s.api import api_router, docs, errors, health, security
from stack8s.api.deps import State
from stack8s.auth import Authenticator, check_auth_config
from stack8s.catalogs import fx
from stack8s.catalogs.seed import seed_shipped
from stack8s.chat.service import InFlight
from stack8s.db.embedded import EmbeddedPostgres
from stack8s.db.gate import Database
from stack8s.db.migrate import migrate
from stack8s.db.pool import open_pool
from stack8s.db.url import resolve_database
from stack8s.embeddings import get_embedder, warm_up
from stack8s.llm import get_chat_model
from stack8s.logging import BodySizeLimitMiddleware, RequestIdMiddleware, configure_logging
from stack8s.settings import Environment, Settings
from stack8s.tools.cluster import ClusterProbe

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "web" / "static"
DRAIN_TURNS_S = 30.0  # at shutdown, how long detached turns (a streamed client left) get to be stored


def _lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[State]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        check_auth_config(settings)
        dsn, embedded = resolve_database(settings)
        try:
            applied = await migrate(dsn)
            if applied:
                log.info("db.migrated applied=%s", ",".join(applied))
            embedder = await anyio.to_thread.run_sync(get_embedder, settings)
            pool = await open_pool(dsn, min_size=settings.pool_min_size, max_size=settings.pool_max_size)
            db = Database(pool, dsn, settings.pool_timeout_seconds)
            in_flight = InFlight()
            supervisor: asyncio.Task[None] | None = None
            try:
                if settings.seed_catalogs:
                    async with pool.connection() as conn:
                        await seed_shipped(conn, embedder)
                warm_up(embedder)  # the local model loads in a thread from now on (earlier it slows the start)
                supervisor = asyncio.create_task(_supervise(embedded, db)) if embedded is not None else None
                yield State(
                    settings=settings,
                    pool=pool,
                    db=db,
                    embedder=embedder,
                    authenticator=Authenticator.from_settings(settings),
                    lexicon_cache=LexiconCache(),
                    in_flight=in_flight,
                    chat_model=get_chat_model(settings),
                    cluster=ClusterProbe(),
                )
            finally:
                if supervisor is not None:
                    supervisor.cancel()
                await in_flight.drain(DRAIN_TURNS_S)  # turns whose client left are still stored
                await pool.close()
        finally:
            if embedded is not None:
                embedded.stop()

    return lifespan


SUPERVISE_EVERY_S = 1.0


async def _supervise(embedded: EmbeddedPostgres, db: Database) -> None:
    """The embedded PostgreSQL is restarted when it dies, and the service recovers on its own: the pool
    replaces broken connections (checked on checkout) and the gate reopens on the next success."""
    while True:
        await asyncio.sleep(SUPERVISE_EVERY_S)
        try:
            if not await anyio.to_thread.run_sync(embedded.alive):
                db.mark_down("embedded postgres is not running")
                await anyio.to_thread.run_sync(embedded.revive)
                await db.pool.check()
                db.mark_up()
        except Exception:  # keep supervising: the next round tries again
            log.exception("db.embedded.revive_failed")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    fx.use_data_dir(settings.data_dir)  # the exchange rates a refresh stored for this service's data folder
    if not logging.getLogger().handlers:
        # A uvicorn worker process starts with bare logging: set ours up before the MCP SDK's MCPServer
        # would install its rich handler (which wraps every line at the terminal's width).
        configure_logging(os.environ.get("STACK8S_LOG_LEVEL", "INFO").upper())
    app = FastAPI(
        title="Stack8s",
        version=__version__,
        description="Plans deployments of AI workloads: instances, models, Helm charts, steps and costs.",
        lifespan=_lifespan(settings),
        docs_url=None,  # served by docs.install, from the package
        redoc_url=None,
    )
    errors.install(app)
    security.install(app, docs_paths=docs.DOCS_PATHS)  # security headers on every response, 500s included
    origins = settings.cors_origins
    if settings.environment == Environment.production:
        origins = [o for o in origins if o != "*"]
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health.router)
    app.include_router(api_router)
    mcp_server.mount(app)  # /mcp: the MCP streamable HTTP transport, same auth as the API
    docs.install(app, settings)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")  # the page's own assets, vendored

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
