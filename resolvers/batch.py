"""Batch functions behind the per-request DataLoaders: one SQL statement per call, results
in key order (None where a key has no row)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

from tortoise.models import Model

from models import Comment, Follow, Like
from resolvers.pagination import Page, encode_cursor

M = TypeVar("M", bound=Model)


async def rows_by_id(model: type[M], ids: Sequence[int]) -> list[M | None]:
    rows = {row.pk: row for row in await model.filter(id__in=set(ids))}
    return [rows.get(key) for key in ids]


async def liked_by_viewer(viewer_id: int, postcard_ids: Sequence[int]) -> list[bool]:
    liked = set(
        await Like.filter(user_id=viewer_id, postcard_id__in=set(postcard_ids)).values_list(
            "postcard_id", flat=True
        )
    )
    return [key in liked for key in postcard_ids]


async def followed_by_viewer(viewer_id: int, user_ids: Sequence[int]) -> list[bool]:
    followed = set(
        await Follow.filter(follower_id=viewer_id, followee_id__in=set(user_ids)).values_list(
            "followee_id", flat=True
        )
    )
    return [key in followed for key in user_ids]


async def first_comments(keys: Sequence[tuple[int, int]]) -> list[Page[Comment]]:
    """The first `n` comments (oldest first) of each postcard, for keys `(postcard_id, n)`,
    in one window-function query whatever the number of postcards."""
    limit = max(n for _, n in keys) + 1
    ids = ",".join(str(int(postcard_id)) for postcard_id in {pid for pid, _ in keys})
    rows: list[Comment] = await Comment.raw(
        "SELECT id, postcard_id, author_id, body, created_at FROM ("
        " SELECT id, postcard_id, author_id, body, created_at, ROW_NUMBER() OVER"
        " (PARTITION BY postcard_id ORDER BY created_at, id) AS rn"
        f" FROM comments WHERE postcard_id IN ({ids})"
        f") ranked WHERE rn <= {int(limit)} ORDER BY postcard_id, created_at, id"
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
