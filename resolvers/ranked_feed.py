"""The ranked feed (README, "Ranked feed"): the last 72 hours of a member's feed (the
moments of the people they follow, and their own), best first by

    score * affinity,  score = (likes + 2 · comments) / (age in hours + 2) ^ 1.8,
                       affinity = 1 + ln(1 + n)

where likes and comments are by members other than the author and n is how many of the
author's moments the viewer liked or commented on in the last 30 days (each like and each
comment counts one); ties newest first. Then no author appears more than twice in a row
while another author's moment is left to put between (`spaced`).

The order is kept in a snapshot of the viewer's own (resolvers/ranking.py) that their
cursors pin; a first page reuses the viewer's snapshot while it is younger than `FRESH`."""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from tortoise.timezone import now
from tortoise.transactions import in_transaction

from models import Postcard, RankingEntry, RankingSnapshot, User
from resolvers import ranking, visibility
from resolvers.pagination import Page, check_first
from resolvers.sql.hydrate import query_rows
from resolvers.sql.params import Params

WINDOW = timedelta(hours=72)
AFFINITY_WINDOW = timedelta(days=30)
IN_A_ROW = 2  # moments of one author in a row, at most (while others are left)
FRESH = timedelta(seconds=60)  # a first page reuses a snapshot this young
MOST = 1000  # moments a snapshot holds at most: the best of the window


def _candidates_sql(viewer: User, at: datetime) -> tuple[str, Params]:
    """The viewer's feed of the window with each moment's score * affinity, best first: the
    moments they may see now (pages check again when read), so that the spacing of authors
    is made over what they will be shown."""
    params = Params(Postcard)
    me, moment = params.add(int(viewer.id)), params.time(at)
    since, month = params.time(at - WINDOW), params.time(at - AFFINITY_WINDOW)
    points = (
        "(SELECT count(*) FROM likes l WHERE l.postcard_id = r.id AND l.user_id <> r.author_id)"
        " + 2 * (SELECT count(*) FROM comments c WHERE c.postcard_id = r.id"
        " AND c.author_id <> r.author_id)"
    )
    score = ranking.score_sql(params, points, "r.created_at", moment)
    shown = visibility.shown_sql(viewer.id, params, "p.author_id", "u")
    affinity = "(1.0 + ln(1.0 + CAST(coalesce(a.n, 0) AS double precision)))"
    sql = (
        f"WITH people AS (SELECT f.followee_id AS id FROM follows f WHERE f.follower_id = {me}"
        f" UNION SELECT {me}),"
        f" recent AS (SELECT p.id, p.author_id, p.created_at FROM people x"
        f" JOIN postcards p ON p.author_id = x.id JOIN users u ON u.id = p.author_id"
        f" WHERE p.created_at > {since} AND {shown}),"
        f" acted AS (SELECT q.author_id FROM likes l JOIN postcards q ON q.id = l.postcard_id"
        f" WHERE l.user_id = {me} AND l.created_at > {month}"
        f" UNION ALL SELECT q.author_id FROM comments c JOIN postcards q ON q.id = c.postcard_id"
        f" WHERE c.author_id = {me} AND c.created_at > {month}),"
        f" affinity AS (SELECT author_id, count(*) AS n FROM acted GROUP BY author_id)"
        f" SELECT r.id, r.author_id, ({score}) * {affinity} AS score FROM recent r"
        f" LEFT JOIN affinity a ON a.author_id = r.author_id"
        f" ORDER BY score DESC, r.created_at DESC, r.id DESC LIMIT {params.add(MOST)}"
    )
    return sql, params


def spaced(ranked: Sequence[tuple[int, int, float]], most: int = IN_A_ROW) -> list[Any]:
    """`ranked` (id, author id, score), best first, reordered so that no author has more
    than `most` moments in a row while another's is left: each place takes the best moment
    left whose author would not make a longer run. One heap entry per author."""
    queues: dict[int, deque[tuple[int, tuple[int, int, float]]]] = {}
    for place, row in enumerate(ranked):
        queues.setdefault(row[1], deque()).append((place, row))
    heads = [(queue[0][0], author) for author, queue in queues.items()]
    heapq.heapify(heads)
    out: list[tuple[int, int, float]] = []
    last, run = None, 0
    while heads:
        place, author = heapq.heappop(heads)
        held = None
        if author == last and run >= most and heads:  # take the next author's best instead
            held = (place, author)
            place, author = heapq.heappop(heads)
        queue = queues[author]
        out.append(queue.popleft()[1])
        run = run + 1 if author == last else 1
        last = author
        if queue:
            heapq.heappush(heads, (queue[0][0], author))
        if held is not None:
            heapq.heappush(heads, held)
    return out


async def compute(viewer: User, at: datetime | None = None) -> int:
    """Write a new ranked snapshot of the viewer's feed; its id."""
    at = at or now()
    sql, params = _candidates_sql(viewer, at)
    ranked = [
        (int(row["id"]), int(row["author_id"]), float(row["score"]))
        for row in await query_rows(Postcard, sql, params.values)
    ]
    async with in_transaction() as conn:
        snapshot = await RankingSnapshot.create(viewer_id=viewer.id, created_at=at, using_db=conn)
        entries = [
            RankingEntry(
                snapshot_id=snapshot.id,
                position=place,
                postcard_id=postcard_id,
                author_id=author_id,
                score=score,
            )
            for place, (postcard_id, author_id, score) in enumerate(spaced(ranked), start=1)
        ]
        if entries:
            await RankingEntry.bulk_create(entries, using_db=conn)
        await ranking.prune(conn, at)
    return int(snapshot.id)


async def page(viewer: User, first: int | None, after: str | None) -> Page[Postcard]:
    """A page of the viewer's ranked feed: after the cursor, in its snapshot; a first page
    in the viewer's snapshot younger than `FRESH`, else in a new one."""
    check_first(first)  # a bad page size writes no snapshot
    snapshot_id = None
    if not after:
        newest = await ranking.newest(int(viewer.id))
        fresh = newest is not None and now() - newest.created_at < FRESH
        snapshot_id = int(newest.id) if fresh and newest else await compute(viewer)
    found = await ranking.page(viewer, int(viewer.id), first, after, snapshot_id)
    assert found is not None  # a first page always has its snapshot
    return found
