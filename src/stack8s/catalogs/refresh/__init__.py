"""`stack8s catalog refresh`: fetch real sources and store them where the service reads them.

Each source is a function that stores its table and returns a one-line summary, or raises
`RefreshError` saying why it stored nothing (the previous table stays in use). `refresh` runs the
requested sources in registry order and reports each one, whatever the others did.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from stack8s.catalogs.refresh import ecb
from stack8s.catalogs.refresh.source import RefreshError, RefreshOptions

__all__ = ["SOURCES", "Outcome", "RefreshError", "RefreshOptions", "refresh"]

SOURCES: Mapping[str, Callable[[RefreshOptions], str]] = {
    "fx": ecb.refresh,
}


@dataclass(frozen=True, slots=True)
class Outcome:
    source: str
    ok: bool
    message: str  # what was stored, or why nothing was


def refresh(names: list[str], options: RefreshOptions) -> list[Outcome]:
    """Every source in `names` (registry names), each reported whether or not the others worked."""
    outcomes = []
    for name in names:
        try:
            outcomes.append(Outcome(name, True, SOURCES[name](options)))
        except RefreshError as exc:
            outcomes.append(Outcome(name, False, str(exc)))
    return outcomes
