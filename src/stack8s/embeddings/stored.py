"""Vectors computed ahead of time and shipped with the package, and an Embedder that reuses them.

A set is two files in one folder, named after the embedding model and its dimension:

* ``<model>.<dim>.f32`` – the vectors, one row after another, float32 little-endian;
* ``<model>.<dim>.json`` – ``{"model", "dim", "rows", "items": [{"key", "sha256"}, ...]}``: row i of the
  vectors is item i; ``sha256`` is the hex digest of the exact UTF-8 text that was embedded, ``key``
  says what the text is (e.g. ``meta-llama/Llama-3.1-8B#0``, the card's first chunk).

A stored vector is used only when the embedder's name and dimension and the text's sha256 all match, so
a changed text, a new text or another embedding model is embedded afresh.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from stack8s.embeddings import Embedder
from stack8s.embeddings.progress import embed_with_progress

log = logging.getLogger(__name__)
DTYPE = np.dtype("<f4")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_stem(model: str, dim: int) -> str:
    """A file name for the model (`/` and other unsafe characters become `_`) and dimension."""
    return f"{re.sub(r'[^A-Za-z0-9._-]', '_', model)}.{dim}"


@dataclass(frozen=True)
class StoredVectors:
    model: str
    dim: int
    keys: tuple[str, ...]
    rows: dict[str, int]  # sha256 of the text -> row
    matrix: np.ndarray[Any, np.dtype[np.float32]]

    @classmethod
    def load(cls, folder: Path, model: str, dim: int) -> StoredVectors | None:
        """The set for this model and dimension, or None when there is none (or it does not match)."""
        stem = file_stem(model, dim)
        index_path = folder / f"{stem}.json"
        if not dim or not index_path.exists():
            return None
        index = json.loads(index_path.read_text(encoding="utf-8"))
        if index.get("model") != model or index.get("dim") != dim:
            log.warning("embeddings.stored.mismatch file=%s model=%s dim=%s", index_path, index.get("model"), dim)
            return None
        items = index["items"]
        matrix = np.fromfile(folder / f"{stem}.f32", dtype=DTYPE)
        if matrix.size != len(items) * dim:
            log.warning("embeddings.stored.truncated file=%s values=%d items=%d", index_path, matrix.size, len(items))
            return None
        rows = {item["sha256"]: i for i, item in enumerate(items)}
        return cls(model, dim, tuple(item["key"] for item in items), rows, matrix.reshape(len(items), dim))

    def get(self, text: str) -> list[float] | None:
        row = self.rows.get(text_sha256(text))
        return None if row is None else [float(x) for x in self.matrix[row]]


def write_stored(
    folder: Path,
    model: str,
    dim: int,
    items: Sequence[tuple[str, str]],
    vectors: Sequence[Sequence[float]],
    regenerate: str = "",
) -> Path:
    """Write a set: `items` are (key, exact text embedded), `vectors` their embeddings in the same order.
    A text that appears twice is stored once, under its first key. Returns the index file's path."""
    if len(items) != len(vectors):
        raise ValueError(f"{len(items)} texts but {len(vectors)} vectors")
    seen: dict[str, int] = {}
    for i, (_, text) in enumerate(items):
        seen.setdefault(text_sha256(text), i)
    order = sorted(seen.values())
    matrix = np.asarray([vectors[i] for i in order], dtype=DTYPE).reshape(len(order), dim)
    folder.mkdir(parents=True, exist_ok=True)
    stem = file_stem(model, dim)
    matrix.tofile(folder / f"{stem}.f32")
    header = {
        "model": model,
        "dim": dim,
        "rows": len(order),
        "format": "row i of the .f32 file beside this one (float32 little-endian) embeds the exact UTF-8 text "
        "whose sha256 is items[i].sha256",
        "regenerate": regenerate,
    }
    lines = [json.dumps({"key": items[i][0], "sha256": text_sha256(items[i][1])}) for i in order]
    head = json.dumps(header, indent=1)[:-2]  # without the closing brace: the items follow, one per line
    index_path = folder / f"{stem}.json"
    index_path.write_text(head + ',\n "items": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n", encoding="utf-8")
    return index_path


class ReusingEmbedder:
    """An Embedder that answers from stored vectors where the text matches, and embeds only the rest
    with `inner` (showing progress). `reused` and `embedded` count the texts of each kind."""

    def __init__(self, inner: Embedder, stored: StoredVectors | None, what: str = "texts") -> None:
        self._inner = inner
        self._stored = stored if stored and stored.model == inner.name and stored.dim == inner.dim else None
        self._what = what
        self.reused = 0
        self.embedded = 0

    @property
    def name(self) -> str:
        return self._inner.name

    @name.setter
    def name(self, value: str) -> None:
        self._inner.name = value

    @property
    def dim(self) -> int:
        return self._inner.dim

    @dim.setter
    def dim(self, value: int) -> None:
        self._inner.dim = value

    async def embed(self, texts: list[str]) -> list[list[float]]:
        found = [self._stored.get(t) if self._stored else None for t in texts]
        missing = [i for i, vector in enumerate(found) if vector is None]
        self.reused += len(texts) - len(missing)
        if missing:
            log.info("embeddings.stored model=%s reused=%d to_embed=%d", self.name, self.reused, len(missing))
            fresh = await embed_with_progress(self._inner, [texts[i] for i in missing], self._what)
            self.embedded += len(missing)
            for i, vector in zip(missing, fresh, strict=True):
                found[i] = vector
        return [v for v in found if v is not None]
