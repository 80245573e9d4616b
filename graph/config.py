"""What the schema reads of the server's settings. The server's `Settings` (read once from
the environment, server/settings.py) has every one of these; the schema names them here
instead of importing it, since nothing imports the server."""

from __future__ import annotations

from typing import Protocol

from resolvers.accounts import Hashing


class Config(Protocol):
    environment: str  # "production" drops "Did you mean" suggestions from errors
    introspection: bool
    token_ttl_days: int
    password_hashing: Hashing
    # per operation (graph/limits.py)
    max_query_cost: int
    max_query_depth: int
    max_aliases: int
    max_tokens: int
    cost_in_response: bool
    # budgets (graph/rate_limits.py)
    broadcast_url: str  # a redis:// URL keeps the budgets in Redis, shared by every worker
    rate_limit_points: int
    rate_limit_anonymous_points: int
    rate_limit_window_seconds: int
    rate_limit_sign_up: str
    rate_limit_log_in_username: str
    rate_limit_log_in_ip: str
    rate_limit_key_prefix: str


def hides_suggestions(config: Config | None) -> bool:
    """Whether errors drop graphql-core's "Did you mean …" (it maps the schema for anyone
    probing a production server with introspection off)."""
    return config is not None and config.environment == "production"
