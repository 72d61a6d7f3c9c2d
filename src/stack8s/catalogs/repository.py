"""Catalog writes (idempotent upserts in one transaction) and the small reads the app needs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import astuple, fields
from datetime import date
from typing import Any

from psycopg import AsyncConnection, sql

from stack8s.catalogs.importers.huggingface import CHUNKER_VERSION, chunk_card, content_hash
from stack8s.catalogs.rows import ChartRow, HFModelRow, InstanceRow, ModelCard
from stack8s.embeddings import Embedder

log = logging.getLogger(__name__)
Progress = Callable[[int], None]

# Column order = the row dataclasses' field order (astuple() and COPY agree by construction).
_INSTANCE_COLS = tuple(f.name for f in fields(InstanceRow))
_CHART_COLS = tuple(f.name for f in fields(ChartRow))
_MODEL_COLS = tuple(f.name for f in fields(HFModelRow))
_TSV = (
    "setweight(to_tsvector('simple', replace(replace(name, '-', ' '), '_', ' ')), 'A') || "
    "setweight(to_tsvector('english', array_to_string(keywords, ' ')), 'B') || "
    "setweight(to_tsvector('english', description), 'C')"
)


async def _copy_upsert(
    conn: AsyncConnection[dict[str, Any]],
    table: str,
    cols: Sequence[str],
    key: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """COPY rows into a temp table, then INSERT .. ON CONFLICT DO UPDATE into `table` (schema.name)."""
    schema, name = table.split(".")
    tmp = sql.Identifier(f"tmp_{name}")
    await conn.execute(
        sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(
            tmp, sql.Identifier(schema, name)
        )
    )
    columns = sql.SQL(", ").join(map(sql.Identifier, cols))
    async with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(tmp, columns)) as copy:
        for row in rows:
            await copy.write_row(row)
    updates = sql.SQL(", ").join(
        sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in cols if c not in key
    )
    await conn.execute(
        sql.SQL(
            "INSERT INTO {} ({cols}) SELECT DISTINCT ON ({key}) {cols} FROM {} ORDER BY {key} "
            "ON CONFLICT ({key}) DO UPDATE SET {updates}"
        ).format(
            sql.Identifier(schema, name),
            tmp,
            cols=columns,
            key=sql.SQL(", ").join(map(sql.Identifier, key)),
            updates=updates,
        )
    )
    await conn.execute(sql.SQL("DROP TABLE {}").format(tmp))


async def upsert_instances(conn: AsyncConnection[dict[str, Any]], rows: Sequence[InstanceRow]) -> int:
    await _copy_upsert(conn, "cloud.instances", _INSTANCE_COLS, _INSTANCE_COLS[:3], [astuple(r) for r in rows])
    return len(rows)


async def replace_source_instances(
    conn: AsyncConnection[dict[str, Any]], provider: str, source: str, rows: Sequence[InstanceRow]
) -> int:
    """The rows one source gave one provider, replaced: its old rows gone (types it no longer lists), the new
    ones upserted. Call inside a transaction, so readers see the old rows or the new ones, never neither."""
    await conn.execute("DELETE FROM cloud.instances WHERE provider = %s AND source = %s", (provider, source))
    return await upsert_instances(conn, rows)


async def upsert_charts(conn: AsyncConnection[dict[str, Any]], rows: Sequence[ChartRow]) -> int:
    tuples = [tuple(list(v) if isinstance(v, tuple) else v for v in astuple(r)) for r in rows]
    await _copy_upsert(conn, "cloud.helm_charts", _CHART_COLS, ("repository", "name"), tuples)
    await conn.execute(f"UPDATE cloud.helm_charts SET search_tsv = {_TSV}")  # noqa: S608 - constant SQL
    return len(rows)


def _model_tuple(r: HFModelRow) -> tuple[Any, ...]:
    values = {c: getattr(r, c) for c in _MODEL_COLS}
    values["aliases"] = list(r.aliases)
    values["source"] = r.source or ""
    return tuple(values[c] for c in _MODEL_COLS)


async def upsert_models(conn: AsyncConnection[dict[str, Any]], rows: Sequence[HFModelRow]) -> int:
    await _copy_upsert(conn, "hf.models", _MODEL_COLS, ("model_id",), [_model_tuple(r) for r in rows])
    return len(rows)


async def upsert_cards(
    conn: AsyncConnection[dict[str, Any]],
    cards: Sequence[ModelCard],
    embedder: Embedder,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Store cards, link them to known models, and embed only chunks whose text is new for this model
    (one batched embedding call for the whole import)."""
    known = {r["model_id"] for r in await (await conn.execute("SELECT model_id FROM hf.models")).fetchall()}
    linked = [(card, [m for m in card.model_ids if m in known]) for card in cards]
    linked = [(card, ids) for card, ids in linked if ids]
    chunked = [(card, ids, card_chunks(card)) for card, ids in linked]
    vectors = await _vectors_for(conn, embedder, [c for _, _, chunks in chunked for c in chunks])
    for card, ids, chunks in chunked:
        await _store_card(conn, card, ids, chunks, vectors, embedder)
        if progress:
            progress(1)
    return {
        "cards": len(chunked),
        "chunks": sum(len(c) for _, _, c in chunked),
        "embedded": vectors.embedded,
        "unlinked": len(cards) - len(linked),
    }


CHUNK_CHARS = 500


def card_chunks(card: ModelCard) -> list[str]:
    """Chunks of a card, each led by the card's header line when it has one (contextual chunks)."""
    header = card.extra.get("header", "")
    return [header + chunk for chunk in chunk_card(card.text, max_chars=CHUNK_CHARS, overlap=80)]


class _Vectors(dict[str, Any]):
    embedded = 0


async def _vectors_for(conn: AsyncConnection[dict[str, Any]], embedder: Embedder, texts: list[str]) -> _Vectors:
    """content hash -> vector: reuse stored vectors of this model, embed the rest in one batch."""
    by_hash = {content_hash(t): t for t in texts}
    cur = await conn.execute(
        "SELECT DISTINCT ON (content_hash) content_hash, embedding FROM hf.card_chunks "
        "WHERE content_hash = ANY(%s) AND embedding_model_name = %s ORDER BY content_hash, id",
        (sorted(by_hash), embedder.name),
    )
    vectors = _Vectors({r["content_hash"]: r["embedding"] for r in await cur.fetchall()})
    missing = sorted(h for h in by_hash if h not in vectors)
    for h, vector in zip(missing, await embedder.embed([by_hash[h] for h in missing]), strict=True):
        vectors[h] = vector
    vectors.embedded = len(missing)
    return vectors


async def _store_card(
    conn: AsyncConnection[dict[str, Any]],
    card: ModelCard,
    model_ids: list[str],
    chunks: list[str],
    vectors: _Vectors,
    embedder: Embedder,
) -> None:
    card_hash = content_hash(card.extra.get("header", "") + card.text)
    await conn.execute(
        "INSERT INTO hf.cards (card_hash, content, source) VALUES (%s, %s, %s) ON CONFLICT (card_hash) DO NOTHING",
        (card_hash, card.extra.get("header", "") + card.text, card.source),
    )
    await conn.execute("DELETE FROM hf.model_to_card WHERE model_id = ANY(%s)", (model_ids,))
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO hf.model_to_card (model_id, card_hash) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [(m, card_hash) for m in model_ids],
        )
        await conn.execute(
            "DELETE FROM hf.card_chunks WHERE card_hash = %s AND embedding_model_name = %s",
            (card_hash, embedder.name),
        )
        await cur.executemany(
            "INSERT INTO hf.card_chunks (card_hash, chunk_index, content, content_hash, chunker_version, "
            "embedding_model_name, embedding_dim, embedding) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    card_hash,
                    i,
                    chunk,
                    content_hash(chunk),
                    CHUNKER_VERSION,
                    embedder.name,
                    embedder.dim,
                    _vector(vectors[content_hash(chunk)]),
                )
                for i, chunk in enumerate(chunks)
            ],
        )


def _vector(values: Any) -> Any:
    """A float32 array from a fresh embedding (list) or a stored one (pgvector's Vector)."""
    import numpy as np

    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    return np.asarray(values, dtype=np.float32)


async def ensure_vector_index(conn: AsyncConnection[dict[str, Any]], model_name: str, dim: int) -> None:
    """One partial HNSW cosine index per embedding model (its vectors cast to its dimension)."""
    safe = "".join(ch if ch.isalnum() else "_" for ch in model_name.lower())[:40]
    await conn.execute(
        sql.SQL(
            "CREATE INDEX IF NOT EXISTS {} ON hf.card_chunks USING hnsw ((embedding::vector({})) vector_cosine_ops) "
            "WHERE embedding_model_name = {}"
        ).format(sql.Identifier(f"card_chunks_hnsw_{safe}_{dim}"), sql.Literal(dim), sql.Literal(model_name))
    )


async def record_source(
    conn: AsyncConnection[dict[str, Any]],
    catalog: str,
    source: str,
    rows: int,
    as_of: date | None,
    checksum: str,
    errors: int = 0,
) -> None:
    await conn.execute(
        "INSERT INTO cloud.catalog_sources (catalog, source, rows, as_of, checksum, errors, imported_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, clock_timestamp()) ON CONFLICT (catalog, source) DO UPDATE SET "
        "rows = EXCLUDED.rows, as_of = EXCLUDED.as_of, checksum = EXCLUDED.checksum, errors = EXCLUDED.errors, "
        "imported_at = EXCLUDED.imported_at",
        (catalog, source, rows, as_of, checksum, errors),
    )


async def source_checksum(conn: AsyncConnection[dict[str, Any]], catalog: str, source: str) -> str | None:
    cur = await conn.execute(
        "SELECT checksum FROM cloud.catalog_sources WHERE catalog = %s AND source = %s", (catalog, source)
    )
    row = await cur.fetchone()
    return row["checksum"] if row else None


async def models_version(conn: AsyncConnection[dict[str, Any]]) -> tuple[Any, ...]:
    cur = await conn.execute(
        "SELECT count(*) AS n, max(imported_at) AS t FROM cloud.catalog_sources WHERE catalog = 'models'"
    )
    row = await cur.fetchone() or {}
    return (row.get("n"), row.get("t"))


async def model_rows(conn: AsyncConnection[dict[str, Any]]) -> list[HFModelRow]:
    cols = ", ".join(c for c in _MODEL_COLS if c not in ("source", "as_of"))
    cur = await conn.execute(f"SELECT {cols} FROM hf.models ORDER BY model_id")  # noqa: S608 - constant
    rows = await cur.fetchall()
    return [HFModelRow(**{**r, "aliases": tuple(r["aliases"] or ())}) for r in rows]


async def stats(conn: AsyncConnection[dict[str, Any]]) -> dict[str, Any]:
    async def one(query: str) -> Any:
        return await (await conn.execute(query)).fetchall()

    by_provider = await one("SELECT provider, count(*) AS n FROM cloud.instances GROUP BY provider ORDER BY provider")
    charts = await one("SELECT count(*) AS n FROM cloud.helm_charts")
    models = await one(
        "SELECT (SELECT count(*) FROM hf.models) AS total, "
        "(SELECT count(DISTINCT model_id) FROM hf.model_to_card) AS with_cards, "
        "(SELECT count(*) FROM hf.card_chunks) AS chunks"
    )
    embedding = await one(
        "SELECT embedding_model_name AS name, embedding_dim AS dim, count(*) AS chunks FROM hf.card_chunks "
        "GROUP BY 1, 2 ORDER BY 1"
    )
    sources = await one(
        "SELECT catalog, source, rows, errors, as_of, imported_at FROM cloud.catalog_sources ORDER BY catalog, source"
    )
    return {
        "instances": {
            "total": sum(r["n"] for r in by_provider),
            "by_provider": {r["provider"]: r["n"] for r in by_provider},
        },
        "charts": {"total": charts[0]["n"]},
        "models": dict(models[0]),
        "embeddings": [dict(r) for r in embedding],
        "sources": [dict(r) for r in sources],
    }


async def missing_embeddings(conn: AsyncConnection[dict[str, Any]], model_name: str) -> bool:
    """True when cards exist but none is embedded with `model_name` (e.g. after switching models)."""
    cur = await conn.execute(
        "SELECT EXISTS (SELECT 1 FROM hf.model_to_card) AND NOT EXISTS "
        "(SELECT 1 FROM hf.card_chunks WHERE embedding_model_name = %s) AS missing",
        (model_name,),
    )
    row = await cur.fetchone()
    return bool(row and row["missing"])


async def analyze(conn: AsyncConnection[dict[str, Any]], *tables: str) -> None:
    """Refresh planner statistics after a bulk import, so the first searches get good plans
    (autovacuum would do it, but only some time later)."""
    for table in tables:
        schema, name = table.split(".")
        await conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, name)))


async def lock_for_seeding(conn: AsyncConnection[dict[str, Any]], key: int) -> None:
    """Hold the seeding advisory lock until the transaction ends: one seeder at a time across workers."""
    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
