from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.postcard import Comment, Postcard
    from models.user import User


class NotificationKind(StrEnum):
    LIKED = "LIKED"
    COMMENTED = "COMMENTED"
    FOLLOWED = "FOLLOWED"
    # Stored in the column's ten characters; the GraphQL enum shows the names.
    FOLLOW_REQUESTED = "REQUESTED"
    FOLLOW_ACCEPTED = "ACCEPTED"


class Notification(Model):
    """Something another member did to the recipient: a like, a comment or a follow.
    `dedupe_key` is LIKED:<actor>:<postcard> or FOLLOWED:<actor>:<recipient>, unique, so a
    like or follow burst notifies once ever, and null for comments (each one notifies).
    The postcard and comment become null when they are deleted."""

    id = fields.BigIntField(primary_key=True)
    recipient_id: int
    recipient: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    actor_id: int
    actor: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications_caused", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(NotificationKind, max_length=10)
    postcard_id: int | None
    postcard: fields.ForeignKeyNullableRelation[Postcard] = fields.ForeignKeyField(
        "models.Postcard", related_name="notifications", null=True, on_delete=fields.SET_NULL
    )
    comment_id: int | None
    comment: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="notifications", null=True, on_delete=fields.SET_NULL
    )
    dedupe_key = fields.CharField(max_length=100, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications"
        indexes = (("recipient_id", "id"), ("recipient_id", "read_at"))
