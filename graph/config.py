"""What the schema reads of the server's settings. The server's `Settings` (read once from
the environment, server/settings.py) has every one of these; the schema names them here
instead of importing it, since nothing imports the server."""

from __future__ import annotations

from typing import Protocol

from resolvers.accounts import Hashing


class Config(Protocol):
    """Read-only: the server's `Settings` may narrow a type (`environment` is a Literal)."""

    # "production" drops "Did you mean" suggestions from errors
    @property
    def environment(self) -> str: ...

    @property
    def introspection(self) -> bool: ...

    @property
    def token_ttl_days(self) -> int: ...

    @property
    def password_hashing(self) -> Hashing: ...

    # per operation (graph/limits.py)
    @property
    def max_query_cost(self) -> int: ...

    @property
    def max_query_depth(self) -> int: ...

    @property
    def max_aliases(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    @property
    def cost_in_response(self) -> bool: ...

    # photos (graph/mutations/uploads.py, Context.photo_media)
    @property
    def media_max_bytes(self) -> int: ...

    @property
    def media_fetch_allow_hosts(self) -> list[str]: ...

    @property
    def media_max_pixels(self) -> int: ...

    @property
    def rate_limit_uploads(self) -> str: ...

    @property
    def rate_limit_exports(self) -> str: ...

    # leaving (graph/mutations/leaving.py)
    @property
    def deleted_username_hold_days(self) -> float: ...

    @property
    def export_url_ttl_seconds(self) -> int: ...

    # the key that signs export URLs (SECRET_KEY)
    @property
    def signing_key(self) -> bytes: ...

    # where the public reaches the app (Postcard.shareUrl, User.profileUrl): an absolute
    # http(s) URL without a trailing slash
    @property
    def public_url(self) -> str: ...

    # budgets (graph/rate_limits.py)
    # a redis:// URL keeps the budgets in Redis, shared by every worker
    @property
    def broadcast_url(self) -> str: ...

    @property
    def rate_limit_points(self) -> int: ...

    @property
    def rate_limit_anonymous_points(self) -> int: ...

    @property
    def rate_limit_window_seconds(self) -> int: ...

    @property
    def rate_limit_sign_up(self) -> str: ...

    @property
    def rate_limit_log_in_username(self) -> str: ...

    @property
    def rate_limit_log_in_ip(self) -> str: ...

    @property
    def rate_limit_key_prefix(self) -> str: ...


def hides_suggestions(config: Config | None) -> bool:
    """Whether errors drop graphql-core's "Did you mean …" (it maps the schema for anyone
    probing a production server with introspection off)."""
    return config is not None and config.environment == "production"
