from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.place import Place
    from models.track import Track
    from models.user import User


class PhotoSource(StrEnum):
    UPLOAD = "UPLOAD"
    INSTAGRAM = "INSTAGRAM"
    WEB = "WEB"


class Postcard(Model):
    """A music moment: a track, a photo, a caption and a place."""

    id = fields.BigIntField(primary_key=True)
    author_id: int
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="postcards", on_delete=fields.CASCADE
    )
    track_id: int
    track: fields.ForeignKeyRelation[Track] = fields.ForeignKeyField(
        "models.Track", related_name="postcards", on_delete=fields.RESTRICT
    )
    caption = fields.CharField(max_length=500, default="")
    # The link it came from: an Instagram post or a web address (and, on moments older
    # than stored photos, the only trace of their picture). Null for an upload.
    photo_url = fields.CharField(max_length=2048, null=True)
    photo_source = fields.CharEnumField(PhotoSource, max_length=10, null=True)
    # Our own copy of the picture (resolvers/photos.py `stored`): its size, placeholder,
    # alt text and renditions' keys, copied here so a page of moments needs no other
    # table to show them.
    photo: Any = fields.JSONField(null=True)
    # Where: the Place (models/place.py), and a copy of its name and coordinates, so a page
    # of moments needs no join to show them.
    place_id: int | None
    place: fields.ForeignKeyNullableRelation[Place] = fields.ForeignKeyField(
        "models.Place", related_name="postcards", null=True, on_delete=fields.SET_NULL
    )
    place_name = fields.CharField(max_length=200, null=True)
    place_latitude = fields.FloatField(null=True)
    place_longitude = fields.FloatField(null=True)
    place_foursquare_id = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    like_count = fields.IntField(default=0)
    comment_count = fields.IntField(default=0)

    class Meta:
        table = "postcards"
        # Pages are newest first by (created_at, id). Ending in `id` (and, for the walk back
        # in time, `author_id`) lets a feed page read its ids from the index alone.
        indexes = (
            ("author_id", "created_at", "id"),
            ("created_at", "id", "author_id"),
            ("track_id", "created_at"),
            ("place_id", "created_at", "id", "author_id"),
            # a song's distinct sharers (Track.shareCount), and a chart's counts of a window
            # (resolvers/charts.py), from the index alone, grouped as it is sorted
            ("track_id", "author_id", "created_at"),
        )


class Like(Model):
    id = fields.BigIntField(primary_key=True)
    user_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="likes", on_delete=fields.CASCADE
    )
    postcard_id: int
    postcard: fields.ForeignKeyRelation[Postcard] = fields.ForeignKeyField(
        "models.Postcard", related_name="likes", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "likes"
        unique_together = (("user", "postcard"),)
        # (user_id, created_at): a member's recent likes, the ranked feed's affinity
        indexes = (("postcard_id", "created_at"), ("user_id", "created_at"))


class Comment(Model):
    id = fields.BigIntField(primary_key=True)
    postcard_id: int
    postcard: fields.ForeignKeyRelation[Postcard] = fields.ForeignKeyField(
        "models.Postcard", related_name="comments", on_delete=fields.CASCADE
    )
    author_id: int
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="comments", on_delete=fields.CASCADE
    )
    body = fields.CharField(max_length=1000)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "comments"
        # (author_id, created_at): a member's recent comments, the ranked feed's affinity
        indexes = (("postcard_id", "created_at"), ("author_id", "created_at"))
