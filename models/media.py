from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.user import User


class Upload(Model):
    """A photo a member uploaded, processed into renditions that the media store keeps by
    the sha256 of their bytes: its owner's alone. Attaching it to a moment or as the avatar
    copies its photo there and marks it `attached_at` (once only). Every upload is swept a
    day after it was made (resolvers/sweep.py), attached or not: by then what it was for has
    its own copy."""

    id = fields.BigIntField(primary_key=True)
    owner_id: int
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="uploads", on_delete=fields.CASCADE
    )
    width = fields.IntField()
    height = fields.IntField()
    blurhash = fields.CharField(max_length=64)
    dominant_color = fields.CharField(max_length=7)
    alt = fields.CharField(max_length=1000, null=True)
    # [{"width": …, "height": …, "key": "<sha256>.jpg"}], widest first
    renditions: Any = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)
    attached_at = fields.DatetimeField(null=True)

    class Meta:
        table = "uploads"
        indexes = (("owner_id", "created_at"),)


class UnusedFile(Model):
    """A media-store key that a sweep found named by no photo (resolvers/sweep.py). The
    next sweep at least a grace period later deletes the file if still nothing names it:
    a request that stores a file and commits the row naming it a moment later is never
    robbed of it."""

    key = fields.CharField(max_length=80, primary_key=True)
    found_at = fields.DatetimeField()

    class Meta:
        table = "unused_files"
