"""Moments' first comments, with their authors: batched for a page of moments
(`first_comments`), or carried in a page's own statement as a JSON column
(`first_comments_column`, read back by `comments_of`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson

from models import Comment, User
from resolvers.pagination import Cursors, Page
from resolvers.sql.hydrate import Joined, aliased, attach, columns, query_rows, shown_columns
from resolvers.sql.params import Params


async def first_comments(keys: Sequence[tuple[int, int]]) -> list[Page[Comment]]:
    """The first `n` comments (oldest first) of each postcard, for keys `(postcard_id, n)`,
    with their authors joined, in one statement whatever the number of postcards: a short
    walk down each postcard's (postcard_id, created_at) index, `n + 1` entries long however
    many comments it has (a window over every comment of the page grew with them; on
    SQLite it also took twice as long at the bench's size)."""
    if not keys:
        return []
    params = Params(Comment)
    postcards = params.id_rows(pid for pid, _ in keys)
    limit = params.add(max(n for _, n in keys) + 1)
    first = (
        f"FROM comments x WHERE x.postcard_id = k.value ORDER BY x.created_at, x.id LIMIT {limit}"
    )
    if params.postgres:
        listed = ", ".join(f'x."{column}"' for column in columns(Comment))
        comments = f"{postcards} CROSS JOIN LATERAL (SELECT {listed} {first}) c"
    else:
        comments = f"{postcards} JOIN comments c ON c.id IN (SELECT x.id {first})"
    found = await query_rows(
        Comment,
        f"SELECT {aliased(Comment, 'c')}, {aliased(User, 'u')} FROM {comments}"
        " JOIN users u ON u.id = c.author_id ORDER BY c.postcard_id, c.created_at, c.id",
        params.values,
    )
    grouped: dict[int, list[Comment]] = defaultdict(list)
    for comment in comments_from(Joined(found), found, "u"):
        grouped[comment.postcard_id].append(comment)
    return [first_page(grouped.get(postcard_id, []), n) for postcard_id, n in keys]


def comments_from(made: Joined, rows: Sequence[Any], author: str) -> list[Comment]:
    """The comments of rows with their columns under alias "c" and their author's under
    `author`, each author attached (made once per person)."""
    if not rows:
        return []
    comment, author_of = made.maker(Comment, "c"), made.maker(User, author, once=True)
    found = []
    for row in rows:
        made_comment = comment(row)
        attach(made_comment, "author", author_of(row))
        found.append(made_comment)
    return found


def first_page(comments: list[Comment], n: int) -> Page[Comment]:
    """The first `n` of a moment's first comments, oldest first (`comments`: `n + 1` or
    more of them when there are more)."""
    rows = comments[:n]
    return Page(
        rows=rows,
        cursors=Cursors([(row.created_at, row.id) for row in rows]),
        has_next=len(comments) > n,
        has_previous=False,
    )


@cache
def _comment_names() -> tuple[list[str], list[str]]:
    """The columns of a comment and its author, as SQL and as `Joined` names."""
    pairs = [
        (alias, column)
        for alias, model in (("c", Comment), ("a", User))
        for column in shown_columns(model)
    ]
    return [f'{alias}."{column}"' for alias, column in pairs], [f"{a}.{c}" for a, c in pairs]


def first_comments_column(postcard_id: str, n: int, params: Params) -> str:
    """A column of a statement of moments: the first `n + 1` comments (oldest first) of
    the moment whose id is `postcard_id`, each with its author's columns, as one JSON
    list (`comments_of` reads it). A page of moments then brings its first comments along
    instead of a second statement asking for them (`first_comments`)."""
    listed = ", ".join(_comment_names()[0])
    aggregate = (
        f"json_agg(json_build_array({listed}))"
        if params.postgres
        else f"json_group_array(json_array({listed}))"
    )
    first = (
        f"SELECT x.* FROM comments x WHERE x.postcard_id = {postcard_id}"
        f" ORDER BY x.created_at, x.id LIMIT {params.add(n + 1)}"
    )
    return f"(SELECT {aggregate} FROM ({first}) c JOIN users a ON a.id = c.author_id)"


def comment_rows() -> Joined:
    """The maker of `comments_of`'s instances, one per statement: authors are made once."""
    return Joined((), names=_comment_names()[1], json=True)


def comments_of(made: Joined, value: str | None) -> list[Comment]:
    """The comments of a `first_comments_column` value, oldest first, authors attached."""
    if not value:
        return []
    found = comments_from(made, orjson.loads(value), "a")
    if len(found) > 1:
        # neither database promises an aggregate's order without ORDER BY inside it (SQLite
        # 3.40 has none); sorted here, a few at a time
        found.sort(key=_oldest_first)
    return found


def _oldest_first(comment: Comment) -> tuple[Any, int]:
    return (comment.created_at, comment.id)
