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
