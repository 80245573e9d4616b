"""One Settings object, read from the environment (and an optional .env file)."""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any, Literal

from limits import parse as parse_limit
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from tortoise.backends.base.config_generator import expand_db_url

DEV_SECRET = "dev-only-secret-change-me"
MODEL_MODULES = ["models"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = "sqlite://soundpost.sqlite3"
    broadcast_url: str = "memory://"
    secret_key: str = DEV_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    token_ttl_days: int = Field(default=30, ge=1, le=365)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    feed_retention_days: float = Field(default=7, gt=0)
    subscriber_queue_size: int = Field(default=256, ge=1, le=100_000)
    ws_keepalive_seconds: float = Field(default=15, ge=0)
    # Limits and security (README: "Limits and security").
    max_query_cost: int = Field(default=10_000, ge=1, le=10_000_000)
    max_query_depth: int = Field(default=12, ge=2, le=100)
    max_aliases: int = Field(default=30, ge=0, le=10_000)
    max_tokens: int = Field(default=5_000, ge=100, le=1_000_000)
    max_body_bytes: int = Field(default=100_000, ge=1_000, le=100_000_000)
    cost_in_response: bool = True
    rate_limit_points: int = Field(default=100_000, ge=1, le=1_000_000_000)
    rate_limit_anonymous_points: int = Field(default=20_000, ge=1, le=1_000_000_000)
    rate_limit_window_seconds: int = Field(default=3600, ge=1, le=86_400)
    rate_limit_sign_up: str = "5 per 30 minutes"
    rate_limit_log_in_username: str = "10 per 15 minutes"
    rate_limit_log_in_ip: str = "30 per 15 minutes"
    rate_limit_key_prefix: str = Field(default="soundpost", min_length=1, max_length=100)
    # Off in production if the schema should not be explorable (GraphiQL needs it on).
    introspection: bool = True
    # Websocket limits (README, "Limits"): operations in flight per connection, open
    # connections per account and process, incoming message size, connection_init wait.
    ws_max_subscriptions: int = Field(default=20, ge=1, le=1000)
    ws_max_connections_per_user: int = Field(default=10, ge=1, le=10_000)
    ws_max_message_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    ws_connection_init_timeout_seconds: float = Field(default=10, gt=0, le=600)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("rate_limit_sign_up", "rate_limit_log_in_username", "rate_limit_log_in_ip")
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        parse_limit(value)  # `limits` notation ("5 per 30 minutes", "10/hour"), else ValueError
        return value

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("SECRET_KEY must be set to a real secret when ENVIRONMENT=production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @cached_property
    def tortoise_config(self) -> dict[str, Any]:
        return tortoise_config(self.database_url, self.db_pool_size)


SQLITE_CACHE_KIB = 64 * 1024


async def keep_session(connection: Any) -> None:
    """What the PostgreSQL pool does to a connection given back, beyond asyncpg's own
    rollback of an open transaction: nothing. asyncpg's default sends `SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` on every release, and
    tortoise takes a connection from the pool for each statement, so every statement cost
    a second round trip (a feed page, three). None of that state is ever left behind
    here: no SET, LISTEN, cursors or session advisory locks (the feed log's lock is
    transaction-scoped); tests/test_hot_paths.py checks a released connection."""


def tortoise_config(database_url: str, pool_size: int = 10) -> dict[str, Any]:
    """Tortoise config for a URL; PostgreSQL gets an explicit pool size (the default is 5)."""
    url = database_url
    if url.startswith(("postgres://", "postgresql://")) and "maxsize=" not in url:
        url += ("&" if "?" in url else "?") + f"maxsize={pool_size}"
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite") and "cache_size=" not in url:
        # SQLite's default page cache is 2 MB: at a million moments a heavy feed page then
        # reads its index pages from the OS again and again (20 ms, against 7 ms warm).
        url += ("&" if "?" in url else "?") + f"cache_size=-{SQLITE_CACHE_KIB}"
    connection: str | dict[str, Any] = url
    if url.startswith("postgres://"):
        connection = expand_db_url(url)
        connection["credentials"]["reset"] = keep_session
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }
