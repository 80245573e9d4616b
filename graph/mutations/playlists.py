from __future__ import annotations

from typing import Annotated

import strawberry

import models
from graph.context import Info
from graph.errors import UserError, attempt
from graph.mutations import INPUT
from graph.relay import decode_id
from graph.types.playlist import Playlist
from resolvers import playlists

EXPECTED = (
    "The playlist version you last saw; if it changed since, nothing happens and the "
    "error code is CONFLICT."
)


@strawberry.input(description="Create a playlist.")
class CreatePlaylistInput:
    title: str = strawberry.field(description="1 to 100 characters.")
    description: str | None = strawberry.field(default=None, description="Up to 1,000 characters.")
    is_public: bool | None = strawberry.field(
        default=None, description="Visible to everyone (default true)."
    )


@strawberry.input(description="Change a playlist's details; omitted fields stay.")
class UpdatePlaylistInput:
    playlist_id: strawberry.ID = strawberry.field(description="Global ID of your playlist.")
    title: str | None = strawberry.field(default=None, description="1 to 100 characters.")
    description: str | None = strawberry.field(default=None, description="Up to 1,000 characters.")
    is_public: bool | None = strawberry.field(default=None, description="Visible to everyone.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Delete a playlist.")
class DeletePlaylistInput:
    playlist_id: strawberry.ID = strawberry.field(description="Global ID of your playlist.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(
    description="Add a song: a postcard's track (remembering the postcard) or a track."
)
class AddToPlaylistInput:
    playlist_id: strawberry.ID = strawberry.field(description="Global ID of your playlist.")
    postcard_id: strawberry.ID | None = strawberry.field(
        default=None, description="Add this moment's song (give this or trackId)."
    )
    track_id: strawberry.ID | None = strawberry.field(
        default=None, description="Add this track (give this or postcardId)."
    )
    position: int | None = strawberry.field(
        default=None, description="0-based position to insert at; default the end."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(description="Remove one item.")
class RemoveFromPlaylistInput:
    playlist_id: strawberry.ID = strawberry.field(description="Global ID of your playlist.")
    item_id: strawberry.ID = strawberry.field(description="Global ID of the PlaylistItem.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.input(
    description="Reorder like Spotify: move `rangeLength` items starting at `rangeStart` to "
    "before the item now at `insertBefore` (use itemCount to move to the end)."
)
class MovePlaylistItemsInput:
    playlist_id: strawberry.ID = strawberry.field(description="Global ID of your playlist.")
    range_start: int = strawberry.field(description="Position of the first item to move.")
    insert_before: int = strawberry.field(
        description="Position (before the move) to insert the items before, 0 to itemCount."
    )
    range_length: int = strawberry.field(default=1, description="How many items to move.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED)


@strawberry.type(description="A playlist after a change; its version was bumped.")
class PlaylistPayload:
    playlist: Playlist | None = strawberry.field(description="The playlist; null on failure.")
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


@strawberry.type(description="Result of deletePlaylist.")
class DeletePlaylistPayload:
    deleted_playlist_id: strawberry.ID | None = strawberry.field(
        description="Global ID of the deleted playlist; null on failure."
    )
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


def _payload(row: models.Playlist | None, errors: list[UserError]) -> PlaylistPayload:
    return PlaylistPayload(playlist=Playlist.from_row(row) if row else None, errors=errors)


def _id(value: strawberry.ID | None, type_name: str) -> int | None:
    return decode_id(value, type_name) if value is not None else None


async def create_playlist(
    info: Info, input: Annotated[CreatePlaylistInput, INPUT]
) -> PlaylistPayload:
    viewer = info.context.require_viewer()
    work = playlists.create(viewer, input.title, input.description, input.is_public)
    return _payload(*await attempt(work))


async def update_playlist(
    info: Info, input: Annotated[UpdatePlaylistInput, INPUT]
) -> PlaylistPayload:
    viewer = info.context.require_viewer()
    work = playlists.update(
        viewer,
        decode_id(input.playlist_id, "Playlist"),
        title=input.title,
        description=input.description,
        is_public=input.is_public,
        expected_version=input.expected_version,
    )
    return _payload(*await attempt(work))


async def delete_playlist(
    info: Info, input: Annotated[DeletePlaylistInput, INPUT]
) -> DeletePlaylistPayload:
    viewer = info.context.require_viewer()
    work = playlists.delete(
        viewer, decode_id(input.playlist_id, "Playlist"), input.expected_version
    )
    deleted, errors = await attempt(work)
    return DeletePlaylistPayload(
        deleted_playlist_id=input.playlist_id if deleted else None, errors=errors
    )


async def add_to_playlist(
    info: Info, input: Annotated[AddToPlaylistInput, INPUT]
) -> PlaylistPayload:
    viewer = info.context.require_viewer()
    work = playlists.add(
        viewer,
        decode_id(input.playlist_id, "Playlist"),
        postcard_id=_id(input.postcard_id, "Postcard"),
        track_id=_id(input.track_id, "Track"),
        postcard_given=input.postcard_id is not None,
        track_given=input.track_id is not None,
        position=input.position,
        expected_version=input.expected_version,
    )
    return _payload(*await attempt(work))


async def remove_from_playlist(
    info: Info, input: Annotated[RemoveFromPlaylistInput, INPUT]
) -> PlaylistPayload:
    viewer = info.context.require_viewer()
    work = playlists.remove(
        viewer,
        decode_id(input.playlist_id, "Playlist"),
        decode_id(input.item_id, "PlaylistItem"),
        input.expected_version,
    )
    return _payload(*await attempt(work))


async def move_playlist_items(
    info: Info, input: Annotated[MovePlaylistItemsInput, INPUT]
) -> PlaylistPayload:
    viewer = info.context.require_viewer()
    work = playlists.move(
        viewer,
        decode_id(input.playlist_id, "Playlist"),
        range_start=input.range_start,
        insert_before=input.insert_before,
        range_length=input.range_length,
        expected_version=input.expected_version,
    )
    return _payload(*await attempt(work))
