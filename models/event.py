from tortoise import fields
from tortoise.models import Model


class FeedEvent(Model):
    """The durable, ordered log of feed events. `id` is the sequence live clients resume from.
    No foreign key to the postcard: a deletion event outlives its postcard."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=20)
    postcard_id = fields.BigIntField()
    author_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "feed_events"
        indexes = (("author_id", "id"), ("created_at",))


class DepartedFollower(Model):
    """Who followed a deleted account when it went: its moments' DELETED events reach them,
    though the follows went with the account. Written in the deletion's transaction, so
    every reader of the log (the hub after a gap, a subscription resuming from a cursor)
    routes those tombstones as the live doorbell does; pruned with the log."""

    id = fields.BigIntField(primary_key=True)
    author_id = fields.BigIntField()
    follower_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "departed_followers"
        unique_together = (("author_id", "follower_id"),)
        indexes = (("follower_id", "author_id"), ("created_at",))
