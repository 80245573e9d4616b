"""The servers a benchmark run compares, each started as its own uvicorn process:

- `app`: Soundpost as users run it (production settings, the bench database);
- `memory`: ceiling B, the same schema and query answered from in-memory rows (the feed
  page, loaders and token lookup patched to dictionaries filled at start-up);
- `raw`: ceiling R, a bare Starlette endpoint returning the feed's JSON bytes.

`python -m bench.servers MODE PORT` (DATABASE_URL names the bench database)."""

from __future__ import annotations

import os
import secrets
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.app import create_app
from server.cli import serve
from server.settings import Settings

OUT = Path(__file__).parent / "out"
RAW_BODY = OUT / "feed-response.json"
TOKENS = OUT / "tokens.txt"
# The write benchmarks post and like as members nobody follows: the feed viewers' pages
# stay the dataset's, run after run.
WRITERS = OUT / "writer-tokens.txt"
# the user ids of TOKENS' viewers, line for line (the peer's JWTs name them)
VIEWERS = OUT / "viewer-ids.txt"


# One key for every server of a bench run (and its children).
BENCH_SECRET = os.environ.get("SECRET_KEY") or secrets.token_hex(32)


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a bench server: production settings, no broker, and budgets the
    load generator (one client) cannot exhaust."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "BROADCAST_URL": "memory://",
        "ENVIRONMENT": "production",
        # production refuses to start without one (the export links are signed with it)
        "SECRET_KEY": BENCH_SECRET,
        "LOG_LEVEL": "warning",
        "RATE_LIMIT_POINTS": "1000000000",
        "RATE_LIMIT_ANONYMOUS_POINTS": "1000000000",
        **extra,
    }


def raw_app() -> Starlette:
    body = RAW_BODY.read_bytes()

    async def feed(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/graphql", feed, methods=["POST"])])


def memory_app(settings: Settings) -> Starlette:
    """Ceiling B: everything the feed query reads, loaded once; no SQL per request."""
    from resolvers import feed as feed_module
    from resolvers import tokens
    from resolvers.pagination import Page
    from resolvers.sql import batches
    from resolvers.sql import comments as comments_module

    app = create_app(settings)
    real_lifespan = app.router.lifespan_context
    real = {
        "viewer_for_token": tokens.viewer_for_token,
        "feed": feed_module.page,
        "liked_by_viewer": batches.liked_by_viewer,
        "first_comments": comments_module.first_comments,
    }
    tables: dict[type, dict[int, Any]] = {}
    viewers: dict[str, Any] = {}
    pages: dict[int, Page[Any]] = {}
    likes: dict[int, set[int]] = {}
    comments: dict[tuple[int, int], Page[Any]] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with real_lifespan(app):
            import models

            for token in TOKENS.read_text().split():
                user = await real["viewer_for_token"](token)
                assert user is not None, "bench tokens expired: rerun make bench"
                viewers[token] = user
                page = await real["feed"](user, 20, None)
                pages[user.id] = page
                ids = [row.id for row in page.rows]
                likes[user.id] = {
                    pid
                    for pid, liked in zip(
                        ids, await real["liked_by_viewer"](user.id, ids), strict=True
                    )
                    if liked
                }
                for key, value in zip(
                    [(pid, 2) for pid in ids],
                    await real["first_comments"]([(pid, 2) for pid in ids]),
                    strict=True,
                ):
                    comments[key] = value
            for model in (models.User, models.Track, models.Postcard):
                tables[model] = {row.id: row for row in await model.all()}
            yield

    async def viewer_for_token(token: str, generation: Any = None) -> Any:
        return viewers.get(token)

    def cached_viewer(token: str, generation: Any) -> Any:
        return viewers.get(token)

    async def page(
        viewer: Any, first: int | None, after: str | None, comments: int = 0
    ) -> Page[Any]:
        return pages[viewer.id]  # its first comments come from `first_comments` below

    async def rows_by_id(model: type, ids: Sequence[int]) -> list[Any]:
        table = tables[model]
        return [table.get(key) for key in ids]

    async def liked_by_viewer(viewer_id: int, ids: Sequence[int]) -> list[bool]:
        return [pid in likes[viewer_id] for pid in ids]

    async def first_comments(keys: Sequence[tuple[int, int]]) -> list[Page[Any]]:
        return [comments[key] for key in keys]

    # what B swaps for memory, each as (module, name, the real one, B's): bench/cpu.py
    # swaps them back and forth
    patches = [
        (module, function.__name__, getattr(module, function.__name__), function)
        for module, function in (
            (tokens, viewer_for_token),
            (tokens, cached_viewer),
            (feed_module, page),
            (batches, rows_by_id),
            (batches, liked_by_viewer),
            (comments_module, first_comments),
        )
    ]
    for module, name, _, fake in patches:
        setattr(module, name, fake)
    app.state.memory_patches = patches
    app.router.lifespan_context = lifespan
    return app


def instrument(app: Starlette) -> None:
    """Bench-only routes. The fan-out bench times delivery from the moment a new postcard is
    published, which is right after its transaction commits: GET /bench/published lists, for
    each postcard id, that moment on this machine's monotonic clock (the same clock in every
    process). /bench/objects and /bench/memory show what each connection costs."""
    from subscriptions.events import FeedMessage
    from subscriptions.hub import Hub

    published: dict[int, float] = {}
    publish = Hub.publish

    async def recording(hub: Hub, message: Any) -> None:
        if isinstance(message, FeedMessage) and message.kind == "POSTED":
            published[message.postcard_id] = time.monotonic()
        await publish(hub, message)

    async def report(request: Request) -> Response:
        return JSONResponse({str(key): value for key, value in published.items()})

    async def objects(request: Request) -> Response:
        """Objects the garbage collector tracks, by type: what each connection costs."""
        import gc
        from collections import Counter

        counts = Counter(type(o).__qualname__ for o in gc.get_objects())
        return JSONResponse({"total": sum(counts.values()), "top": counts.most_common(60)})

    snapshots: list[Any] = []

    async def memory(request: Request) -> Response:
        """With PYTHONTRACEMALLOC=25: allocations since the first call, by place."""
        import tracemalloc

        if not tracemalloc.is_tracing():
            return JSONResponse({"error": "start the server with PYTHONTRACEMALLOC=25"})
        snapshot = tracemalloc.take_snapshot()
        if not snapshots:
            snapshots.append(snapshot)
            return JSONResponse({"baseline": True})
        by = request.query_params.get("by", "lineno")
        where = request.query_params.get("where", "")
        stats = snapshot.compare_to(snapshots[0], by)
        top = [stat for stat in stats if where in str(stat.traceback)][:40]
        return JSONResponse(
            [
                ["\n".join(stat.traceback.format()[-12:]), stat.size_diff, stat.count_diff]
                for stat in top
            ]
        )

    Hub.publish = recording  # type: ignore[method-assign]
    app.add_route("/bench/memory", memory, methods=["GET"])
    app.add_route("/bench/published", report, methods=["GET"])
    app.add_route("/bench/objects", objects, methods=["GET"])


def main(argv: list[str]) -> None:
    mode, port = argv[0], int(argv[1])
    settings = Settings(host="127.0.0.1", port=port)
    if mode == "raw":
        app = raw_app()
    elif mode == "memory":
        app = memory_app(settings)
    else:
        app = create_app(settings)
        instrument(app)
    serve(settings, app)


if __name__ == "__main__":
    main(sys.argv[1:])
