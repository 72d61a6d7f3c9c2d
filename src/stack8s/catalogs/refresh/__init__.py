"""`stack8s catalog refresh`: bring catalogs up to date from their upstream sources.

Every source is registered once in `refreshers()`: an async function that returns one `RefreshResult` per part it
refreshes (a SkyPilot cloud, the exchange-rate table ...). A part that fails keeps what was stored before and says
why; the other parts still refresh. Sources kept as files in the data directory (the ECB's exchange rates) are
plain functions in `FILE_SOURCES`, run in a thread by the same registry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg import AsyncConnection

from stack8s.catalogs.refresh import ecb
from stack8s.catalogs.refresh.source import RefreshError, RefreshOptions

__all__ = ["FILE_SOURCES", "RefreshError", "RefreshOptions", "RefreshResult", "refresh_files", "refreshers"]


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """One refreshed part: `rows` written (0 when not modified or failed), `reason` when not a plain success."""

    source: str
    ok: bool
    rows: int = 0
    reason: str = ""


Refresher = Callable[[AsyncConnection[dict[str, Any]], Path | None], Awaitable[list[RefreshResult]]]

FILE_SOURCES: Mapping[str, Callable[[RefreshOptions], str]] = {"fx": ecb.refresh}


def refresh_files(names: list[str], options: RefreshOptions) -> list[RefreshResult]:
    """The file sources in `names`, each reported whether or not the others worked."""
    results = []
    for name in names:
        try:
            results.append(RefreshResult(name, True, 0, f"refreshed {FILE_SOURCES[name](options)}"))
        except RefreshError as exc:
            results.append(RefreshResult(name, False, 0, f"{exc}; kept the previous table"))
    return results


def _file_refresher(name: str) -> Refresher:
    async def run(conn: AsyncConnection[dict[str, Any]], folder: Path | None) -> list[RefreshResult]:
        from stack8s.settings import Settings

        options = RefreshOptions.from_settings(Settings(), folder)
        return await asyncio.to_thread(refresh_files, [name], options)

    return run


def refreshers() -> dict[str, Refresher]:
    """Source name -> refresh function (the SkyPilot module is imported lazily: the CLI loads this on every run)."""
    from stack8s.catalogs.refresh.skypilot import refresh_from

    return {"skypilot": refresh_from, **{name: _file_refresher(name) for name in FILE_SOURCES}}
