"""GET /api/v1/catalog/stats: counts per catalog and provider, and each source's freshness."""

from __future__ import annotations

import httpx


def test_stats_describe_the_shipped_catalog(client: httpx.Client) -> None:
    stats = client.get("/api/v1/catalog/stats").json()
    instances = stats["instances"]
    assert instances["total"] == sum(instances["by_provider"].values()) >= 400
    assert len(instances["by_provider"]) >= 8
    assert stats["charts"]["total"] >= 120
    assert stats["models"]["total"] >= 250 and stats["models"]["with_cards"] >= 250
    assert stats["models"]["chunks"] >= stats["models"]["with_cards"]
    assert stats["embedding_model"] == {"name": "all-MiniLM-L6-v2", "dim": 384}
    curated = {s["source"]: s for s in stats["sources"] if s["source"].startswith("stack8s-curated:")}
    assert set(curated) == {"stack8s-curated:instances.csv", "stack8s-curated:charts.yaml", "stack8s-curated:models"}
    assert all(s["as_of"] and s["imported_at"] and s["errors"] == 0 for s in curated.values())
