"""Text embeddings: a small Protocol with a local (default) and an OpenAI-compatible implementation."""

from __future__ import annotations

from typing import Protocol

from stack8s.settings import Settings


class Embedder(Protocol):
    name: str
    dim: int

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """Unit-length vectors, one per text, in order."""
        ...


def get_embedder(settings: Settings) -> Embedder:
    if settings.embedding_backend == "openai":
        from stack8s.embeddings.openai import OpenAIEmbedder

        return OpenAIEmbedder.from_settings(settings)
    if settings.embedding_backend != "local":
        raise ValueError(f"STACK8S_EMBEDDINGS must be 'local' or 'openai', not {settings.embedding_backend!r}")
    from stack8s.embeddings.local import LocalEmbedder

    return LocalEmbedder()  # loads on first use or warm_up(): a start with the shipped vectors needs no model


def warm_up(embedder: Embedder) -> None:
    """Start loading a lazily loaded model (the local one) in a background thread; others need nothing."""
    start_loading = getattr(embedder, "start_loading", None)
    if callable(start_loading):
        start_loading()
