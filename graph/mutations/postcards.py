from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info, publisher
from graph.errors import UserError, attempt
from graph.mutations import INPUT
from graph.relay import decode_id
from graph.types.photo import PhotoSource
from graph.types.postcard import Comment, Postcard
from resolvers import comments, likes, photos, postcards, tracks
from resolvers.errors import Code, problem


@strawberry.input(
    description="The song of a moment: either `trackId` of a known track, or its details "
    "(title and artist required), optionally with its links and ISRC. The same song is one "
    "Track: found by its Spotify id, its link, its ISRC, then its title and artist."
)
class TrackInput:
    track_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Global ID of an existing Track."
    )
    spotify_url: str | None = strawberry.field(
        default=None,
        description="https://open.spotify.com/track/<id> (a ?si= part and an intl-xx/ "
        "segment are fine).",
    )
    spotify_uri: str | None = strawberry.field(
        default=None, description="spotify:track:<22-character id>."
    )
    link: str | None = strawberry.field(
        default=None,
        description="The song on Spotify, Apple Music, YouTube, Deezer, Tidal, SoundCloud or "
        'Bandcamp (README, "Song links", lists the forms); anything else is '
        "UNSUPPORTED_LINK. A link already on a track makes the moment that track's.",
    )
    isrc: str | None = strawberry.field(
        default=None,
        description="The recording's ISRC, CC-XXX-YY-NNNNN (dashes optional, any case).",
    )
    title: str | None = strawberry.field(default=None, description="Song title.")
    artist: str | None = strawberry.field(default=None, description="Artist.")
    album: str | None = strawberry.field(default=None, description="Album.")
    duration_ms: int | None = strawberry.field(default=None, description="Length in ms.")
    artwork_url: str | None = strawberry.field(default=None, description="Cover art URL.")

    def to_resolver(self) -> tracks.TrackInput:
        given = self.track_id is not strawberry.UNSET and self.track_id is not None
        if self.spotify_url and self.spotify_uri:
            raise problem(("track",), "Give spotifyUrl or spotifyUri, not both.", Code.INVALID)
        return tracks.TrackInput(
            track_id=decode_id(self.track_id, "Track") if given else None,
            track_id_given=given,
            spotify=self.spotify_url or self.spotify_uri,
            link=self.link,
            isrc=self.isrc,
            title=self.title,
            artist=self.artist,
            album=self.album,
            duration_ms=self.duration_ms,
            artwork_url=self.artwork_url,
        )


@strawberry.input(
    description="A moment's photo: `uploadId`, a photo you uploaded (uploadPhoto), or `url`, a "
    "picture to import (fetched once and kept here). One of the two; both or neither is an "
    "INVALID user error."
)
class PhotoInput:
    upload_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Global ID of your PhotoUpload, not yet used and at most 24 hours old. "
        "It is used once: attached here, it can be attached nowhere else.",
    )
    url: str | None = strawberry.field(
        default=None,
        description="An http(s) picture to import: an Instagram post or reel link "
        "(instagram.com/p/<code> or /reel/<code>), an image URL, or a web page whose "
        "og:image names one.",
    )
    source: PhotoSource | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="UPLOAD with uploadId; INSTAGRAM or WEB with url. Told from the input "
        "when omitted (an instagram.com link is INSTAGRAM).",
    )
    alt: str | None = strawberry.field(
        default=None,
        description="Alternative text for screen readers, up to 1,000 characters (an "
        "upload's own alt when omitted).",
    )

    def to_resolver(self) -> postcards.PhotoInput:
        given = self.upload_id is not strawberry.UNSET and self.upload_id is not None
        return postcards.PhotoInput(
            upload=photos.UploadRef(decode_id(self.upload_id, "PhotoUpload")) if given else None,
            url=self.url,
            source=self.source,
            alt=self.alt,
        )


@strawberry.input(description="Where the moment happened.")
class PlaceInput:
    name: str = strawberry.field(description="Name of the place, 1 to 200 characters.")
    latitude: float | None = strawberry.field(default=None, description="-90 to 90.")
    longitude: float | None = strawberry.field(default=None, description="-180 to 180.")
    foursquare_venue_id: str | None = strawberry.field(
        default=None, description="Foursquare venue id."
    )

    def to_resolver(self) -> postcards.PlaceInput:
        return postcards.PlaceInput(
            name=self.name,
            latitude=self.latitude,
            longitude=self.longitude,
            foursquare_venue_id=self.foursquare_venue_id,
        )


@strawberry.input(description="Share a music moment.")
class CreatePostcardInput:
    track: TrackInput = strawberry.field(description="The song.")
    caption: str | None = strawberry.field(default=None, description="Up to 500 characters.")
    photo: PhotoInput | None = strawberry.field(default=None, description="A photo.")
    place: PlaceInput | None = strawberry.field(default=None, description="A place.")


@strawberry.input(description="Edit your moment; omitted fields stay, null removes photo/place.")
class UpdatePostcardInput:
    postcard_id: strawberry.ID = strawberry.field(description="Global ID of your postcard.")
    caption: str | None = strawberry.field(default=None, description="Up to 500 characters.")
    photo: PhotoInput | None = strawberry.field(
        default=strawberry.UNSET, description="New photo; null removes it."
    )
    place: PlaceInput | None = strawberry.field(
        default=strawberry.UNSET, description="New place; null removes it."
    )


@strawberry.input(description="Names one postcard.")
class PostcardIdInput:
    postcard_id: strawberry.ID = strawberry.field(description="Global ID of the postcard.")


@strawberry.type(description="A postcard after a change.")
class PostcardPayload:
    postcard: Postcard | None = strawberry.field(description="The postcard; null on failure.")
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


@strawberry.type(description="Result of deletePostcard.")
class DeletePostcardPayload:
    deleted_postcard_id: strawberry.ID | None = strawberry.field(
        description="Global ID of the deleted postcard; null on failure."
    )
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


@strawberry.input(description="Comment on a moment.")
class AddCommentInput:
    postcard_id: strawberry.ID = strawberry.field(description="Global ID of the postcard.")
    body: str = strawberry.field(description="1 to 1,000 characters.")


@strawberry.input(description="Names one comment.")
class DeleteCommentInput:
    comment_id: strawberry.ID = strawberry.field(description="Global ID of the comment.")


@strawberry.type(description="A comment after a change.")
class CommentPayload:
    comment: Comment | None = strawberry.field(description="The comment; null on failure.")
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


@strawberry.type(description="Result of deleteComment.")
class DeleteCommentPayload:
    deleted_comment_id: strawberry.ID | None = strawberry.field(
        description="Global ID of the deleted comment; null on failure."
    )
    postcard: Postcard | None = strawberry.field(
        description="The postcard, with its updated commentCount."
    )
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


def _postcard_payload(row, errors: list[UserError]) -> PostcardPayload:
    return PostcardPayload(postcard=Postcard.from_row(row) if row else None, errors=errors)


async def create_postcard(
    info: Info, input: Annotated[CreatePostcardInput, INPUT]
) -> PostcardPayload:
    viewer = info.context.require_viewer()

    async def work():
        row, _event = await postcards.create(
            viewer,
            input.track.to_resolver(),
            input.caption,
            input.photo.to_resolver() if input.photo else None,
            input.place.to_resolver() if input.place else None,
            publisher(info.context),
            info.context.photo_media(),
            info.context.discover,
        )
        return row

    return _postcard_payload(*await attempt(work()))


def _maybe(value, convert):
    if value is strawberry.UNSET:
        return postcards.UNSET
    return convert(value) if value is not None else None


async def update_postcard(
    info: Info, input: Annotated[UpdatePostcardInput, INPUT]
) -> PostcardPayload:
    viewer = info.context.require_viewer()
    work = postcards.update(
        viewer,
        decode_id(input.postcard_id, "Postcard"),
        caption=input.caption,
        photo=_maybe(input.photo, PhotoInput.to_resolver),
        place=_maybe(input.place, PlaceInput.to_resolver),
        media=info.context.photo_media(),
    )
    return _postcard_payload(*await attempt(work))


async def delete_postcard(
    info: Info, input: Annotated[PostcardIdInput, INPUT]
) -> DeletePostcardPayload:
    viewer = info.context.require_viewer()
    result, errors = await attempt(
        postcards.delete(viewer, decode_id(input.postcard_id, "Postcard"), publisher(info.context))
    )
    deleted = result[0] if result else None
    return DeletePostcardPayload(
        deleted_postcard_id=input.postcard_id if deleted else None, errors=errors
    )


async def like_postcard(info: Info, input: Annotated[PostcardIdInput, INPUT]) -> PostcardPayload:
    viewer = info.context.require_viewer()
    work = likes.like(viewer, decode_id(input.postcard_id, "Postcard"), publisher(info.context))
    return _postcard_payload(*await attempt(work))


async def unlike_postcard(info: Info, input: Annotated[PostcardIdInput, INPUT]) -> PostcardPayload:
    viewer = info.context.require_viewer()
    work = likes.unlike(viewer, decode_id(input.postcard_id, "Postcard"), publisher(info.context))
    return _postcard_payload(*await attempt(work))


async def add_comment(info: Info, input: Annotated[AddCommentInput, INPUT]) -> CommentPayload:
    viewer = info.context.require_viewer()
    row, errors = await attempt(
        comments.add(
            viewer, decode_id(input.postcard_id, "Postcard"), input.body, publisher(info.context)
        )
    )
    return CommentPayload(comment=Comment.from_row(row) if row else None, errors=errors)


async def delete_comment(
    info: Info, input: Annotated[DeleteCommentInput, INPUT]
) -> DeleteCommentPayload:
    viewer = info.context.require_viewer()
    row, errors = await attempt(
        comments.delete(viewer, decode_id(input.comment_id, "Comment"), publisher(info.context))
    )
    if row is None:
        return DeleteCommentPayload(deleted_comment_id=None, postcard=None, errors=errors)
    postcard = await postcards.get(row.postcard_id)
    return DeleteCommentPayload(
        deleted_comment_id=input.comment_id,
        postcard=Postcard.from_row(postcard) if postcard else None,
        errors=[],
    )
