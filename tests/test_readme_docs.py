"""The README is a short front page; docs/ holds the rest, and every relative link resolves."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_MAX_BYTES = 8_000

FENCED_BLOCK = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # http:, https:, mailto:, ...


def doc_pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def link_targets(markdown: str) -> list[str]:
    """Link targets outside code blocks and code spans: inline, image and reference-style links."""
    text = INLINE_CODE.sub("", FENCED_BLOCK.sub("", markdown))
    return INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)


def relative_paths(markdown: str) -> list[str]:
    """Relative file targets, anchors stripped; external and anchor-only links are left out."""
    paths = []
    for target in link_targets(markdown):
        if EXTERNAL.match(target) or target.startswith("#"):
            continue
        path = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if path:
            paths.append(path)
    return paths


def test_link_extraction() -> None:
    text = (
        "[a](docs/a.md#x) ![img](img.png) [ext](https://example.com/x.md) [anchor](#top)\n"
        "`[code](not/a/link.md)`\n```\n[fenced](not/a/link.md)\n```\n[ref]: ../b.md\n"
    )
    assert relative_paths(text) == ["docs/a.md", "img.png", "../b.md"]


def test_readme_is_a_short_front_page() -> None:
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes; move detail into docs/ (limit {README_MAX_BYTES})"


def test_docs_folder_has_pages() -> None:
    assert doc_pages(), "docs/ holds no .md pages"


@pytest.mark.parametrize("page", [README, *doc_pages()], ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_to_existing_files(page: Path) -> None:
    broken = [path for path in relative_paths(page.read_text(encoding="utf-8")) if not (page.parent / path).exists()]
    assert not broken, f"{page.relative_to(ROOT)} links to missing files: {broken}"


def test_every_docs_page_is_linked_from_readme() -> None:
    linked = {(ROOT / path).resolve() for path in relative_paths(README.read_text(encoding="utf-8"))}
    unlinked = [page.name for page in doc_pages() if page.resolve() not in linked]
    assert not unlinked, f"docs pages not linked from README.md: {unlinked}"
