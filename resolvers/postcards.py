"""Postcards (music moments): sharing, editing, deleting, and the lists they appear in."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import F, Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import FeedEvent, Follow, PhotoSource, Postcard, User
from resolvers import batch, feedlog, tracks
from resolvers.errors import Code, Collector, not_found, problem
from resolvers.pagination import Page, keyset_page
from resolvers.validate import clean_optional_text, clean_text, clean_url, coordinate, instagram_url
from subscriptions.events import Publish, publish_nothing
from subscriptions.log import to_message

FOURSQUARE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
POSTED, DELETED = "POSTED", "DELETED"
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


def feed_query(viewer_id: int) -> QuerySet[Postcard]:
    """Moments by the people the viewer follows, and the viewer's own."""
    followees = Follow.filter(follower_id=viewer_id).values("followee_id")
    return Postcard.filter(Q(author_id=viewer_id) | Q(author_id__in=Subquery(followees)))


def with_people(query: QuerySet[Postcard]) -> QuerySet[Postcard]:
    """Lists of moments join their author and track: nearly every client shows them, and
    the join saves two statements per page (the GraphQL layer primes its loaders)."""
    return query.select_related("author", "track")


def _cursor_time(value: datetime, params: batch.Params) -> str:
    """A cursor's time as a parameter, as the driver stores it (SQLite compares the
    stored text)."""
    stored = Postcard._meta.fields_map["created_at"].to_db_value(value, Postcard)
    assert isinstance(stored, datetime)
    if params.postgres:
        return f"{params.add(stored)}::timestamptz"
    return params.add(stored.isoformat(" "))


Before = Callable[[str], str]  # a table alias -> the cursor's condition on that table


def _newest_by_followees(viewer: str, rows: str, before: Before, postgres: bool) -> str:
    """The page's ids for someone following few: the newest `rows` moments of each followed
    person (and the viewer) after the cursor, one short walk down the (author_id,
    created_at) index each, whatever the size of the table; then the newest `rows` of
    those. A walk back in time would cross the whole table for someone whose few followees
    never post."""
    people = (
        f"SELECT followee_id AS a FROM follows WHERE follower_id = {viewer} UNION SELECT {viewer}"
    )
    if postgres:
        newest = (
            f"SELECT r.id, r.created_at FROM postcards r WHERE r.author_id = f.a{before('r')}"
            f" ORDER BY r.created_at DESC, r.id DESC LIMIT {rows}"
        )
        return (
            f"SELECT x.id FROM ({people}) f CROSS JOIN LATERAL ({newest})"
            f" x ORDER BY x.created_at DESC, x.id DESC LIMIT {rows}"
        )
    # No LATERAL: per person, the time of their `rows`-th newest moment (the start of the
    # walk, '' when they have fewer), then a range of the same index from it, ties
    # included (a few rows more, never fewer). The index holds every column needed; a
    # correlated `IN (… LIMIT)` instead looked each id up in the table to sort it, three
    # times the cost (0.67 -> 0.23 ms a page for the bench's ordinary viewers, the same
    # ids for 300 viewers at 100k and 1M moments).
    start = (
        f"coalesce((SELECT s.created_at FROM postcards s WHERE s.author_id = f.a{before('s')}"
        f" ORDER BY s.created_at DESC, s.id DESC LIMIT 1 OFFSET {rows} - 1), '')"
    )
    return (
        f"SELECT r.id FROM ({people}) f JOIN postcards r ON r.author_id = f.a"
        f" AND r.created_at >= {start}{before('r')}"
        f" ORDER BY r.created_at DESC, r.id DESC LIMIT {rows}"
    )


def _newest_walking_back_in_time(viewer: str, rows: str, before: Before, postgres: bool) -> str:
    """The page's ids for someone following many: a short walk back down the time index,
    keeping the moments of people followed (a few hundred entries at 1M moments). SQLite
    would rather use the (author_id, created_at) index and sort every moment of everyone
    followed (12 ms at 1M moments for 480 people, against 0.3 ms walking back):
    `+author_id` keeps both databases off that index."""
    return (
        f"SELECT r.id FROM postcards r WHERE (+r.author_id = {viewer} OR +r.author_id IN"
        f" (SELECT followee_id FROM follows WHERE follower_id = {viewer})){before('r')}"
        f" ORDER BY r.created_at DESC, r.id DESC LIMIT {rows}"
    )


# Above this many followees a page is a walk back in time, up to it one walk per person.
DENSE_FEED_FOLLOWING = 100


async def _feed_rows(
    viewer: User, rows: int, cursor: tuple[Any, int] | None, comments: int
) -> list[Postcard]:
    """The page as one written-out statement: building it through the query builder (a
    subquery, two joins, a cursor) cost several times what the database took to answer.
    Authors and tracks come joined, as `select_related` would attach them, and each row
    carries `viewer_liked`, whether this viewer likes it (the page is this viewer's alone:
    graph.types.postcard primes the viewer's likes loader with it), and with `comments`,
    `first_comments`: `(comments, its first comments + 1 more if any)`, authors attached,
    from which `Postcard.comments` answers any first page up to that size at once."""
    sql, params = feed_page_sql(viewer, rows, cursor, comments)
    _, found = await Postcard._meta.db.execute_query(sql, params.values)
    page = []
    made = batch.Joined(found)
    commented = batch.comment_rows()
    for row in found:
        postcard = batch.postcard_of(made, row)
        object.__setattr__(postcard, "viewer_liked", bool(made.value(row, "viewer_liked")))
        if comments:
            first = batch.comments_of(commented, made.value(row, "first_comments"))
            object.__setattr__(postcard, "first_comments", (comments, first))
        page.append(postcard)
    return page


def feed_page_sql(
    viewer: User, rows: int, cursor: tuple[Any, int] | None, comments: int = 0
) -> tuple[str, batch.Params]:
    """The statement of a feed page, `rows` moments after the decoded cursor (with their
    first `comments + 1` comments if `comments`), and its values. Eight texts in all,
    whoever the viewer."""
    params = batch.Params(Postcard)
    me, limit = params.add(int(viewer.id)), params.add(int(rows))
    after = ""
    if cursor is not None:
        time, row_id = cursor
        bigint = "::bigint" if params.postgres else ""
        after = f"({_cursor_time(time, params)}, {params.add(int(row_id))}{bigint})"

    def before(table: str) -> str:
        return f" AND ({table}.created_at, {table}.id) < {after}" if after else ""

    dense = viewer.following_count > DENSE_FEED_FOLLOWING
    page_ids = (_newest_walking_back_in_time if dense else _newest_by_followees)(
        me, limit, before, params.postgres
    )
    liked = f"SELECT 1 FROM likes l WHERE l.user_id = {me} AND l.postcard_id = p.id"
    first_comments = ""
    if comments:
        column = batch.first_comments_column("p.id", comments, params)
        first_comments = f", {column} AS first_comments"
    sql = (
        f"SELECT {batch.postcard_columns()}, EXISTS ({liked}) AS viewer_liked{first_comments}"
        f" FROM {batch.POSTCARD_JOINS}"
        f" WHERE p.id IN ({page_ids}) ORDER BY p.created_at DESC, p.id DESC"
    )
    return sql, params


async def feed(
    viewer: User, first: int | None, after: str | None, comments: int = 0
) -> Page[Postcard]:
    """A page of the viewer's feed; with `comments`, each moment's first `comments`
    comments come along (as `first_comments`, one more to tell whether there are more)."""

    async def fetch(rows: int, cursor: tuple[Any, int] | None) -> list[Postcard]:
        return await _feed_rows(viewer, rows, cursor, comments)

    return await keyset_page(lambda: feed_query(viewer.id), first=first, after=after, fetch=fetch)


async def explore(first: int | None, after: str | None) -> Page[Postcard]:
    return await keyset_page(with_people(Postcard.all()), first=first, after=after)


async def by_author(user_id: int, first: int | None, after: str | None) -> Page[Postcard]:
    query = with_people(Postcard.filter(author_id=user_id))
    return await keyset_page(query, first=first, after=after)


async def get(postcard_id: int | None) -> Postcard | None:
    return await Postcard.get_or_none(id=postcard_id) if postcard_id is not None else None
