"""The typed context of an operation: the request, settings, the viewer and fresh loaders."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

import models
from graph.config import Config
from graph.errors import unauthenticated
from graph.loaders import Loaders
from media import fetch, images
from resolvers import photos
from resolvers.link_resolver import Discover, discover_nothing
from subscriptions.events import Publish, publish_nothing
from subscriptions.hub import Hub

if TYPE_CHECKING:
    from graph.live.handoff import LiveHandoff
    from graph.live.sharing import SharedExecution
    from graph.rate_limits import RateLimits, Verdict
    from media.store import Store


@dataclass(slots=True)
class Context:
    """An HTTP request's context, or a websocket connection's (then each of its operations
    runs with a copy of its own: `for_operation`)."""

    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Config
    viewer: models.User | None = None
    # The viewer came from the token cache: its counters and profile may be seconds old.
    viewer_cached: bool = False
    token: str | None = None
    token_rejected: bool = False
    loaders: Loaders = field(default_factory=lambda: Loaders(None))
    # Strawberry drops the websocket connection_init payload unless this attribute exists.
    connection_params: dict[str, Any] | None = None
    hub: Hub | None = None
    # The app's shared execution of live events (graph/live/sharing.py).
    sharing: SharedExecution | None = None
    # From the websocket transport running this operation (graph/live/handoff.py).
    live: LiveHandoff | None = None
    # Where photo renditions are kept (media/store.py).
    media: Store | None = None
    # Where a track's new link goes after commit (resolvers/link_resolver.py).
    discover: Discover = discover_nothing
    # Query cost and rate limits (graph/limits.py, graph/rate_limits.py): set before
    # execution.
    rate_limits: RateLimits | None = None
    cost: int | None = None
    budget: Verdict | None = None

    def for_operation(self, live: LiveHandoff | None) -> Context:
        """The context of one operation of a websocket connection: the connection's viewer,
        fresh loaders (the connection lives long: rows cached by an earlier operation would
        be stale) and its own cost and handoff."""
        viewer_id = self.viewer.id if self.viewer else None
        return replace(self, loaders=Loaders(viewer_id), live=live, cost=None, budget=None)

    def photo_media(self) -> photos.Media | None:
        """What making a moment's or an avatar's photo needs (None without a media store)."""
        if self.media is None:
            return None
        settings = self.settings
        return photos.Media(
            store=self.media,
            limits=images.Limits(
                max_bytes=settings.media_max_bytes, max_pixels=settings.media_max_pixels
            ),
            fetching=fetch.FetchLimits(
                max_bytes=settings.media_max_bytes,
                allow_hosts=frozenset(settings.media_fetch_allow_hosts),
            ),
        )

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
