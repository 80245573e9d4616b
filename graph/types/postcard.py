from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

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
    to_global_id,
    written_init,
)
from graph.types.photo import Photo, photo_of
from graph.types.place import Place
from graph.types.track import Track, track_of
from graph.types.user import User, loaded, user_of
from resolvers import comments, likes, share, visibility
from resolvers.pagination import Page, check_first
from resolvers.sql.comments import first_page
from resolvers.sql.hydrate import joined

R = TypeVar("R")


# What `Postcard.from_row` sets, in its order (graph/relay.py `written_init`, per class).
FROM_ROW = (
    "id",
    "row",
    "caption",
    "photo",
    "place",
    "created_at",
    "updated_at",
    "like_count",
    "comment_count",
)
_made: dict[type[Any], Callable[..., Any]] = {}


@strawberry.type(description="A music moment: a song, a photo, a caption and a place.")
class Postcard(Node):
    row: strawberry.Private[models.Postcard]
    caption: str = strawberry.field(description="What the author wrote (may be empty).")
    photo: Photo | None = strawberry.field(description="The photo, if any.")
    place: Place | None = strawberry.field(description="Where it was shared, if said.")
    created_at: datetime = strawberry.field(description="When it was shared.")
    updated_at: datetime = strawberry.field(description="When it was last edited.")
    like_count: int = strawberry.field(description="How many members like it.")
    comment_count: int = strawberry.field(description="How many comments it has.")

    @classmethod
    def from_row(cls, row: models.Postcard) -> Postcard:
        photo = photo_of(row.photo, row.photo_url, row.photo_source)
        make = _made.get(cls) or _made.setdefault(cls, written_init(cls, FROM_ROW))
        return make(
            to_global_id("Postcard", row.id),
            row,
            row.caption,
            photo,
            Place.of_postcard(row),
            row.created_at,
            row.updated_at,
            row.like_count,
            row.comment_count,
        )

    @strawberry.field(
        description="The moment's page on the web (absolute, PUBLIC_URL/m/<id>), with its "
        "card for link previews and an oEmbed player; it shows the moment to anyone only "
        "while its author's account is public (else it is a 404)."
    )
    def share_url(self, info: Info) -> str:
        return share.share_url(info.context.settings.public_url, self.row.id)

    @strawberry.field(description="Who shared it.")
    def author(self, info: Info) -> User:
        if author := joined(self.row, "author", models.User):
            return User.from_row(author)
        return user_of(info, self.row.author_id)  # type: ignore[return-value]

    @strawberry.field(description="The song.")
    def track(self, info: Info) -> Track:
        if track := joined(self.row, "track", models.Track):
            return Track.from_row(track)
        return track_of(info, self.row.track_id)  # type: ignore[return-value]

    @strawberry.field(description="Whether the signed-in viewer likes it (false when anonymous).")
    def viewer_has_liked(self, info: Info) -> bool:
        if (liked := self.row.__dict__.get("viewer_liked")) is not None:
            return liked
        loader = info.context.loaders.viewer_liked_by_postcard
        liked = loaded(loader, self.row.id)
        return liked if liked is not None else loader.load(self.row.id)  # type: ignore[return-value]

    @strawberry.field(
        description="Members who like it, most recent first (but those whose likes are "
        "hidden from you: private accounts you do not follow, blocks either way)."
    )
    async def liked_by(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[User]:
        page = await likes.liked_by(self.row.id, info.context.viewer, first, after)
        members = info.context.loaders.user_by_id
        likers = []
        for like in page.rows:  # each like comes with its member (resolvers/likes.py)
            liker = joined(like, "user", models.User)
            if liker is None:
                raise LookupError(f"like {like.id} came without its member")
            members.prime(liker.id, liker)
            likers.append(User.from_row(liker))
        return connection(page, nodes=likers)

    @strawberry.field(
        description="Comments, oldest first (but those of members blocked either way with "
        "you, or suspended: a page may then hold fewer than `first`)."
    )
    def comments(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[Comment]:
        # at once when a page of moments brought its first comments along (a feed page
        # does); otherwise batched across every postcard of the page, or a page of its own
        if after is None:
            size = check_first(first)
            brought = self.row.__dict__.get("first_comments")
            if brought is not None and size <= brought[0]:
                page = first_page(brought[1], size)
                if all_shown(page.rows):  # most pages: none to leave out, one pass
                    return connection(page, wrap=Comment.from_row)
                page = unsuspended(page)
                if not in_blocks(page.rows):
                    return connection(page, wrap=Comment.from_row)
                return self._shown(info, page)  # type: ignore[return-value]
            return self._first_comments(info, size)  # type: ignore[return-value]
        return self._comments_after(info, first, after)  # type: ignore[return-value]

    async def _first_comments(self, info: Info, size: int) -> Connection[Comment]:
        page = await info.context.loaders.first_comments_by_postcard.load((self.row.id, size))
        return await self._shown(info, page)

    async def _comments_after(
        self, info: Info, first: int | None, after: str
    ) -> Connection[Comment]:
        return await self._shown(info, await comments.page(self.row.id, first, after))

    async def _shown(self, info: Info, page: Page[models.Comment]) -> Connection[Comment]:
        page = unsuspended(page)
        if in_blocks(page.rows) and info.context.viewer is not None:
            relations = await info.context.loaders.relation_by_user.load_many(
                [row.author_id for row in page.rows]
            )
            page = kept(page, [not known.blocked for known in relations])
        return connection(page, wrap=Comment.from_row)


@strawberry.type(description="A comment on a moment.")
class Comment(Node):
    row: strawberry.Private[models.Comment]
    body: str = strawberry.field(description="The text, 1 to 1,000 characters.")
    created_at: datetime = strawberry.field(description="When it was written.")

    from_row = copied_from_row("body", "created_at")

    @strawberry.field(description="Who wrote it.")
    def author(self, info: Info) -> User:
        if author := joined(self.row, "author", models.User):
            return User.from_row(author)
        return user_of(info, self.row.author_id)  # type: ignore[return-value]

    @strawberry.field(description="The moment it comments on.")
    async def postcard(self, info: Info) -> Postcard:
        row = await info.context.loaders.postcard_by_id.load(self.row.postcard_id)
        if row is None:
            raise LookupError(f"postcard {self.row.postcard_id} vanished")
        return Postcard.from_row(row)  # a comment is shown only with its moment


def all_shown(comments: list[models.Comment]) -> bool:
    """Whether every comment's author (attached) is neither suspended nor in any block:
    then none is left out of a page, whoever the viewer (`unsuspended` and `in_blocks`
    in one pass)."""
    for row in comments:
        author = joined(row, "author", models.User)
        if author is None or author.suspended_at is not None or author.block_count:
            return False
    return True


def in_blocks(comments: list[models.Comment]) -> bool:
    """Whether any of the comments' authors (attached to them) is in a block at all: most
    are not, and then nothing needs filtering, nor reading who the viewer is (a live
    event's comments stay shareable)."""
    for row in comments:
        author = joined(row, "author", models.User)
        if author is None or author.block_count:
            return True
    return False


def kept(page: Page[R], keep: list[bool]) -> Page[R]:
    """The page without the rows not kept (with their cursors)."""
    if all(keep):
        return page
    rows = [row for row, wanted in zip(page.rows, keep, strict=True) if wanted]
    cursors = [cursor for cursor, wanted in zip(page.cursors, keep, strict=True) if wanted]
    return Page(rows=rows, cursors=cursors, has_next=page.has_next, has_previous=page.has_previous)


def unsuspended(page: Page[models.Comment]) -> Page[models.Comment]:
    """The page without the comments of suspended members (authors come attached)."""
    authors = [joined(row, "author", models.User) for row in page.rows]
    return kept(page, [author is None or author.suspended_at is None for author in authors])


async def shown_postcard(info: Info, row: models.Postcard | None) -> models.Postcard | None:
    """The moment, or None when it is hidden from the viewer (its author private and not
    followed, blocked either way, or suspended). At once for a public author and a viewer
    in no block; else one batched statement per request."""
    if row is None:
        return None
    viewer = info.context.viewer
    if viewer is not None and row.author_id == viewer.id:
        return row
    author = joined(row, "author", models.User) or await info.context.loaders.user_by_id.load(
        row.author_id
    )
    if author is None:
        return None
    if not author.is_private and author.suspended_at is None and not author.block_count:
        return row
    known = visibility.NONE
    if viewer is not None:
        known = await info.context.loaders.relation_by_user.load(row.author_id)
    seen = visibility.sees_content(viewer.id if viewer else None, author, known)
    return row if seen else None


async def shown_comment(
    info: Info, row: models.Comment | None, *, moment_shown: bool = False
) -> models.Comment | None:
    """The comment, or None when its moment is hidden from the viewer (unless the caller
    knows it is shown), or its author is blocked either way or suspended."""
    if row is None:
        return None
    if not moment_shown:
        postcard = await info.context.loaders.postcard_by_id.load(row.postcard_id)
        if await shown_postcard(info, postcard) is None:
            return None
    author = await info.context.loaders.user_by_id.load(row.author_id)
    if author is None or author.suspended_at is not None:
        return None
    if author.block_count and info.context.viewer is not None:
        known = await info.context.loaders.relation_by_user.load(row.author_id)
        if known.blocked:
            return None
    return row


def postcards_connection(info: Info, page: Page[models.Postcard]) -> Connection[Postcard]:
    """A page of moments. Their authors and tracks come joined (`Postcard.author` and
    `track` answer from them); a feed page's rows also say whether its viewer, this
    request's, likes them (`Postcard.viewerHasLiked` answers from that; the viewer's likes
    loader is primed with it for other paths to the same moments), and may bring their
    first comments along (`Postcard.comments`)."""
    likes = info.context.loaders.viewer_liked_by_postcard
    for row in page.rows:
        if (liked := row.__dict__.get("viewer_liked")) is not None:
            likes.prime(row.id, liked)
    return connection(page, wrap=Postcard.from_row)
