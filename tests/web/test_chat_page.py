"""The chat page at `/` in a real Chromium against a real server (no auth: the local user).

Each test drives the page as a person would (type, press Enter, click) and checks what is on the
screen against what the API stored. Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import LiveServer
from tests.web.browser import snap

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
expect = sync_api.expect

PLAN = "Serve Llama 3.1 8B to 50 users on AWS"
VAGUE = "I want to deploy a model"
ANSWERS = ["A chat assistant with Llama 3.1 8B", "On GPUs"]
RAW_MARKDOWN = ("|---", "**", "## ", "```")


def send(page: Any, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def current_id(page: Any) -> str:
    """The open conversation's id, from the page's address (#/c/<id>)."""
    expect(page).to_have_url(re.compile(r"#/c/[0-9a-f-]{36}$"))
    return str(page.url.rsplit("#/c/", 1)[1])


def stored(server: LiveServer, conversation_id: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/v1/chat/{conversation_id}", timeout=30)


def latest_plan(server: LiveServer, conversation_id: str) -> dict[str, Any]:
    messages = stored(server, conversation_id).json()["messages"]
    payload: dict[str, Any] = messages[-1]["payload"]
    assert payload["response_type"] == "deployment_plan"
    return payload


def test_a_request_shows_the_plan_rendered_not_raw_markdown(page: Any, web: LiveServer, artifacts: Path) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    send(page, PLAN)
    reply = page.locator(".msg.assistant").last
    expect(reply.locator(".plan")).to_be_visible()
    expect(reply).to_be_in_viewport()  # scrolled to the new reply
    expect(page.locator(".msg.user .bubble").last).to_have_text(PLAN)

    plan = latest_plan(web, current_id(page))["deployment_plan"]
    recs = plan["gpu_recommendations"]
    instances = reply.locator("table").first
    expect(instances.locator("tbody tr")).to_have_count(len(recs))
    headers = instances.locator("thead th").all_inner_texts()
    for column in ("Replicas", "TTFT ms", "ITL ms", "Tokens/s", "$/Mtok", "$/month total"):
        assert column in headers, headers
    first_row = instances.locator("tbody tr").first.inner_text()
    assert recs[0]["instance_type"] in first_row
    assert f"{recs[0]['total_monthly_usd']:,.2f}" in first_row

    total = plan["cost_estimate"]["total_monthly_usd"]
    expect(reply.locator(".figures")).to_contain_text(f"${total:,.2f}")
    bars = reply.locator(".cost-chart li")
    expect(bars).to_have_count(len(plan["cost_estimate"]["breakdown"]))
    widths = [float(w) for w in bars.locator(".cost-fill").evaluate_all("els => els.map(e => e.offsetWidth)")]
    assert max(widths) > 100 and widths[0] == max(widths)  # compute is the biggest line, drawn the longest

    steps = reply.locator(".steps > li")
    expect(steps).to_have_count(len(plan["deployment_steps"]))
    first_command = plan["deployment_steps"][0]["commands"][0]
    expect(steps.first.locator("pre")).to_contain_text(first_command)
    steps.first.get_by_role("button", name=re.compile("Copy")).click()
    expect(steps.first.locator(".copy")).to_have_text("Copied")
    assert first_command in page.evaluate("navigator.clipboard.readText()")

    text = reply.inner_text()
    for raw in RAW_MARKDOWN:
        assert raw not in text, f"raw markdown {raw!r} on the page"

    reply.locator(".full-answer summary").click()
    full = reply.locator(".full-answer .markdown")
    expect(full.locator("table").first).to_be_visible()
    assert full.locator("table").count() >= 2  # instances and models, as real tables
    assert all(raw not in full.inner_text() for raw in RAW_MARKDOWN)
    reply.locator(".full-answer summary").click()

    reply.evaluate("r => r.scrollIntoView({block: 'start'})")
    snap(page, artifacts / "plan-1280.png")


def test_a_clarification_is_answered_in_place(page: Any, web: LiveServer, artifacts: Path) -> None:
    send(page, VAGUE)
    reply = page.locator(".msg.assistant").first
    expect(reply.locator(".clarification")).to_be_visible()
    questions = stored(web, current_id(page)).json()["messages"][-1]["payload"]["clarifying_questions"]
    assert 1 <= len(questions) <= 3
    fields = reply.locator(".question textarea")
    expect(fields).to_have_count(len(questions))
    expect(fields.first).to_be_focused()  # the answer is the next thing to type
    for question, answer in zip(questions, ANSWERS, strict=False):
        reply.get_by_label(question).fill(answer)
    snap(page, artifacts / "clarification-1280.png")

    reply.get_by_role("button", name=re.compile("Send answer")).click()
    expect(page.locator(".msg.assistant").last.locator(".plan")).to_be_visible()
    sent = page.locator(".msg.user .bubble").last.inner_text()
    assert sent.splitlines() == ANSWERS[: len(questions)]
    expect(reply.locator(".question textarea").first).to_be_disabled()  # answered: no second submission
    expect(reply.get_by_role("button", name=re.compile("Send answer"))).to_be_hidden()
    messages = stored(web, current_id(page)).json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[2]["content"] == "\n".join(ANSWERS[: len(questions)])


def test_switching_between_two_conversations(page: Any) -> None:
    send(page, PLAN)
    expect(page.locator(".plan")).to_be_visible()
    first = current_id(page)
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator(".msg")).to_have_count(0)
    send(page, VAGUE)
    expect(page.locator(".clarification")).to_be_visible()
    second = current_id(page)
    assert first != second

    page.locator(f'[data-id="{first}"] .conversation-open').click()
    expect(page.locator(".msg.user .bubble")).to_have_text([PLAN])
    expect(page.locator(".plan")).to_be_visible()
    expect(page.locator(".clarification")).to_have_count(0)
    expect(page.locator(f'[data-id="{first}"] .conversation-open')).to_have_attribute("aria-current", "true")
    assert current_id(page) == first

    page.locator(f'[data-id="{second}"] .conversation-open').click()
    expect(page.locator(".msg.user .bubble")).to_have_text([VAGUE])
    expect(page.locator(".clarification")).to_be_visible()
    expect(page.locator(".plan")).to_have_count(0)

    page.reload()  # the address keeps the open conversation
    expect(page.locator(".msg.user .bubble")).to_have_text([VAGUE])


def test_rename_and_delete_a_conversation(page: Any, web: LiveServer) -> None:
    send(page, PLAN)
    expect(page.locator(".plan")).to_be_visible()
    cid = current_id(page)
    item = page.locator(f'[data-id="{cid}"]')
    expect(item.locator(".conversation-title")).to_have_text(PLAN)

    item.get_by_role("button", name=re.compile("^Rename")).click()
    title = page.get_by_label("New title")
    expect(title).to_be_focused()
    title.fill("Llama on AWS, renamed")
    title.press("Enter")
    expect(item.locator(".conversation-title")).to_have_text("Llama on AWS, renamed")
    assert stored(web, cid).json()["title"] == "Llama on AWS, renamed"
    page.reload()
    expect(page.locator(f'[data-id="{cid}"] .conversation-title')).to_have_text("Llama on AWS, renamed")

    item = page.locator(f'[data-id="{cid}"]')
    item.get_by_role("button", name=re.compile("^Delete")).click()
    item.get_by_role("button", name="Delete", exact=True).click()
    expect(page.locator(f'[data-id="{cid}"]')).to_have_count(0)
    expect(page.locator("#welcome")).to_be_visible()  # the open conversation was deleted: a new one
    assert stored(web, cid).status_code == 404
    with page.expect_response(re.compile(r"/api/v1/chat\?")):  # the list, loaded again from the server
        page.reload()
    expect(page.locator(f'[data-id="{cid}"]')).to_have_count(0)


def test_phone_width_has_no_horizontal_overflow(phone: Any, artifacts: Path) -> None:
    expect(phone.locator("#sidebar")).not_to_be_visible()  # a drawer behind a toggle
    send(phone, PLAN)
    reply = phone.locator(".msg.assistant").last
    expect(reply.locator(".plan")).to_be_visible()
    for width in (390, 360):
        phone.set_viewport_size({"width": width, "height": 844})
        assert phone.evaluate("document.scrollingElement.scrollWidth") <= width
        assert phone.locator("#log").evaluate("log => log.scrollWidth <= log.clientWidth")
        wrap = reply.locator(".table-wrap").first  # the wide table scrolls inside its own box
        assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")
        assert reply.evaluate("r => r.getBoundingClientRect().right") <= width
    phone.set_viewport_size({"width": 390, "height": 844})
    reply.evaluate("r => r.scrollIntoView({block: 'start'})")
    snap(phone, artifacts / "plan-390.png")
    reply.locator(".steps").evaluate("s => s.scrollIntoView({block: 'start'})")
    snap(phone, artifacts / "steps-390.png")

    toggle = phone.get_by_role("button", name="Conversations")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(phone.locator("#sidebar")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(phone.get_by_role("button", name="New conversation")).to_be_focused()
    phone.wait_for_timeout(300)  # the drawer's slide-in
    snap(phone, artifacts / "sidebar-390.png")
    phone.keyboard.press("Escape")
    expect(phone.locator("#sidebar")).not_to_be_visible()
    expect(toggle).to_be_focused()


def test_errors_are_shown_and_the_text_is_kept(page: Any, web: LiveServer, artifacts: Path) -> None:
    limit = web.settings.max_message_chars
    too_long = "Serve Llama 3.1 8B on AWS. " + "x" * limit
    before = httpx.get(f"{web.url}/api/v1/chat", timeout=30).json()["total"]
    send(page, too_long)
    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(f"the limit is {limit}")  # the API's detail, as sent
    expect(error).to_contain_text("HTTP 422")
    expect(page.locator("#message")).to_have_value(too_long)
    expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.locator("#send")).to_be_enabled()
    expect(page.locator("#welcome")).to_be_visible()
    snap(page, artifacts / "error-1280.png")
    assert httpx.get(f"{web.url}/api/v1/chat", timeout=30).json()["total"] == before  # no empty conversation left

    # A proxy in front of the server answers 502 with an HTML page: shown as an error, not a JSON parse failure.
    page.route(
        re.compile(r"/api/v1/chat/message"),
        lambda route: route.fulfill(status=502, content_type="text/html", body="<html><h1>Bad Gateway</h1></html>"),
    )
    send(page, PLAN)
    expect(error).to_be_visible()
    expect(error).to_contain_text("HTTP 502")
    assert "Unexpected token" not in error.inner_text()
    assert "JSON" not in error.inner_text()
    expect(page.locator("#message")).to_have_value(PLAN)

    page.unroute(re.compile(r"/api/v1/chat/message"))
    page.get_by_role("button", name="Retry").click()
    expect(page.locator(".plan")).to_be_visible()
    expect(error).to_be_hidden()
    expect(page.locator("#message")).to_have_value("")


def test_enter_sends_and_shift_enter_adds_a_newline(page: Any) -> None:
    box = page.locator("#message")
    box.focus()
    box.press("Enter")  # nothing to send
    box.press_sequentially("Serve Llama 3.1 8B")
    box.press("Shift+Enter")
    box.press_sequentially("to 50 users on AWS")
    expect(box).to_have_value("Serve Llama 3.1 8B\nto 50 users on AWS")
    expect(page.locator(".msg")).to_have_count(0)
    box.press("Enter")
    expect(page.locator(".msg.user .bubble")).to_have_text("Serve Llama 3.1 8B\nto 50 users on AWS")
    expect(page.locator(".plan")).to_be_visible()
    expect(box).to_have_value("")
    expect(box).to_be_focused()


def test_progress_is_shown_while_a_turn_runs(page: Any, artifacts: Path) -> None:
    held: list[Any] = []

    def hold_the_first(route: Any) -> None:  # the turn's request waits until the test lets it go
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r"/api/v1/chat/message"), hold_the_first)
    send(page, PLAN)
    progress = page.locator("#progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("role", "status")
    expect(page.locator("#progress-label")).not_to_be_empty()
    expect(page.locator("#send")).to_be_disabled()
    page.keyboard.press("Enter")  # a second Enter while busy sends nothing
    expect(page.locator(".msg.user")).to_have_count(1)
    expect(page.locator("#progress-time")).to_have_text(re.compile(r"^\d+\.\d s$"))  # a running clock
    snap(page, artifacts / "progress-1280.png")
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator(".plan")).to_be_visible()
    expect(progress).to_be_hidden()
    expect(page.locator("#send")).to_be_enabled()


def test_the_streamed_stages_are_shown_in_order(page: Any, web: LiveServer) -> None:
    paths = httpx.get(f"{web.url}/openapi.json", timeout=30).json()["paths"]
    assert "/api/v1/chat/message/stream" in paths  # the page streams from it
    page.evaluate(
        """() => {
            window.seenStages = [];
            const stages = document.getElementById('stages');
            // a stage's class goes "stage" -> "stage active" when it begins: record those changes, in order
            new MutationObserver((records) => {
                for (const r of records) if (r.oldValue === 'stage') window.seenStages.push(r.target.dataset.stage);
            }).observe(stages, {subtree: true, attributeFilter: ['class'], attributeOldValue: true});
        }"""
    )
    with page.expect_response(re.compile(r"/api/v1/chat/message/stream$")) as answer:
        send(page, PLAN)
    assert answer.value.status == 200
    expect(page.locator(".plan")).to_be_visible()
    seen = page.evaluate("window.seenStages")
    assert seen[0] == "requirements" and seen[-1] == "plan", seen
    assert {"sizing", "compute_search"} <= set(seen), seen


@pytest.mark.parametrize("status", [404, 405])
def test_without_the_stream_route_the_page_uses_the_plain_endpoint(page: Any, status: int) -> None:
    """A server from before the streaming endpoint answers it with the router's 404 (or a 405)."""
    missing = {"error": "HTTPError", "detail": "Not Found" if status == 404 else "Method Not Allowed"}
    page.route(re.compile(r"/api/v1/chat/message/stream$"), lambda route: route.fulfill(status=status, json=missing))
    with page.expect_response(re.compile(r"/api/v1/chat/message$")) as plain:
        send(page, PLAN)
    assert plain.value.status == 200
    expect(page.locator(".plan")).to_be_visible()
    expect(page.locator("#error")).to_be_hidden()
