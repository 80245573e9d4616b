"""The token -> viewer step: the bearer token of an HTTP request (its Authorization header)
or of a websocket (its connection_init payload, else the upgrade request's header), looked
up through resolvers/tokens.py (with its short cache for HTTP requests)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import ConnectionRejectionError

from graph.config import Config
from graph.context import Context
from graph.loaders import Loaders
from resolvers import tokens
from server.http.headers import first_header
from subscriptions.hub import Hub


def bearer_token(header: str | None) -> str | None:
    """None when no token was sent; "" when one was sent but is not `Bearer <token>`."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ""  # present but malformed: treated like an invalid token
    return token.strip()


def token_generation(hub: Hub | None) -> Hashable | None:
    """What a cached token lookup is valid for (resolvers.tokens.TokenCache): this hub's
    current broker connection, through which revocations from other processes arrive.
    None (no caching) while the broker is down or there is no hub."""
    if hub is None or hub.state != "up":
        return None
    return (hub.origin, hub.broker.reconnects)


async def http_context(
    request: Request, response: Response | None, config: Config, hub: Hub | None
) -> Context:
    """The context of one HTTP request: its viewer, from the token a moment ago when the
    same token was used then."""
    token = bearer_token(first_header(request.scope, b"authorization"))
    generation = token_generation(hub)
    viewer = tokens.cached_viewer(token, generation) if token and generation else None
    cached = viewer is not None
    if token and viewer is None:
        viewer = await tokens.viewer_for_token(token, generation)
    return Context(
        request=request,
        response=response,
        settings=config,
        viewer=viewer,
        viewer_cached=cached,
        token=token or None,
        token_rejected=token is not None and viewer is None,
        loaders=Loaders(viewer.id if viewer else None),
        hub=hub,
    )


def _authorization(source: object) -> object:
    if isinstance(source, Mapping):
        for key, value in source.items():
            if isinstance(key, str) and key.lower() == "authorization" and value:
                return value
    return None


def connection_token(context: Context) -> str | None:
    """A websocket's token: from connection_init's payload (`authorization`, any case, or
    `headers.Authorization`), else the upgrade request's header. None when no token was
    sent; "" when one was sent but is not `Bearer <token>`."""
    params = context.connection_params or {}
    raw = (
        _authorization(params)
        or _authorization(params.get("headers"))
        or context.request.headers.get("authorization")
    )
    return bearer_token(str(raw)) if raw else None


async def authenticate_connection(context: Context) -> None:
    """Resolves a websocket's viewer once, at connection_init; a token that was sent but
    does not work refuses the connection, so a client never runs silently as anonymous."""
    token = connection_token(context)
    viewer = await tokens.viewer_for_token(token) if token else None
    if token is not None and viewer is None:
        message = (
            "Your token is invalid, expired or revoked: log in again."
            if token
            else "Send the token as `Bearer <token>`."
        )
        raise ConnectionRejectionError({"message": message, "code": "UNAUTHENTICATED"})
    context.viewer = viewer
    context.token = token
    context.token_rejected = False
    context.loaders = Loaders(viewer.id if viewer else None)
