"""Embedded PostgreSQL 16 + pgvector (the `pgserver` package) for running without DATABASE_URL.

pgserver keeps one server per data folder: a second process on the same folder attaches to the
running postmaster (an inter-process lock guards start and stop) and the last process to exit
stops it, so two services on one folder share one server and never start two on the same files.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
START_ATTEMPTS = 3


class EmbeddedPostgres:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self._server: Any = None

    def start(self) -> str:
        """Start (or attach to) the server and return a libpq URI for its `postgres` database."""
        from pgserver.postgres_server import get_server  # imported lazily: only the embedded mode needs it

        self.data_dir.mkdir(parents=True, exist_ok=True)
        pgdata = self.data_dir / "pgdata"
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                self._server = get_server(pgdata, cleanup_mode="stop")
                break
            except Exception as exc:  # pgserver gives up after its own timeout on a loaded machine: retry
                if attempt < START_ATTEMPTS:
                    log.warning("db.embedded.start_retry attempt=%d error=%s", attempt, str(exc)[:200])
                    continue
                raise RuntimeError(
                    f"could not start the embedded PostgreSQL in {pgdata}: {exc}. "
                    f"See {pgdata / 'log'} or set DATABASE_URL to use another server."
                ) from exc
        self._server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
        uri: str = self._server.get_uri()
        log.info("db.embedded.started data_dir=%s", pgdata)
        return uri

    def alive(self) -> bool:
        """Is the postmaster of this data folder running?"""
        from pgserver.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.data_dir / "pgdata")
        return info is not None and info.is_running()

    def revive(self) -> None:
        """Start the server again after it died (under pgserver's inter-process lock, so two services on
        one folder never start two servers); this handle keeps owning it, so shutdown still stops it."""
        if self._server is None:
            return
        with self._server._lock:
            self._server.ensure_postgres_running()
        log.warning("db.embedded.restarted data_dir=%s", self.data_dir / "pgdata")

    def stop(self) -> None:
        """Release this process's handle; the server stops when no process holds one."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None
