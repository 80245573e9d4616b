from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.safety import Role


class User(Model):
    """A member. `username` is stored lowercased, which makes it unique case-insensitively."""

    id = fields.BigIntField(primary_key=True)
    username = fields.CharField(max_length=30, unique=True)
    display_name = fields.CharField(max_length=100, default="")
    bio = fields.CharField(max_length=500, default="")
    avatar_url = fields.CharField(max_length=2048, null=True)
    # A profile picture uploaded here (resolvers/photos.py `stored`, square renditions);
    # when set, it is the avatar and `avatar_url` is not used.
    avatar: Any = fields.JSONField(null=True)
    password_hash = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Denormalized counters, only ever changed with F() updates inside the writing transaction.
    follower_count = fields.IntField(default=0)
    following_count = fields.IntField(default=0)
    postcard_count = fields.IntField(default=0)
    # Only approved followers see a private member's moments and lists (README, "Safety").
    # (db defaults too: the columns were added to tables that have rows)
    is_private = fields.BooleanField(default=False, db_default=False)
    role = fields.CharEnumField(Role, max_length=10, default=Role.MEMBER, db_default=Role.MEMBER)
    # Blocks this member made or received: while 0, nothing of theirs needs a block filter.
    block_count = fields.IntField(default=0, db_default=0)
    # A suspended account cannot log in, and its content is hidden.
    suspended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"


class AccessToken(Model):
    """An opaque bearer token. Only its SHA-256 is stored."""

    id = fields.BigIntField(primary_key=True)
    user_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "access_tokens"
