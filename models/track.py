from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class TrackProvider(StrEnum):
    """The services a song may be linked on (resolvers/links.py reads their links)."""

    SPOTIFY = "SPOTIFY"
    APPLE_MUSIC = "APPLE_MUSIC"
    YOUTUBE = "YOUTUBE"
    DEEZER = "DEEZER"
    TIDAL = "TIDAL"
    SOUNDCLOUD = "SOUNDCLOUD"
    BANDCAMP = "BANDCAMP"


class Track(Model):
    """A song. `dedupe_key` is `spotify:<id>` when the Spotify id is known at creation, else
    `isrc:<isrc>` when the ISRC is, else the normalized title and artist (`song_key`), so
    the same song shared twice is one Track. Its Spotify link is `spotify_id`; its other
    links are `TrackLink` rows."""

    id = fields.BigIntField(primary_key=True)
    title = fields.CharField(max_length=300)
    artist = fields.CharField(max_length=300)
    album = fields.CharField(max_length=300, null=True)
    duration_ms = fields.IntField(null=True)
    artwork_url = fields.CharField(max_length=2048, null=True)
    spotify_id = fields.CharField(max_length=22, null=True, unique=True)
    dedupe_key = fields.CharField(max_length=700, unique=True)
    # The normalized title and artist (resolvers/validate.py `song_key`), whatever the key:
    # a song arriving through another service is found by it.
    song_key = fields.CharField(max_length=700, null=True)
    # 12 characters, upper-case, without dashes (resolvers/links.py `clean_isrc`).
    isrc = fields.CharField(max_length=12, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tracks"
        indexes = (("song_key",),)


class TrackLink(Model):
    """A song's link on a service other than Spotify (Spotify's is `Track.spotify_id`), in
    its canonical form (resolvers/links.py). A link is one song's: unique across tracks."""

    id = fields.BigIntField(primary_key=True)
    track_id: int
    track: fields.ForeignKeyRelation[Track] = fields.ForeignKeyField(
        "models.Track", related_name="links", on_delete=fields.CASCADE
    )
    provider = fields.CharEnumField(TrackProvider, max_length=16)
    url = fields.CharField(max_length=300)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "track_links"
        unique_together = (("provider", "url"),)
        indexes = (("track_id", "provider"),)
