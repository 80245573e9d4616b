"""Every row of every table, to show that a refusal wrote nothing."""

from __future__ import annotations

from typing import Any

import models

TABLES = [
    models.User,
    models.AccessToken,
    models.Follow,
    models.Track,
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
]


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table: a refusal must leave all of them as they were."""
    rows = {m.__name__: await m.all().order_by("id").values() for m in TABLES}
    rows["RetiredUsername"] = await models.RetiredUsername.all().order_by("username").values()
    return rows
