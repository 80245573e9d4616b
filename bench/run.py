"""`make bench`: seed, start the servers as users run them, measure with wrk (pinned to its
own core, runs interleaved A/B/A/B, medians quoted) and write out/results.json and
RESULTS.md. `python -m bench.run --help` for the sizes and options."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx

from bench import fanout, nearby, peer, scale, trending, uploads
from bench.load import Load, median, pin, run_wrk
from bench.servers import OUT, RAW_BODY, TOKENS, VIEWERS, WRITERS, server_env

HERE = Path(__file__).parent
# the accounts the write benchmarks post and like as; nobody follows them
WRITER_PREFIX = "benchwriter"
FEED = """query Feed { feed(first: 20) { edges { node {
  id caption createdAt likeCount viewerHasLiked commentCount
  author { username displayName avatarUrl } track { title artist album spotifyUrl artworkUrl }
  photo { url source } place { name latitude longitude }
  comments(first: 2) { edges { node { body author { username } } } } } } } }"""
DETAIL = """query Detail($id: ID!) { postcard(id: $id) { id caption likeCount commentCount
  viewerHasLiked author { username } track { title artist }
  comments(first: 10) { edges { node { body author { username } } } } } }"""
CREATE = """mutation Create($input: CreatePostcardInput!) { createPostcard(input: $input) {
  postcard { id } errors { code } } }"""
LIKE = """mutation Like($input: PostcardIdInput!) { likePostcard(input: $input) {
  postcard { likeCount } errors { code } } }"""


def body(query: str, variables: dict[str, Any] | None = None) -> str:
    return json.dumps({"query": query, "variables": variables or {}})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def undo_bench_writes() -> None:
    """Take the dataset back to its seeded state: the writer accounts' likes (and the
    counters they raised), notifications and moments go. Each run posts ~2,500 moments;
    kept, they would pile up at the head of the time index, and every heavy viewer's feed
    walks across them (run after run, the same feed got slower: 0.3 -> 1.1 ms of SQL
    after six runs)."""
    from collections import Counter

    from tortoise.expressions import F
    from tortoise.transactions import in_transaction

    from models import FeedEvent, Like, Notification, Postcard, User

    writers = await User.filter(username__startswith=WRITER_PREFIX).values_list("id", flat=True)
    if not writers:
        return
    async with in_transaction():
        liked = Counter(
            await Like.filter(user_id__in=writers).values_list("postcard_id", flat=True)
        )
        by_count: dict[int, list[int]] = {}
        for postcard_id, n in liked.items():
            by_count.setdefault(n, []).append(postcard_id)
        for n, ids in by_count.items():
            await Postcard.filter(id__in=ids).update(like_count=F("like_count") - n)
        await Like.filter(user_id__in=writers).delete()
        await Notification.filter(actor_id__in=writers).delete()
        await FeedEvent.filter(author_id__in=writers).delete()
        await Postcard.filter(author_id__in=writers).delete()
        await User.filter(id__in=writers).update(postcard_count=0)


async def prepare(url: str, users: int, postcards: int) -> list[int]:
    """Migrate and seed once (kept between runs); sign in bench viewers; postcard ids."""
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate

    from models import Postcard, User
    from resolvers import accounts, tokens
    from server.app import close_media, media_store, open_media
    from server.database import tortoise_config
    from server.seed import SeedSizes, analyze, database_is_empty, seed
    from server.settings import Settings

    config = tortoise_config(url)
    await migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    try:
        if await database_is_empty():
            started = time.perf_counter()
            # the store the bench servers use (their environment: MEDIA_URL or the default)
            store = media_store(Settings(database_url=url))
            await open_media(store)
            try:
                sizes = SeedSizes(users=users, postcards=postcards)
                await seed(sizes, store=store, progress=True)
            finally:
                close_media(store)
            print(
                f"seeded {users} users / {postcards} moments in {time.perf_counter() - started:.0f}s"
            )
        else:
            await undo_bench_writes()
            await analyze()  # and a dataset seeded by an older version has no statistics
        # viewers of different weights: the ones following most, and ordinary ones
        heavy = await User.all().order_by("-following_count").limit(4)
        ordinary = await User.filter(following_count__gte=10).order_by("id").limit(4)
        tokens = [
            (await accounts.log_in(user.username, "soundpost-demo", timedelta(days=1)))[1]
            for user in [*heavy, *ordinary]
        ]
        TOKENS.write_text("\n".join(tokens) + "\n")
        VIEWERS.write_text("\n".join(str(user.id) for user in [*heavy, *ordinary]) + "\n")
        writers = []
        for n in range(4):
            writer, _ = await User.get_or_create(
                username=f"{WRITER_PREFIX}{n}", defaults={"password_hash": heavy[0].password_hash}
            )
            writers.append(
                (await accounts.log_in(writer.username, "soundpost-demo", timedelta(days=1)))[1]
            )
        WRITERS.write_text("\n".join(writers) + "\n")
        ids = await Postcard.all().order_by("-id").limit(2000).values_list("id", flat=True)
        return [int(pk) for pk in ids]  # type: ignore[call-overload]
    finally:
        await Tortoise.close_connections()


async def sql_counts(url: str, postcard_ids: list[int]) -> dict[str, int]:
    """SQL statements of one request of each operation, counted in-process."""
    from graph.relay import to_global_id
    from resolvers import tokens
    from server.app import create_app
    from server.settings import Settings
    from tests.support import count_sql

    token, writer = TOKENS.read_text().split()[0], WRITERS.read_text().split()[0]
    app = create_app(Settings(database_url=url, broadcast_url="memory://"))
    card = to_global_id("Postcard", postcard_ids[0])
    operations = {
        "feed": body(FEED),
        "postcard detail": body(DETAIL, {"id": card}),
        "createPostcard": body(CREATE, {"input": {"track": {"title": "Bench", "artist": "Bench"}}}),
        "likePostcard": body(LIKE, {"input": {"postcardId": card}}),
    }
    counts = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for name, payload in operations.items():
                who = writer if name in ("createPostcard", "likePostcard") else token
                headers = {"Authorization": f"Bearer {who}", "Content-Type": "application/json"}
                tokens.known_tokens.clear()  # each counted with its token's statement
                with count_sql() as sql:
                    response = await http.post("/graphql", content=payload, headers=headers)
                assert "errors" not in response.json(), response.text
                counts[name] = len(sql.statements)
                if name == "feed":  # again, its token known by then (resolvers.tokens.TokenCache)
                    with count_sql() as sql:
                        await http.post("/graphql", content=payload, headers=headers)
                    counts["feed, token known"] = len(sql.statements)
    return counts


# each running bench server's process, by its URL (bench/peer.py reads their CPU time)
PIDS: dict[str, int] = {}


@contextmanager
def server(mode: str, database_url: str, **settings: str):  # type: ignore[no-untyped-def]
    """`python -m bench.servers MODE` pinned to core 0, once it answers; `settings` are
    environment variables on top of `server_env`'s."""
    port = free_port()
    env = server_env(database_url, **settings)
    process = subprocess.Popen(
        [*pin(0), sys.executable, "-m", "bench.servers", mode, str(port)], env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.post(url + "/graphql", content=body("{ __typename }"), timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{mode} server did not start") from None
                time.sleep(0.2)
        PIDS[url] = process.pid
        yield url
    finally:
        PIDS.pop(url, None)
        process.terminate()
        process.wait(timeout=20)


def write_bodies(name: str, lines: list[str]) -> Path:
    path = OUT / f"{name}.bodies"
    path.write_text("\n".join(lines) + "\n")
    return path


def prepare_in_subprocess(url: str, users: int, postcards: int) -> tuple[list[int], dict[str, int]]:
    """Seeding and SQL counting run in a process per database: tortoise caches compiled
    statements per model, so one process cannot switch from SQLite to PostgreSQL."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.run", "--prepare-only", url, str(users), str(postcards)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return data["postcard_ids"], data["sql_statements"]


def prepare_only(url: str, users: int, postcards: int) -> None:
    postcard_ids = asyncio.run(prepare(url, users, postcards))
    counts = asyncio.run(sql_counts(url, postcard_ids))
    print(json.dumps({"postcard_ids": postcard_ids, "sql_statements": counts}))


def search_in_subprocess(url: str) -> dict[str, Any]:
    """bench/search.py on the prepared dataset, in a process of its own (as seeding is)."""
    out = subprocess.run(
        [*pin(1), sys.executable, "-m", "bench.search", url],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    *lines, last = out.strip().splitlines()
    print("\n".join(lines))
    return json.loads(last)  # type: ignore[no-any-return]


def measure_database(label: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"== {label}: preparing {url}", flush=True)
    postcard_ids, statements = prepare_in_subprocess(url, args.users, args.postcards)
    print("   search, in-process:", flush=True)
    searched = search_in_subprocess(url)
    from graph.relay import to_global_id

    cards = [to_global_id("Postcard", pk) for pk in random.Random(1).sample(postcard_ids, 200)]
    feed_bodies = write_bodies("feed", [body(FEED)])
    detail = write_bodies("detail", [body(DETAIL, {"id": c}) for c in cards])
    create = write_bodies(
        "create",
        [
            body(
                CREATE,
                {
                    "input": {
                        "track": {"title": f"Bench {n}", "artist": "Bench"},
                        "caption": "bench",
                    }
                },
            )
            for n in range(50)
        ],
    )
    like = write_bodies("like", [body(LIKE, {"input": {"postcardId": c}}) for c in cards])
    result: dict[str, Any] = {"sql_statements": statements, "search": searched}
    print(f"   SQL statements per request: {result['sql_statements']}")
    result["nearby"] = nearby.measure_in_subprocess(url)  # in-process, before the servers
    print(nearby.report(result["nearby"]))
    with server("app", url) as app_url, server("memory", url) as memory_url:
        first_token = TOKENS.read_text().split()[0]
        response = httpx.post(
            app_url + "/graphql",
            content=body(FEED),
            headers={"Authorization": f"Bearer {first_token}", "Content-Type": "application/json"},
        )
        assert "errors" not in response.json(), response.text[:500]
        RAW_BODY.write_bytes(response.content)
        with server("raw", url) as raw_url:
            runs: dict[str, list[Load]] = {"R": [], "B": [], "feed": []}
            for round_ in range(args.rounds):
                for name, target in (("R", raw_url), ("B", memory_url), ("feed", app_url)):
                    runs[name].append(
                        run_wrk(
                            target + "/graphql",
                            feed_bodies,
                            TOKENS,
                            seconds=args.seconds,
                            connections=4,
                        )
                    )
                    print(f"   round {round_ + 1} {name}: {runs[name][-1]}")
        ops = {}
        for name, bodies, tokens in (
            ("postcard detail", detail, TOKENS),
            ("createPostcard", create, WRITERS),
            ("likePostcard", like, WRITERS),
        ):
            ops[name] = median(
                [run_wrk(app_url + "/graphql", bodies, tokens, seconds=args.seconds, connections=4)]
            )
            print(f"   {name}: {ops[name]}")
        if url.startswith("postgres") and not args.skip_peer:
            print("   the peer: PostGraphile v4 on the same database", flush=True)
            result["peer"] = peer.compare(
                app_url, PIDS[app_url], url, seconds=args.seconds, rounds=args.rounds
            )
    # in-process, after the servers: trending's recompute and page latency against explore's
    result["trending"] = trending.measure_in_subprocess(url)
    print(f"   trending: {result['trending']}")
    result["ceilings"] = {name: median(loads) for name, loads in runs.items()}
    result["operations"] = ops
    result["feed_response_bytes"] = RAW_BODY.stat().st_size
    r, b, feed = (result["ceilings"][k] for k in ("R", "B", "feed"))
    result["ratios"] = {
        "feed_rps_over_B": feed["rps"] / b["rps"],
        "feed_rps_over_R": feed["rps"] / r["rps"],
        "B_rps_over_R": b["rps"] / r["rps"],
        "feed_p99_over_B_p99": feed["p99_ms"] / b["p99_ms"],
    }
    return result


def pg_reachable() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def main() -> None:
    if sys.argv[1:2] == ["--prepare-only"]:
        prepare_only(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--postcards", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=8, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved A/B rounds")
    parser.add_argument("--subscribers", type=int, default=1000, help="fan-out size")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-scale", action="store_true", help="no 10k vs 1M comparison")
    parser.add_argument("--skip-peer", action="store_true", help="no PostGraphile comparison")
    scale.add_arguments(parser)
    uploads.add_arguments(parser)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "versions": {
            name: version(name)
            for name in (
                "strawberry-graphql",
                "starlette",
                "uvicorn",
                "tortoise-orm",
                "websockets",
                "wsproto",
            )
        },
        "dataset": {"users": args.users, "postcards": args.postcards},
    }
    sqlite_file = OUT / f"bench-{args.users}-{args.postcards}.sqlite3"
    results["sqlite"] = measure_database("SQLite", f"sqlite://{sqlite_file}", args)
    if not args.skip_postgres and pg_reachable():
        database = f"soundpost_bench_{args.users}_{args.postcards}"
        subprocess.run(
            [
                "psql",
                "-q",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-c",
                f"CREATE DATABASE {database}",
            ],
            check=False,
            capture_output=True,
        )
        results["postgres"] = measure_database(
            "PostgreSQL", f"postgres://postgres@127.0.0.1:5432/{database}", args
        )
    # its own phase, database and server: no upload reaches the feed datasets
    results["uploads"] = uploads.measure(args.upload_clients, args.uploads)
    results["fanout"] = asyncio.run(fanout.measure(args.subscribers))
    if not args.skip_scale:
        results["scale"] = scale.measure(args)
    results["seconds"] = round(time.perf_counter() - started)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    from bench.report import write_report

    write_report(results, HERE / "RESULTS.md")
    print((HERE / "RESULTS.md").read_text())


if __name__ == "__main__":
    main()
