"""One Settings object, read from the environment (and an optional .env file) once, by the
server; it passes them down (the schema reads them as graph/config.py's `Config`)."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from limits import parse as parse_limit
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from resolvers.accounts import Hashing
from server.database import tortoise_config

# Signs export URLs when no SECRET_KEY is set (development): made once per process.
_PROCESS_KEY = secrets.token_bytes(32)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = "sqlite://soundpost.sqlite3"
    broadcast_url: str = "memory://"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    token_ttl_days: int = Field(default=30, ge=1, le=365)
    # "fastest" is for test suites only: refused in production.
    password_hashing: Hashing = Hashing.STANDARD
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
    # Automatic persisted queries (README, "Persisted queries"): the documents each process
    # keeps by hash, in characters of query text (least recently used forgotten first).
    persisted_query_cache_chars: int = Field(default=5_000_000, ge=100_000, le=1_000_000_000)
    # JSON POSTs answered without strawberry's request handling (server/http/lean.py), with
    # the same responses; false sends every request through strawberry's view.
    lean_http: bool = True
    rate_limit_points: int = Field(default=100_000, ge=1, le=1_000_000_000)
    rate_limit_anonymous_points: int = Field(default=20_000, ge=1, le=1_000_000_000)
    rate_limit_window_seconds: int = Field(default=3600, ge=1, le=86_400)
    rate_limit_sign_up: str = "5 per 30 minutes"
    rate_limit_log_in_username: str = "10 per 15 minutes"
    rate_limit_log_in_ip: str = "30 per 15 minutes"
    rate_limit_uploads: str = "50 per hour"
    # downloads of one account's data export: each builds a zip of everything they made
    rate_limit_exports: str = "5 per hour"
    rate_limit_key_prefix: str = Field(default="soundpost", min_length=1, max_length=100)
    # Off in production if the schema should not be explorable (GraphiQL needs it on).
    introspection: bool = True
    # Websocket limits (README, "Limits"): operations in flight per connection, open
    # connections per account and process, incoming message size, connection_init wait.
    ws_max_subscriptions: int = Field(default=20, ge=1, le=1000)
    ws_max_connections_per_user: int = Field(default=10, ge=1, le=10_000)
    ws_max_message_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    ws_connection_init_timeout_seconds: float = Field(default=10, gt=0, le=600)
    # Photos (README, "Photos"): where renditions are stored and what an upload may be.
    # MEDIA_URL empty: a folder beside the SQLite file (`<name>-media/`), else
    # ./soundpost-media. S3 credentials come the usual way (AWS_ACCESS_KEY_ID, ...).
    media_url: str = ""
    media_s3_endpoint: str | None = None
    media_public_url: str | None = None
    media_s3_region: str = "us-east-1"
    media_max_bytes: int = Field(default=15_000_000, ge=10_000, le=200_000_000)
    media_max_pixels: int = Field(default=40_000_000, ge=10_000, le=80_000_000)
    # Hosts an import may fetch from although they are not public (comma-separated names
    # or addresses, e.g. a test's local server). Empty in production.
    media_fetch_allow_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # How often each process sweeps unused uploads and unreferenced files (0: never; run
    # `soundpost media sweep` instead).
    media_sweep_interval_seconds: float = Field(default=3600, ge=0)
    # How often each process recomputes the trending snapshot (0: never; a first page with
    # no snapshot still makes one).
    trending_interval_seconds: float = Field(default=60, ge=0)
    # Leaving (README, "Leaving"): how long a deleted account's username stays taken, and
    # how long a data export's download URL works. SECRET_KEY signs those URLs: required in
    # production; in development a random key per process is made when it is not set.
    deleted_username_hold_days: float = Field(default=30, ge=0, le=3650)
    export_url_ttl_seconds: int = Field(default=900, ge=10, le=86_400)
    secret_key: SecretStr | None = None
    # Share pages (README, "Share pages and oEmbed"): the address the public reaches this
    # app at, which Postcard.shareUrl, User.profileUrl and the pages' og:url start with.
    # Empty: http://HOST:PORT (127.0.0.1 for a server listening on every address), right
    # for `make run`; set it behind a proxy or a domain (https://soundpost.example).
    public_url: str = ""
    # Song links (README, "Song links"): an Odesli/song.link-compatible service filling a
    # track's links on the other services in the background. Empty: off, nothing calls out.
    link_resolver_url: str = ""
    link_resolver_timeout_seconds: float = Field(default=5, gt=0, le=60)
    link_resolver_concurrency: int = Field(default=4, ge=1, le=100)

    @field_validator("cors_origins", "media_fetch_allow_hosts", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("link_resolver_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("LINK_RESOLVER_URL must be an http(s) URL, or empty")
        return value

    @field_validator(
        "rate_limit_sign_up",
        "rate_limit_log_in_username",
        "rate_limit_log_in_ip",
        "rate_limit_uploads",
        "rate_limit_exports",
    )
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        parse_limit(value)  # `limits` notation ("5 per 30 minutes", "10/hour"), else ValueError
        return value

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"PUBLIC_URL must be an http(s) URL with a host, not {value!r}")
        if parts.query or parts.fragment:
            raise ValueError(f"PUBLIC_URL takes no query or fragment: {value!r}")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _derive_public_url(self) -> Settings:
        if not self.public_url:
            host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
            host = "[::1]" if host == "::" else f"[{host}]" if ":" in host else host
            self.public_url = f"http://{host}:{self.port}"
        return self

    @model_validator(mode="after")
    def _refuse_test_settings_in_production(self) -> Settings:
        if self.environment == "production" and self.password_hashing is not Hashing.STANDARD:
            raise ValueError("PASSWORD_HASHING must be 'standard' when ENVIRONMENT=production")
        if self.environment == "production" and (
            self.secret_key is None or len(self.secret_key.get_secret_value()) < 32
        ):
            raise ValueError(
                "SECRET_KEY (at least 32 characters) is required when ENVIRONMENT=production"
            )
        return self

    @property
    def signing_key(self) -> bytes:
        """SECRET_KEY's bytes; without one (development only), a random key for this
        process: its signed URLs work on this process alone, until it restarts."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        return _PROCESS_KEY

    @property
    def media_location(self) -> str:
        """MEDIA_URL, or the local folder it defaults to."""
        if self.media_url:
            return self.media_url
        if self.is_sqlite:
            database = Path(self.database_url.split("://", 1)[1].split("?", 1)[0])
            return f"file://{database.with_name(database.stem + '-media')}"
        return f"file://{Path('soundpost-media').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @cached_property
    def tortoise_config(self) -> dict[str, Any]:
        return tortoise_config(self.database_url, self.db_pool_size)
