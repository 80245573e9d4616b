from tortoise import fields
from tortoise.models import Model


class Track(Model):
    """A song. `dedupe_key` is `spotify:<id>` when the Spotify id is known, else the
    normalized title and artist, so the same song shared twice is one Track."""

    id = fields.BigIntField(primary_key=True)
    title = fields.CharField(max_length=300)
    artist = fields.CharField(max_length=300)
    album = fields.CharField(max_length=300, null=True)
    duration_ms = fields.IntField(null=True)
    artwork_url = fields.CharField(max_length=2048, null=True)
    spotify_id = fields.CharField(max_length=22, null=True, unique=True)
    dedupe_key = fields.CharField(max_length=700, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tracks"
