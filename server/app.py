"""The ASGI app: Starlette routes around the strawberry view, the stack of HTTP wrappers,
and the lifespan, which owns the database, the live hub and the rate-limit store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from tortoise.contrib.starlette import RegisterTortoise

from graph.rate_limits import RATE_LIMIT_HEADERS
from media.store import FileStore, S3Store, Store, store_for
from resolvers import feedlog, tokens
from resolvers.link_resolver import LinkResolver
from server.http.body_limit import BodySizeLimit
from server.http.export import export_routes
from server.http.graphiql import graphiql_asset_routes
from server.http.health import healthz, readyz
from server.http.lean import Front, LeanGraphQL
from server.http.media import media_routes
from server.http.security_headers import SecurityHeadersMiddleware
from server.settings import Settings
from server.share import share_routes
from server.sweeper import sweeping
from server.trending import recomputing
from server.view import SoundpostGraphQL
from subscriptions.hub import Hub

MULTIPART_MARGIN = 64 * 1024


class App(Starlette):
    """Starlette, with the lean path before its stack when there is one there
    (server/http/lean.py `Front`)."""

    front: Front | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # a coroutine function, as uvicorn tells ASGI 3 apps by their __call__
        if self.front is not None:
            scope["app"] = self  # as Starlette's own __call__ (`request.url_for` reads it)
            await self.front(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    view = SoundpostGraphQL(settings, keep_alive_interval=settings.ws_keepalive_seconds)
    media = view.media = media_store(settings)
    resolver = link_resolver(settings)
    if resolver is not None:
        view.discover = resolver

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # RegisterTortoise, not a bare Tortoise.init: requests run in other tasks and need
        # the global context fallback it enables.
        async with RegisterTortoise(app, config=settings.tortoise_config):
            hub = Hub(
                settings.broadcast_url,
                feedlog,
                queue_size=settings.subscriber_queue_size,
                retention=timedelta(days=settings.feed_retention_days),
            )
            hub.on_revoke = tokens.known_tokens.forget
            hub.on_revoke_close = view.close_revoked
            await hub.start()
            view.hub = app.state.hub = hub
            await open_media(media)
            try:
                async with (
                    sweeping(media, settings.media_sweep_interval_seconds),
                    recomputing(settings.trending_interval_seconds),
                ):
                    yield
            finally:
                await hub.stop()
                await view.rate_limits.close()
                close_media(media)
                if resolver is not None:
                    await resolver.close()

    routes = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *graphiql_asset_routes(),
        *export_routes(settings.signing_key, media, view.rate_limits),
        *share_routes(settings.public_url, media),
        # photos stored on local disk are served by the app; an S3 bucket serves its own
        *(media_routes(media.directory) if isinstance(media, FileStore) else []),
    ]
    hsts = settings.environment == "production"
    # a photo's bytes, and the operation and map parts around them
    max_multipart_bytes = settings.media_max_bytes + MULTIPART_MARGIN
    middleware = [Middleware(SecurityHeadersMiddleware, hsts=hsts)]
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
    limit = {"max_bytes": settings.max_body_bytes, "max_multipart_bytes": max_multipart_bytes}
    middleware.append(Middleware(BodySizeLimit, **limit))
    if settings.lean_http and settings.cors_origins:
        # innermost: a JSON POST to /graphql skips the router and strawberry's request
        # handling, not the wrappers above (server/http/lean.py)
        middleware.append(Middleware(LeanGraphQL, view=view))
    app = App(routes=routes, middleware=middleware, lifespan=lifespan)
    if settings.lean_http and not settings.cors_origins:
        # before the whole stack, its headers and limit applied in line (server/http/lean.py)
        app.front = Front(
            partial(Starlette.__call__, app),
            view=view,
            headers=SecurityHeadersMiddleware(app, hsts=hsts),
            limit=BodySizeLimit(app, **limit),
        )
    app.state.settings = settings
    app.state.rate_limits = view.rate_limits
    app.state.sharing = view.sharing
    app.state.media = media
    app.state.link_resolver = resolver
    return app


def link_resolver(settings: Settings) -> LinkResolver | None:
    """The link resolver LINK_RESOLVER_URL names; None when it names none (the default)."""
    if not settings.link_resolver_url:
        return None
    return LinkResolver(
        settings.link_resolver_url,
        timeout=settings.link_resolver_timeout_seconds,
        concurrency=settings.link_resolver_concurrency,
    )


async def open_media(store: Store) -> None:
    if isinstance(store, S3Store):
        await store.ensure()  # the bucket, made if missing


def close_media(store: Store) -> None:
    if isinstance(store, S3Store):
        store.close()


def media_store(settings: Settings) -> Store:
    """Where photo renditions are stored: MEDIA_URL's folder or S3 bucket."""
    return store_for(
        settings.media_location,
        s3_endpoint=settings.media_s3_endpoint,
        public_url=settings.media_public_url,
        region=settings.media_s3_region,
    )
