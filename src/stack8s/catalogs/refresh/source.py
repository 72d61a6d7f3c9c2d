"""What every refresh source shares: its options, and the error that says why nothing was stored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stack8s.settings import Settings

TIMEOUT_SECONDS = 10.0  # one download; the ECB file is 2 kB, a slower answer means the site is in trouble


class RefreshError(Exception):
    """A source could not be refreshed; the message says why. The stored table is left as it was."""


@dataclass(frozen=True, slots=True)
class RefreshOptions:
    data_dir: Path  # where refreshed tables are stored (STACK8S_DATA_DIR)
    ecb_url: str
    from_dir: Path | None = None  # read each source's file from here instead of the network
    timeout_seconds: float = TIMEOUT_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings, from_dir: Path | None = None) -> RefreshOptions:
        return cls(data_dir=settings.data_dir, ecb_url=settings.ecb_url, from_dir=from_dir)
