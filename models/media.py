from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.user import User


class Upload(Model):
    """A photo a member uploaded, processed into renditions that the media store keeps by
    the sha256 of their bytes. Its owner's alone until it is attached (a later step of the
    photo work); one never attached is swept after a day."""

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

    class Meta:
        table = "uploads"
        indexes = (("owner_id", "created_at"),)
