"""The ASGI app: Starlette routes around the strawberry view; the lifespan owns the database."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from tortoise import Tortoise
from tortoise.contrib.starlette import RegisterTortoise

from graph.context import Context, build_context
from graph.graphiql import graphiql_asset_routes, graphiql_html
from graph.schema import schema
from graph.settings import Settings

log = logging.getLogger("soundpost")


class SoundpostGraphQL(GraphQL[Context, None]):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql",
            allowed_origins=settings.cors_origins,
        )
        self.settings = settings

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:  # type: ignore[override]
        return await build_context(request, response, self.settings)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html("/graphql"))


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as error:  # any failure means not ready; the reason goes to the log
        log.warning("readiness check failed: %r", error)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    view = SoundpostGraphQL(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # RegisterTortoise, not a bare Tortoise.init: requests run in other tasks and need
        # the global context fallback it enables.
        async with RegisterTortoise(app, config=settings.tortoise_config):
            yield

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
