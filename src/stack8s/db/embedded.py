"""Embedded PostgreSQL 16 + pgvector (the `pgserver` package) for running without DATABASE_URL.

pgserver keeps one server per data folder: a second process on the same folder attaches to the
running postmaster (an inter-process lock guards start and stop) and the last process to exit
stops it, so two services on one folder share one server and never start two on the same files.

pgserver logs every initdb and pg_ctl call with its whole output (about 100 lines on a first start);
those lines go to `<data dir>/postgres.log`, not to the terminal.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
START_ATTEMPTS = 3
LOG_NAME = "postgres.log"
EXTENSION_LOCK_KEY = 0x5374_6163_6B37  # "Stack7": services starting together create the extension one at a time


class EmbeddedPostgres:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self._server: Any = None

    def start(self) -> str:
        """Start (or attach to) the server and return a libpq URI for its `postgres` database."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log_path = _pgserver_log_to(self.data_dir / LOG_NAME)
        with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset (it uses /tmp)
            warnings.simplefilter("ignore")
            from pgserver.postgres_server import PostgresServer, get_server  # lazily: only the embedded mode

        pgdata = self.data_dir / "pgdata"
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                self._server = get_server(pgdata, cleanup_mode="stop")
                break
            except Exception as exc:  # pgserver gives up after its own timeout on a loaded machine: retry
                # pgserver registers the handle before starting: a failed start leaves a broken handle that
                # get_server would hand back on the retry
                PostgresServer._instances.pop(pgdata.expanduser().resolve(), None)
                PostgresServer._instances.pop(pgdata, None)
                if attempt < START_ATTEMPTS:
                    log.warning("db.embedded.start_retry attempt=%d error=%s", attempt, str(exc)[:200])
                    continue
                raise RuntimeError(
                    f"could not start the embedded PostgreSQL in {pgdata}: {exc}. "
                    f"See {log_path} and {pgdata / 'log'}, or set DATABASE_URL to use another server."
                ) from exc
        uri: str = self._server.get_uri()
        _create_vector_extension(uri)
        log.info("db.embedded.started data_dir=%s log=%s", pgdata, log_path)
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


def _create_vector_extension(uri: str) -> None:
    """pgvector, before the pool registers its types (a psycopg connection: psql would print its NOTICE)."""
    import psycopg

    with psycopg.connect(uri, options="-c client_min_messages=warning") as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (EXTENSION_LOCK_KEY,))
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")


def _pgserver_log_to(path: Path) -> Path:
    """Send the `pgserver` logger (initdb and pg_ctl calls with their output) to `path` only. One logger per
    process: with two data dirs in one process (tests), the one started last gets the lines."""
    logger = logging.getLogger("pgserver")
    if not any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path for h in logger.handlers):
        for handler in [h for h in logger.handlers if isinstance(h, logging.FileHandler)]:
            logger.removeHandler(handler)
            handler.close()
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(process)d %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return path
