from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import strawberry
from strawberry.dataloader import DataLoader

import models
from graph import compat
from graph.context import Info
from graph.relay import (
    After,
    Connection,
    First,
    Node,
    connection,
    copied_from_row,
)
from graph.types.photo import Photo, media_url, photo_of
from resolvers import playlists, postcards, users

if TYPE_CHECKING:
    from graph.types.notification import Notification
    from graph.types.playlist import Playlist
    from graph.types.postcard import Postcard

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")
LazyPostcard = Annotated["Postcard", strawberry.lazy("graph.types.postcard")]
LazyNotification = Annotated["Notification", strawberry.lazy("graph.types.notification")]
LazyPlaylist = Annotated["Playlist", strawberry.lazy("graph.types.playlist")]
# The side of the square `avatarUrl` gives of an uploaded avatar.
AVATAR_URL_SIDE = 200


Role = compat.describe_values(
    strawberry.enum(
        models.Role,
        description="What a member may do: MEMBER (everyone), MODERATOR (reads and resolves "
        "reports), ADMIN (a moderator who also reads the moderation log). Granted with "
        "`soundpost grant-role <username> <ROLE>`.",
    ),
    {
        "MEMBER": "A member like any other.",
        "MODERATOR": "Reads the reports (`reports`) and resolves them (`resolveReport`).",
        "ADMIN": "A moderator who also reads the audit log (`moderationLog`).",
    },
)


@strawberry.type(description="A Soundpost member: a profile, a follow graph and their moments.")
class User(Node):
    row: strawberry.Private[models.User]
    username: str = strawberry.field(
        description="Unique handle: 3 to 30 of a-z, 0-9, '_' and '.', always lowercase."
    )
    display_name: str = strawberry.field(description="Name shown on the profile.")
    bio: str = strawberry.field(description="A few words about the member (may be empty).")
    created_at: datetime = strawberry.field(description="When the member signed up.")
    follower_count: int = strawberry.field(description="How many members follow this one.")
    following_count: int = strawberry.field(description="How many members this one follows.")
    postcard_count: int = strawberry.field(description="How many moments this member shared.")
    role: Role = strawberry.field(  # type: ignore[valid-type]
        description="MEMBER, MODERATOR or ADMIN. Public, so clients can show a staff badge."
    )

    from_row = copied_from_row(
        "username",
        "display_name",
        "bio",
        "created_at",
        "follower_count",
        "following_count",
        "postcard_count",
        "role",
    )

    @strawberry.field(
        description="URL of the profile picture (its 200 px square when uploaded here); null "
        "without one."
    )
    def avatar_url(self, info: Info) -> str | None:
        if self.row.avatar:
            return media_url(info, self.row.avatar, AVATAR_URL_SIDE)
        return self.row.avatar_url

    @strawberry.field(
        description="The profile picture with its sizes and placeholder (squares of 400, 200 "
        "and 80 px when uploaded here); null without one."
    )
    def avatar(self) -> Photo | None:
        linked = models.PhotoSource.WEB if self.row.avatar_url else None
        return photo_of(self.row.avatar, self.row.avatar_url, linked)

    @strawberry.field(description="Whether the signed-in viewer follows this member.")
    async def viewer_is_following(self, info: Info) -> bool:
        return await info.context.loaders.viewer_follows_by_user.load(self.row.id)

    @strawberry.field(description="Members who follow this one, most recent first.")
    async def followers(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[User]:
        page = await users.followers(self.row.id, first, after)
        return await users_connection(info, page, [f.follower_id for f in page.rows])

    @strawberry.field(description="Members this one follows, most recent first.")
    async def following(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[User]:
        page = await users.following(self.row.id, first, after)
        return await users_connection(info, page, [f.followee_id for f in page.rows])

    @strawberry.field(description="Moments this member shared, newest first.")
    async def postcards(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[LazyPostcard]:
        from graph.types.postcard import postcards_connection

        page = await postcards.by_author(self.row.id, first, after)
        return postcards_connection(info, page)

    @strawberry.field(
        description="This member's playlists, newest first: public ones, and private ones "
        "too when the viewer is this member."
    )
    async def playlists(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[LazyPlaylist]:
        from graph.types.playlist import Playlist

        page = await playlists.by_owner(self.row.id, info.context.viewer, first, after)
        return connection(page, wrap=Playlist.from_row)

    @strawberry.field(
        description="Your notifications, newest first. Viewer-only: read it through `viewer`; "
        "on any other member it is a top-level error with extensions.code FORBIDDEN."
    )
    async def notifications(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[LazyNotification]:
        from graph.types.notification import notifications_of

        return await notifications_of(info, self.row, first, after)

    @strawberry.field(
        description="How many of your notifications are unread. Viewer-only: read it through "
        "`viewer`; on any other member it is a top-level error with extensions.code FORBIDDEN."
    )
    async def unread_notification_count(self, info: Info) -> int:
        from graph.types.notification import unread_count_of

        return await unread_count_of(info, self.row)


def loaded(loader: DataLoader[K, V], key: K) -> V | None:
    """The loader's value for `key` if it is there already (primed, or loaded earlier in
    this request), else None. A resolver that finds it answers at once: graphql-core pays
    for every awaitable."""
    future = loader.cache_map.get(key) if loader.cache else None
    if future is None or not future.done() or future.cancelled() or future.exception():
        return None
    return future.result()


def user_of(info: Info, user_id: int) -> User | Awaitable[User]:
    """The user, at once when loaded already, else through the loader's batch."""
    row = loaded(info.context.loaders.user_by_id, user_id)
    return User.from_row(row) if row is not None else load_user(info, user_id)


async def load_user(info: Info, user_id: int) -> User:
    row = await info.context.loaders.user_by_id.load(user_id)
    if row is None:  # foreign keys cascade, so a referenced user always exists
        raise LookupError(f"user {user_id} vanished")
    return User.from_row(row)


async def users_connection(info: Info, page, user_ids: list[int]) -> Connection[User]:
    rows = await info.context.loaders.user_by_id.load_many(user_ids)
    return connection(page, nodes=[User.from_row(row) for row in rows if row is not None])
