from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.user import User


class Follow(Model):
    """`follower` follows `followee`, one row per pair."""

    id = fields.BigIntField(primary_key=True)
    follower_id: int
    follower: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="following_rows", on_delete=fields.CASCADE
    )
    followee_id: int
    followee: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="follower_rows", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "follows"
        unique_together = (("follower", "followee"),)
        indexes = (("followee_id", "created_at"), ("follower_id", "created_at"))
