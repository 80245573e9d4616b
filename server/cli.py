"""`soundpost serve | migrate | seed | export-schema | media sweep | grant-role`: the command
line, and how the server process runs (uvicorn's websocket protocol, garbage collection)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp
from tortoise import Tortoise

from server.settings import Settings

# Young collections every 10,000 allocations instead of 700, older ones rarely: a full
# collection with 1,000 subscribed websockets paused every connection ~230 ms (the
# defaults made two in a 20-event fan-out). Young ones are kept short rather than rare:
# their pause grows with what is alive when they run, and one landing inside a fan-out
# adds to that event's last delivery (measured in a 100-event fan-out to 1,000: at
# 50,000, five pauses of 9-13 ms, p99 44 ms; at 10,000, pauses of 1-2 ms and one of
# 43 ms as the connections' objects moved on, p99 41 ms).
GC_THRESHOLDS = (10_000, 20, 1000)

# How uvicorn speaks websocket. wsproto's protocol holds about 4 KB less per connection
# than the websockets-based default (an idle subscribed connection: 33.4 -> 29.8 KB) for
# 5-10% more server CPU per event in a fan-out to 1,000 (most of either is the socket
# writes); per-message deflate would double the memory.
WEBSOCKETS: dict[str, Any] = {"ws": "wsproto", "ws_per_message_deflate": False}


async def _with_database(settings: Settings, work: Callable[[], Awaitable[None]]) -> None:
    await Tortoise.init(config=settings.tortoise_config)
    try:
        await work()
    finally:
        await Tortoise.close_connections()


async def migrate(settings: Settings) -> None:
    """Apply pending migrations. Run once before the workers start: it takes no lock."""
    from tortoise.migrations.api import migrate as apply

    try:
        await apply(config=settings.tortoise_config)
    finally:
        await Tortoise.close_connections()


def serve(settings: Settings, app: ASGIApp | None = None) -> None:
    """Run `app` (Soundpost by default) the way production runs it."""
    import uvicorn

    from server.app import create_app

    app = app or create_app(settings)
    tune_gc()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        access_log=logs_requests(settings.log_level),
        **WEBSOCKETS,
        # uvicorn's default is 16 MiB per message; the app checks the same limit itself.
        ws_max_size=settings.ws_max_message_bytes,
    )


def logs_requests(log_level: str) -> bool:
    """Whether uvicorn's access log is on: at the levels that show its lines (INFO and
    below). Above them uvicorn would still format each line's client and path, then drop
    it (a few microseconds of every request)."""
    level = logging.getLevelName(log_level.upper())
    return not isinstance(level, int) or level <= logging.INFO  # unknown: uvicorn refuses it


def tune_gc() -> None:
    """Full garbage collections stall every connection: with 1,000 subscribed websockets
    one took ~230 ms. What start-up built (modules, the schema) lives for good: freeze it
    out of the collector's scans; and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="soundpost", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the server (HOST, PORT, DATABASE_URL, ...)")
    commands.add_parser("migrate", help="apply database migrations")
    seed_cmd = commands.add_parser("seed", help="fill the database with demo data")
    seed_cmd.add_argument("--users", type=int, default=200)
    seed_cmd.add_argument("--postcards", type=int, default=2000)
    seed_cmd.add_argument("--follows-per-user", type=int, default=30)
    seed_cmd.add_argument("--if-empty", action="store_true", help="only when there are no users")
    seed_cmd.add_argument("--seed", type=int, default=7, help="random seed")
    commands.add_parser("export-schema", help="print the GraphQL SDL")
    media_cmd = commands.add_parser("media", help="look after the stored photos")
    media_cmd.add_subparsers(dest="media_command", required=True).add_parser(
        "sweep", help="delete day-old uploads and the files no photo names (as `serve` does)"
    )
    grant = commands.add_parser(
        "grant-role", help="give a member a role (written to the moderation log)"
    )
    grant.add_argument("username")
    grant.add_argument("role", choices=["MEMBER", "MODERATOR", "ADMIN"])
    args = parser.parse_args(argv)

    if args.command == "export-schema":
        from graph.schema import schema

        sys.stdout.write(str(schema) + "\n")
        return 0
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s %(message)s"
    )
    if args.command == "serve":
        serve(settings)
    elif args.command == "migrate":
        asyncio.run(migrate(settings))
    elif args.command == "seed":
        asyncio.run(_with_database(settings, lambda: _seed(args, settings)))
    elif args.command == "media":
        asyncio.run(_with_database(settings, lambda: _sweep(settings)))
    elif args.command == "grant-role":
        return asyncio.run(_grant_role(settings, args.username, args.role))
    return 0


async def _grant_role(settings: Settings, username: str, role: str) -> int:
    """Exit code 1 when there is no such member."""
    from models import Role
    from resolvers.moderation import grant_role

    await Tortoise.init(config=settings.tortoise_config)
    try:
        granted = await grant_role(username, Role(role))
    finally:
        await Tortoise.close_connections()
    if granted is None:
        print(f"no member is called {username!r}: nothing changed", file=sys.stderr)
        return 1
    name = granted.user.username
    if granted.previous is granted.user.role:
        print(f"{name} is {role} already: nothing changed")
    else:
        print(f"{name} is now {role} (was {granted.previous}); written to the moderation log")
    return 0


async def _seed(args: argparse.Namespace, settings: Settings) -> None:
    from server.app import close_media, media_store, open_media
    from server.seed import SeedSizes, database_is_empty, seed

    if args.if_empty and not await database_is_empty():
        print("database already has data: not seeding")
        return
    sizes = SeedSizes(
        users=args.users, postcards=args.postcards, follows_per_user=args.follows_per_user
    )
    store = media_store(settings)  # the pictures of moments and avatars go here
    await open_media(store)
    try:
        counts = await seed(sizes, store=store, rng_seed=args.seed)
    finally:
        close_media(store)
    print("seeded: " + ", ".join(f"{name} {n}" for name, n in counts.items()))


async def _sweep(settings: Settings) -> None:
    from resolvers.sweep import GRACE, sweep
    from server.app import close_media, media_store, open_media

    store = media_store(settings)
    await open_media(store)
    try:
        swept = await sweep(store)
    finally:
        close_media(store)
    if not swept.ran:
        print("another process is sweeping: nothing done")
        return
    print(
        f"swept: {swept.uploads_deleted} uploads deleted, {swept.files_deleted} files "
        f"deleted, {swept.files_marked} newly unused (deleted by a sweep {GRACE} or more "
        f"from now if still unused), {swept.files_kept} in use"
    )


if __name__ == "__main__":
    raise SystemExit(main())
