from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from enum import StrEnum
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
from graph.selection import first_comment_sizes
from graph.types.photo import Photo, media_url, photo_of
from resolvers import notifications, playlists, postcards, safety, share, users, visibility
from resolvers.pagination import Page

if TYPE_CHECKING:
    from graph.types.notification import Notification
    from graph.types.playlist import Playlist
    from graph.types.postcard import Postcard
    from graph.types.safety import FollowRequest

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")
LazyPostcard = Annotated["Postcard", strawberry.lazy("graph.types.postcard")]
LazyNotification = Annotated["Notification", strawberry.lazy("graph.types.notification")]
LazyPlaylist = Annotated["Playlist", strawberry.lazy("graph.types.playlist")]
LazyFollowRequest = Annotated["FollowRequest", strawberry.lazy("graph.types.safety")]
EMPTY: Page[object] = Page(rows=[], cursors=[], has_next=False, has_previous=False)


class FollowStates(StrEnum):
    NONE = "NONE"
    REQUESTED = "REQUESTED"
    FOLLOWING = "FOLLOWING"


FollowState = compat.describe_values(
    strawberry.enum(
        FollowStates, name="FollowState", description="The viewer's follow of a member."
    ),
    {
        "NONE": "Not following (and no request pending).",
        "REQUESTED": "Asked to follow a private account; waiting for an answer.",
        "FOLLOWING": "Following.",
    },
)
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
        "is_private",
        "follower_count",
        "following_count",
        "postcard_count",
        "role",
    )

    @strawberry.field(
        description="The member's profile page on the web (absolute, PUBLIC_URL/u/<username>): "
        "their latest moments, unless the account is private."
    )
    def profile_url(self, info: Info) -> str:
        return share.profile_url(info.context.settings.public_url, self.row.username)

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

    is_private: bool = strawberry.field(
        description="Only followers this member approved see their moments, followers, "
        "following, public playlists and likes; following them is a request."
    )

    @strawberry.field(
        description="Whether the viewer blocks this member (false when anonymous or yourself)."
    )
    async def viewer_has_blocked(self, info: Info) -> bool:
        return (await relation_of(info, self.row.id)).blocks

    @strawberry.field(
        description="Whether this member blocks the viewer: then neither sees the other's "
        "content, and the client can say so."
    )
    async def viewer_is_blocked_by(self, info: Info) -> bool:
        return (await relation_of(info, self.row.id)).blocked_by

    @strawberry.field(
        description="Whether the viewer mutes this member (an unexpired mute). The muted "
        "member is never told: this is the viewer's own."
    )
    async def viewer_has_muted(self, info: Info) -> bool:
        return (await relation_of(info, self.row.id)).mutes

    @strawberry.field(
        description="The viewer's follow of this member: NONE, REQUESTED (a private account "
        "has not answered yet) or FOLLOWING."
    )
    async def viewer_follow_state(self, info: Info) -> FollowState:  # type: ignore[valid-type]
        known = await relation_of(info, self.row.id)
        if known.follows:
            return FollowState.FOLLOWING
        return FollowState.REQUESTED if known.requested else FollowState.NONE

    async def _content_hidden(self, info: Info) -> bool:
        """Whether the viewer may not see this member's moments and lists."""
        viewer, row = info.context.viewer, self.row
        if viewer is None or (not row.is_private and not row.block_count):
            # no relation changes the answer (and none is looked up): the anonymous have
            # none, and a public member in no block is seen by everyone (unless suspended)
            return not visibility.sees_content(viewer.id if viewer else None, row, visibility.NONE)
        return not visibility.sees_content(viewer.id, row, await relation_of(info, row.id))

    @strawberry.field(
        description="Members who follow this one, most recent first (empty when this "
        "member's lists are hidden from you: private, or a block)."
    )
    async def followers(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[User]:
        if await self._content_hidden(info):
            return connection(EMPTY)
        page = await users.followers(self.row.id, info.context.viewer, first, after)
        return await users_connection(info, page, [f.follower_id for f in page.rows])

    @strawberry.field(
        description="Members this one follows, most recent first (empty when hidden from you)."
    )
    async def following(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[User]:
        if await self._content_hidden(info):
            return connection(EMPTY)
        page = await users.following(self.row.id, info.context.viewer, first, after)
        return await users_connection(info, page, [f.followee_id for f in page.rows])

    @strawberry.field(
        description="Moments this member shared, newest first (empty when hidden from you: "
        "a private account you do not follow, or a block)."
    )
    async def postcards(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[LazyPostcard]:
        from graph.types.postcard import postcards_connection

        if await self._content_hidden(info):
            return connection(EMPTY)
        viewer = info.context.viewer
        page = await postcards.by_author(
            self.row.id,
            first,
            after,
            viewer_id=viewer.id if viewer is not None else None,
            comments=max(first_comment_sizes(info), default=0),
            # taken, not read: its moments' author is this member, a cycle while both hold
            # each other (another selection of this field reads its page itself)
            brought=self.row.__dict__.pop("first_moments", None),
        )
        return postcards_connection(info, page)

    @strawberry.field(
        description="This member's playlists, newest first: public ones, and private ones "
        "too when the viewer is this member (empty when hidden from you)."
    )
    async def playlists(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[LazyPlaylist]:
        from graph.types.playlist import Playlist

        if await self._content_hidden(info):
            return connection(EMPTY)
        page = await playlists.by_owner(self.row.id, info.context.viewer, first, after)
        return connection(page, wrap=Playlist.from_row)

    def _is_viewer(self, info: Info) -> models.User | None:
        """The viewer, when this member is the viewer: viewer-only fields are null for
        anyone else, so that one member's private field never takes down a list."""
        viewer = info.context.viewer
        return viewer if viewer is not None and viewer.id == self.row.id else None

    @strawberry.field(
        description="Your notifications, newest first (none from members you mute or who "
        "are blocked either way). Viewer-only: null on any other member."
    )
    async def notifications(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[LazyNotification] | None:
        from graph.types.notification import notifications_of

        viewer = self._is_viewer(info)
        return await notifications_of(info, viewer, first, after) if viewer else None

    @strawberry.field(
        description="How many of your notifications are unread. Viewer-only: null on any "
        "other member."
    )
    async def unread_notification_count(self, info: Info) -> int | None:
        viewer = self._is_viewer(info)
        return await notifications.unread_count(viewer) if viewer else None

    @strawberry.field(
        description="Members you block, most recently blocked first. Viewer-only: null on "
        "any other member."
    )
    async def blocked_users(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[User] | None:
        viewer = self._is_viewer(info)
        if viewer is None:
            return None
        page = await safety.blocked_users(viewer, first, after)
        return await users_connection(info, page, [row.blocked_id for row in page.rows])

    @strawberry.field(
        description="Members you mute (unexpired mutes), most recently muted first. "
        "Viewer-only: null on any other member."
    )
    async def muted_users(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[User] | None:
        viewer = self._is_viewer(info)
        if viewer is None:
            return None
        page = await safety.muted_users(viewer, first, after)
        return await users_connection(info, page, [row.muted_id for row in page.rows])

    @strawberry.field(
        description="Requests to follow you (a private account), newest first: accept or "
        "reject them. Viewer-only: null on any other member."
    )
    async def follow_requests(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[LazyFollowRequest] | None:
        from graph.types.safety import FollowRequest

        viewer = self._is_viewer(info)
        if viewer is None:
            return None
        return connection(
            await safety.follow_requests(viewer, first, after), wrap=FollowRequest.from_row
        )


async def relation_of(info: Info, user_id: int) -> visibility.Relation:
    """The viewer's relation to the member (batched per request)."""
    return await info.context.loaders.relation_by_user.load(user_id)


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
