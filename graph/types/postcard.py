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
    to_global_id,
)
from graph.types.photo import Photo, photo_of
from graph.types.track import Track, track_of
from graph.types.user import User, loaded, user_of, users_connection
from resolvers import comments, likes
from resolvers.pagination import Page, check_first
from resolvers.sql.comments import first_page
from resolvers.sql.hydrate import joined


@strawberry.type(description="Where a moment happened.")
class Place:
    name: str = strawberry.field(description="Name of the place.")
    latitude: float | None = strawberry.field(description="Latitude, -90 to 90.")
    longitude: float | None = strawberry.field(description="Longitude, -180 to 180.")
    foursquare_venue_id: str | None = strawberry.field(description="Foursquare venue id.")


@strawberry.type(description="A music moment: a song, a photo, a caption and a place.")
class Postcard(Node):
    row: strawberry.Private[models.Postcard]
    caption: str = strawberry.field(description="What the author wrote (may be empty).")
    photo: Photo | None = strawberry.field(description="The photo, if any.")
    place: Place | None = strawberry.field(description="The place, if any.")
    created_at: datetime = strawberry.field(description="When it was shared.")
    updated_at: datetime = strawberry.field(description="When it was last edited.")
    like_count: int = strawberry.field(description="How many members like it.")
    comment_count: int = strawberry.field(description="How many comments it has.")

    @classmethod
    def from_row(cls, row: models.Postcard) -> Postcard:
        photo = photo_of(row.photo, row.photo_url, row.photo_source)
        place = None
        if row.place_name:
            place = Place(
                name=row.place_name,
                latitude=row.place_latitude,
                longitude=row.place_longitude,
                foursquare_venue_id=row.place_foursquare_id,
            )
        return cls(
            id=to_global_id("Postcard", row.id),
            row=row,
            caption=row.caption,
            photo=photo,
            place=place,
            created_at=row.created_at,
            updated_at=row.updated_at,
            like_count=row.like_count,
            comment_count=row.comment_count,
        )

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

    @strawberry.field(description="Members who like it, most recent first.")
    async def liked_by(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[User]:
        page = await likes.liked_by(self.row.id, first, after)
        return await users_connection(info, page, [like.user_id for like in page.rows])

    @strawberry.field(description="Comments, oldest first.")
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
                return connection(first_page(brought[1], size), wrap=Comment.from_row)
            return self._first_comments(info, size)  # type: ignore[return-value]
        return self._comments_after(first, after)  # type: ignore[return-value]

    async def _first_comments(self, info: Info, size: int) -> Connection[Comment]:
        page = await info.context.loaders.first_comments_by_postcard.load((self.row.id, size))
        return connection(page, wrap=Comment.from_row)

    async def _comments_after(self, first: int | None, after: str) -> Connection[Comment]:
        return connection(await comments.page(self.row.id, first, after), wrap=Comment.from_row)


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
        return Postcard.from_row(row)


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
