"""What the agents need from the outside world, passed in explicitly (no globals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from psycopg import AsyncConnection

from stack8s.settings import Settings

if TYPE_CHECKING:
    from stack8s.agents.requirements.models import ModelLexicon
    from stack8s.embeddings import Embedder
    from stack8s.llm import ChatModel
    from stack8s.tools.local import ClusterProbe


@dataclass(frozen=True)
class AgentDeps:
    conn: AsyncConnection[dict[str, Any]]
    settings: Settings
    embedder: Embedder
    lexicon: ModelLexicon
    chat_model: ChatModel | None = None
    cluster: ClusterProbe | None = None
