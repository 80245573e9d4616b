from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.postcard import Postcard
    from models.track import Track
    from models.user import User


class Playlist(Model):
    """An ordered collection. `version` is bumped by every change, for optimistic concurrency."""

    id = fields.BigIntField(primary_key=True)
    owner_id: int
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="playlists", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=100)
    description = fields.CharField(max_length=1000, default="")
    is_public = fields.BooleanField(default=True)
    version = fields.IntField(default=1)
    item_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "playlists"
        indexes = (("owner_id", "created_at"),)


class PlaylistItem(Model):
    """One entry. Positions of a playlist are always 0..item_count-1."""

    id = fields.BigIntField(primary_key=True)
    playlist_id: int
    playlist: fields.ForeignKeyRelation[Playlist] = fields.ForeignKeyField(
        "models.Playlist", related_name="items", on_delete=fields.CASCADE
    )
    position = fields.IntField()
    track_id: int
    track: fields.ForeignKeyRelation[Track] = fields.ForeignKeyField(
        "models.Track", related_name="playlist_items", on_delete=fields.RESTRICT
    )
    postcard_id: int
    postcard: fields.ForeignKeyNullableRelation[Postcard] = fields.ForeignKeyField(
        "models.Postcard", related_name="playlist_items", null=True, on_delete=fields.SET_NULL
    )
    added_by_id: int
    added_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="playlist_additions", on_delete=fields.CASCADE
    )
    added_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "playlist_items"
        indexes = (("playlist_id", "position"),)
