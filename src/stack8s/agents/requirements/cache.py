"""The model-name lexicon, rebuilt only when the models catalog changes (checked per use, cheaply)."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from stack8s.agents.requirements.model_names import ModelLexicon
from stack8s.catalogs import repository as catalog_repository


class LexiconCache:
    def __init__(self) -> None:
        self._version: object = None
        self._lexicon: ModelLexicon | None = None

    async def get(self, conn: AsyncConnection[dict[str, Any]]) -> ModelLexicon:
        version = await catalog_repository.models_version(conn)
        if self._lexicon is None or version != self._version:
            self._lexicon = ModelLexicon.from_rows(await catalog_repository.model_rows(conn))
            self._version = version
        return self._lexicon
