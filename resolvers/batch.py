"""Batch functions behind the per-request DataLoaders: one SQL statement per call, results
in key order (None where a key has no row).

They run on every page, so their SQL is written out rather than built through the query
builder each time (building was most of their cost): keys are integers, inlined after
`int()`, so each statement is plain SQL that SQLite and PostgreSQL read alike. Rows still
become model instances through tortoise's own `_init_from_db`, as a queryset would make them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, TypeVar

from tortoise.models import Model

from models import Comment, Follow, Like
from resolvers.pagination import Page, encode_cursor

M = TypeVar("M", bound=Model)


def int_list(keys: Iterable[int]) -> str:
    """`1,2,3` for an `IN (…)`: distinct integers only, so nothing else reaches the SQL."""
    return ",".join(str(int(key)) for key in dict.fromkeys(keys))


def columns(model: type[Model]) -> list[str]:
    """Every column of the model, foreign keys' included: what a queryset selects and
    `_init_from_db` reads. Known once tortoise is initialised."""
    return list(model._meta.fields_db_projection.values())


@cache
def select_all(model: type[Model]) -> str:
    """`SELECT "col", … FROM "table"`: every column, as a queryset of the model selects."""
    listed = ",".join(f'"{column}"' for column in columns(model))
    return f'SELECT {listed} FROM "{model._meta.db_table}"'


async def fetch(model: type[M], sql: str) -> list[M]:
    """Model instances of `sql`'s rows (every column of the model, and maybe more)."""
    _, rows = await model._meta.db.execute_query(sql)
    make = model._init_from_db
    return [make(**row) for row in rows]


async def fetch_column(model: type[Model], sql: str) -> list[Any]:
    """The first column of `sql`'s rows, as the driver returns it."""
    _, rows = await model._meta.db.execute_query(sql)
    return [row[0] for row in rows]


async def rows_by_id(model: type[M], ids: Sequence[int]) -> list[M | None]:
    if not ids:
        return []
    found = await fetch(model, f'{select_all(model)} WHERE "id" IN ({int_list(ids)})')
    rows = {row.pk: row for row in found}
    return [rows.get(key) for key in ids]


async def liked_by_viewer(viewer_id: int, postcard_ids: Sequence[int]) -> list[bool]:
    return await _marked(Like, "likes", "user_id", "postcard_id", viewer_id, postcard_ids)


async def followed_by_viewer(viewer_id: int, user_ids: Sequence[int]) -> list[bool]:
    return await _marked(Follow, "follows", "follower_id", "followee_id", viewer_id, user_ids)


async def _marked(
    model: type[Model], table: str, by: str, of: str, viewer_id: int, keys: Sequence[int]
) -> list[bool]:
    """For each key, whether the viewer has a row (a like, a follow) for it."""
    if not keys:
        return []
    sql = f"SELECT {of} FROM {table} WHERE {by} = {int(viewer_id)} AND {of} IN ({int_list(keys)})"
    found = set(await fetch_column(model, sql))
    return [key in found for key in keys]


async def first_comments(keys: Sequence[tuple[int, int]]) -> list[Page[Comment]]:
    """The first `n` comments (oldest first) of each postcard, for keys `(postcard_id, n)`,
    in one window-function query whatever the number of postcards."""
    if not keys:
        return []
    limit = max(n for _, n in keys) + 1
    rows = await fetch(
        Comment,
        "SELECT id, postcard_id, author_id, body, created_at FROM ("
        " SELECT id, postcard_id, author_id, body, created_at, ROW_NUMBER() OVER"
        " (PARTITION BY postcard_id ORDER BY created_at, id) AS rn"
        f" FROM comments WHERE postcard_id IN ({int_list(pid for pid, _ in keys)})"
        f") ranked WHERE rn <= {int(limit)} ORDER BY postcard_id, created_at, id",
    )
    grouped: dict[int, list[Comment]] = defaultdict(list)
    for row in rows:
        grouped[row.postcard_id].append(row)
    pages = []
    for postcard_id, n in keys:
        found = grouped.get(postcard_id, [])
        page_rows = found[:n]
        pages.append(
            Page(
                rows=page_rows,
                cursors=[encode_cursor(row.created_at, row.id) for row in page_rows],
                has_next=len(found) > n,
                has_previous=False,
            )
        )
    return pages
