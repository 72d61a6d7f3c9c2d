"""Helm chart search: full text (websearch syntax) on a tsvector column plus an ILIKE keyword match.

Order (the seed's): exact name, name prefix, name contains, description contains, stars desc,
official first, name; then repository, so the order is total.
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from stack8s.tools.compute import escape_like
from stack8s.tools.schemas import ChartHit, ChartQuery

_SEARCH = """
WITH q AS (
    SELECT websearch_to_tsquery('english', %(q)s) || websearch_to_tsquery('simple', %(q)s) AS ts,
           lower(%(q)s) AS exact, %(prefix)s AS prefix, %(contains)s AS contains
), matched AS (
    SELECT c.*, CASE
        WHEN lower(c.name) = q.exact THEN 1.0
        WHEN c.name ILIKE q.prefix THEN 0.8
        WHEN c.name ILIKE q.contains THEN 0.6
        WHEN c.description ILIKE q.contains THEN 0.4
        ELSE 0.2 END AS score
    FROM cloud.helm_charts c, q
    WHERE c.search_tsv @@ q.ts OR c.name ILIKE q.contains OR c.description ILIKE q.contains
)
SELECT name, repository, repository_url, description, version, app_version, stars, official, deprecated, score
FROM matched
ORDER BY score DESC, stars DESC, official DESC, name, repository
LIMIT %(k)s
"""


async def search(conn: AsyncConnection[dict[str, Any]], q: ChartQuery) -> list[ChartHit]:
    pattern = escape_like(q.query)
    params = {"q": q.query, "prefix": pattern + "%", "contains": "%" + pattern + "%", "k": q.top_k}
    cur = await conn.execute(_SEARCH, params)
    return [ChartHit(**{**r, "score": float(r["score"])}) for r in await cur.fetchall()]
