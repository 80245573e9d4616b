"""Ranked lists of moments kept in snapshots (README, "Discovery"): trending (one list for
everyone, resolvers/trending.py) and each member's ranked feed (resolvers/ranked_feed.py).

A snapshot is the list's order frozen at one time, one `ranking_entries` row per moment at
its position. A cursor names the snapshot and a position in it, so paging through a list
never repeats or skips a moment while likes arrive and scores move; the next first page
reads a newer snapshot. Who may see what is decided when a page is read, in its one
statement (`visibility.shown_sql`), so a block, a mute or a deleted moment counts at once.
Snapshots live at least `KEEP` (then `prune` deletes them); a cursor into one that is gone
is refused with `SnapshotGone`, a BAD_USER_INPUT telling the client to start again."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from models import Postcard, RankingSnapshot, User
from resolvers import visibility
from resolvers.pagination import BadCursor, Cursors, Page, check_first, decode_cursor
from resolvers.sql.batches import POSTCARD_JOINS, postcard_columns, postcard_of
from resolvers.sql.hydrate import Joined, query_rows
from resolvers.sql.params import Params

# How long a snapshot stays readable at least: a cursor works this long after its first page.
KEEP = timedelta(minutes=15)
# The decay of every score: points / (age in hours + 2) ^ GRAVITY (Hacker News, Bluesky).
GRAVITY = 1.8


class SnapshotGone(BadCursor):
    """The cursor's snapshot has been pruned."""


def score_sql(params: Params, points: str, created: str, at: str) -> str:
    """`points / (age_h + 2) ^ 1.8`, the age in hours of the moment made at `created` at
    time `at` (SQL expressions), as a double on both databases."""
    if params.postgres:
        age = f"EXTRACT(EPOCH FROM ({at} - {created})) / 3600.0"
    else:
        age = f"(julianday({at}) - julianday({created})) * 24.0"
    return (
        f"CAST({points} AS double precision)"
        f" / power(CAST({age} AS double precision) + 2.0, CAST({GRAVITY} AS double precision))"
    )


def cursor_of(after: str) -> tuple[int, int]:
    """(snapshot id, position) of a ranked list's cursor."""
    snapshot_id, position = decode_cursor(after, is_time=False)
    if isinstance(snapshot_id, bool) or not isinstance(snapshot_id, int) or snapshot_id <= 0:
        raise BadCursor("`after` is not a valid cursor for this list.")
    if not 0 <= position < 2**31:  # an INT column
        raise BadCursor("`after` is not a valid cursor for this list.")
    return snapshot_id, position


def _page_sql(
    viewer: User | None, owner_id: int | None, snapshot_id: int | None, position: int, rows: int
) -> tuple[str, Params]:
    """The statement of a page: the moments of the snapshot (the owner's newest when
    `snapshot_id` is None) after `position` that the viewer may see, with their authors and
    tracks and whether the viewer likes them."""
    params = Params(Postcard)
    owner = "s.viewer_id IS NULL" if owner_id is None else f"s.viewer_id = {params.add(owner_id)}"
    if snapshot_id is None:
        snapshot = f"(SELECT max(s.id) FROM ranking_snapshots s WHERE {owner})"
    else:
        chosen = params.add(snapshot_id)
        snapshot = f"(SELECT s.id FROM ranking_snapshots s WHERE s.id = {chosen} AND {owner})"
    liked = "FALSE"
    if viewer is not None:
        me = params.add(int(viewer.id))
        liked = f"EXISTS (SELECT 1 FROM likes l WHERE l.user_id = {me} AND l.postcard_id = p.id)"
    shown = visibility.shown_sql(viewer.id if viewer else None, params, "p.author_id", "u")
    sql = (
        f"SELECT {postcard_columns()}, e.snapshot_id AS snapshot_id, e.position AS position,"
        f" {liked} AS viewer_liked"
        f" FROM ranking_entries e, {POSTCARD_JOINS}"
        f" WHERE e.snapshot_id = {snapshot} AND e.position > {params.add(position)}"
        f" AND p.id = e.postcard_id AND {shown}"
        f" ORDER BY e.position LIMIT {params.add(rows)}"
    )
    return sql, params


async def _rows(
    viewer: User | None, owner_id: int | None, snapshot_id: int | None, position: int, rows: int
) -> list[tuple[Postcard, int, int]]:
    sql, params = _page_sql(viewer, owner_id, snapshot_id, position, rows)
    found = await query_rows(Postcard, sql, params.values)
    made = Joined(found)
    page = []
    for row in found:
        postcard = postcard_of(made, row)
        object.__setattr__(postcard, "viewer_liked", bool(made.value(row, "viewer_liked")))
        page.append(
            (postcard, int(made.value(row, "snapshot_id")), int(made.value(row, "position")))
        )
    return page


async def newest(
    owner_id: int | None, conn: BaseDBAsyncClient | None = None
) -> RankingSnapshot | None:
    """The newest snapshot of trending (`owner_id` None) or of a member's ranked feed."""
    return await RankingSnapshot.filter(viewer_id=owner_id).using_db(conn).order_by("-id").first()


async def page(
    viewer: User | None,
    owner_id: int | None,
    first: int | None,
    after: str | None,
    snapshot_id: int | None = None,
) -> Page[Postcard] | None:
    """A page of one of the owner's snapshots (owner None: trending's): after the cursor, or
    the first page of `snapshot_id`, or of the owner's newest snapshot. None when a first
    page finds no snapshot at all (the caller makes one); `SnapshotGone` for a cursor whose
    snapshot is gone (or is not the owner's)."""
    size = check_first(first)
    position = 0
    if after:
        snapshot_id, position = cursor_of(after)
    found = await _rows(viewer, owner_id, snapshot_id, position, size + 1)
    if not found and (after or snapshot_id is None):
        # nothing after the cursor, or no snapshot: tell an empty end from a pruned one
        exists = RankingSnapshot.filter(viewer_id=owner_id)
        if after:
            exists = exists.filter(id=snapshot_id)
        if not await exists.exists():
            if after:
                raise SnapshotGone(
                    "This list's snapshot has expired: fetch its first page again, without `after`."
                )
            return None
    kept = found[:size]
    return Page(
        rows=[postcard for postcard, _, _ in kept],
        cursors=Cursors([(snapshot, place) for _, snapshot, place in kept]),
        has_next=len(found) > size,
        has_previous=bool(after),
    )


async def prune(conn: BaseDBAsyncClient, at: datetime) -> None:
    """Delete the snapshots older than `KEEP` but trending's newest (their entries go with
    them, by foreign key)."""
    params = Params(RankingSnapshot)
    sql = (
        f"DELETE FROM ranking_snapshots WHERE created_at < {params.time(at - KEEP)}"
        " AND id <> coalesce((SELECT max(s.id) FROM ranking_snapshots s"
        " WHERE s.viewer_id IS NULL), 0)"
    )
    await conn.execute_query(sql, params.values)
