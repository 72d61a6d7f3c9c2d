"""Any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Azure OpenAI, vLLM, Ollama, ...)."""

from __future__ import annotations

import math

from openai import AsyncOpenAI

from stack8s.settings import Settings

KNOWN_DIMS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}


class OpenAIEmbedder:
    def __init__(self, client: AsyncOpenAI, model: str, dim: int) -> None:
        self._client = client
        self.name = model
        self.dim = dim

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIEmbedder:
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        client = AsyncOpenAI(api_key=key, base_url=settings.openai_base_url, timeout=settings.llm_timeout_seconds)
        model = settings.openai_embed_model
        return cls(client, model, KNOWN_DIMS.get(model, 0))

    async def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        response = await self._client.embeddings.create(model=self.name, input=texts)
        vectors = [_unit(d.embedding) for d in sorted(response.data, key=lambda d: d.index)]
        if not self.dim:
            self.dim = len(vectors[0])
        return vectors


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]
