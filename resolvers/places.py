"""Places and what is near (README, "Places and nearby"): the one Place of a moment's place
(the dedupe rules are models/place.py's), its moments, the moments within a radius newest
first and the places within it nearest first, each through its database's spatial index:
SQLite's R*Tree `places_rtree`, PostgreSQL's GiST index on `ll_to_earth(latitude,
longitude)` (models/migrations/0010_places.py)."""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from models import Place, Postcard, User
from models.place import EARTH_RADIUS_M, SAME_PLACE_METERS, distance_m, name_key
from resolvers import visibility
from resolvers.pagination import (
    Cursors,
    Page,
    check_first,
    decode_cursor,
    keyset_page,
)
from resolvers.rows import create_once
from resolvers.sql.batches import POSTCARD_JOINS, postcard_columns, postcards_of
from resolvers.sql.hydrate import Joined, columns, query_rows
from resolvers.sql.params import Params

MAX_RADIUS_M = 50_000
MIN_RADIUS_M = 1
# The class key of the two-key advisory locks taken per place name on PostgreSQL (the
# one-key locks of the feed log and the media sweep are another key space).
NAME_LOCK = 0x504C4345


class BadArgument(ValueError):
    """A query's argument out of its range (a radius, a coordinate): BAD_USER_INPUT."""


@dataclass(frozen=True)
class Circle:
    """Where to look: a point and a radius in metres."""

    latitude: float
    longitude: float
    radius: float


def circle(latitude: float, longitude: float, radius: float) -> Circle:
    for name, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if not math.isfinite(value) or not -limit <= value <= limit:
            raise BadArgument(f"`{name}` must be between -{limit} and {limit}, got {value}.")
    # at least a metre: below that, PostgreSQL's earth_box underflows (5e-324 m) and no
    # venue is smaller anyway
    if not math.isfinite(radius) or not MIN_RADIUS_M <= radius <= MAX_RADIUS_M:
        raise BadArgument(
            f"`radiusMeters` must be at least {MIN_RADIUS_M} and at most {MAX_RADIUS_M:,},"
            f" got {radius}."
        )
    return Circle(float(latitude), float(longitude), float(radius))


# --- a moment's place ---------------------------------------------------------------------


@dataclass(frozen=True)
class CleanPlace:
    """A moment's place input, checked: a name, maybe a point, maybe a venue id."""

    name: str
    latitude: float | None = None
    longitude: float | None = None
    venue: str | None = None


async def place_for(conn: BaseDBAsyncClient, clean: CleanPlace) -> Place:
    """The one Place of this input, made when new, inside the moment's writing transaction:
    the place of its Foursquare venue id when it has one (a unique column: of two
    concurrent first moments there, one inserts and the other takes its row), else the
    nearest place of the same `name_key` within SAME_PLACE_METERS. On PostgreSQL that
    look-up and the insert hold an advisory lock on the name until commit, so two
    concurrent first moments at one unnamed venue make one place (SQLite's transactions
    run one at a time). A place without a point or a venue id is its moment's own."""
    fields: dict[str, Any] = {
        "name": clean.name,
        "name_key": name_key(clean.name),
        "latitude": clean.latitude,
        "longitude": clean.longitude,
        "foursquare_venue_id": clean.venue,
    }
    if clean.venue:
        found = await Place.get_or_none(foursquare_venue_id=clean.venue)
        if found is not None:
            return found
        made = await create_once(Place, **fields)
        return made or await Place.get(foursquare_venue_id=clean.venue)
    if clean.latitude is None or clean.longitude is None:
        return await Place.create(**fields)
    if conn.capabilities.dialect == "postgres":
        key = zlib.crc32(fields["name_key"].encode()) - 2**31  # a signed 32-bit int
        await conn.execute_query("SELECT pg_advisory_xact_lock($1, $2)", [NAME_LOCK, key])
    near = await _same_name_near(fields["name_key"], clean.latitude, clean.longitude)
    return near or await Place.create(**fields)


async def _same_name_near(key: str, latitude: float, longitude: float) -> Place | None:
    """The nearest place of this name key within SAME_PLACE_METERS (the older on a tie),
    found by the (name_key, latitude) index."""
    band = math.degrees(SAME_PLACE_METERS / EARTH_RADIUS_M) * 1.01
    candidates = await Place.filter(
        name_key=key, latitude__gte=latitude - band, latitude__lte=latitude + band
    )
    near = [
        (distance_m(latitude, longitude, place.latitude, place.longitude), place.id, place)
        for place in candidates
        if place.latitude is not None and place.longitude is not None
    ]
    near = [item for item in near if item[0] <= SAME_PLACE_METERS]
    return min(near, key=lambda item: item[:2])[2] if near else None


def copied(place: Place | None) -> dict[str, Any]:
    """A moment's copy of its place (`postcards.place_*`): what a page of moments shows
    without a join, and what search indexes (`place_name`)."""
    if place is None:
        return dict.fromkeys(
            ("place_id", "place_name", "place_latitude", "place_longitude", "place_foursquare_id")
        )
    return {
        "place_id": place.id,
        "place_name": place.name,
        "place_latitude": place.latitude,
        "place_longitude": place.longitude,
        "place_foursquare_id": place.foursquare_venue_id,
    }


async def count(place_id: int | None, change: int) -> None:
    """A place gains or loses moments (an F() update: exact under concurrency). Call inside
    the writing transaction."""
    if place_id is not None and change:
        await Place.filter(id=place_id).update(postcard_count=F("postcard_count") + change)


# --- where: the spatial index of each database --------------------------------------------


def _boxes(where: Circle) -> list[tuple[float, float, float, float]]:
    """The (min_lat, max_lat, min_lng, max_lng) boxes that hold the circle: one, or two
    when it crosses the antimeridian; every longitude when it holds a pole."""
    angle = where.radius / EARTH_RADIUS_M
    spread = math.degrees(angle)
    low, high = where.latitude - spread, where.latitude + spread
    if low <= -90 or high >= 90:
        return [(max(low, -90.0), min(high, 90.0), -180.0, 180.0)]
    # the widest longitude of the circle (a great circle's, not the parallel's)
    wide = math.degrees(
        math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(where.latitude))))
    )
    west, east = where.longitude - wide, where.longitude + wide
    if west < -180:
        return [(low, high, west + 360, 180.0), (low, high, -180.0, east)]
    if east > 180:
        return [(low, high, west, 180.0), (low, high, -180.0, east - 360)]
    return [(low, high, west, east)]


def _join(params: Params) -> str:
    """The join that keeps the order written: SQLite plans a CROSS JOIN in its written order
    (on a small or fresh table it would scan every place and look each up in the R*Tree,
    or every member and look up their moments), PostgreSQL's planner has the statistics."""
    return "JOIN" if params.postgres else "CROSS JOIN"


@dataclass(frozen=True)
class Within:
    """SQL for the places (alias `pl`) inside a circle: `source`, a FROM item that already
    keeps only the index's candidates, and `distance`, the exact distance of `pl` in
    metres; keep `distance <= radius`."""

    source: str
    distance: str
    radius: str


def within(where: Circle, params: Params) -> Within:
    radius = params.add(where.radius)
    if params.postgres:
        centre = f"ll_to_earth({params.add(where.latitude)}, {params.add(where.longitude)})"
        point = "ll_to_earth(pl.latitude, pl.longitude)"
        source = (
            f"(SELECT * FROM places pl WHERE pl.latitude IS NOT NULL AND pl.longitude IS NOT NULL"
            f" AND earth_box({centre}, {radius}) @> {point}) pl"
        )
        return Within(source, f"earth_distance({centre}, {point})", radius)
    boxes = " UNION ".join(
        f"SELECT r.id FROM places_rtree r WHERE r.max_lat >= {params.add(low)}"
        f" AND r.min_lat <= {params.add(high)} AND r.max_lng >= {params.add(west)}"
        f" AND r.min_lng <= {params.add(east)}"
        for low, high, west, east in _boxes(where)
    )
    source = f"({boxes}) box {_join(params)} places pl ON pl.id = box.id"
    lat, lng = params.add(where.latitude), params.add(where.longitude)
    # haversine, as models.place.distance_m
    h = (
        f"pow(sin(radians(pl.latitude - {lat}) / 2), 2) + cos(radians({lat}))"
        f" * cos(radians(pl.latitude)) * pow(sin(radians(pl.longitude - {lng}) / 2), 2)"
    )
    return Within(source, f"(2 * {EARTH_RADIUS_M!r} * asin(min(1.0, sqrt({h}))))", radius)


# --- the lists ----------------------------------------------------------------------------


def _before(params: Params, cursor: tuple[Any, int] | None, moment: str = "p") -> str:
    """The condition of moments (alias `moment`) after a newest-first cursor."""
    if cursor is None:
        return ""
    bigint = "::bigint" if params.postgres else ""
    time, row_id = cursor
    return (
        f" AND ({moment}.created_at, {moment}.id)"
        f" < ({params.time(time)}, {params.add(int(row_id))}{bigint})"
    )


def _shown_at(
    viewer: User | None, params: Params, place: str, cursor: tuple[Any, int] | None, moment: str
) -> str:
    """The moments of `place` the viewer may see, after the cursor (aliases `moment` and
    `moment`u for its author), as FROM items and conditions: `postcards … WHERE …`."""
    author = f"{moment}u"
    shown = visibility.shown_sql(_id(viewer), params, f"{moment}.author_id", author)
    return (
        f"postcards {moment} {_join(params)} users {author} ON {author}.id = {moment}.author_id"
        f" WHERE {moment}.place_id = {place} AND {shown}{_before(params, cursor, moment)}"
    )


def nearby_sql(
    viewer: User | None, where: Circle, rows: int, cursor: tuple[Any, int] | None
) -> tuple[str, Params]:
    """The statement of a page of moments within the circle, newest first, with explore's
    visibility rules (resolvers/visibility.py `shown_sql`): the places in the circle from
    the spatial index; for each, its newest `rows` moments shown after the cursor, a short
    walk down the covering (place_id, created_at, id, author_id) index whatever the place
    holds; the newest `rows` of those; then their rows, with authors and tracks. (Sorting
    every moment in a busy circle read 8,772 index entries and authors for a page of 20 in
    central London, at 100k moments.)"""
    params = Params(Postcard)
    area = within(where, params)
    limit = params.add(int(rows))
    circled = f"SELECT pl.id AS a FROM {area.source} WHERE {area.distance} <= {area.radius}"
    order = "ORDER BY {0}.created_at DESC, {0}.id DESC"
    if params.postgres:
        newest = f"SELECT q.id, q.created_at FROM {_shown_at(viewer, params, 'f.a', cursor, 'q')}"
        page_ids = (
            f"SELECT x.id FROM ({circled}) f CROSS JOIN LATERAL ({newest} {order.format('q')}"
            f" LIMIT {limit}) x {order.format('x')} LIMIT {limit}"
        )
    else:
        # No LATERAL: per place, the time of its `rows`-th newest moment shown (the start
        # of its walk; '' when it has fewer), then a range of the index from it, ties
        # included (a few rows more, never fewer), as resolvers/feed.py walks a followee's
        start = (
            f"coalesce((SELECT s.created_at FROM {_shown_at(viewer, params, 'f.a', cursor, 's')}"
            f" {order.format('s')} LIMIT 1 OFFSET {limit} - 1), '')"
        )
        page_ids = (
            f"SELECT p.id FROM ({circled}) f CROSS JOIN"
            f" {_shown_at(viewer, params, 'f.a', cursor, 'p')} AND p.created_at >= {start}"
            f" {order.format('p')} LIMIT {limit}"
        )
    sql = (
        f"SELECT {postcard_columns()} FROM {POSTCARD_JOINS}"
        f" WHERE p.id IN ({page_ids}) ORDER BY p.created_at DESC, p.id DESC"
    )
    return sql, params


async def _postcards(sql: str, params: Params) -> list[Postcard]:
    found = await query_rows(Postcard, sql, params.values)
    return postcards_of(Joined(found), found)


async def nearby(
    viewer: User | None, where: Circle, first: int | None, after: str | None
) -> Page[Postcard]:
    """The moments shared within the circle, newest first, but those hidden from the
    viewer (as in explore)."""

    async def fetch(rows: int, cursor: tuple[Any, int] | None) -> list[Postcard]:
        return await _postcards(*nearby_sql(viewer, where, rows, cursor))

    return await keyset_page(Postcard.all, first=first, after=after, fetch=fetch)


async def postcards_at(
    viewer: User | None, place_id: int, first: int | None, after: str | None
) -> Page[Postcard]:
    """A place's moments, newest first, but those hidden from the viewer (as in explore)."""

    async def fetch(rows: int, cursor: tuple[Any, int] | None) -> list[Postcard]:
        params = Params(Postcard)
        shown = visibility.shown_sql(_id(viewer), params, "p.author_id", "u")
        sql = (
            f"SELECT {postcard_columns()} FROM {POSTCARD_JOINS}"
            f" WHERE p.place_id = {params.add(int(place_id))} AND {shown}"
            f"{_before(params, cursor)}"
            f" ORDER BY p.created_at DESC, p.id DESC LIMIT {params.add(int(rows))}"
        )
        return await _postcards(sql, params)

    return await keyset_page(Postcard.all, first=first, after=after, fetch=fetch)


def _id(viewer: User | None) -> int | None:
    return viewer.id if viewer is not None else None


def seen_here(viewer_id: int | None, params: Params, place: str) -> str:
    """A place is listed to a viewer only when they may see one of its moments: a private
    member's home, say, is nobody else's to find."""
    shown = visibility.shown_sql(viewer_id, params, "p.author_id", "u")
    return (
        f"EXISTS (SELECT 1 FROM postcards p {_join(params)} users u ON u.id = p.author_id"
        f" WHERE p.place_id = {place} AND {shown})"
    )


def nearby_places_sql(
    viewer: User | None, where: Circle, rows: int, cursor: tuple[float, int] | None
) -> tuple[str, Params]:
    """The statement of a page of places within the circle, nearest first (ties by id),
    each with its `distance_m`; only places with a moment the viewer may see."""
    params = Params(Place)
    area = within(where, params)
    listed = ", ".join(f'pl."{column}"' for column in columns(Place))
    after = ""
    if cursor is not None:
        distance, row_id = params.add(float(cursor[0])), params.add(int(cursor[1]))
        after = (
            f" AND (x.distance_m > {distance} OR (x.distance_m = {distance} AND x.id > {row_id}))"
        )
    sql = (
        f"SELECT x.* FROM (SELECT {listed}, {area.distance} AS distance_m FROM {area.source}) x"
        f" WHERE x.distance_m <= {area.radius}{after} AND {seen_here(_id(viewer), params, 'x.id')}"
        f" ORDER BY x.distance_m, x.id LIMIT {params.add(int(rows))}"
    )
    return sql, params


@dataclass(frozen=True, slots=True)
class NearPlace:
    """A place of a nearby list, and how far it is from the point asked about."""

    place: Place
    distance_m: float


async def nearby_places(
    viewer: User | None, where: Circle, first: int | None, after: str | None
) -> Page[NearPlace]:
    """Places within the circle, nearest first, with their distance. The cursor
    is (distance, id): the same distance for the same place and circle, so a page never
    repeats or skips a place."""
    size = check_first(first)
    cursor = decode_cursor(after, is_time=False, is_number=True) if after else None
    sql, params = nearby_places_sql(viewer, where, size + 1, cursor)
    found = await query_rows(Place, sql, params.values)
    made = Joined(found)
    rows = [
        NearPlace(made.make(Place, "", row), float(made.value(row, "distance_m"))) for row in found
    ]
    return Page(
        rows=rows[:size],
        cursors=Cursors([(near.distance_m, near.place.id) for near in rows[:size]]),
        has_next=len(rows) > size,
        has_previous=bool(after),
    )


async def shown_places(viewer_id: int | None, place_ids: Sequence[int]) -> list[bool]:
    """For each place, whether the viewer may see it (one of its moments): one statement."""
    if not place_ids:
        return []
    params = Params(Place)
    sql = (
        f"SELECT k.value AS id FROM {params.id_rows(place_ids)}"
        f" WHERE {seen_here(viewer_id, params, 'k.value')}"
    )
    seen = {int(row["id"]) for row in await query_rows(Place, sql, params.values)}
    return [int(place_id) in seen for place_id in place_ids]
