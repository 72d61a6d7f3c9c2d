"""Optional LLM: any OpenAI-compatible chat endpoint. None means the deterministic engine answers."""

from __future__ import annotations

from typing import Protocol, TypeVar

from pydantic import BaseModel

from stack8s.settings import Settings

T = TypeVar("T", bound=BaseModel)


class LLMError(Exception):
    """The model could not give a valid answer (transport error, timeout, refusal, invalid output)."""


class ChatModel(Protocol):
    name: str

    async def structured(self, system: str, user: str, schema: type[T]) -> T:
        """Ask for JSON matching `schema`; validated, with one retry that shows the errors."""
        ...


def get_chat_model(settings: Settings) -> ChatModel | None:
    if not settings.llm_enabled:
        return None
    from stack8s.llm.openai_compat import OpenAIChatModel

    return OpenAIChatModel.from_settings(settings)
