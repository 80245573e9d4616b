"""Pages of moments as written-out statements (the feed, explore, a member's moments):
each row a moment with its author and track joined, and, when asked, whether the viewer
likes it and its first comments, so that a page is one statement and no query builder
runs per request (building one cost more than the database's answer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models import Postcard, User
from resolvers.sql.batches import POSTCARD_JOINS, postcard_columns, postcards_of
from resolvers.sql.comments import comment_rows, comments_of, first_comments_column
from resolvers.sql.hydrate import Joined, query_rows
from resolvers.sql.params import Params


def newest_first(table: str = "p") -> str:
    return f"ORDER BY {table}.created_at DESC, {table}.id DESC"


def selected(params: Params, viewer_id: int | None, comments: int) -> str:
    """The columns of a page of moments (alias `p`, joined by `POSTCARD_JOINS`): every
    moment's, author's and track's; `viewer_liked` when there is a viewer; and with
    `comments`, `first_comments` (that many and one more, to tell whether there are more)."""
    columns = postcard_columns()
    if viewer_id is not None:
        me = params.add(int(viewer_id))
        liked = f"SELECT 1 FROM likes l WHERE l.user_id = {me} AND l.postcard_id = p.id"
        columns += f", EXISTS ({liked}) AS viewer_liked"
    if comments:
        columns += f", {first_comments_column('p.id', comments, params)} AS first_comments"
    return columns


def before(params: Params, cursor: tuple[Any, int] | None) -> Callable[[str], str]:
    """A table alias -> ` AND` its row comes before the decoded cursor, newest first ('' without
    a cursor); the cursor's values are added to `params` once, whatever the tables."""
    if cursor is None:
        return lambda _table: ""
    time, row_id = cursor
    bigint = "::bigint" if params.postgres else ""
    after = f"({params.time(time)}, {params.add(int(row_id))}{bigint})"
    return lambda table: f" AND ({table}.created_at, {table}.id) < {after}"


def newest(
    params: Params,
    viewer_id: int | None,
    where: str,
    rows: int,
    cursor: tuple[Any, int] | None,
    comments: int,
) -> str:
    """The statement of `rows` moments matching `where` (on `p` and its author `u`) after
    the cursor, newest first."""
    return (
        f"SELECT {selected(params, viewer_id, comments)} FROM {POSTCARD_JOINS}"
        f" WHERE {where}{before(params, cursor)('p')} {newest_first()}"
        f" LIMIT {params.add(int(rows))}"
    )


async def newest_moments(
    where: Callable[[Params], str],
    viewer_id: int | None,
    rows: int,
    cursor: tuple[Any, int] | None,
    comments: int,
) -> list[Postcard]:
    """`rows` moments matching `where(params)` (a condition on `p` and its author `u`, its
    values added to `params`) after the cursor, newest first, in one statement."""
    params = Params(Postcard)
    sql = newest(params, viewer_id, where(params), rows, cursor, comments)
    return await moments(sql, params, viewer_id=viewer_id, comments=comments)


async def moments(
    sql: str, params: Params, *, viewer_id: int | None, comments: int
) -> list[Postcard]:
    """The moments of a statement whose columns are `selected(params, viewer_id,
    comments)`'s: authors and tracks attached as `select_related` would; `viewer_liked`
    (graph.types.postcard primes the viewer's likes loader with it) and `first_comments`:
    `(comments, its first comments + 1 more if any)`, authors attached, from which
    `Postcard.comments` answers any first page up to that size at once."""
    found = await query_rows(Postcard, sql, params.values)
    return _made(Joined(found), found, viewer_id=viewer_id, comments=comments)


def _made(
    made: Joined, found: list[Any], *, viewer_id: int | None, comments: int
) -> list[Postcard]:
    page = postcards_of(made, found)
    commented = comment_rows()
    for row, postcard in zip(found, page, strict=True):
        if viewer_id is not None:
            object.__setattr__(postcard, "viewer_liked", bool(made.value(row, "viewer_liked")))
        if comments:
            first = comments_of(commented, made.value(row, "first_comments"))
            object.__setattr__(postcard, "first_comments", (comments, first))
    return page


def of_member(
    params: Params, username: str, viewer_id: int | None, rows: int, comments: int
) -> str:
    """The statement of a member (alias `u`, by exact username) and their newest `rows`
    moments, newest first: a row per moment, or one row whose moment columns are null when
    they have none; nothing when nobody has the name. A profile is then one statement."""
    name, limit = params.add(username), params.add(int(rows))
    if params.postgres:
        theirs = (
            f"LEFT JOIN LATERAL (SELECT x.* FROM postcards x WHERE x.author_id = u.id"
            f" {newest_first('x')} LIMIT {limit}) p ON TRUE"
        )
    else:  # no LATERAL: the same moments, chosen by id
        theirs = (
            f"LEFT JOIN postcards p ON p.id IN (SELECT x.id FROM postcards x"
            f" WHERE x.author_id = u.id {newest_first('x')} LIMIT {limit})"
        )
    return (
        f"SELECT {selected(params, viewer_id, comments)} FROM users u {theirs}"
        f" LEFT JOIN tracks t ON t.id = p.track_id WHERE u.username = {name} {newest_first()}"
    )


async def member_with_moments(
    username: str, viewer_id: int | None, rows: int, comments: int
) -> tuple[User | None, list[Postcard]]:
    """The member of that exact username and their newest `rows` moments (authors and
    tracks attached, as `moments` makes them), in one statement."""
    params = Params(Postcard)
    sql = of_member(params, username, viewer_id, rows, comments)
    found = await query_rows(Postcard, sql, params.values)
    if not found:
        return None, []
    made = Joined(found)
    member = made.make(User, "u", found[0], once=True)
    shared = [row for row in found if made.value(row, "p.id") is not None]
    return member, _made(made, shared, viewer_id=viewer_id, comments=comments)
