"""The sign-in panel, on the server that requires Supabase tokens (the session `live` server)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import LiveServer, token_for
from tests.web.browser import open_page, snap

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
expect = sync_api.expect

PLAN = "Serve Llama 3.1 8B to 50 users on AWS"


@pytest.fixture
def signed_out(browser: Any, live: LiveServer) -> Any:
    yield from open_page(browser, live.url)


def test_a_pasted_token_signs_in_and_is_sent_with_calls(signed_out: Any, live: LiveServer, artifacts: Path) -> None:
    page = signed_out
    panel = page.locator("#signin")
    expect(panel).to_be_visible()  # GET /api/v1/chat answered 401: the page asks for a token
    expect(page.locator("#composer")).to_be_hidden()
    expect(page.get_by_label("Access token")).to_be_focused()
    snap(page, artifacts / "sign-in-1280.png")

    page.get_by_label("Access token").fill("not-a-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_contain_text("not accepted")
    expect(panel).to_be_visible()

    user = str(uuid.uuid4())
    page.get_by_label("Access token").fill(token_for(user))
    page.get_by_role("button", name="Sign in").click()
    expect(panel).to_be_hidden()
    expect(page.locator("#conversations-empty")).to_be_visible()  # a new user: nothing yet
    page.fill("#message", PLAN)
    page.press("#message", "Enter")
    expect(page.locator(".plan")).to_be_visible()

    headers = {"Authorization": f"Bearer {token_for(user)}"}
    listed = httpx.get(f"{live.url}/api/v1/chat", headers=headers, timeout=30).json()
    assert [c["title"] for c in listed["items"]] == [PLAN]  # stored as that user

    page.reload()  # the token stays for the tab (sessionStorage)
    expect(panel).to_be_hidden()
    expect(page.locator(".conversations li")).to_have_count(1)
    expect(page.locator(".plan")).to_be_visible()  # the address reopened the conversation

    page.get_by_role("button", name="Sign out").click()
    expect(panel).to_be_visible()
    expect(page.locator(".conversations li")).to_have_count(0)
    assert page.evaluate("sessionStorage.length") == 0
