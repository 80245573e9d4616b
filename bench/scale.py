"""Feed latency at 10k vs 1M moments (issue 5: "feed latency at 1M moments <= 1.3x that at
10k").

Two datasets per database, the same 10,000 users and follow graph (graph/seed.py, same rng
seed and the same fixed `now`, so users, follows and the first 10,000 moments are identical):

- small: graph/seed.py with 10,000 moments (likes, comments, playlists, feed events);
- large: the same seed, then 990,000 more moments written by SQL (`INSERT ... SELECT` over a
  generated series; seconds rather than the ~6 minutes graph/seed.py would take). Moment k
  copies the author, track, caption, photo, place, likes and comments of seeded moment
  k mod 10,000 (so every author posts 100x as much, the activity skew stays the same and
  people who never post still never post), at its own time in the same 90-day window; ids
  follow time among the added moments. Counters (`like_count`, `comment_count`,
  `postcard_count`) are exact and every added moment has its POSTED feed event.

Measured, per database: the seed times; the feed page alone in-process (the `feed`
resolver: one SQL statement) and the whole FEED query of bench/run.py through uvicorn with
`wrk -c1` (one client, sequential requests), for the bench viewers of bench/run.py (the 4
following most, and 4 ordinary ones), interleaved small/large/small/large, medians of the
rounds; the ratios large / small; and the page query's plan at 1M (EXPLAIN ANALYZE on
PostgreSQL, EXPLAIN QUERY PLAN on SQLite) for a heavy viewer, an ordinary one and one who
follows only people who never post.

`python -m bench.scale` runs this part alone (and merges it into out/results.json and
RESULTS.md); `make bench` runs it after the throughput part."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.load import Load, median, run_wrk
from bench.servers import OUT

HERE = Path(__file__).parent
USERS = 10_000
SMALL = 10_000
LARGE = 1_000_000
# A fixed "now" makes both datasets identical in everything but the added moments.
NOW = datetime(2026, 11, 1, tzinfo=UTC)
WINDOW = timedelta(days=90)  # graph/seed.py spreads moments over the last 90 days
PAGE_SAMPLES = 100  # in-process feed pages per viewer
VIEWER_SETS = ("heavy", "ordinary")


def dataset_url(database: str, users: int, moments: int) -> str:
    if database == "sqlite":
        return f"sqlite://{OUT / f'scale-{users}-{moments}.sqlite3'}"
    name = f"soundpost_scale_{users}_{moments}"
    create = f"CREATE DATABASE {name}"
    subprocess.run(
        ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", create],
        check=False,
        capture_output=True,
    )
    return f"postgres://postgres@127.0.0.1:5432/{name}"


# --- the fast path: 990k more moments in SQL --------------------------------------------------


def _extend_statements(dialect: str, extra: int) -> list[str]:
    """SQL that adds `extra` moments copied from the seeded ones (see the module docstring).

    The pseudo-random time of added moment g is a golden-ratio sequence (deterministic, the
    same on both databases), between max(author's sign-up, window start) and NOW."""
    now, start = int(NOW.timestamp()), int((NOW - WINDOW).timestamp())
    frac = "((s.g * 618033988749) % 1000000000000)"
    if dialect == "postgres":
        series = f"generate_series(1, {extra}) AS s(g)"
        epoch = "EXTRACT(EPOCH FROM {})::bigint"
        stamp = "to_timestamp({})"
        preamble = ["SET LOCAL work_mem = '256MB'"]
    else:
        series = f"(WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < {extra}) SELECT g FROM n) AS s"
        epoch = "CAST(strftime('%s', substr({}, 1, 19)) AS INTEGER)"
        stamp = "(strftime('%Y-%m-%d %H:%M:%S', {}, 'unixepoch') || '+00:00')"
        preamble = []
    joined = epoch.format("u.created_at")
    lo = f"(CASE WHEN {joined} > {start} THEN {joined} ELSE {start} END)"
    template_count = "(SELECT COUNT(*) FROM scale_template)"
    return [
        *preamble,
        "CREATE TEMP TABLE scale_template AS"
        " SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS i, id FROM postcards",
        "CREATE TEMP TABLE scale_times AS"
        f" SELECT t.id AS template_id, {lo} + ({now} - {lo}) * {frac} / 1000000000000 AS ts"
        f" FROM {series}"
        f" JOIN scale_template st ON st.i = s.g % {template_count}"
        " JOIN postcards t ON t.id = st.id JOIN users u ON u.id = t.author_id",
        "CREATE TEMP TABLE scale_extra AS"
        " SELECT (SELECT MAX(id) FROM postcards) + ROW_NUMBER() OVER (ORDER BY ts, template_id)"
        " AS id, template_id, ts FROM scale_times",
        "INSERT INTO postcards (id, author_id, track_id, caption, photo, photo_url,"
        " photo_source, place_name, place_latitude, place_longitude, place_foursquare_id,"
        " created_at, updated_at, like_count, comment_count)"
        " SELECT e.id, t.author_id, t.track_id, t.caption, t.photo, t.photo_url, t.photo_source,"
        " t.place_name, t.place_latitude, t.place_longitude, t.place_foursquare_id,"
        f" {stamp.format('e.ts')}, {stamp.format('e.ts')}, t.like_count, t.comment_count"
        " FROM scale_extra e JOIN postcards t ON t.id = e.template_id ORDER BY e.id",
        # a copied like or comment keeps its delay after the moment (capped at NOW)
        "INSERT INTO likes (user_id, postcard_id, created_at)"
        f" SELECT l.user_id, e.id, {stamp.format(_capped('e.ts', epoch, 'l', now))}"
        " FROM scale_extra e JOIN postcards t ON t.id = e.template_id"
        " JOIN likes l ON l.postcard_id = t.id ORDER BY e.id, l.id",
        "INSERT INTO comments (postcard_id, author_id, body, created_at)"
        f" SELECT e.id, c.author_id, c.body, {stamp.format(_capped('e.ts', epoch, 'c', now))}"
        " FROM scale_extra e JOIN postcards t ON t.id = e.template_id"
        " JOIN comments c ON c.postcard_id = t.id ORDER BY e.id, c.id",
        "INSERT INTO feed_events (kind, postcard_id, author_id, created_at)"
        " SELECT 'POSTED', p.id, p.author_id, p.created_at FROM postcards p"
        " WHERE p.id > (SELECT MAX(id) FROM scale_template) ORDER BY p.id",
        "UPDATE users SET postcard_count = c.n FROM"
        " (SELECT author_id, COUNT(*) AS n FROM postcards GROUP BY author_id) AS c"
        " WHERE c.author_id = users.id",
        "DROP TABLE scale_extra",
        "DROP TABLE scale_times",
        "DROP TABLE scale_template",
    ]


def _capped(ts: str, epoch: str, alias: str, now: int) -> str:
    delay = f"({epoch.format(alias + '.created_at')} - {epoch.format('t.created_at')})"
    return f"(CASE WHEN {ts} + {delay} > {now} THEN {now} ELSE {ts} + {delay} END)"


TABLES = ("postcards", "likes", "comments", "feed_events")


async def extend(url: str, extra: int) -> None:
    """One transaction; foreign-key checks off (the rows are consistent by construction); on
    PostgreSQL the plain secondary indexes of the filled tables are rebuilt once at the end
    rather than maintained row by row."""
    from tortoise import Tortoise
    from tortoise.transactions import in_transaction

    dialect = Tortoise.get_connection("default").capabilities.dialect
    if dialect == "sqlite":
        await asyncio.to_thread(_extend_sqlite, url.removeprefix("sqlite://"), extra)
        return
    tables = ", ".join(f"'{t}'" for t in TABLES)
    async with in_transaction() as conn:
        await conn.execute_script("SET LOCAL session_replication_role = replica")
        indexes = await conn.execute_query_dict(
            "SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            f" WHERE t.relname IN ({tables}) AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)"
        )
        for index in indexes:
            await conn.execute_script(f'DROP INDEX "{index["name"]}"')
        for statement in _extend_statements(dialect, extra):
            await conn.execute_script(statement)
        await conn.execute_script("SET LOCAL maintenance_work_mem = '512MB'")
        for index in indexes:
            await conn.execute_script(index["definition"])
        for table in TABLES:
            await conn.execute_script(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT MAX(id) FROM {table}))"
            )


def _extend_sqlite(path: str, extra: int) -> None:
    import sqlite3

    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("PRAGMA cache_size = -1000000")
        db.execute("PRAGMA temp_store = MEMORY")
        db.execute("BEGIN")
        # the indexes stay: SQLite has no hash join, the copies of likes and comments find
        # their templates' rows through them
        for statement in _extend_statements("sqlite", extra):
            db.execute(statement)
        db.execute("COMMIT")
    finally:
        db.close()


# --- preparing one dataset (in its own process: tortoise caches statements per dialect) -----


async def _viewers() -> dict[str, list[Any]]:
    """The bench viewers of bench/run.py, and one following only people who never post."""
    from models import Follow, User

    heavy = await User.all().order_by("-following_count").limit(4)
    ordinary = await User.filter(following_count__gte=10).order_by("id").limit(4)
    silent = await User.filter(postcard_count=0).values_list("id", flat=True)
    inactive: list[Any] = []
    follows: dict[int, list[int]] = {}
    for follower, followee in await Follow.all().values_list("follower_id", "followee_id"):
        follows.setdefault(follower, []).append(followee)
    quiet = set(silent)
    candidates = sorted(
        (u for u, f in follows.items() if u in quiet and all(x in quiet for x in f)),
        key=lambda u: -len(follows[u]),
    )
    if candidates:
        inactive = [await User.get(id=candidates[0])]
    return {"heavy": heavy, "ordinary": ordinary, "inactive": inactive}


async def _explain(viewer: Any) -> str:
    from tortoise import Tortoise

    from resolvers import feed as feeds

    sql, params = feeds.page_sql(viewer, 21, None)
    conn = Tortoise.get_connection("default")
    if conn.capabilities.dialect == "postgres":
        rows = await conn.execute_query_dict("EXPLAIN (ANALYZE, BUFFERS) " + sql, params.values)
        return "\n".join(r["QUERY PLAN"] for r in rows)
    rows = await conn.execute_query_dict("EXPLAIN QUERY PLAN " + sql, params.values)
    return "\n".join(str(r["detail"]) for r in rows)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
    }


async def prepare(url: str, moments: int) -> dict[str, Any]:
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate

    from models import Postcard
    from resolvers import accounts
    from resolvers import feed as feeds
    from server.app import close_media, media_store, open_media
    from server.database import tortoise_config
    from server.seed import SeedSizes, analyze, database_is_empty, seed
    from server.settings import Settings

    config = tortoise_config(url)
    await migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    out: dict[str, Any] = {"moments": moments, "seed_seconds": None, "extend_seconds": None}
    try:
        if await database_is_empty():
            started = time.perf_counter()
            store = media_store(Settings(database_url=url))  # as the bench servers' own
            await open_media(store)
            try:
                sizes = SeedSizes(users=USERS, postcards=SMALL)
                await seed(sizes, store=store, now=NOW, progress=False)
            finally:
                close_media(store)
            out["seed_seconds"] = round(time.perf_counter() - started, 1)
        have = await Postcard.all().count()
        if have < moments:
            assert have == SMALL, f"{url}: {have} moments, expected {SMALL} (drop it and rerun)"
            started = time.perf_counter()
            await extend(url, moments - SMALL)
            out["extend_seconds"] = round(time.perf_counter() - started, 1)
        # always: a cached dataset may predate an index a migration just built
        started = time.perf_counter()
        await analyze()
        out["analyze_seconds"] = round(time.perf_counter() - started, 1)
        out["rows"] = {"postcards": await Postcard.all().count()}
        viewers = await _viewers()
        out["viewers"] = {
            name: [{"id": u.id, "following": u.following_count} for u in users]
            for name, users in viewers.items()
        }
        for name in VIEWER_SETS:
            tokens = [
                (await accounts.log_in(u.username, "soundpost-demo", timedelta(days=1)))[1]
                for u in viewers[name]
            ]
            (OUT / f"scale-{name}.{_tag(url)}.tokens").write_text("\n".join(tokens) + "\n")
        # the page query alone, in-process: the database's share of the latency (the wrk
        # figures through uvicorn are the headline)
        page: dict[str, Any] = {}
        for name in VIEWER_SETS:
            for user in viewers[name]:
                await feeds.page(user, 20, None)  # warm
            samples = []
            for _ in range(PAGE_SAMPLES):
                for user in viewers[name]:
                    started = time.perf_counter()
                    await feeds.page(user, 20, None)
                    samples.append((time.perf_counter() - started) * 1000)
            page[name] = _percentiles(samples)
        out["page_query"] = page
        out["plans"] = {
            name: await _explain(viewers[name][0])
            for name in ("heavy", "ordinary", "inactive")
            if viewers[name]
        }
    finally:
        await Tortoise.close_connections()
    return out


def _tag(url: str) -> str:
    return url.rsplit("/", 1)[-1].replace(".sqlite3", "")


def prepare_in_subprocess(url: str, moments: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--prepare-only", url, str(moments)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _ratios(small: dict[str, Any], large: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {
        name: {
            key: large[name][key] / small[name][key]
            for key in ("p50_ms", "p99_ms")
            if small[name][key]
        }
        for name in VIEWER_SETS
    }


def measure_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    """Prepare both sizes, then feed latency through uvicorn with one wrk connection:
    small/large/small/large per viewer set, medians of the rounds."""
    from bench.run import FEED, body, server, write_bodies

    sizes = {"small": SMALL, "large": args.scale_moments}
    urls = {size: dataset_url(database, USERS, moments) for size, moments in sizes.items()}
    result: dict[str, Any] = {}
    for size, url in urls.items():
        print(f"== feed at scale, {database}: preparing {sizes[size]:,} moments", flush=True)
        result[size] = prepare_in_subprocess(url, sizes[size])
        r = result[size]
        print(
            f"   seed {r['seed_seconds']} s, extend {r['extend_seconds']} s (None: cached);"
            f" page query alone: {r['page_query']}",
            flush=True,
        )
    feed_bodies = write_bodies("scale-feed", [body(FEED)])
    runs: dict[tuple[str, str], list[Load]] = {}
    with server("app", urls["small"]) as small_url, server("app", urls["large"]) as large_url:
        targets = {"small": small_url, "large": large_url}
        for round_ in range(args.scale_rounds):
            for name in VIEWER_SETS:
                for size in ("small", "large"):
                    tokens = OUT / f"scale-{name}.{_tag(urls[size])}.tokens"
                    load = run_wrk(
                        targets[size] + "/graphql",
                        feed_bodies,
                        tokens,
                        seconds=args.scale_seconds,
                        connections=1,
                    )
                    runs.setdefault((name, size), []).append(load)
                    print(f"   round {round_ + 1} {name} {size}: {load}", flush=True)
    wrk = {
        size: {name: median(runs[(name, size)]) for name in VIEWER_SETS}
        for size in ("small", "large")
    }
    result["feed_wrk_c1"] = wrk
    result["ratios"] = {
        "feed_wrk_c1": _ratios(wrk["small"], wrk["large"]),
        "page_query": _ratios(result["small"]["page_query"], result["large"]["page_query"]),
    }
    return result


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from bench.run import pg_reachable

    started = time.perf_counter()
    results: dict[str, Any] = {
        "users": USERS,
        "small": SMALL,
        "large": args.scale_moments,
        "rounds": args.scale_rounds,
        "seconds_per_run": args.scale_seconds,
        "dataset_note": (
            f"large = the small seed plus {args.scale_moments - SMALL:,} moments copied in SQL from"
            " the seeded ones (same authors, tracks, likes and comments per moment, new"
            " times in the same 90-day window)"
        ),
    }
    databases = ["postgres"] if pg_reachable() and not args.skip_postgres else []
    if not args.scale_skip_sqlite:
        databases.append("sqlite")
    for database in databases:
        results[database] = measure_database(database, args)
    results["seconds"] = round(time.perf_counter() - started)
    return results


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale-moments", dest="scale_moments", type=int, default=LARGE)
    parser.add_argument("--scale-seconds", dest="scale_seconds", type=int, default=3)
    parser.add_argument("--scale-rounds", dest="scale_rounds", type=int, default=3)
    parser.add_argument("--scale-skip-sqlite", dest="scale_skip_sqlite", action="store_true")


def main() -> None:
    if sys.argv[1:2] == ["--prepare-only"]:
        result = asyncio.run(prepare(sys.argv[2], int(sys.argv[3])))
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(prog="bench.scale", description=__doc__)
    add_arguments(parser)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    scale = measure(args)
    path = OUT / "results.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    if "machine" not in results:  # no full run yet: the header of a run of this part alone
        from importlib.metadata import version

        results.update(
            when=datetime.now(UTC).isoformat(timespec="seconds"),
            seconds=scale["seconds"],
            machine={
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
            },
            versions={n: version(n) for n in ("strawberry-graphql", "tortoise-orm")},
            dataset={"users": USERS, "postcards": SMALL},
        )
    results["scale"] = scale
    path.write_text(json.dumps(results, indent=2) + "\n")
    from bench.report import write_report

    write_report(results, HERE / "RESULTS.md")
    print((HERE / "RESULTS.md").read_text())


if __name__ == "__main__":
    main()
