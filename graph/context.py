"""The typed per-request context: settings, the viewer and fresh loaders."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

import models
from graph.errors import unauthenticated
from graph.limits import RateLimits, Verdict
from graph.loaders import Loaders
from graph.settings import Settings
from resolvers import auth
from subscriptions.events import Publish, publish_nothing
from subscriptions.hub import Hub


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    viewer: models.User | None = None
    # The viewer came from the token cache: its counters and profile may be seconds old.
    viewer_cached: bool = False
    token: str | None = None
    token_rejected: bool = False
    loaders: Loaders = field(default_factory=lambda: Loaders(None))
    # Strawberry drops the websocket connection_init payload unless this attribute exists.
    connection_params: dict[str, Any] | None = None
    hub: Hub | None = None
    # Query cost and rate limits (graph/cost.py): set before execution.
    rate_limits: RateLimits | None = None
    cost: int | None = None
    budget: Verdict | None = None

    def require_viewer(self) -> models.User:
        if self.viewer is None:
            if self.token_rejected:
                raise unauthenticated("Your token is invalid, expired or revoked: log in again.")
            raise unauthenticated()
        return self.viewer


Info = strawberry.Info[Context, None]


def publisher(context: Context) -> Publish:
    """Where resolvers announce committed changes: the live hub, when one runs."""
    return context.hub.publish if context.hub is not None else publish_nothing


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ""  # present but malformed: treated like an invalid token
    return token.strip()


def token_generation(hub: Hub | None) -> Hashable | None:
    """What a cached token lookup is valid for (resolvers.auth.TokenCache): this hub's
    current broker connection, through which revocations from other processes arrive.
    None (no caching) while the broker is down or there is no hub."""
    if hub is None or hub.state != "up":
        return None
    return (hub.origin, hub.broker.reconnects)


async def build_context(
    request: Request | WebSocket,
    response: Response | WebSocket | None,
    settings: Settings,
    hub: Hub | None = None,
) -> Context:
    if isinstance(request, WebSocket):
        # The token may come in connection_init, after this runs: graph.ws.authenticate.
        return Context(request=request, response=response, settings=settings)
    token = bearer_token(request.headers.get("authorization"))
    generation = token_generation(hub)
    viewer = auth.cached_viewer(token, generation) if token and generation else None
    cached = viewer is not None
    if token and viewer is None:
        viewer = await auth.viewer_for_token(token, generation)
    return Context(
        request=request,
        response=response,
        settings=settings,
        viewer=viewer,
        viewer_cached=cached,
        token=token or None,
        token_rejected=token is not None and viewer is None,
        loaders=Loaders(viewer.id if viewer else None),
    )
