from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Annotated

import strawberry

import models
from graph import compat
from graph.context import Info
from graph.relay import (
    After,
    Connection,
    First,
    Node,
    copied_from_row,
)
from graph.types.user import loaded
from resolvers import tracks
from resolvers.links import Link

if TYPE_CHECKING:
    from graph.types.postcard import Postcard

LazyPostcard = Annotated["Postcard", strawberry.lazy("graph.types.postcard")]


TrackProvider = compat.describe_values(
    strawberry.enum(
        models.TrackProvider,
        description='A music service a song is linked on (README, "Song links", lists the '
        "links each accepts).",
    ),
    {
        "SPOTIFY": "Spotify: https://open.spotify.com/track/<id>.",
        "APPLE_MUSIC": "Apple Music: https://music.apple.com/<country>/song/<id>.",
        "YOUTUBE": "YouTube (and YouTube Music): https://youtube.com/watch?v=<id>.",
        "DEEZER": "Deezer: https://deezer.com/track/<id>.",
        "TIDAL": "Tidal: https://tidal.com/track/<id>.",
        "SOUNDCLOUD": "SoundCloud: https://soundcloud.com/<user>/<track>.",
        "BANDCAMP": "Bandcamp: https://<artist>.bandcamp.com/track/<track>.",
    },
)


@strawberry.type(description="Where a song can be played: one service's link to it.")
class TrackLink:
    provider: TrackProvider = strawberry.field(  # type: ignore[valid-type]
        description="The service."
    )
    url: str = strawberry.field(
        description="The song's link there, in canonical form (https, no tracking parameters)."
    )

    @classmethod
    def of(cls, link: Link) -> TrackLink:
        return cls(provider=link.provider, url=link.url)


@strawberry.type(
    description="A song. The same song is one Track, whichever service it was shared from "
    "(same Spotify id, link or ISRC, else same title and artist)."
)
class Track(Node):
    row: strawberry.Private[models.Track]
    title: str = strawberry.field(description="Song title.")
    artist: str = strawberry.field(description="Performing artist(s).")
    album: str | None = strawberry.field(description="Album, when known.")
    duration_ms: int | None = strawberry.field(description="Length in milliseconds.")
    artwork_url: str | None = strawberry.field(description="Cover art URL.")
    isrc: str | None = strawberry.field(
        description="International Standard Recording Code, when known: 12 characters, "
        "upper-case, without dashes (e.g. USRC17607839)."
    )

    from_row = copied_from_row("title", "artist", "album", "duration_ms", "artwork_url", "isrc")

    @strawberry.field(description="Spotify URI, e.g. spotify:track:4uLU6hMCjMI75M1A2tKUQC.")
    def spotify_uri(self) -> str | None:
        return f"spotify:track:{self.row.spotify_id}" if self.row.spotify_id else None

    @strawberry.field(description="Link that opens the track on Spotify.")
    def spotify_url(self) -> str | None:
        spotify_id = self.row.spotify_id
        return f"https://open.spotify.com/track/{spotify_id}" if spotify_id else None

    @strawberry.field(
        description="Where to play it: one link per service and song, Spotify's first, then "
        "Apple Music, YouTube, Deezer, Tidal, SoundCloud and Bandcamp, oldest first within a "
        "service. Members add them (addTrackLink, a track input's link); with a link "
        "resolver configured, the other services' links follow on their own."
    )
    async def links(self, info: Info) -> list[TrackLink]:
        found = await info.context.loaders.links_by_track.load(self.row.id)
        return [TrackLink.of(link) for link in found]

    @strawberry.field(
        description="How many distinct members shared this song, in all (every moment "
        "counts, like likeCount; charts count only the moments you may see)."
    )
    async def share_count(self, info: Info) -> int:
        return await info.context.loaders.share_count_by_track.load(self.row.id)

    @strawberry.field(description="Moments that share this track, newest first.")
    async def postcards(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[LazyPostcard]:
        from graph.types.postcard import postcards_connection

        page = await tracks.postcards(self.row.id, first, after)
        return postcards_connection(info, page)


def track_of(info: Info, track_id: int) -> Track | Awaitable[Track]:
    """The track, at once when loaded already, else through the loader's batch."""
    row = loaded(info.context.loaders.track_by_id, track_id)
    return Track.from_row(row) if row is not None else load_track(info, track_id)


async def load_track(info: Info, track_id: int) -> Track:
    row = await info.context.loaders.track_by_id.load(track_id)
    if row is None:
        raise LookupError(f"track {track_id} vanished")
    return Track.from_row(row)
