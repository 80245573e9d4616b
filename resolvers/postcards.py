"""Postcards (music moments): sharing, editing, deleting, and the lists of them but the
feed (resolvers/feed.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from media import images
from models import FeedEvent, PhotoSource, Postcard, Upload, User
from resolvers import feedlog, photos, places, tracks, visibility
from resolvers.errors import Code, Collector, not_found, problem
from resolvers.feedlog import DELETED, POSTED, to_message
from resolvers.link_resolver import Discover, discover_nothing
from resolvers.pagination import Page, keyset_page
from resolvers.sql import moments as moments_sql
from resolvers.sql.params import Params
from resolvers.validate import (
    clean_optional_text,
    clean_text,
    clean_url,
    coordinate,
    instagram_url,
    is_instagram,
)
from subscriptions.events import Publish, publish_nothing

FOURSQUARE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
UNSET = object()


@dataclass(frozen=True)
class PhotoInput:
    """Either `upload` (the viewer's upload) or `url` (a picture to import)."""

    upload: photos.UploadRef | None = None
    url: str | None = None
    source: PhotoSource | None = None
    alt: str | None = None


@dataclass(frozen=True)
class PlaceInput:
    name: str
    latitude: float | None = None
    longitude: float | None = None
    foursquare_venue_id: str | None = None


def _photo(photo: PhotoInput | None, errors: Collector) -> PhotoInput | None:
    """The photo input checked and cleaned (the picture itself is not looked at yet)."""
    if photo is None:
        return None
    alt = errors.check(clean_optional_text, photo.alt, ("photo", "alt"), max_len=1000)
    if (photo.upload is None) == (photo.url is None):
        errors.add(
            ("photo",),
            "Give uploadId (your upload) or url (a picture to import): one of them.",
            Code.INVALID,
        )
        return None
    if photo.upload is not None:
        if photo.source not in (None, PhotoSource.UPLOAD):
            errors.add(("photo", "source"), "An upload's source is UPLOAD.", Code.INVALID)
        return replace(photo, source=PhotoSource.UPLOAD, alt=alt)
    field = ("photo", "url")
    source = photo.source or (
        PhotoSource.INSTAGRAM if is_instagram(photo.url or "") else PhotoSource.WEB
    )
    if source is PhotoSource.UPLOAD:
        errors.add(
            ("photo", "source"),
            "A url is imported (source INSTAGRAM or WEB); an upload is given by uploadId.",
            Code.INVALID,
        )
        return None
    if source is PhotoSource.INSTAGRAM:
        url = errors.check(instagram_url, photo.url, field)
    else:
        url = errors.check(clean_url, photo.url, field)
        if url is None and not errors.problems:
            errors.add(field, "A photo needs its URL.", Code.REQUIRED)
    return replace(photo, url=url, source=source, alt=alt)


@dataclass(frozen=True)
class _Photo:
    """What a moment's photo columns become: an upload's photo (the upload to be marked
    used), or a picture fetched and processed, to be kept in the writing transaction."""

    columns: Mapping[str, object]
    upload: Upload | None = None
    fetched: images.Processed | None = None
    alt: str | None = None

    async def write(self, conn: BaseDBAsyncClient, media: photos.Media | None) -> dict[str, object]:
        """Inside the writing transaction: the columns, the picture kept, the upload used."""
        columns = dict(self.columns)
        if self.fetched is not None:
            assert media is not None
            columns["photo"] = await photos.keep(conn, self.fetched, media.store, self.alt)
        if self.upload is not None:
            await photos.attach(conn, self.upload, ("photo", "uploadId"))
        return columns


async def _made(viewer: User, photo: PhotoInput | None, media: photos.Media | None) -> _Photo:
    """The photo to write: an upload's (checked to be the viewer's and unused), or a
    picture fetched and processed; nothing is stored or written yet."""
    if photo is None:
        return _Photo(dict.fromkeys(("photo", "photo_url", "photo_source")))
    if photo.upload is not None:
        upload = await photos.attachable(viewer.id, photo.upload.id, ("photo", "uploadId"))
        stored = photos.of_upload(upload, photo.alt)
        return _Photo(
            {"photo": stored, "photo_url": None, "photo_source": PhotoSource.UPLOAD},
            upload=upload,
        )
    assert photo.url is not None and photo.source is not None
    if media is None:
        raise RuntimeError("importing a photo needs the media store")
    fetched = await photos.imported(photo.url, photo.source, media, ("photo", "url"))
    columns = {"photo_url": photo.url, "photo_source": photo.source}
    return _Photo(columns, fetched=fetched, alt=photo.alt)


def _place(place: PlaceInput | None, errors: Collector) -> places.CleanPlace | None:
    if place is None:
        return None
    name = errors.check(clean_text, place.name, ("place", "name"), min_len=1, max_len=200)
    if (place.latitude is None) != (place.longitude is None):
        errors.add(("place",), "Give both latitude and longitude, or neither.", Code.INVALID)
    lat = lng = None
    if place.latitude is not None:
        lat = errors.check(coordinate, place.latitude, ("place", "latitude"), 90)
    if place.longitude is not None:
        lng = errors.check(coordinate, place.longitude, ("place", "longitude"), 180)
    venue = errors.check(
        clean_optional_text, place.foursquare_venue_id, ("place", "foursquareVenueId"), max_len=64
    )
    if venue and not FOURSQUARE_ID_RE.match(venue):
        errors.add(("place", "foursquareVenueId"), "Not a Foursquare venue id.", Code.INVALID)
    return places.CleanPlace(name or "", lat, lng, venue)


def _caption(caption: str | None, errors: Collector) -> str:
    return errors.check(clean_text, caption, "caption", max_len=500, multiline=True) or ""


async def create(
    viewer: User,
    track: tracks.TrackInput,
    caption: str | None,
    photo: PhotoInput | None,
    place: PlaceInput | None,
    publish: Publish = publish_nothing,
    media: photos.Media | None = None,
    discover: Discover = discover_nothing,
) -> tuple[Postcard, FeedEvent]:
    """Validate everything first, then make the photo (an upload's, or a picture fetched
    and stored), then one transaction: track, postcard, the upload marked used, counter,
    event. A picture stored for a moment that then fails is swept with the unused files.
    After commit, a link the track gained is handed to `discover` (the link resolver)."""
    errors = Collector()
    clean_track = errors.check(tracks.validate_track_input, track)
    text = _caption(caption, errors)
    clean_place = _place(place, errors)
    clean_photo = _photo(photo, errors)
    errors.raise_if_any()
    made = await _made(viewer, clean_photo, media)
    async with in_transaction() as conn:
        placed = await tracks.upsert(clean_track)  # type: ignore[arg-type]
        place_row = await places.place_for(conn, clean_place) if clean_place else None
        postcard = await Postcard.create(
            author_id=viewer.id,
            track_id=placed.track.id,
            caption=text,
            **places.copied(place_row),
            **await made.write(conn, media),  # type: ignore[arg-type]
        )
        await User.filter(id=viewer.id).update(postcard_count=F("postcard_count") + 1)
        await places.count(place_row.id if place_row else None, 1)
        event = await feedlog.append(conn, POSTED, postcard.id, viewer.id)
    await publish(to_message(event))
    if placed.gained:
        discover(placed.track.id, placed.gained[0].url)
    return postcard, event


async def own_postcard(viewer: User, postcard_id: int | None) -> Postcard:
    postcard = await Postcard.get_or_none(id=postcard_id) if postcard_id is not None else None
    if postcard is None:
        raise not_found("postcardId", "postcard")
    if postcard.author_id != viewer.id:
        raise problem("postcardId", "Only the author can change this postcard.", Code.FORBIDDEN)
    return postcard


async def update(
    viewer: User,
    postcard_id: int | None,
    *,
    caption: str | None = None,
    photo: object = UNSET,
    place: object = UNSET,
    media: photos.Media | None = None,
) -> Postcard:
    """Change the given parts; an explicit null photo or place removes it (the files of a
    photo no longer shown are swept). A new place moves the moment to that place's Place
    (both places' counts follow)."""
    errors = Collector()
    changes: dict[str, object] = {}
    if caption is not None:
        changes["caption"] = _caption(caption, errors)
    clean_photo = _photo(photo, errors) if photo is not UNSET else None  # type: ignore[arg-type]
    clean_place = _place(place, errors) if place is not UNSET else None  # type: ignore[arg-type]
    errors.raise_if_any()
    postcard = await own_postcard(viewer, postcard_id)
    made = await _made(viewer, clean_photo, media) if photo is not UNSET else None
    if changes or made or place is not UNSET:
        async with in_transaction() as conn:
            if place is not UNSET:
                changes.update(await _moved(conn, postcard, clean_place))
            if made is not None:
                changes.update(await made.write(conn, media))
            postcard.update_from_dict(changes)
            await postcard.save(using_db=conn, update_fields=[*changes, "updated_at"])
    return postcard


async def _moved(
    conn: BaseDBAsyncClient, postcard: Postcard, clean: places.CleanPlace | None
) -> dict[str, object]:
    """Inside the writing transaction: the moment's new place columns, and both places'
    counts (the moment's current place read under a row lock, so two edits at once move
    it from where it really is)."""
    now_at = await Postcard.filter(id=postcard.id).select_for_update().first()
    if now_at is None:
        raise not_found("postcardId", "postcard")
    place_row = await places.place_for(conn, clean) if clean else None
    moved_to = place_row.id if place_row else None
    if moved_to != now_at.place_id:
        # in id order: two moments moved the opposite way at once never deadlock
        changes = [(now_at.place_id, -1), (moved_to, 1)]
        for place_id, change in sorted(changes, key=lambda pair: pair[0] or 0):
            await places.count(place_id, change)
    return places.copied(place_row)


async def delete(
    viewer: User, postcard_id: int | None, publish: Publish = publish_nothing
) -> tuple[int, FeedEvent]:
    """The author deletes their moment; after commit, its tombstone goes live."""
    async with in_transaction() as conn:
        postcard = await own_postcard(viewer, postcard_id)
        event = await remove(conn, postcard)
    await publish(to_message(event))
    return postcard.id, event


async def remove(conn: BaseDBAsyncClient, postcard: Postcard) -> FeedEvent:
    """Inside the caller's transaction, whoever decided it (the author, or a moderator:
    resolvers/moderation.py): the moment deleted (its likes, comments and playlist items
    with it), its author's counter, and the DELETED event. Publish `to_message(event)`
    after commit: that is the live tombstone."""
    # counted: of two deletions at once, the second deletes nothing and must change nothing
    if not await Postcard.filter(id=postcard.id).delete():
        raise not_found("postcardId", "postcard")
    await User.filter(id=postcard.author_id).update(postcard_count=F("postcard_count") - 1)
    await places.count(postcard.place_id, -1)
    return await feedlog.append(conn, DELETED, postcard.id, postcard.author_id)


def with_people(query: QuerySet[Postcard]) -> QuerySet[Postcard]:
    """Lists of moments join their author and track: nearly every client shows them, and
    the join saves two statements per page (the GraphQL layer primes its loaders)."""
    return query.select_related("author", "track")


async def explore(
    viewer: User | None, first: int | None, after: str | None, comments: int = 0
) -> Page[Postcard]:
    """Everyone's moments, newest first, but those hidden from the viewer (private
    accounts they do not follow, blocks either way, suspensions) and those of members they
    mute; with `comments`, each moment's first `comments` comments come along. One
    written-out statement a page (resolvers/sql/moments.py)."""
    viewer_id = viewer.id if viewer is not None else None

    def query() -> QuerySet[Postcard]:
        shown = visibility.shown(viewer, "author_id", relation="author")
        return Postcard.filter(shown & visibility.not_muted(viewer, "author_id"))

    def shown(params: Params) -> str:
        return visibility.shown_sql(viewer_id, params, "p.author_id", "u")

    async def fetch(rows: int, cursor: tuple[Any, int] | None) -> list[Postcard]:
        return await moments_sql.newest_moments(shown, viewer_id, rows, cursor, comments)

    return await keyset_page(query, first=first, after=after, fetch=fetch)


@dataclass(frozen=True)
class FirstMoments:
    """A member's newest moments, read with the member (`users.by_username_with_moments`):
    `rows` of them at most, for that viewer, with that many first comments each."""

    rows: int
    viewer_id: int | None
    comments: int
    moments: list[Postcard]


async def by_author(
    user_id: int,
    first: int | None,
    after: str | None,
    *,
    viewer_id: int | None = None,
    comments: int = 0,
    brought: FirstMoments | None = None,
) -> Page[Postcard]:
    """A member's moments, newest first (whether the viewer may see them is the caller's
    to decide); with a viewer, whether they like each; with `comments`, each moment's
    first comments. A first page the member `brought` along (the same rows, viewer and
    comments) is answered from it."""

    def theirs(params: Params) -> str:
        return f"p.author_id = {params.add(int(user_id))}"

    async def fetch(rows: int, cursor: tuple[Any, int] | None) -> list[Postcard]:
        if (
            brought is not None
            and cursor is None
            and (brought.rows, brought.viewer_id, brought.comments) == (rows, viewer_id, comments)
        ):
            return brought.moments
        return await moments_sql.newest_moments(theirs, viewer_id, rows, cursor, comments)

    return await keyset_page(
        lambda: with_people(Postcard.filter(author_id=user_id)),
        first=first,
        after=after,
        fetch=fetch,
    )


async def one(postcard_id: int, *, viewer_id: int | None, comments: int = 0) -> Postcard | None:
    """The moment (whoever may see it: the caller decides) with its author and track; with
    a viewer, whether they like it; with `comments`, its first comments. One statement."""

    def this_one(params: Params) -> str:
        return f"p.id = {params.add(int(postcard_id))}"

    found = await moments_sql.newest_moments(this_one, viewer_id, 1, None, comments)
    return found[0] if found else None


async def get(postcard_id: int | None) -> Postcard | None:
    return await Postcard.get_or_none(id=postcard_id) if postcard_id is not None else None


async def exists(postcard_id: int) -> bool:
    return await Postcard.exists(id=postcard_id)
