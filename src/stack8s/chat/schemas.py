"""Request and response bodies of the chat API (the contract clients parse)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from stack8s.planning.plan import DeploymentPlan
from stack8s.planning.spec import WorkloadSpec
from stack8s.validation import StrictInput

ResponseType = Literal["clarification", "deployment_plan", "error"]


class ChatStartIn(StrictInput):
    title: str | None = Field(None, max_length=200, description="optional title; defaults to the first message")


class ChatStartOut(BaseModel):
    conversation_id: UUID
    message: str
    title: str | None = None
    created_at: datetime


class ChatMessageIn(StrictInput):
    conversation_id: UUID
    message: str = Field(
        min_length=1,
        max_length=100_000,
        description="the user's message: 1 to STACK8S_MAX_MESSAGE_CHARS (default 8,000) characters",
    )


class ChatReply(BaseModel):
    conversation_id: UUID
    response: str = Field(description="markdown for a person to read")
    response_type: ResponseType
    workload_spec: WorkloadSpec | None = None
    clarifying_questions: list[str] = Field(default_factory=list)
    deployment_plan: DeploymentPlan | None = None


class ConversationPatch(StrictInput):
    title: str = Field(min_length=1, max_length=200)


class MessageOut(BaseModel):
    turn: int
    role: Literal["user", "assistant", "system"]
    content: str
    response_type: ResponseType | None = None
    payload: dict[str, Any] | None = Field(None, description="the full assistant reply (spec, plan)")
    created_at: datetime


class ConversationSummary(BaseModel):
    conversation_id: UUID
    title: str | None
    created_at: datetime
    updated_at: datetime
    message_count: int


class ConversationDetail(ConversationSummary):
    messages: list[MessageOut]


class ConversationPage(BaseModel):
    items: list[ConversationSummary]
    total: int
    limit: int
    offset: int
