"""Model search (RAG): embed the query, cosine search over card chunks of the configured embedding
model, aggregate by card (best chunk), map cards to models, join metadata, then
score = 0.6 x relevance + 0.4 x popularity, where popularity = (ln(downloads+1) + ln(likes+1))
normalised by the catalog's maximum. Filters (pipeline tag, licenses) restrict the candidates.
Order: score desc, model_id — total, so results are deterministic.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from psycopg import AsyncConnection, sql

from stack8s.catalogs.rows import HFModelRow
from stack8s.embeddings import Embedder
from stack8s.errors import Conflict, ServiceUnavailable
from stack8s.tools.schemas import CatalogModel, ModelHit, ModelQuery

RELEVANCE_WEIGHT = 0.6
POPULARITY_WEIGHT = 0.4
CANDIDATE_CHUNKS = 200  # nearest chunks considered before aggregation (unfiltered path)

_SEARCH = """
WITH hits AS (
    SELECT c.id, c.card_hash, c.content, 1 - (c.embedding::vector({dim}) <=> %(v)s::vector({dim})) AS sim
    FROM hf.card_chunks c
    WHERE c.embedding_model_name = %(model)s {card_filter}
    ORDER BY c.embedding::vector({dim}) <=> %(v)s::vector({dim}), c.id
    LIMIT %(n)s
), best AS (
    SELECT DISTINCT ON (card_hash) card_hash, content AS snippet, sim FROM hits ORDER BY card_hash, sim DESC, id
), top AS (
    SELECT coalesce(max(popularity_raw), 0) AS max_pop FROM hf.models
)
SELECT m.model_id, m.pipeline_tag, m.license, m.library, m.downloads, m.likes, m.params_billion,
       greatest(0, least(1, max(b.sim))) AS relevance,
       CASE WHEN top.max_pop > 0 THEN m.popularity_raw / top.max_pop ELSE 0 END AS popularity,
       (array_agg(b.snippet ORDER BY b.sim DESC, b.card_hash))[1] AS snippet
FROM best b
JOIN hf.model_to_card mc ON mc.card_hash = b.card_hash
JOIN hf.models m ON m.model_id = mc.model_id
CROSS JOIN top
WHERE {model_filter}
GROUP BY m.model_id, top.max_pop
"""

_FILTERED_CARDS = """AND c.card_hash IN (
    SELECT mc.card_hash FROM hf.model_to_card mc JOIN hf.models m ON m.model_id = mc.model_id WHERE {model_filter})"""


def _model_filter(q: ModelQuery) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if q.pipeline_tag:
        clauses.append("m.pipeline_tag = %(tag)s")
        params["tag"] = q.pipeline_tag
    if q.license_filter:
        clauses.append("lower(m.license) = ANY(%(licenses)s)")
        params["licenses"] = [lic.lower() for lic in q.license_filter]
    return " AND ".join(clauses) or "TRUE", params


async def _check_embeddings(conn: AsyncConnection[dict[str, Any]], embedder: Embedder) -> None:
    cur = await conn.execute(
        "SELECT embedding_model_name AS name FROM hf.card_chunks GROUP BY 1 ORDER BY count(*) DESC LIMIT 3"
    )
    models = [r["name"] for r in await cur.fetchall()]
    if models and embedder.name not in models:
        raise Conflict(
            f"the model cards are embedded with {', '.join(models)}, but this server embeds queries with "
            f"{embedder.name}; run `stack8s catalog reembed` to embed them with {embedder.name}"
        )


def _score(row: dict[str, Any]) -> ModelHit:
    relevance, popularity = round(float(row["relevance"]), 4), round(float(row["popularity"]), 4)
    score = round(RELEVANCE_WEIGHT * relevance + POPULARITY_WEIGHT * popularity, 4)
    return ModelHit(**{**row, "relevance": relevance, "popularity": popularity, "score": score})


async def search(conn: AsyncConnection[dict[str, Any]], embedder: Embedder, q: ModelQuery) -> list[ModelHit]:
    try:
        [vector] = await embedder.embed([q.query])
    except Exception as exc:
        raise ServiceUnavailable(f"the embedding model {embedder.name} is unavailable") from exc
    hits = await search_vector(conn, embedder, vector, q)
    if not hits:  # only then ask why: a whole-table diagnostic stays off the hot path
        await _check_embeddings(conn, embedder)
    return hits


async def search_vector(
    conn: AsyncConnection[dict[str, Any]], embedder: Embedder, vector: list[float], q: ModelQuery
) -> list[ModelHit]:
    model_filter, params = _model_filter(q)
    filtered = bool(params)
    card_filter = _FILTERED_CARDS.format(model_filter=model_filter) if filtered else ""
    query = _SEARCH.format(dim=int(embedder.dim), card_filter=card_filter, model_filter=model_filter)
    params |= {"v": _literal(vector), "model": embedder.name, "n": CANDIDATE_CHUNKS}
    await conn.execute(sql.SQL("SET LOCAL hnsw.ef_search = {}").format(sql.Literal(CANDIDATE_CHUNKS)))
    cur = await conn.execute(query, params)
    hits = sorted((_score(r) for r in await cur.fetchall()), key=lambda h: (-h.score, h.model_id))
    return hits[: q.top_k]


def _literal(vector: list[float]) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector) + "]"


_ROW_COLUMNS = sql.SQL(", ").join(
    sql.Identifier(f.name) for f in fields(HFModelRow) if f.name not in ("source", "as_of")
)
_GET_MODEL = sql.SQL(
    "SELECT {cols}, popularity_raw, (SELECT max(popularity_raw) FROM hf.models) AS max_pop "
    "FROM hf.models WHERE model_id = %s"
).format(cols=_ROW_COLUMNS)


async def get_model(conn: AsyncConnection[dict[str, Any]], model_id: str) -> CatalogModel | None:
    """One catalog model by id, typed (every column of HFModelRow), with its popularity; None if unknown."""
    cur = await conn.execute(_GET_MODEL, (model_id,))
    found = await cur.fetchone()
    if found is None:
        return None
    raw, top = found.pop("popularity_raw") or 0.0, found.pop("max_pop") or 0.0
    row = HFModelRow(**{**found, "aliases": tuple(found["aliases"] or ())})
    return CatalogModel(row, round(raw / top, 4) if top else 0.0)
