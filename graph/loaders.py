"""DataLoaders, built fresh per request (and per live event): one batched query per
relation per page, whatever the page size."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from functools import cached_property, partial
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

import models
from resolvers import charts, places, tracks, visibility
from resolvers.links import Link
from resolvers.pagination import Page
from resolvers.sql import batches, comments

K = TypeVar("K")
V = TypeVar("V")


class SharedLoader(DataLoader[K, V]):
    """A DataLoader whose futures survive one waiter being cancelled. graphql-core cancels
    the siblings of a failed non-null field; a task cancelled while awaiting a loader's
    future cancels that future, and every other field of the request waiting on the same
    key then gets a CancelledError that nothing catches (the request dies with a 500).
    Found by tests/api/test_schema_fuzz.py: `{ a: postcard(id: X) { author { id }
    comments(first: -1) { edges { cursor } } } b: postcard(id: X) { author { id } } }`."""

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
    "place_by_id",
    "first_comments_by_postcard",
    "links_by_track",
    "share_count_by_track",
)


def _by_id(model: type[Any]) -> DataLoader[int, Any]:
    return SharedLoader(partial(batches.rows_by_id, model))


class Loaders:
    """One request's loaders (or one live event's). Each is made on first use: a websocket
    holds a set for as long as it is open, and most operations use two or three."""

    def __init__(self, viewer_id: int | None, rows_from: Loaders | None = None) -> None:
        """`rows_from`: reuse that set's row loaders (they do not depend on the viewer), so
        one live event read by many subscribers loads each row once."""
        self._viewer_id = viewer_id
        if rows_from is not None:
            for name in ROW_LOADERS:
                setattr(self, name, getattr(rows_from, name))

    @cached_property
    def user_by_id(self) -> DataLoader[int, models.User | None]:
        return _by_id(models.User)

    @cached_property
    def track_by_id(self) -> DataLoader[int, models.Track | None]:
        return _by_id(models.Track)

    @cached_property
    def postcard_by_id(self) -> DataLoader[int, models.Postcard | None]:
        """Moments come with their author and track attached (graph.types.postcard)."""
        return SharedLoader(batches.postcards_by_id)

    @cached_property
    def comment_by_id(self) -> DataLoader[int, models.Comment | None]:
        return _by_id(models.Comment)

    @cached_property
    def notification_by_id(self) -> DataLoader[int, models.Notification | None]:
        return _by_id(models.Notification)

    @cached_property
    def playlist_by_id(self) -> DataLoader[int, models.Playlist | None]:
        return _by_id(models.Playlist)

    @cached_property
    def playlist_item_by_id(self) -> DataLoader[int, models.PlaylistItem | None]:
        return _by_id(models.PlaylistItem)

    @cached_property
    def place_by_id(self) -> DataLoader[int, models.Place | None]:
        return _by_id(models.Place)

    @cached_property
    def place_shown_by_id(self) -> DataLoader[int, bool]:
        """Whether the viewer may see each place (one of its moments)."""
        return SharedLoader(partial(places.shown_places, self._viewer_id))

    @cached_property
    def report_by_id(self) -> DataLoader[int, models.Report | None]:
        return _by_id(models.Report)

    @cached_property
    def first_comments_by_postcard(self) -> DataLoader[tuple[int, int], Page[models.Comment]]:
        return SharedLoader(comments.first_comments)

    @cached_property
    def links_by_track(self) -> DataLoader[int, list[Link]]:
        """A track's links on the music services (Spotify's included)."""
        return SharedLoader(tracks.links_of)

    @cached_property
    def share_count_by_track(self) -> DataLoader[int, int]:
        """Distinct members who shared each track (resolvers/charts.py)."""
        return SharedLoader(charts.share_counts)

    @cached_property
    def viewer_liked_by_postcard(self) -> DataLoader[int, bool]:
        viewer_id = self._viewer_id
        return SharedLoader(
            _nothing if viewer_id is None else partial(batches.liked_by_viewer, viewer_id)
        )

    @cached_property
    def relation_by_user(self) -> DataLoader[int, visibility.Relation]:
        """The viewer's blocks, follows, mutes and requests, towards each member."""
        return SharedLoader(partial(visibility.relations, self._viewer_id))

    @cached_property
    def viewer_follows_by_user(self) -> DataLoader[int, bool]:
        viewer_id = self._viewer_id
        return SharedLoader(
            _nothing if viewer_id is None else partial(batches.followed_by_viewer, viewer_id)
        )
