"""What the agents need from the outside world, passed in explicitly (no globals)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from psycopg import AsyncConnection

from stack8s.settings import Settings

if TYPE_CHECKING:
    from stack8s.agents.requirements.model_names import ModelLexicon
    from stack8s.embeddings import Embedder
    from stack8s.llm import ChatModel
    from stack8s.tools.cluster import ClusterProbe

Stage = Literal["requirements", "sizing", "compute_search", "model_search", "charts", "plan"]
STAGE_LABELS: dict[Stage, str] = {
    "requirements": "Reading your requirements",
    "sizing": "Sizing the workload",
    "compute_search": "Searching instances that fit",
    "model_search": "Choosing models",
    "charts": "Choosing Helm charts",
    "plan": "Writing the plan",
}
Progress = Callable[[Stage], Awaitable[None]]
"""Told each stage of a turn as it starts (the streaming endpoint sends them on); None: nobody listens."""


@dataclass(frozen=True)
class AgentDeps:
    conn: AsyncConnection[dict[str, Any]]
    settings: Settings
    embedder: Embedder
    lexicon: ModelLexicon
    chat_model: ChatModel | None = None
    cluster: ClusterProbe | None = None
    progress: Progress | None = None

    async def report(self, stage: Stage) -> None:
        if self.progress is not None:
            await self.progress(stage)
