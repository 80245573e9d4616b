"""Every row of every table a GraphQL operation may write: a refusal must leave them all as
they were (compare a `snapshot` before with one after)."""

from __future__ import annotations

from typing import Any

import models

TABLES = [
    models.User,
    models.AccessToken,
    models.Follow,
    models.Track,
    models.TrackLink,
    models.Place,
    models.Postcard,
    models.Like,
    models.Comment,
    models.Playlist,
    models.PlaylistItem,
    models.Notification,
    models.Upload,
    models.FeedEvent,
    models.Block,
    models.Mute,
    models.FollowRequest,
    models.Report,
    models.ModerationAction,
]
# Not listed: ranking_snapshots and ranking_entries, which a first page of trending or of the
# ranked feed may write (a copy of an order, made by reads: resolvers/ranking.py).


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    rows = {m.__name__: await m.all().order_by("id").values() for m in TABLES}
    rows["RetiredUsername"] = await models.RetiredUsername.all().order_by("username").values()
    return rows
