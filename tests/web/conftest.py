"""Browser fixtures: Playwright for Python driving the system's Chromium (Debian's `chromium`; Playwright's own
browser downloads are not used) against real servers over HTTP.

- `web`: a server without auth secrets (every request is the local user), on the session `live` server's
  database, so it starts in seconds (no second embedded PostgreSQL, no second seeding);
- `live` (tests/conftest.py): the server with Supabase-style auth, for the sign-in panel.

Each test gets a fresh browser context (no shared storage). A page error or a Content-Security-Policy
violation fails the test: the page must work under the app's strict CSP. Screenshots go to
test-artifacts/web/ at the repo root.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import LiveServer, make_settings, start_server
from tests.web.browser import ARTIFACTS, CHROMIUM_NAMES, find_chromium, open_page


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip(
            "no Chromium binary found (STACK8S_CHROMIUM, or " + ", ".join(CHROMIUM_NAMES) + " on PATH); "
            "`make install` adds Debian's chromium with apt-get when it can"
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright  # a dev dependency: imported only when a test runs

    expect.set_options(timeout=20_000)  # a turn on a busy 2-core machine can take seconds

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=["--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def web(live: LiveServer, db_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = make_settings(
        tmp_path_factory.mktemp("web-data"),
        DATABASE_URL=db_dsn,
        SUPABASE_JWT_SECRET=None,
        SUPABASE_PROJECT_URL=None,
        STACK8S_SEED_CATALOGS=False,
    )
    server = start_server(settings)
    warm_up(server.url)
    yield server
    server.stop()


def warm_up(url: str) -> None:
    """One turn before the browser tests: the first model search of a process loads the embedding model
    (seconds on a busy machine), which is not what these tests measure."""
    with httpx.Client(base_url=url, timeout=120) as client:
        conversation = client.post("/api/v1/chat/start").json()["conversation_id"]
        body = {"conversation_id": conversation, "message": "Serve Llama 3.1 8B on AWS"}
        assert client.post("/api/v1/chat/message", json=body).status_code == 200
        assert client.delete(f"/api/v1/chat/{conversation}").status_code == 204


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page(browser: Any, web: LiveServer) -> Iterator[Any]:
    """A desktop-sized page on the no-auth server."""
    yield from open_page(browser, web.url)


@pytest.fixture
def phone(browser: Any, web: LiveServer) -> Iterator[Any]:
    """A 390 x 844 page (a phone) on the no-auth server."""
    yield from open_page(browser, web.url, 390, 844)
