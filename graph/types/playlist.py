from __future__ import annotations

from datetime import datetime

import strawberry

import models
from graph.context import Info
from graph.relay import (
    After,
    Connection,
    First,
    Node,
    connection,
    copied_from_row,
)
from graph.types.postcard import Postcard
from graph.types.track import Track, load_track
from graph.types.user import User, load_user
from resolvers import playlists


@strawberry.type(
    description="An ordered collection of songs. Private playlists are visible to their owner only."
)
class Playlist(Node):
    row: strawberry.Private[models.Playlist]
    title: str = strawberry.field(description="Title, 1 to 100 characters.")
    description: str = strawberry.field(description="Description (may be empty).")
    is_public: bool = strawberry.field(description="Whether everyone can see it.")
    version: int = strawberry.field(
        description="Bumped by every change; pass it as `expectedVersion` to edit safely."
    )
    item_count: int = strawberry.field(description="How many items it holds.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    from_row = copied_from_row(
        "title", "description", "is_public", "version", "item_count", "created_at", "updated_at"
    )

    @strawberry.field(description="Who owns it.")
    async def owner(self, info: Info) -> User:
        return await load_user(info, self.row.owner_id)

    @strawberry.field(description="The items, in playlist order.")
    async def items(
        self,
        first: First = None,
        after: After = None,
    ) -> Connection[PlaylistItem]:
        page = await playlists.items(self.row.id, first, after)
        return connection(page, wrap=PlaylistItem.from_row)


@strawberry.type(description="One entry of a playlist.")
class PlaylistItem(Node):
    row: strawberry.Private[models.PlaylistItem]
    position: int = strawberry.field(description="0-based position in the playlist.")
    added_at: datetime = strawberry.field(description="When it was added.")

    from_row = copied_from_row("position", "added_at")

    @strawberry.field(description="The song.")
    async def track(self, info: Info) -> Track:
        return await load_track(info, self.row.track_id)

    @strawberry.field(
        description="The moment it was added from, if any (null once that moment is deleted)."
    )
    async def postcard(self, info: Info) -> Postcard | None:
        if self.row.postcard_id is None:
            return None
        row = await info.context.loaders.postcard_by_id.load(self.row.postcard_id)
        return Postcard.from_row(row) if row else None

    @strawberry.field(description="Who added it.")
    async def added_by(self, info: Info) -> User:
        return await load_user(info, self.row.added_by_id)
