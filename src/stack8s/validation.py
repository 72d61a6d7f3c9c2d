"""The base for request bodies: unknown fields rejected, text stripped, NUL characters refused
(PostgreSQL text cannot hold them, so they would otherwise fail deep inside a query)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, protected_namespaces=())

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(_has_nul(v) for v in data.values()):
            raise ValueError("text must not contain NUL (\\u0000) characters")
        return data
