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
from graph.types.postcard import Postcard, shown_postcard
from graph.types.track import Track, load_track
from graph.types.user import User, load_user
from resolvers import playlists, visibility


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
        description="The moment it was added from, if any (null once that moment is deleted, "
        "and while it is hidden from you: the song stays)."
    )
    async def postcard(self, info: Info) -> Postcard | None:
        if self.row.postcard_id is None:
            return None
        row = await info.context.loaders.postcard_by_id.load(self.row.postcard_id)
        row = await shown_postcard(info, row)
        return Postcard.from_row(row) if row else None

    @strawberry.field(description="Who added it.")
    async def added_by(self, info: Info) -> User:
        return await load_user(info, self.row.added_by_id)


async def shown_playlist(info: Info, row: models.Playlist | None) -> models.Playlist | None:
    """The playlist, or None: someone else's private one, or one whose owner's lists are
    hidden from the viewer (a private account they do not follow, a block, a suspension)."""
    viewer = info.context.viewer
    row = playlists.visible(row, viewer)
    if row is None or (viewer is not None and row.owner_id == viewer.id):
        return row
    owner = await info.context.loaders.user_by_id.load(row.owner_id)
    if owner is None:
        return None
    known = visibility.NONE
    if viewer is not None:
        known = await info.context.loaders.relation_by_user.load(row.owner_id)
    return row if visibility.sees_content(viewer.id if viewer else None, owner, known) else None
