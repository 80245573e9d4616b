"""The feed: moments of the people a member follows, and their own, newest first, as ONE
written-out keyset statement per page whose cost does not grow with the table (see
`page_sql` for the two plans), bringing each moment's author, track, whether the
viewer likes it and, when asked, its first comments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.timezone import now

from models import Follow, Postcard, User
from resolvers.pagination import Page, keyset_page
from resolvers.sql import moments as moments_sql
from resolvers.sql.batches import POSTCARD_JOINS
from resolvers.sql.moments import moments
from resolvers.sql.params import Params


def feed_query(viewer_id: int) -> QuerySet[Postcard]:
    """Moments by the people the viewer follows, and the viewer's own."""
    followees = Follow.filter(follower_id=viewer_id).values("followee_id")
    return Postcard.filter(Q(author_id=viewer_id) | Q(author_id__in=Subquery(followees)))


Before = Callable[[str], str]  # a table alias -> the cursor's condition on that table


def _followed(viewer: str, shown: str) -> str:
    """The members whose moments the viewer's feed shows: those they follow, but muted or
    suspended ones (`shown`: a condition on `f.followee_id`). No block filter: a block
    ends the follows both ways."""
    return f"SELECT f.followee_id FROM follows f WHERE f.follower_id = {viewer} AND {shown}"


def _newest_by_followees(viewer: str, rows: str, before: Before, postgres: bool, shown: str) -> str:
    """The page's ids for someone following few: the newest `rows` moments of each followed
    person (and the viewer) after the cursor, one short walk down the (author_id,
    created_at) index each, whatever the size of the table; then the newest `rows` of
    those. A walk back in time would cross the whole table for someone whose few followees
    never post."""
    people = f"SELECT x.followee_id AS a FROM ({_followed(viewer, shown)}) x UNION SELECT {viewer}"
    if postgres:
        return _in_two_walks(people, rows, before)
    # No LATERAL: per person, the time of their `rows`-th newest moment (the start of the
    # walk, '' when they have fewer), then a range of the same index from it, ties
    # included (a few rows more, never fewer). The index holds every column needed; a
    # correlated `IN (… LIMIT)` instead looked each id up in the table to sort it, three
    # times the cost (0.67 -> 0.23 ms a page for the bench's ordinary viewers, the same
    # ids for 300 viewers at 100k and 1M moments).
    start = (
        f"coalesce((SELECT s.created_at FROM postcards s WHERE s.author_id = f.a{before('s')}"
        f" ORDER BY s.created_at DESC, s.id DESC LIMIT 1 OFFSET {rows} - 1), '')"
    )
    return (
        f"SELECT r.id FROM ({people}) f JOIN postcards r ON r.author_id = f.a"
        f" AND r.created_at >= {start}{before('r')}"
        f" ORDER BY r.created_at DESC, r.id DESC LIMIT {rows}"
    )


# How far the first walk down each person's moments goes (see `_in_two_walks`).
FIRST_WALK = 3


def _in_two_walks(people: str, rows: str, before: Before) -> str:
    """The newest `rows` moments of `people` (a query of column `a`) after the cursor, on
    PostgreSQL: first the newest `FIRST_WALK` of each person; then, only for the people
    whose first walk ended no older than the `rows`-th newest moment found (so that more
    of theirs may belong on the page), the newest `rows`. Anyone else's next moments are
    older than `rows` moments already found, so the page is exact; and it reads a few
    entries of each person's index instead of up to `rows` (at 1M moments nearly everyone
    followed has `rows` in the window: 630 entries a page for the bench's ordinary
    viewers, where the page needs 21)."""

    def walk(person: str, limit: str) -> str:
        return (
            f"SELECT r.id, r.created_at FROM postcards r WHERE r.author_id = {person}"
            f"{before('r')} ORDER BY r.created_at DESC, r.id DESC LIMIT {limit}"
        )

    return (
        f"WITH f AS ({people}),"
        f" c AS (SELECT f.a, x.id, x.created_at FROM f"
        f" CROSS JOIN LATERAL ({walk('f.a', str(FIRST_WALK))}) x),"
        f" cut AS (SELECT c.created_at FROM c ORDER BY c.created_at DESC, c.id DESC"
        f" LIMIT 1 OFFSET {rows} - 1),"
        f" more AS (SELECT c.a FROM c GROUP BY c.a HAVING count(*) = {FIRST_WALK}"
        f" AND (NOT EXISTS (SELECT 1 FROM cut)"
        f" OR min(c.created_at) >= (SELECT created_at FROM cut)))"
        f" SELECT y.id FROM (SELECT c.id, c.created_at FROM c UNION"
        f" SELECT x.id, x.created_at FROM more m CROSS JOIN LATERAL ({walk('m.a', rows)}) x) y"
        f" ORDER BY y.created_at DESC, y.id DESC LIMIT {rows}"
    )


def _newest_walking_back_in_time(
    viewer: str, rows: str, before: Before, postgres: bool, shown: str
) -> str:
    """The page's ids for someone following many: a short walk back down the time index,
    keeping the moments of people followed (a few hundred entries at 1M moments). SQLite
    would rather use the (author_id, created_at) index and sort every moment of everyone
    followed (12 ms at 1M moments for 480 people, against 0.3 ms walking back):
    `+author_id` keeps both databases off that index."""
    return (
        f"SELECT r.id FROM postcards r WHERE (+r.author_id = {viewer} OR +r.author_id IN"
        f" ({_followed(viewer, shown)})){before('r')}"
        f" ORDER BY r.created_at DESC, r.id DESC LIMIT {rows}"
    )


# Above this many followees a page is a walk back in time, up to it one walk per person.
DENSE_FEED_FOLLOWING = 100


async def _feed_rows(
    viewer: User, rows: int, cursor: tuple[Any, int] | None, comments: int
) -> list[Postcard]:
    """The page as one written-out statement (resolvers/sql/moments.py): building it
    through the query builder (a subquery, two joins, a cursor) cost several times what
    the database took to answer."""
    sql, params = page_sql(viewer, rows, cursor, comments)
    return await moments(sql, params, viewer_id=viewer.id, comments=comments)


def page_sql(
    viewer: User, rows: int, cursor: tuple[Any, int] | None, comments: int = 0
) -> tuple[str, Params]:
    """The statement of a feed page, `rows` moments after the decoded cursor (with their
    first `comments + 1` comments if `comments`), and its values. Eight texts in all,
    whoever the viewer."""
    params = Params(Postcard)
    me, limit = params.add(int(viewer.id)), params.add(int(rows))
    before = moments_sql.before(params, cursor)

    shown = (
        f"NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = {me}"
        f" AND m.muted_id = f.followee_id AND (m.expires_at IS NULL"
        f" OR m.expires_at > {params.time(now())}))"
        f" AND NOT EXISTS (SELECT 1 FROM users s WHERE s.id = f.followee_id"
        f" AND s.suspended_at IS NOT NULL)"
    )
    dense = viewer.following_count > DENSE_FEED_FOLLOWING
    page_ids = (_newest_walking_back_in_time if dense else _newest_by_followees)(
        me, limit, before, params.postgres, shown
    )
    sql = (
        f"SELECT {moments_sql.selected(params, viewer.id, comments)} FROM {POSTCARD_JOINS}"
        f" WHERE p.id IN ({page_ids}) {moments_sql.newest_first()}"
    )
    return sql, params


async def page(
    viewer: User, first: int | None, after: str | None, comments: int = 0
) -> Page[Postcard]:
    """A page of the viewer's feed; with `comments`, each moment's first `comments`
    comments come along (as `first_comments`, one more to tell whether there are more)."""

    async def fetch(rows: int, cursor: tuple[Any, int] | None) -> list[Postcard]:
        return await _feed_rows(viewer, rows, cursor, comments)

    return await keyset_page(lambda: feed_query(viewer.id), first=first, after=after, fetch=fetch)
