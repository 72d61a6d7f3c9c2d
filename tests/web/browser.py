"""Helpers for the browser tests: where Chromium is, where screenshots go, and a checked page."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """STACK8S_CHROMIUM, else the first Chromium on PATH."""
    explicit = os.environ.get("STACK8S_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class PageProblems:
    """Uncaught page errors and CSP violations seen while a test ran."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def on_console(self, message: Any) -> None:
        text = str(message.text)
        if "Content Security Policy" in text or text.startswith("Refused to"):
            self.items.append(f"CSP: {text}")

    def on_page_error(self, error: Any) -> None:
        self.items.append(f"page error: {error}")


def open_page(browser: Any, base_url: str, width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A fresh context and page at `/`; fails the test on page errors or CSP violations."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        base_url=base_url,
        reduced_motion="reduce",  # no smooth scrolling: screenshots show where the page settles
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = PageProblems()
    page.on("console", problems.on_console)
    page.on("pageerror", problems.on_page_error)
    try:
        page.goto("/")
        yield page
    finally:
        context.close()
    assert not problems.items, "\n".join(problems.items)


def snap(page: Any, path: Path) -> None:
    """A screenshot once the page has painted what was just scrolled into view (headless Chromium rasterises
    newly exposed tiles a frame or two later)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.wait_for_timeout(250)
    page.screenshot(path=str(path))
