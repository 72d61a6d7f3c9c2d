"""Apply `migrations/*.sql` in order, once each, recorded with a checksum, under an advisory lock.

The files are plain SQL (valid for `psql -f` and the Supabase CLI). The runner takes a session-level
advisory lock so that replicas starting together apply each file exactly once, and refuses to run
when a file that was already applied has changed since (its checksum differs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

import psycopg

from stack8s.errors import Stack8sError

LOCK_KEY = 0x5374_6163_6B38  # "Stack8" as a bigint: one advisory lock for the whole runner

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS public.schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(Stack8sError):
    status_code = 500


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@dataclass(frozen=True)
class MigrationStatus:
    name: str
    applied: bool
    changed: bool


def load_migrations() -> list[Migration]:
    folder = resources.files("stack8s.db") / "migrations"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [Migration(f.name, f.read_text(encoding="utf-8")) for f in files]


async def _applied(conn: psycopg.AsyncConnection) -> dict[str, str]:
    cur = await conn.execute("SELECT name, checksum FROM public.schema_migrations")
    return {row[0]: row[1] for row in await cur.fetchall()}


def _check_unchanged(migrations: list[Migration], applied: dict[str, str]) -> None:
    changed = [m.name for m in migrations if m.name in applied and applied[m.name] != m.checksum]
    if changed:
        raise MigrationError(
            f"migration file(s) changed after they were applied: {', '.join(changed)}. "
            "Never edit an applied migration; add a new numbered file instead."
        )


async def migrate(dsn: str, migrations: list[Migration] | None = None) -> list[str]:
    """Apply pending migrations; return the names applied now (empty when up to date)."""
    migrations = load_migrations() if migrations is None else migrations
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            await conn.execute(_CREATE_TABLE)
            applied = await _applied(conn)
            _check_unchanged(migrations, applied)
            done = []
            for migration in (m for m in migrations if m.name not in applied):
                async with conn.transaction():
                    await conn.execute(migration.sql.encode())
                    await conn.execute(
                        "INSERT INTO public.schema_migrations (name, checksum) VALUES (%s, %s)",
                        (migration.name, migration.checksum),
                    )
                done.append(migration.name)
            return done
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))


async def status(dsn: str) -> list[MigrationStatus]:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute(_CREATE_TABLE)
        applied = await _applied(conn)
    return [
        MigrationStatus(m.name, m.name in applied, m.name in applied and applied[m.name] != m.checksum)
        for m in load_migrations()
    ]
