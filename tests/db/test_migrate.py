"""Migrations: applied once each, recorded with a checksum, safe under concurrency, edits detected."""

from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest

from stack8s.db.migrate import Migration, MigrationError, load_migrations, migrate, status


@pytest.fixture
def fresh_dsn(db_dsn: str) -> str:
    name = f"mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return (
        db_dsn.replace("/postgres?", f"/{name}?") if "/postgres?" in db_dsn else db_dsn.rsplit("/", 1)[0] + f"/{name}"
    )


def test_apply_twice_is_a_no_op(fresh_dsn: str) -> None:
    names = [m.name for m in load_migrations()]
    assert asyncio.run(migrate(fresh_dsn)) == names
    assert asyncio.run(migrate(fresh_dsn)) == []
    assert all(s.applied and not s.changed for s in asyncio.run(status(fresh_dsn)))


def test_replicas_starting_together_apply_each_file_once(fresh_dsn: str) -> None:
    async def both() -> list[list[str]]:
        return list(await asyncio.gather(*(migrate(fresh_dsn) for _ in range(4))))

    results = asyncio.run(both())
    applied = [name for result in results for name in result]
    assert sorted(applied) == sorted(m.name for m in load_migrations())


def test_a_changed_migration_file_is_detected(fresh_dsn: str) -> None:
    original = load_migrations()
    asyncio.run(migrate(fresh_dsn))
    edited = [Migration(m.name, m.sql + "\n-- edited\n") if i == 0 else m for i, m in enumerate(original)]
    with pytest.raises(MigrationError, match=original[0].name):
        asyncio.run(migrate(fresh_dsn, edited))


def test_a_failing_migration_leaves_nothing_half_applied(fresh_dsn: str) -> None:
    bad = [*load_migrations(), Migration("9999_bad.sql", "CREATE TABLE public.half (x int); SELECT 1/0;")]
    with pytest.raises(psycopg.errors.DivisionByZero):
        asyncio.run(migrate(fresh_dsn, bad))
    with psycopg.connect(fresh_dsn) as conn:
        assert conn.execute("SELECT to_regclass('public.half')").fetchone()[0] is None
        names = [r[0] for r in conn.execute("SELECT name FROM public.schema_migrations")]
    assert "9999_bad.sql" not in names and len(names) == len(load_migrations())


def test_files_are_plain_sql_for_psql() -> None:
    for migration in load_migrations():
        assert migration.name[:4].isdigit() and migration.name.endswith(".sql")
        assert "BEGIN" not in migration.sql.upper().split()  # the runner (or psql -1) wraps each file
