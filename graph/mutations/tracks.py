from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info
from graph.errors import UserError, attempt
from graph.mutations import INPUT
from graph.relay import decode_id
from graph.types.track import Track
from resolvers import tracks


@strawberry.input(description="A link to a song on a music service, for a track.")
class AddTrackLinkInput:
    track_id: strawberry.ID = strawberry.field(description="Global ID of the Track.")
    url: str = strawberry.field(
        description="The song on Spotify, Apple Music, YouTube, Deezer, Tidal, SoundCloud or "
        'Bandcamp (README, "Song links", lists the forms); anything else is '
        "UNSUPPORTED_LINK."
    )


@strawberry.type(description="A track after a change.")
class TrackPayload:
    track: Track | None = strawberry.field(
        description="The track that has the link: the one asked, or, when the link was on "
        "another track already, that one. Null on failure."
    )
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


async def add_track_link(info: Info, input: Annotated[AddTrackLinkInput, INPUT]) -> TrackPayload:
    info.context.require_viewer()
    placed, errors = await attempt(tracks.add_link(decode_id(input.track_id, "Track"), input.url))
    if placed is None:
        return TrackPayload(track=None, errors=errors)
    if placed.gained:
        info.context.discover(placed.track.id, placed.gained[0].url)
    return TrackPayload(track=Track.from_row(placed.track), errors=[])
