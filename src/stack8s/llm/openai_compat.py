"""Chat completions against any OpenAI-compatible server, with JSON output parsed into pydantic."""

from __future__ import annotations

import json
import logging

from openai import AsyncOpenAI, OpenAIError
from openai.types.chat import ChatCompletionMessageParam
from pydantic import ValidationError

from stack8s.llm import LLMError, T
from stack8s.settings import Settings

log = logging.getLogger(__name__)


class OpenAIChatModel:
    def __init__(self, client: AsyncOpenAI, model: str) -> None:
        self._client = client
        self.name = model

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIChatModel:
        assert settings.openai_api_key is not None
        client = AsyncOpenAI(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url,
            timeout=settings.llm_timeout_seconds,
            max_retries=0,
        )
        return cls(client, settings.openai_chat_model)

    async def structured(self, system: str, user: str, schema: type[T]) -> T:
        schema_text = json.dumps(schema.model_json_schema(), separators=(",", ":"))
        messages: list[ChatCompletionMessageParam] = [
            {
                "role": "system",
                "content": f"{system}\nAnswer with one JSON object matching this schema:\n{schema_text}",
            },
            {"role": "user", "content": user},
        ]
        content = await self._complete(messages)
        try:
            return schema.model_validate_json(content)
        except ValidationError as first:
            log.info("llm.output.invalid retry=1 errors=%d", first.error_count())
            messages += [
                {"role": "assistant", "content": content},
                {"role": "user", "content": f"That JSON is invalid: {_brief(first)}. Send corrected JSON only."},
            ]
            try:
                return schema.model_validate_json(await self._complete(messages))
            except ValidationError as second:
                raise LLMError(f"invalid output after retry: {_brief(second)}") from second

    async def _complete(self, messages: list[ChatCompletionMessageParam]) -> str:
        try:
            response = await self._client.chat.completions.create(
                model=self.name,
                messages=messages,
                response_format={"type": "json_object"},
                temperature=0,
            )
        except OpenAIError as exc:
            raise LLMError(f"{type(exc).__name__}: {str(exc)[:200]}") from exc
        choice = response.choices[0] if response.choices else None
        if choice is None or not choice.message.content or getattr(choice.message, "refusal", None):
            raise LLMError("empty answer or refusal")
        return choice.message.content


def _brief(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'root'}: {e['msg']}" for e in error.errors()[:8])
