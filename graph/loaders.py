"""DataLoaders, built fresh per request (and per live event): one batched query per
relation per page, whatever the page size."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from functools import partial
from typing import TypeVar

from strawberry.dataloader import DataLoader

import models
from resolvers import batch
from resolvers.pagination import Page

K = TypeVar("K")
V = TypeVar("V")


class SharedLoader(DataLoader[K, V]):
    """A DataLoader whose futures survive one waiter being cancelled. graphql-core cancels
    the siblings of a failed non-null field; a task cancelled while awaiting a loader's
    future cancels that future, and every other field of the request waiting on the same
    key then gets a CancelledError that nothing catches (the request dies with a 500).
    Found by tests/test_fuzz.py: `{ a: postcard(id: X) { author { id } comments(first: -1)
    { edges { cursor } } } b: postcard(id: X) { author { id } } }`."""

    def load(self, key: K) -> Awaitable[V]:
        return asyncio.shield(super().load(key))


async def _nothing(keys: list[int]) -> list[bool]:
    return [False] * len(keys)


ROW_LOADERS = (
    "user_by_id",
    "track_by_id",
    "postcard_by_id",
    "comment_by_id",
    "notification_by_id",
    "playlist_by_id",
    "playlist_item_by_id",
    "first_comments_by_postcard",
)


class Loaders:
    def __init__(self, viewer_id: int | None, rows_from: Loaders | None = None) -> None:
        """`rows_from`: reuse that set's row loaders (they do not depend on the viewer), so
        one live event read by many subscribers loads each row once."""
        self._viewer_loaders(viewer_id)
        if rows_from is not None:
            for name in ROW_LOADERS:
                setattr(self, name, getattr(rows_from, name))
            return

        def by_id(model):  # type: ignore[no-untyped-def]
            return SharedLoader(partial(batch.rows_by_id, model))

        self.user_by_id: DataLoader[int, models.User | None] = by_id(models.User)
        self.track_by_id: DataLoader[int, models.Track | None] = by_id(models.Track)
        self.postcard_by_id: DataLoader[int, models.Postcard | None] = by_id(models.Postcard)
        self.comment_by_id: DataLoader[int, models.Comment | None] = by_id(models.Comment)
        self.notification_by_id: DataLoader[int, models.Notification | None] = by_id(
            models.Notification
        )
        self.playlist_by_id: DataLoader[int, models.Playlist | None] = by_id(models.Playlist)
        self.playlist_item_by_id: DataLoader[int, models.PlaylistItem | None] = by_id(
            models.PlaylistItem
        )
        self.first_comments_by_postcard: DataLoader[tuple[int, int], Page[models.Comment]] = (
            SharedLoader(batch.first_comments)
        )

    def _viewer_loaders(self, viewer_id: int | None) -> None:
        anonymous = viewer_id is None
        self.viewer_liked_by_postcard: DataLoader[int, bool] = SharedLoader(
            _nothing if anonymous else partial(batch.liked_by_viewer, viewer_id)
        )
        self.viewer_follows_by_user: DataLoader[int, bool] = SharedLoader(
            _nothing if anonymous else partial(batch.followed_by_viewer, viewer_id)
        )
