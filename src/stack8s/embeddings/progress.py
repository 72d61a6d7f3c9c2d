"""Embed many texts in batches and say how far it got: a progress bar on a terminal, else a log line
about every 10 %, so a long first start is never silent."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stack8s.embeddings import Embedder

log = logging.getLogger(__name__)
BATCH = 64  # at most; smaller for fewer texts, so progress moves about every 10 %
LOG_STEPS = 10  # log lines per run when stderr is not a terminal


async def embed_with_progress(embedder: Embedder, texts: list[str], what: str = "texts") -> list[list[float]]:
    """`embedder.embed(texts)`, one batch at a time, with progress."""
    vectors: list[list[float]] = []
    if not texts:
        return vectors
    size = max(8, min(BATCH, -(-len(texts) // LOG_STEPS)))
    with progress(len(texts), f"embedding {len(texts)} {what} with {embedder.name}") as advance:
        for start in range(0, len(texts), size):
            batch = texts[start : start + size]
            vectors.extend(await embedder.embed(batch))
            advance(len(batch))
    return vectors


@contextmanager
def progress(total: int, description: str) -> Iterator[Callable[[int], None]]:
    """Yields advance(n): a rich bar on stderr when it is a terminal, else a log line per ~10 % of `total`."""
    if sys.stderr.isatty():
        with _bar(total, description) as advance_bar:
            yield advance_bar
        return
    started, done, logged = time.monotonic(), 0, 0
    log.info("embeddings.progress %s: 0/%d", description, total)

    def advance(n: int) -> None:
        nonlocal done, logged
        done += n
        step = done * LOG_STEPS // max(total, 1)
        if step > logged or done >= total:
            logged = step
            seconds = time.monotonic() - started
            log.info(
                "embeddings.progress %s: %d/%d (%d%%, %.1f s)", description, done, total, 100 * done // total, seconds
            )

    yield advance


@contextmanager
def _bar(total: int, description: str) -> Iterator[Callable[[int], None]]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
