"""Trending moments (README, "Trending"): the moments of the last 48 hours that at least two
members other than the author liked or commented on, scored

    (likes + 2 · comments) / (age in hours + 2) ^ 1.8

(likes and comments by members other than the author), at most 3 moments per author, best
first. `recompute` writes the order into a snapshot (resolvers/ranking.py) in one INSERT …
SELECT on both databases; each process runs it every minute (server/trending.py), one at a
time on PostgreSQL (an advisory lock), and a first page finding no snapshot makes one."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.timezone import now
from tortoise.transactions import in_transaction

from models import Postcard, RankingSnapshot, User
from resolvers import ranking
from resolvers.pagination import Page
from resolvers.sql.params import Params

WINDOW = timedelta(hours=48)
MIN_MEMBERS = 2  # distinct members other than the author who liked or commented
PER_AUTHOR = 3  # moments of one author in the whole list (so on any page)
COMMENT_WEIGHT = 2
# Held by the process computing trending (the feed log's lock is 7_368_801, the media
# sweep's 7_368_802-3).
RECOMPUTE_KEY = 7_368_804


def _entries_sql(snapshot_id: int, at: datetime) -> tuple[str, Params]:
    """The INSERT … SELECT filling a snapshot: score every moment of the window that enough
    members interacted with, keep each author's best `PER_AUTHOR`, number them in order (ties:
    newest first, then the larger id)."""
    params = Params(RankingSnapshot)
    moment = params.time(at)
    since = params.time(at - WINDOW)
    score = ranking.score_sql(params, "sum(a.points)", "a.created_at", moment)
    order = "c.score DESC, c.created_at DESC, c.id DESC"
    columns = "r.id, r.author_id, r.created_at"
    if params.postgres:
        # one index walk per moment of the window: joined, PostgreSQL hashed the whole likes
        # table instead (500k rows at the bench's 100k moments: 640 ms against 90)
        acts = (
            f"SELECT {columns}, x.who, x.points FROM recent r CROSS JOIN LATERAL"
            f" (SELECT l.user_id AS who, 1 AS points FROM likes l WHERE l.postcard_id = r.id"
            f" AND l.user_id <> r.author_id UNION ALL SELECT m.author_id, {COMMENT_WEIGHT}"
            f" FROM comments m WHERE m.postcard_id = r.id AND m.author_id <> r.author_id) x"
        )
    else:  # SQLite walks the (postcard_id, created_at) indexes by itself
        acts = (
            f"SELECT {columns}, l.user_id AS who, 1 AS points FROM recent r"
            f" JOIN likes l ON l.postcard_id = r.id WHERE l.user_id <> r.author_id"
            f" UNION ALL SELECT {columns}, m.author_id AS who, {COMMENT_WEIGHT} AS points"
            f" FROM recent r JOIN comments m ON m.postcard_id = r.id"
            f" WHERE m.author_id <> r.author_id"
        )
    sql = (
        f"WITH recent AS (SELECT p.id, p.author_id, p.created_at FROM postcards p"
        f" WHERE p.created_at > {since}),"
        f" acts AS ({acts}),"
        f" scored AS (SELECT a.id, a.author_id, a.created_at, {score} AS score"
        f" FROM acts a GROUP BY a.id, a.author_id, a.created_at"
        f" HAVING count(DISTINCT a.who) >= {MIN_MEMBERS}),"
        f" capped AS (SELECT c.id, c.author_id, c.created_at, c.score, row_number() OVER"
        f" (PARTITION BY c.author_id ORDER BY {order}) AS nth FROM scored c)"
        f" INSERT INTO ranking_entries (snapshot_id, position, postcard_id, author_id, score)"
        f" SELECT {params.add(snapshot_id)}, row_number() OVER (ORDER BY {order}),"
        f" c.id, c.author_id, c.score FROM capped c WHERE c.nth <= {PER_AUTHOR}"
    )
    return sql, params


async def recompute(
    at: datetime | None = None, *, fresh_for: timedelta | None = None, wait: bool = False
) -> int | None:
    """Write a new trending snapshot as of `at` (now) and prune the old ones; its id, or None
    when another process is computing one (`wait`: wait for it instead) or the newest is
    younger than `fresh_for`."""
    at = at or now()
    async with in_transaction() as conn:
        if conn.capabilities.dialect == "postgres":
            if wait:
                await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [RECOMPUTE_KEY])
            else:
                _, rows = await conn.execute_query(
                    "SELECT pg_try_advisory_xact_lock($1) AS ok", [RECOMPUTE_KEY]
                )
                if not rows[0]["ok"]:
                    return None
            # its estimates pass jit_above_cost, and compiling took 20-120 ms of a 100 ms
            # statement (transaction-scoped: nothing stays on the connection)
            await conn.execute_query("SET LOCAL jit = off")
        if fresh_for is not None:
            newest = await ranking.newest(None, conn)
            if newest is not None and at - newest.created_at < fresh_for:
                return None
        snapshot = await RankingSnapshot.create(viewer_id=None, created_at=at, using_db=conn)
        sql, params = _entries_sql(snapshot.id, at)
        await conn.execute_query(sql, params.values)
        await ranking.prune(conn, at)
    return int(snapshot.id)


async def page(viewer: User | None, first: int | None, after: str | None) -> Page[Postcard]:
    """A page of trending: after the cursor, in its snapshot; a first page in the newest
    snapshot, made first if there is none yet."""
    found = await ranking.page(viewer, None, first, after)
    if found is None:
        await recompute(wait=True, fresh_for=ranking.KEEP)
        found = await ranking.page(viewer, None, first, after)
    assert found is not None  # a snapshot exists now
    return found
