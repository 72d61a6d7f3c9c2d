"""Session fixtures: a real server (uvicorn on loopback) over an embedded PostgreSQL with pgvector,
the shipped catalogs seeded and embedded with the real local model, and Supabase-style auth
(HS256 secret + a local JWKS server). Tests talk to it over real HTTP."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from tests.fakes.supabase_auth import FakeSupabaseAuth, mint_hs256

from stack8s.app import create_app
from stack8s.settings import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared"
JWT_SECRET = "test-secret-with-at-least-32-characters!!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def start_server(settings: Settings, timeout: float = 120.0) -> LiveServer:
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start (see the log above)")
        time.sleep(0.05)
    return LiveServer(f"http://127.0.0.1:{port}", settings, server, thread)


def wait_for_health(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    """Until a `stack8s serve` subprocess answers GET /health with 200; killed, with its log's tail, if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError("stack8s serve did not start:\n" + log.read_text(errors="replace")[-3000:])


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "STACK8S_DATA_DIR": str(data_dir),
        "ENVIRONMENT": "test",
        "DATABASE_URL": None,
        "OPENAI_API_KEY": None,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def auth_server() -> Iterator[FakeSupabaseAuth]:
    with FakeSupabaseAuth() as fake:
        yield fake


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory, auth_server: FakeSupabaseAuth) -> Iterator[LiveServer]:
    settings = make_settings(
        tmp_path_factory.mktemp("stack8s-data"),
        SUPABASE_JWT_SECRET=JWT_SECRET,
        SUPABASE_PROJECT_URL=auth_server.project_url,
    )
    server = start_server(settings)
    yield server
    server.stop()


def token_for(user_id: str) -> str:
    return mint_hs256(JWT_SECRET, user_id)


@pytest.fixture
def client(live: LiveServer) -> Iterator[httpx.Client]:
    """A client authenticated as a fresh user (a new user id per test)."""
    import uuid

    user = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {token_for(user)}"}
    with httpx.Client(base_url=live.url, headers=headers, timeout=60) as c:
        yield c


def user_client(live: LiveServer, user_id: str) -> httpx.Client:
    return httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {token_for(user_id)}"}, timeout=60)


def needs_shared() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not (SHARED / "data").is_dir(), reason=f"{SHARED}/data not found (../shared beside the project)"
    )


@pytest.fixture(scope="session")
def db_dsn(live: LiveServer) -> str:
    """The live server's embedded database (same process: pgserver hands back its running instance)."""
    import pgserver

    return str(pgserver.get_server(live.settings.data_dir.resolve() / "pgdata").get_uri())
