"""The ASGI app: Starlette routes around the strawberry view; the lifespan owns the database."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import orjson
from cross_web import HTTPException  # what strawberry's view turns into a plain response
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
from graph.limits import RATE_LIMIT_HEADERS, BodySizeLimit, RateLimits
from graph.schema import build_schema
from graph.security import SecurityHeadersMiddleware
from graph.settings import Settings
from resolvers import auth
from subscriptions.hub import Hub

log = logging.getLogger("soundpost")


class SoundpostGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = ws.TransportWSHandler
    graphql_ws_handler_class = ws.LegacyWSHandler
    websocket_adapter_class = ws.SizeLimitedWebSocketAdapter  # type: ignore[assignment]

    def __init__(
        self, settings: Settings, keep_alive_interval: float | None = ws.KEEP_ALIVE_INTERVAL
    ) -> None:
        """`keep_alive_interval`: seconds between server pings on both websocket protocols
        (None or 0: no pings)."""
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql",
            allowed_origins=settings.cors_origins,
            keep_alive=bool(keep_alive_interval),
            keep_alive_interval=keep_alive_interval or 0,
            max_subscriptions_per_connection=settings.ws_max_subscriptions,
            connection_init_wait_timeout=timedelta(
                seconds=settings.ws_connection_init_timeout_seconds
            ),
        )
        self.settings = settings
        self.max_message_bytes = settings.ws_max_message_bytes
        self.ws_connections = ws.ConnectionCounter(settings.ws_max_connections_per_user)
        self.hub: Hub | None = None
        self.rate_limits = RateLimits(settings)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:  # type: ignore[override]
        try:
            context = await build_context(request, response, self.settings, self.hub)
        except ws.DATABASE_DOWN as error:
            # The bearer token is checked before the GraphQL layer, so a database outage
            # surfaced here as an unhandled 500, after which uvicorn dropped the keep-alive
            # connection under the client's next request. A plain 503 keeps it open.
            log.warning("context failed, database unreachable: %r", error)
            raise HTTPException(503, "Service unavailable: try again shortly.") from None
        context.hub = self.hub
        context.rate_limits = self.rate_limits
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        await ws.authenticate(context)
        ws.admit(self.ws_connections, context)
        return UNSET

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html("/graphql"))

    def encode_json(self, data: object) -> bytes:
        # orjson: several times faster than json.dumps on a 20-moment feed page
        return orjson.dumps(data)


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
            hub.on_revoke = auth.known_tokens.forget
            await hub.start()
            view.hub = app.state.hub = hub
            try:
                yield
            finally:
                await hub.stop()
                await view.rate_limits.close()

    routes = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *graphiql_asset_routes(),
    ]
    middleware = [
        Middleware(SecurityHeadersMiddleware, hsts=settings.environment == "production"),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type"],
                expose_headers=[*RATE_LIMIT_HEADERS, "Retry-After"],
                max_age=600,
            )
        )
    middleware.append(Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.settings = settings
    app.state.rate_limits = view.rate_limits
    return app
