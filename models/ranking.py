from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.user import User


class RankingSnapshot(Model):
    """A ranked list of moments frozen at one time: trending (no viewer) or one member's
    ranked feed. Its pages are read by position, so paging never repeats or skips a moment
    while scores move (resolvers/ranking.py)."""

    id = fields.BigIntField(primary_key=True)
    viewer_id: int | None
    viewer: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="ranking_snapshots", on_delete=fields.CASCADE, null=True
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "ranking_snapshots"
        indexes = (("viewer_id", "created_at"), ("created_at",))


class RankingEntry(Model):
    """One moment at its place in a snapshot. No foreign key to the moment: a deleted one
    drops out of the pages that join it, and deleting it costs nothing here."""

    id = fields.BigIntField(primary_key=True)
    snapshot_id: int
    snapshot: fields.ForeignKeyRelation[RankingSnapshot] = fields.ForeignKeyField(
        "models.RankingSnapshot", related_name="entries", on_delete=fields.CASCADE
    )
    position = fields.IntField()  # 1, 2, 3 … in the snapshot's order
    postcard_id = fields.BigIntField()
    author_id = fields.BigIntField()
    score = fields.FloatField()

    class Meta:
        table = "ranking_entries"
        unique_together = (("snapshot", "position"),)
