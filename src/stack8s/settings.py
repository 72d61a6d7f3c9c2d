"""Configuration from the environment and `.env.local` (the seed's variable names keep working)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    production = "production"
    test = "test"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=(".env", ".env.local"), extra="ignore", populate_by_name=True)

    environment: Environment = Environment.development
    database_url: str | None = Field(None, validation_alias=AliasChoices("DATABASE_URL", "SUPABASE_DB_URL"))
    data_dir: Path = Field(Path(".stack8s"), validation_alias=AliasChoices("STACK8S_DATA_DIR"))
    pool_min_size: int = Field(1, validation_alias=AliasChoices("STACK8S_POOL_MIN"))
    pool_max_size: int = Field(10, validation_alias=AliasChoices("STACK8S_POOL_MAX"))
    workers: int = Field(
        0,
        ge=0,
        le=64,
        validation_alias=AliasChoices("STACK8S_WORKERS"),
        description="`stack8s serve` worker processes; 0 = one per CPU core (they share one database)",
    )
    pool_timeout_seconds: float = Field(
        5.0,
        gt=0,
        validation_alias=AliasChoices("STACK8S_POOL_TIMEOUT"),
        description="longest wait for a pooled connection before a 503",
    )

    supabase_jwt_secret: SecretStr | None = None
    supabase_project_url: str | None = None
    jwt_audience: str = Field("authenticated", validation_alias=AliasChoices("SUPABASE_JWT_AUDIENCE"))
    jwks_cache_seconds: int = Field(600, validation_alias=AliasChoices("STACK8S_JWKS_CACHE_SECONDS"))

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_chat_model: str = "gpt-4o-mini"
    openai_embed_model: str = "text-embedding-3-small"
    llm_timeout_seconds: float = Field(20.0, validation_alias=AliasChoices("STACK8S_LLM_TIMEOUT"))
    llm_turn_deadline_seconds: float = Field(
        30.0,
        gt=0,
        validation_alias=AliasChoices("STACK8S_LLM_TURN_DEADLINE"),
        description="all LLM calls of one turn together; past it the rule engine's answer is used",
    )
    max_turns_in_flight: int = Field(
        2,
        ge=1,
        validation_alias=AliasChoices("STACK8S_MAX_TURNS_IN_FLIGHT"),
        description="turns of one conversation computed at once; more get 429",
    )

    embedding_backend: str = Field("local", validation_alias=AliasChoices("STACK8S_EMBEDDINGS"))

    cors_origins: list[str] = Field(
        default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000", "http://localhost:5173"],
        validation_alias=AliasChoices("CORS_ORIGINS", "STACK8S_CORS_ORIGINS"),
    )
    max_message_chars: int = Field(8000, validation_alias=AliasChoices("STACK8S_MAX_MESSAGE_CHARS"))
    max_body_bytes: int = Field(262_144, validation_alias=AliasChoices("STACK8S_MAX_BODY_BYTES"))
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    seed_catalogs: bool = Field(True, validation_alias=AliasChoices("STACK8S_SEED_CATALOGS"))
    price_max_age_days: int = Field(
        90,
        ge=0,
        validation_alias=AliasChoices("STACK8S_PRICE_MAX_AGE_DAYS"),
        description="a plan warns when its newest instance price is older than this",
    )
    ecb_url: str = Field(
        "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml",
        validation_alias=AliasChoices("STACK8S_ECB_URL"),
        description="`stack8s catalog refresh --source fx` reads the ECB's daily reference rates here",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @property
    def auth_configured(self) -> bool:
        return bool(self.supabase_jwt_secret or self.supabase_project_url)

    @property
    def llm_enabled(self) -> bool:
        return self.openai_api_key is not None and bool(self.openai_api_key.get_secret_value())
