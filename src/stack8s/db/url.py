"""Resolve the database URL: DATABASE_URL / SUPABASE_DB_URL, or the embedded server."""

from __future__ import annotations

from stack8s.db.embedded import EmbeddedPostgres
from stack8s.settings import Settings


def resolve_database(settings: Settings) -> tuple[str, EmbeddedPostgres | None]:
    """Return (dsn, embedded handle or None). The caller stops the handle when done."""
    if settings.database_url:
        return settings.database_url, None
    embedded = EmbeddedPostgres(settings.data_dir)
    return embedded.start(), embedded
