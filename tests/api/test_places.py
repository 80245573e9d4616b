"""Places and nearby (README, "Places and nearby"): the dedupe of places, moments and
places within a radius, paging them, the antimeridian and the poles, refusals that write
nothing, exact counts, and statements per page that do not grow with the page."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from models import Place, Role
from models.place import EARTH_RADIUS_M, distance_m
from resolvers import moderation, places, tokens
from tests.support.api import Api, User
from tests.support.sql import count_sql
from tests.support.tables import snapshot

PIER = (34.0083, -118.4988)  # Santa Monica Pier
CREATE = """
mutation ($input: CreatePostcardInput!) {
  createPostcard(input: $input) {
    postcard { id place { id name latitude longitude foursquareVenueId postcardCount } }
    errors { field message code }
  }
}
"""
UPDATE = """
mutation ($input: UpdatePostcardInput!) {
  updatePostcard(input: $input) { postcard { place { id } } errors { field code } }
}
"""
DELETE = """
mutation ($input: PostcardIdInput!) {
  deletePostcard(input: $input) { deletedPostcardId errors { code } }
}
"""
NEARBY = """
query ($lat: Float!, $lng: Float!, $r: Float!, $first: Int, $after: String) {
  nearby(latitude: $lat, longitude: $lng, radiusMeters: $r, first: $first, after: $after) {
    edges { cursor node { caption author { username } place { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
NEARBY_PLACES = """
query ($lat: Float!, $lng: Float!, $r: Float!, $first: Int, $after: String) {
  nearbyPlaces(latitude: $lat, longitude: $lng, radiusMeters: $r, first: $first, after: $after) {
    edges { cursor distanceMeters node { id name postcardCount } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
PLACE = """
query ($id: ID!) {
  node(id: $id) {
    ... on Place { name postcardCount postcards(first: 10) { edges { node { caption } } } }
  }
}
"""


def north(point: tuple[float, float], metres: float) -> tuple[float, float]:
    """The point `metres` due north."""
    return point[0] + math.degrees(metres / EARTH_RADIUS_M), point[1]


def east(point: tuple[float, float], metres: float) -> tuple[float, float]:
    """The point `metres` due east, along its parallel (a little more than `metres` along a
    great circle: the tests compare with `distance_m`)."""
    lat, lng = point
    return lat, lng + math.degrees(metres / (EARTH_RADIUS_M * math.cos(math.radians(lat))))


async def share(
    api: Api,
    who: User,
    caption: str,
    name: str,
    point: tuple[float, float] | None = None,
    venue: str | None = None,
) -> dict[str, Any]:
    place: dict[str, Any] = {"name": name}
    if point is not None:
        place |= {"latitude": point[0], "longitude": point[1]}
    if venue is not None:
        place["foursquareVenueId"] = venue
    input = {"track": {"title": "Song", "artist": "Band"}, "caption": caption, "place": place}
    return (await api.mutate("createPostcard", CREATE, input, who.token))["postcard"]  # type: ignore[no-any-return]


async def nearby(
    api: Api, point: tuple[float, float], radius: float, token: str | None = None, **page: Any
) -> dict[str, Any]:
    variables = {"lat": point[0], "lng": point[1], "r": radius, **page}
    return (await api.ok(NEARBY, variables, token))["nearby"]  # type: ignore[no-any-return]


async def nearby_places(
    api: Api, point: tuple[float, float], radius: float, token: str | None = None, **page: Any
) -> dict[str, Any]:
    variables = {"lat": point[0], "lng": point[1], "r": radius, **page}
    return (await api.ok(NEARBY_PLACES, variables, token))["nearbyPlaces"]  # type: ignore[no-any-return]


def captions(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["caption"] for edge in connection["edges"]]


def names(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in connection["edges"]]


# --- nearby -------------------------------------------------------------------------------


async def test_nearby_at_1_km_has_the_pier_and_not_the_city_10_km_away(api: Api) -> None:
    # given
    maya = await api.sign_up("maya")
    await share(api, maya, "sunset", "Santa Monica Pier", PIER)
    await share(api, maya, "downtown", "Downtown", north(PIER, 10_000))
    await share(api, maya, "just inside", "Ocean Ave", north(PIER, 990))

    # when
    moments = await nearby(api, PIER, 1_000)
    places = await nearby_places(api, PIER, 1_000)
    wide = await nearby(api, PIER, 10_100)

    # then: newest first; places nearest first, with their distance
    assert captions(moments) == ["just inside", "sunset"]
    assert names(places) == ["Santa Monica Pier", "Ocean Ave"]
    assert [round(edge["distanceMeters"]) for edge in places["edges"]] == [0, 990]
    assert captions(wide) == ["just inside", "downtown", "sunset"]


async def test_the_radius_holds_across_the_antimeridian_and_the_poles(api: Api) -> None:
    # given: a place on each side of the 180th meridian, one near each pole
    maya = await api.sign_up("maya")
    await share(api, maya, "fiji east", "Taveuni", (-16.8, 179.99))
    await share(api, maya, "fiji west", "Rabi", (-16.8, -179.99))
    await share(api, maya, "north", "North Pole Camp", (89.99, 0.0))
    await share(api, maya, "south", "Amundsen-Scott", (-89.995, 120.0))

    # when / then: around lon -179.99 the place at lon 179.99 (2.1 km away) is found
    across = await nearby_places(api, (-16.8, -179.99), 3_000)
    assert names(across) == ["Rabi", "Taveuni"]
    assert round(across["edges"][1]["distanceMeters"]) == round(
        distance_m(-16.8, -179.99, -16.8, 179.99)
    )
    assert captions(await nearby(api, (-16.8, 179.99), 3_000)) == ["fiji west", "fiji east"]
    # across the pole: lon 180 at 89.99 is 2.2 km from lon 0 at 89.99
    assert names(await nearby_places(api, (89.99, 180.0), 3_000)) == ["North Pole Camp"]
    assert names(await nearby_places(api, (90.0, 0.0), 2_000)) == ["North Pole Camp"]
    assert captions(await nearby(api, (-90.0, 0.0), 1_000)) == ["south"]
    assert names(await nearby_places(api, (0.0, 0.0), 50_000)) == []


async def test_nearby_places_page_by_distance_without_repeats_or_gaps(api: Api) -> None:
    # given: nine places, two pairs of them at the same distance (ties go by id)
    maya = await api.sign_up("maya")
    spots = [
        ("a", north(PIER, 400)),
        ("b", east(PIER, 100)),
        ("c", north(PIER, -100)),  # south: the same 100 m as a due-north one
        ("d", north(PIER, 100)),
        ("e", north(PIER, 2_500)),
        ("f", east(PIER, -700)),
        ("g", north(PIER, 700)),
        ("h", PIER),
        ("i", north(PIER, 1_500)),
    ]
    for name, point in spots:
        await share(api, maya, f"at {name}", name, point)
    expected = sorted((distance_m(*PIER, *point), n, name) for n, (name, point) in enumerate(spots))

    # when: pages of two
    seen, after, pages = [], None, 0
    while True:
        page = await nearby_places(api, PIER, 5_000, first=2, after=after)
        seen += [(edge["node"]["name"], edge["distanceMeters"]) for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    # then
    assert pages == 5
    assert [name for name, _ in seen] == [name for *_, name in expected]
    assert [round(d, 3) for _, d in seen] == [round(d, 3) for d, *_ in expected]
    first = await nearby_places(api, PIER, 5_000, first=0)
    assert first["edges"] == [] and first["pageInfo"]["hasNextPage"] is True


async def test_nearby_pages_newest_first_without_repeats_or_gaps(api: Api) -> None:
    # given: eleven moments at three places in the radius, among them (the newest at the
    # busiest place) four by olga, private, whom maya does not follow; one outside it
    maya, kofi, olga = [await api.sign_up(name) for name in ("maya", "kofi", "olga")]
    await api.ok(
        "mutation { updateProfile(input: { isPrivate: true }) { errors { code } } }",
        token=olga.token,
    )
    for n in range(11):
        who = olga if n in (6, 8, 9, 10) else maya if n % 2 else kofi
        spot = 0 if n >= 6 else n % 3
        await share(api, who, f"m{n}", f"spot {spot}", north(PIER, 200 * spot))
    await share(api, maya, "far", "Far", north(PIER, 5_000))

    # when: pages of two, as maya and as olga
    async def paged(token: str) -> list[str]:
        seen, after = [], None
        while True:
            page = await nearby(api, PIER, 1_000, token, first=2, after=after)
            seen += captions(page)
            if not page["pageInfo"]["hasNextPage"]:
                return seen
            after = page["pageInfo"]["endCursor"]

    # then
    assert await paged(maya.token) == ["m7", "m5", "m4", "m3", "m2", "m1", "m0"]
    assert await paged(olga.token) == [f"m{n}" for n in reversed(range(11))]


# --- the dedupe ---------------------------------------------------------------------------


async def test_one_place_per_name_within_100_m_and_per_venue_id(api: Api) -> None:
    maya = await api.sign_up("maya")
    first = (await share(api, maya, "1", "Café Olé", PIER))["place"]
    # same name (case, accents, punctuation, spaces aside) 50 m away: the same place
    same = (await share(api, maya, "2", "  cafe   OLE!", north(PIER, 50)))["place"]
    # 150 m away: another
    apart = (await share(api, maya, "3", "Café Olé", north(PIER, 150)))["place"]
    # another name at the very spot: another
    other = (await share(api, maya, "4", "Café Noir", PIER))["place"]
    # one venue id, two spots 9,000 km apart: one place, as it was first shared
    venue = (await share(api, maya, "5", "Blue Note", (40.7308, -74.0006), "4a9b"))["place"]
    again = (await share(api, maya, "6", "Blue Note Tokyo", (35.6613, 139.7153), "4a9b"))["place"]
    # no point and no venue: a place of its own
    home1 = (await share(api, maya, "7", "Home"))["place"]
    home2 = (await share(api, maya, "8", "Home"))["place"]

    assert same["id"] == first["id"] and same["name"] == "Café Olé"
    assert (same["latitude"], same["longitude"]) == PIER  # the place's, copied to the moment
    assert same["postcardCount"] == 2
    assert len({first["id"], apart["id"], other["id"]}) == 3
    assert again == {
        "id": venue["id"],
        "name": "Blue Note",
        "latitude": 40.7308,
        "longitude": -74.0006,
        "foursquareVenueId": "4a9b",
        "postcardCount": 2,
    }
    assert home1["id"] != home2["id"] and home1["latitude"] is None
    assert await Place.all().count() == 6


async def test_concurrent_first_moments_at_one_venue_make_one_place(api: Api) -> None:
    # given: members sharing at once at a place nobody shared at before
    members = [await api.sign_up(f"fan{n}") for n in range(6)]

    # when: one unnamed-venue place and one Foursquare venue, six moments each, at once
    await asyncio.gather(
        *(share(api, m, "gig", "The Lexington", north(PIER, n)) for n, m in enumerate(members)),
        *(share(api, m, "gig", "Roundhouse", PIER, "4b2c") for m in members),
    )

    # then
    places = await Place.all().order_by("name").values_list("name", "postcard_count")
    assert places == [("Roundhouse", 6), ("The Lexington", 6)]


async def test_the_name_dedupe_holds_while_transactions_overlap(app: object) -> None:
    """Four transactions each look the place up, then stay open a while before committing:
    without the advisory lock on the name (PostgreSQL), each would find nothing and insert
    its own place."""

    async def first_moment_there(n: int) -> int:
        async with in_transaction() as conn:
            spot = places.CleanPlace("The Lexington", *north(PIER, n))
            place = await places.place_for(conn, spot)
            await asyncio.sleep(0.2)
        return place.id

    made = await asyncio.gather(*(first_moment_there(n) for n in range(4)))
    assert len(set(made)) == 1
    assert await Place.all().count() == 1


# --- counts -------------------------------------------------------------------------------

REPORT = """mutation ($input: ReportInput!) { report(input: $input) {
  report { id } errors { code } } }"""
RESOLVE = """mutation ($input: ResolveReportInput!) { resolveReport(input: $input) {
  errors { code } } }"""
DELETE_ACCOUNT = """mutation ($input: DeleteAccountInput!) { deleteAccount(input: $input) {
  errors { code } } }"""


async def counts() -> dict[str, int]:
    return dict(await Place.all().values_list("name", "postcard_count"))  # type: ignore[arg-type]


async def test_postcard_count_follows_every_way_a_moment_goes(api: Api) -> None:
    # given: moments at the pier by three members, one at the beach
    maya, kofi, tom = [await api.sign_up(name) for name in ("maya", "kofi", "tom")]
    mona = await api.sign_up("mona")
    await moderation.grant_role("mona", Role.MODERATOR)
    cards = [await share(api, who, "pier", "Pier", PIER) for who in (maya, maya, kofi, tom, tom)]
    beach = await share(api, maya, "beach", "Beach", north(PIER, 3_000))
    assert await counts() == {"Pier": 5, "Beach": 1}

    # when: moved, deleted, removed by a moderator, the account deleted, suspended
    await api.mutate(
        "updatePostcard",
        UPDATE,
        {
            "postcardId": cards[0]["id"],
            "place": {"name": "Beach", "latitude": north(PIER, 3_000)[0], "longitude": PIER[1]},
        },
        maya.token,
    )
    assert await counts() == {"Pier": 4, "Beach": 2}
    await api.mutate(
        "updatePostcard", UPDATE, {"postcardId": beach["id"], "place": None}, maya.token
    )
    assert await counts() == {"Pier": 4, "Beach": 1}
    await api.mutate("deletePostcard", DELETE, {"postcardId": cards[1]["id"]}, maya.token)
    assert await counts() == {"Pier": 3, "Beach": 1}
    report = await api.mutate(
        "report", REPORT, {"subjectId": cards[2]["id"], "reason": "SPAM"}, maya.token
    )
    await api.mutate(
        "resolveReport",
        RESOLVE,
        {"reportId": report["report"]["id"], "action": "REMOVE_CONTENT"},
        mona.token,
    )
    assert await counts() == {"Pier": 2, "Beach": 1}
    await api.mutate("deleteAccount", DELETE_ACCOUNT, {"password": "correct horse"}, tom.token)
    assert await counts() == {"Pier": 0, "Beach": 1}
    # a suspension hides a member's moments, and deletes none: the count stays
    report = await api.mutate(
        "report", REPORT, {"subjectId": cards[0]["id"], "reason": "SPAM"}, kofi.token
    )
    await api.mutate(
        "resolveReport",
        RESOLVE,
        {"reportId": report["report"]["id"], "action": "SUSPEND_ACCOUNT"},
        mona.token,
    )

    # then
    assert await counts() == {"Pier": 0, "Beach": 1}
    assert captions(await nearby(api, PIER, 5_000)) == []  # maya is suspended


async def test_a_place_is_seen_only_through_a_moment_you_may_see(api: Api) -> None:
    # given: olivia, private, shares at home; sam at the pier
    olivia, sam = await api.sign_up("olivia"), await api.sign_up("sam")
    home = (await share(api, olivia, "home", "Olivia's place", north(PIER, 300)))["place"]
    pier = (await share(api, sam, "pier", "Pier", PIER))["place"]
    await api.ok(
        "mutation { updateProfile(input: { isPrivate: true }) { errors { code } } }",
        token=olivia.token,
    )

    # when / then: for sam her home is nowhere; for her it is there
    assert names(await nearby_places(api, PIER, 1_000, sam.token)) == ["Pier"]
    assert names(await nearby_places(api, PIER, 1_000, olivia.token)) == ["Pier", "Olivia's place"]
    assert (await api.ok(PLACE, {"id": home["id"]}, sam.token))["node"] is None
    assert (await api.ok(PLACE, {"id": home["id"]}))["node"] is None
    mine = (await api.ok(PLACE, {"id": home["id"]}, olivia.token))["node"]
    assert mine == {
        "name": "Olivia's place",
        "postcardCount": 1,
        "postcards": {"edges": [{"node": {"caption": "home"}}]},
    }
    assert (await api.ok(PLACE, {"id": pier["id"]}))["node"]["postcards"]["edges"] == [
        {"node": {"caption": "pier"}}
    ]


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "field", "code"),
    [
        ({"name": "Pier", "latitude": 90.5, "longitude": 0}, ["place", "latitude"], "OUT_OF_RANGE"),
        (
            {"name": "Pier", "latitude": 0, "longitude": -180.01},
            ["place", "longitude"],
            "OUT_OF_RANGE",
        ),
        ({"name": "Pier", "latitude": 10}, ["place"], "INVALID"),
        ({"name": "", "latitude": 10, "longitude": 10}, ["place", "name"], "REQUIRED"),
        (
            {"name": "Pier", "foursquareVenueId": "not a venue!"},
            ["place", "foursquareVenueId"],
            "INVALID",
        ),
    ],
)
async def test_a_bad_place_is_refused_and_writes_nothing(
    api: Api, place: dict[str, Any], field: list[str] | None, code: str | None
) -> None:
    maya = await api.sign_up("maya")
    before = await snapshot()
    input = {"track": {"title": "Song", "artist": "Band"}, "place": place}
    body = await api.raw(CREATE, {"input": input}, maya.token)
    errors = body["data"]["createPostcard"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert await snapshot() == before


PLACE_1E999 = '"name": "P", "latitude": 1e999, "longitude": 0'


async def test_an_infinite_coordinate_is_refused_and_writes_nothing(api: Api) -> None:
    # JSON's 1e999 is infinity to a parser: no GraphQL Float, refused before anything runs
    maya = await api.sign_up("maya")
    before = await snapshot()
    create = {"input": {"track": {"title": "S", "artist": "B"}, "place": {"name": "P"}}}
    texts = [
        json.dumps({"query": CREATE, "variables": create}).replace('"name": "P"', PLACE_1E999),
        json.dumps({"query": NEARBY, "variables": {"lat": "INF", "lng": 0, "r": 10}}),
        json.dumps({"query": NEARBY, "variables": {"lat": 0, "lng": 0, "r": "INF"}}),
    ]
    bodies = [text.replace('"INF"', "1e999") for text in texts]
    for body in bodies:
        response = await api.http.post(
            "/graphql",
            content=body,
            headers={"Authorization": f"Bearer {maya.token}", "Content-Type": "application/json"},
        )
        answer = response.json()
        assert answer.get("data") is None, answer
        assert answer["errors"], answer
    assert await snapshot() == before


@pytest.mark.parametrize(
    ("lat", "lng", "radius"),
    [
        (0, 0, 0),
        (0, 0, -5),
        (0, 0, 0.5),
        (34.0083, 90.0, 5e-324),  # once an underflow in PostgreSQL's earth_box (the fuzz)
        (0, 0, 50_000.5),
        (90.01, 0, 10),
        (0, 180.5, 10),
        (-91, 0, 10),
    ],
)
@pytest.mark.parametrize("query", [NEARBY, NEARBY_PLACES])
async def test_a_bad_circle_is_bad_user_input(
    api: Api, query: str, lat: float, lng: float, radius: float
) -> None:
    before = await snapshot()
    body = await api.raw(query, {"lat": lat, "lng": lng, "r": radius})
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert await snapshot() == before


async def test_a_cursor_of_another_list_is_bad_user_input(api: Api) -> None:
    maya = await api.sign_up("maya")
    for n in range(2):
        await share(api, maya, f"m{n}", f"spot {n}", north(PIER, n * 10))
    moments = await nearby(api, PIER, 100, first=1)
    places = await nearby_places(api, PIER, 100, first=1)
    crossed = [
        (NEARBY_PLACES, moments["pageInfo"]["endCursor"]),
        (NEARBY, places["pageInfo"]["endCursor"]),
    ]
    for query, cursor in crossed:
        body = await api.raw(query, {"lat": PIER[0], "lng": PIER[1], "r": 100, "after": cursor})
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


# --- statements per page ------------------------------------------------------------------

SELECTION = """query ($lat: Float!, $lng: Float!, $r: Float!, $first: Int) {
  nearby(latitude: $lat, longitude: $lng, radiusMeters: $r, first: $first) {
    edges { node { caption viewerHasLiked author { username } track { title }
      place { id name postcardCount } } } }
  nearbyPlaces(latitude: $lat, longitude: $lng, radiusMeters: $r, first: $first) {
    edges { distanceMeters node { id name latitude longitude postcardCount } } }
}"""


async def test_statements_per_page_do_not_grow_with_the_page(api: Api) -> None:
    # given: 12 moments by 12 members at 12 places
    members = [await api.sign_up(f"member{n}") for n in range(12)]
    for n, member in enumerate(members):
        await share(api, member, f"m{n}", f"spot {n}", north(PIER, 50 * n))

    # when: pages of 3 and of 12
    counted = {}
    for size in (3, 12):
        tokens.known_tokens.clear()
        variables = {"lat": PIER[0], "lng": PIER[1], "r": 2_000, "first": size}
        with count_sql() as sql:
            data = await api.ok(SELECTION, variables, members[0].token)
        counted[size] = len(sql.statements)
        assert len(data["nearby"]["edges"]) == len(data["nearbyPlaces"]["edges"]) == size

    # then: the token, the nearby page, its likes and places' counts, the places page
    assert counted == {3: 5, 12: 5}
