"""The ASGI app: Starlette routes around the strawberry view; the lifespan owns the database."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.types.unset import UNSET, UnsetType
from tortoise import Tortoise
from tortoise.contrib.starlette import RegisterTortoise

from graph import ws
from graph.context import Context, build_context
from graph.graphiql import graphiql_asset_routes, graphiql_html
from graph.schema import schema
from graph.settings import Settings
from subscriptions.hub import Hub

log = logging.getLogger("soundpost")


class SoundpostGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = ws.TransportWSHandler
    graphql_ws_handler_class = ws.LegacyWSHandler

    def __init__(
        self, settings: Settings, keep_alive_interval: float | None = ws.KEEP_ALIVE_INTERVAL
    ) -> None:
        """`keep_alive_interval`: seconds between server pings on both websocket protocols
        (None or 0: no pings)."""
        super().__init__(
            schema,
            graphql_ide="graphiql",
            allowed_origins=settings.cors_origins,
            keep_alive=bool(keep_alive_interval),
            keep_alive_interval=keep_alive_interval or 0,
        )
        self.settings = settings
        self.hub: Hub | None = None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:  # type: ignore[override]
        context = await build_context(request, response, self.settings)
        context.hub = self.hub
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        await ws.authenticate(context)
        return UNSET

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html("/graphql"))


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """503 when the database is unreachable. A broker outage leaves the app ready but
    degraded: live feeds fall back to reading the event log."""
    hub: Hub | None = getattr(request.app.state, "hub", None)
    broker = hub.state if hub else "stopped"
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as error:  # any failure means not ready; the reason goes to the log
        log.warning("readiness check failed: %r", error)
        body = {"status": "unavailable", "database": "down", "broker": broker}
        return JSONResponse(body, status_code=503)
    status = "ok" if broker == "up" else "degraded"
    return JSONResponse({"status": status, "database": "up", "broker": broker})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    view = SoundpostGraphQL(settings, keep_alive_interval=settings.ws_keepalive_seconds)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # RegisterTortoise, not a bare Tortoise.init: requests run in other tasks and need
        # the global context fallback it enables.
        async with RegisterTortoise(app, config=settings.tortoise_config):
            hub = Hub(
                settings.broadcast_url,
                queue_size=settings.subscriber_queue_size,
                retention=timedelta(days=settings.feed_retention_days),
            )
            await hub.start()
            view.hub = app.state.hub = hub
            try:
                yield
            finally:
                await hub.stop()

    routes = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *graphiql_asset_routes(),
    ]
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            )
        )
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.settings = settings
    return app
