"""Postcards (music moments): sharing, editing, deleting, and the lists of them but the
feed (resolvers/feed.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import FeedEvent, PhotoSource, Postcard, User
from resolvers import feedlog, tracks
from resolvers.errors import Code, Collector, not_found, problem
from resolvers.feedlog import DELETED, POSTED, to_message
from resolvers.pagination import Page, keyset_page
from resolvers.validate import clean_optional_text, clean_text, clean_url, coordinate, instagram_url
from subscriptions.events import Publish, publish_nothing

FOURSQUARE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
UNSET = object()


@dataclass(frozen=True)
class PhotoInput:
    url: str
    source: PhotoSource = PhotoSource.UPLOAD


@dataclass(frozen=True)
class PlaceInput:
    name: str
    latitude: float | None = None
    longitude: float | None = None
    foursquare_venue_id: str | None = None


def _photo(photo: PhotoInput | None, errors: Collector) -> dict[str, object]:
    if photo is None:
        return {"photo_url": None, "photo_source": None}
    field = ("photo", "url")
    if photo.source is PhotoSource.INSTAGRAM:
        url = errors.check(instagram_url, photo.url, field)
    else:
        url = errors.check(clean_url, photo.url, field)
        if url is None and not errors.problems:
            errors.add(field, "A photo needs its URL.", Code.REQUIRED)
    return {"photo_url": url, "photo_source": photo.source}


def _place(place: PlaceInput | None, errors: Collector) -> dict[str, object]:
    if place is None:
        return dict.fromkeys(
            ("place_name", "place_latitude", "place_longitude", "place_foursquare_id")
        )
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
    return {
        "place_name": name,
        "place_latitude": lat,
        "place_longitude": lng,
        "place_foursquare_id": venue,
    }


def _caption(caption: str | None, errors: Collector) -> str:
    return errors.check(clean_text, caption, "caption", max_len=500, multiline=True) or ""


async def create(
    viewer: User,
    track: tracks.TrackInput,
    caption: str | None,
    photo: PhotoInput | None,
    place: PlaceInput | None,
    publish: Publish = publish_nothing,
) -> tuple[Postcard, FeedEvent]:
    """Validate everything first, then one transaction: track, postcard, counter, event."""
    errors = Collector()
    clean_track = errors.check(tracks.validate_track_input, track)
    fields = {
        "caption": _caption(caption, errors),
        **_photo(photo, errors),
        **_place(place, errors),
    }
    errors.raise_if_any()
    async with in_transaction() as conn:
        track_row = await tracks.upsert(clean_track)  # type: ignore[arg-type]
        postcard = await Postcard.create(
            author_id=viewer.id,
            track_id=track_row.id,
            **fields,  # type: ignore[arg-type]
        )
        await User.filter(id=viewer.id).update(postcard_count=F("postcard_count") + 1)
        event = await feedlog.append(conn, POSTED, postcard.id, viewer.id)
    await publish(to_message(event))
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
) -> Postcard:
    """Change the given parts; an explicit null photo or place removes it."""
    errors = Collector()
    changes: dict[str, object] = {}
    if caption is not None:
        changes["caption"] = _caption(caption, errors)
    if photo is not UNSET:
        changes.update(_photo(photo, errors))  # type: ignore[arg-type]
    if place is not UNSET:
        changes.update(_place(place, errors))  # type: ignore[arg-type]
    errors.raise_if_any()
    postcard = await own_postcard(viewer, postcard_id)
    if changes:
        postcard.update_from_dict(changes)
        await postcard.save(update_fields=[*changes, "updated_at"])
    return postcard


async def delete(
    viewer: User, postcard_id: int | None, publish: Publish = publish_nothing
) -> tuple[int, FeedEvent]:
    async with in_transaction() as conn:
        postcard = await own_postcard(viewer, postcard_id)
        await postcard.delete()
        await User.filter(id=viewer.id).update(postcard_count=F("postcard_count") - 1)
        event = await feedlog.append(conn, DELETED, postcard.id, viewer.id)
    await publish(to_message(event))
    return postcard.id, event


def with_people(query: QuerySet[Postcard]) -> QuerySet[Postcard]:
    """Lists of moments join their author and track: nearly every client shows them, and
    the join saves two statements per page (the GraphQL layer primes its loaders)."""
    return query.select_related("author", "track")


async def explore(first: int | None, after: str | None) -> Page[Postcard]:
    return await keyset_page(with_people(Postcard.all()), first=first, after=after)


async def by_author(user_id: int, first: int | None, after: str | None) -> Page[Postcard]:
    query = with_people(Postcard.filter(author_id=user_id))
    return await keyset_page(query, first=first, after=after)


async def get(postcard_id: int | None) -> Postcard | None:
    return await Postcard.get_or_none(id=postcard_id) if postcard_id is not None else None


async def exists(postcard_id: int) -> bool:
    return await Postcard.exists(id=postcard_id)
