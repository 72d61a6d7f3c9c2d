"""The service's way into the database: pooled connections that fail fast while the database is down.

When a connection cannot be had (the server is gone, or restarting), the gate closes for a back-off
period (1 s, doubling to 8 s): requests in that window get a 503 at once instead of each waiting out the
pool's timeout; the first request after it is the probe, and a success (or the supervisor's probe)
opens the gate again. A pool that is merely busy (every connection in use) is not a fault: it is
reported as busy, after the pool timeout.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from psycopg import AsyncConnection, InterfaceError, OperationalError
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from stack8s.errors import ServiceUnavailable

log = logging.getLogger(__name__)

FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 8.0
RETRY_AFTER_S = 2
CONNECTION_ERRORS = (OperationalError, InterfaceError)


class DatabaseDown(ServiceUnavailable):
    def __init__(self, retry_after_seconds: int = RETRY_AFTER_S) -> None:
        super().__init__(
            "the database is unavailable; retry shortly", headers={"Retry-After": str(retry_after_seconds)}
        )


class DatabaseBusy(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__("the database is busy (every connection in use); retry shortly", headers={"Retry-After": "1"})


class Database:
    def __init__(
        self, pool: AsyncConnectionPool[AsyncConnection[dict[str, Any]]], dsn: str, timeout_seconds: float
    ) -> None:
        self.pool = pool
        self.dsn = dsn
        self.timeout_seconds = timeout_seconds
        self._closed_until = 0.0
        self._backoff = FIRST_BACKOFF_S
        self.down = False

    def mark_down(self, reason: str) -> None:
        if not self.down:
            log.error("db.down reason=%s", reason[:200])
        self.down = True
        self._closed_until = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, MAX_BACKOFF_S)

    def mark_up(self) -> None:
        if self.down:
            log.info("db.up")
        self.down, self._closed_until, self._backoff = False, 0.0, FIRST_BACKOFF_S

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection[dict[str, Any]]]:
        """A pooled connection in one transaction (committed on a normal exit). Raises DatabaseDown at
        once while the gate is closed, DatabaseBusy when the pool stays exhausted past its timeout."""
        if self.down and time.monotonic() < self._closed_until:
            raise DatabaseDown(max(1, round(self._closed_until - time.monotonic())))
        acquired = False
        try:
            async with self.pool.connection(timeout=self.timeout_seconds) as conn:
                acquired = True
                if self.down:  # back after a fault: drop the idle connections the outage broke
                    self.mark_up()
                    await self.pool.check()
                yield conn
        except PoolTimeout as exc:
            if acquired:
                raise
            if self.down or await self._unreachable():
                self.mark_down(str(exc))
                raise DatabaseDown() from exc
            raise DatabaseBusy() from exc
        except CONNECTION_ERRORS as exc:
            self.mark_down(str(exc))
            if acquired:
                raise  # lost mid-use: the error handler answers 503
            raise DatabaseDown() from exc

    async def _unreachable(self) -> bool:
        """After a pool timeout: is the server gone (a fresh connection fails) or only busy?"""
        try:
            conn = await AsyncConnection.connect(self.dsn, connect_timeout=2)
        except CONNECTION_ERRORS:
            return True
        await conn.close()
        return False

    async def probe(self) -> str:
        """'ok', 'busy' or 'down', for /health and the supervisor (a fresh connection, not the pool's)."""
        try:
            conn = await AsyncConnection.connect(self.dsn, connect_timeout=2)
        except CONNECTION_ERRORS:
            return "down"
        try:
            await conn.execute("SELECT 1")
        finally:
            await conn.close()
        return "busy" if self.pool.get_stats().get("requests_waiting", 0) > 0 else "ok"
