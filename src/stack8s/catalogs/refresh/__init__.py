"""`stack8s catalog refresh`: bring catalogs up to date from their upstream sources.

A source is an async function registered under its name in `REFRESHERS`; it returns one `RefreshResult`
per part it refreshes (a SkyPilot cloud, an exchange-rate feed ...). A part that fails keeps its previous
rows and says why; the other parts still refresh.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg import AsyncConnection


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """One refreshed part: `rows` written (0 when not modified or failed), `reason` when not a plain success."""

    source: str
    ok: bool
    rows: int = 0
    reason: str = ""


Refresher = Callable[[AsyncConnection[dict[str, Any]], Path | None], Awaitable[list[RefreshResult]]]


def refreshers() -> dict[str, Refresher]:
    """Source name -> refresh function (imported lazily: the CLI loads this module on every run)."""
    from stack8s.catalogs.refresh.skypilot import refresh_from

    return {"skypilot": refresh_from}
