"""A stored photo: the pictures of moments and avatars as this app keeps them, whatever
their origin (an upload, an import from Instagram or the web).

A photo is a small mapping, copied whole into the row that shows it (`postcards.photo`,
`users.avatar`), so a page of moments reads no other table to show its pictures:

    {"width": 4032, "height": 3024, "blurhash": "…", "dominant_color": "#aabbcc",
     "alt": "…" | None, "renditions": [{"width": 1080, "height": 810, "key": "<sha256>.jpg"},
     …]}  (renditions widest first)

The renditions' files are content-addressed in the media store: two photos of the same
picture share them, and resolvers/sweep.py deletes a file only once nothing names it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.timezone import now

from media import fetch, images
from media.store import Store, key_for
from models import PhotoSource, Upload
from resolvers import sweep_lock
from resolvers.errors import Code, problem

Photo = dict[str, Any]

# How long an upload waits to be attached (resolvers/sweep.py deletes it after).
UPLOAD_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class UploadRef:
    """An upload a client named: `id` is None when the name is no upload's."""

    id: int | None


@dataclass(frozen=True)
class Media:
    """What making a photo needs: where renditions go, what a picture may be, and how a
    picture is fetched from the web."""

    store: Store
    limits: images.Limits
    fetching: fetch.FetchLimits


async def processed(
    data: bytes, limits: images.Limits, field: str | tuple[str, ...], kind: images.Kind
) -> images.Processed:
    """The picture's renditions, or an `InputError` on `field`."""
    try:
        return await images.process(data, limits, kind=kind)
    except images.MediaError as refused:
        raise problem(field, refused.message, Code(refused.code)) from None


async def imported(
    url: str, source: PhotoSource, media: Media, field: tuple[str, ...]
) -> images.Processed:
    """The picture at `url` (an Instagram post's, a web image or page's) made into
    renditions, through the same pipeline as an upload: `keep` them and the moment has its
    own copy, so link rot never empties it and no metadata of the original survives."""
    try:
        kind: Literal["INSTAGRAM", "WEB"] = (
            "INSTAGRAM" if source is PhotoSource.INSTAGRAM else "WEB"
        )
        data = await fetch.fetch_picture(url, kind, media.fetching)
    except fetch.FetchError as failed:
        raise problem(field, failed.message, Code(failed.code)) from None
    return await processed(data, media.limits, field, images.PHOTO)


async def avatar_of(upload: Upload, media: Media, field: str | tuple[str, ...]) -> images.Processed:
    """An upload made into an avatar: the centred square of its largest rendition, at the
    avatar's sizes (the original's bytes are not kept; 1080 px is more than 400 needs)."""
    data = await media.store.get(rendition_key(of_upload(upload), None))
    return await processed(data, media.limits, field, images.AVATAR)


async def keep(
    conn: BaseDBAsyncClient, made: images.Processed, store: Store, alt: str | None
) -> Photo:
    """Store the renditions of a processed picture, inside the transaction that writes the
    row naming them; its photo. The sweep cannot delete files meanwhile (`sweep_lock`): a
    file stored before and unused since may be this picture's too."""
    await sweep_lock.share(conn)
    renditions = []
    for rendition in made.renditions:
        key = key_for(rendition.data, "jpg")
        await store.put(key, rendition.data, rendition.content_type)
        renditions.append({"width": rendition.width, "height": rendition.height, "key": key})
    return {
        "width": made.width,
        "height": made.height,
        "blurhash": made.blurhash,
        "dominant_color": made.dominant_color,
        "alt": alt,
        "renditions": renditions,
    }


async def keep_avatar(
    conn: BaseDBAsyncClient, square: images.Processed, store: Store, alt: str | None
) -> Photo:
    """`keep` for an avatar: its size is its largest square's (the picture it was cut from
    is not what a client shows)."""
    photo = await keep(conn, square, store, alt)
    largest = photo["renditions"][0]
    return {**photo, "width": largest["width"], "height": largest["height"]}


def of_upload(upload: Upload, alt: str | None = None) -> Photo:
    """The photo of an upload; `alt` replaces the upload's own when given."""
    return {
        "width": upload.width,
        "height": upload.height,
        "blurhash": upload.blurhash,
        "dominant_color": upload.dominant_color,
        "alt": alt if alt is not None else upload.alt,
        "renditions": list(upload.renditions),
    }


def rendition(photo: Mapping[str, Any], width: int | None) -> Mapping[str, Any]:
    """The smallest rendition at least `width` wide; the largest when none is (or no width
    was asked): its `width`, `height` and `key`."""
    widest_first = photo["renditions"]
    if width is not None:
        for candidate in reversed(widest_first):
            if candidate["width"] >= width:
                return candidate
    return widest_first[0]


def rendition_key(photo: Mapping[str, Any], width: int | None) -> str:
    """The key of `rendition(photo, width)`."""
    return str(rendition(photo, width)["key"])


def keys(photo: Mapping[str, Any] | None) -> Iterator[str]:
    """The media-store keys a photo names."""
    if photo:
        for rendition in photo.get("renditions", ()):
            yield str(rendition["key"])


def is_expired(upload: Upload) -> bool:
    return upload.created_at < now() - UPLOAD_LIFETIME


async def attachable(viewer_id: int, upload_id: int | None, field: tuple[str, ...]) -> Upload:
    """The viewer's upload, waiting to be attached; else why not, on `field`."""
    upload = None
    if upload_id is not None:
        upload = await Upload.get_or_none(id=upload_id, owner_id=viewer_id)
    if upload is None or is_expired(upload):
        raise problem(
            field,
            "No upload of yours with this id: uploads are kept 24 hours until they are used.",
            Code.NOT_FOUND,
        )
    if upload.attached_at is not None:
        raise problem(field, "This upload is already used: upload the photo again.", Code.INVALID)
    return upload


async def attach(conn: BaseDBAsyncClient, upload: Upload, field: tuple[str, ...]) -> None:
    """Mark the upload used, inside the transaction that stores its photo: exactly once,
    even when two requests race to use it (the loser's transaction is rolled back)."""
    used = (
        await Upload.filter(id=upload.id, owner_id=upload.owner_id, attached_at=None)
        .using_db(conn)
        .update(attached_at=now())
    )
    if used != 1:
        raise problem(field, "This upload is already used: upload the photo again.", Code.INVALID)
