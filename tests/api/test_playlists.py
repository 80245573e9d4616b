"""Playlists over GraphQL: details, items, Spotify-style moves, expectedVersion conflicts,
who may see and change what, and concurrent additions."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime
from typing import Any

import pytest

from resolvers.playlists import moved_order
from tests.support.api import Api, User
from tests.support.documents import DELETE_POSTCARD

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    HAVE_HYPOTHESIS = True
except ImportError:  # not in the dev dependencies yet: the property tests are skipped
    HAVE_HYPOTHESIS = False

PLAYLIST_PARTS = """
fragment PlaylistParts on Playlist {
  id title description isPublic version itemCount createdAt updatedAt
  owner { username }
  items(first: 100) {
    edges { node { id position track { id title } postcard { id } addedBy { username } } }
  }
}
"""

CREATE_PLAYLIST = (
    """
mutation ($input: CreatePlaylistInput!) {
  createPlaylist(input: $input) { playlist { ...PlaylistParts } errors { field message code } }
}
"""
    + PLAYLIST_PARTS
)

UPDATE_PLAYLIST = (
    """
mutation ($input: UpdatePlaylistInput!) {
  updatePlaylist(input: $input) { playlist { ...PlaylistParts } errors { field message code } }
}
"""
    + PLAYLIST_PARTS
)

DELETE_PLAYLIST = """
mutation ($input: DeletePlaylistInput!) {
  deletePlaylist(input: $input) { deletedPlaylistId errors { field message code } }
}
"""

ADD_TO_PLAYLIST = (
    """
mutation ($input: AddToPlaylistInput!) {
  addToPlaylist(input: $input) { playlist { ...PlaylistParts } errors { field message code } }
}
"""
    + PLAYLIST_PARTS
)

REMOVE_FROM_PLAYLIST = (
    """
mutation ($input: RemoveFromPlaylistInput!) {
  removeFromPlaylist(input: $input) { playlist { ...PlaylistParts } errors { field message code } }
}
"""
    + PLAYLIST_PARTS
)

MOVE_PLAYLIST_ITEMS = (
    """
mutation ($input: MovePlaylistItemsInput!) {
  movePlaylistItems(input: $input) { playlist { ...PlaylistParts } errors { field message code } }
}
"""
    + PLAYLIST_PARTS
)

PLAYLIST = (
    """
query ($id: ID!) { playlist(id: $id) { ...PlaylistParts } }
"""
    + PLAYLIST_PARTS
)

NODE = """
query ($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Playlist { title }
    ... on PlaylistItem { position track { title } }
  }
}
"""

NODES = """
query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }
"""

USER_PLAYLISTS = """
query ($username: String!) {
  user(username: $username) { playlists(first: 10) { edges { node { title isPublic } } } }
}
"""

PLAYLIST_ITEMS_PAGE = """
query ($id: ID!, $after: String) {
  playlist(id: $id) {
    items(first: 2, after: $after) {
      edges { node { position track { title } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

CREATE_POSTCARD = """
mutation ($input: CreatePostcardInput!) {
  createPostcard(input: $input) { postcard { id track { id title } } errors { field message code } }
}
"""


# ---------------------------------------------------------------- helpers


def error(field: str | None, message: str, code: str) -> dict[str, Any]:
    return {"field": [field] if field else None, "message": message, "code": code}


def not_found(field: str, what: str) -> dict[str, Any]:
    return error(field, f"No {what} with this id.", "NOT_FOUND")


STALE = "The playlist changed: it is at version {current}, not {stale}. Refetch it and try again."


def conflict(current: int, stale: int) -> dict[str, Any]:
    return error("expectedVersion", STALE.format(current=current, stale=stale), "CONFLICT")


async def create_playlist(api: Api, owner: User, title: str = "Road trip", **fields: Any) -> Any:
    payload = await api.mutate(
        "createPlaylist", CREATE_PLAYLIST, {"title": title, **fields}, owner.token
    )
    return payload["playlist"]


async def share(api: Api, author: User, title: str) -> tuple[str, str]:
    """Post a moment with a song; returns (postcard id, track id)."""
    payload = await api.mutate(
        "createPostcard",
        CREATE_POSTCARD,
        {"track": {"title": title, "artist": "Band"}},
        author.token,
    )
    postcard = payload["postcard"]
    return postcard["id"], postcard["track"]["id"]


async def playlist_with(api: Api, owner: User, titles: list[str], **fields: Any) -> Any:
    """A playlist holding one item per title, in that order."""
    playlist = await create_playlist(api, owner, **fields)
    for title in titles:
        _postcard_id, track_id = await share(api, owner, title)
        playlist = await add(api, owner, playlist["id"], trackId=track_id)
    return playlist


async def add(api: Api, owner: User, playlist_id: str, **fields: Any) -> Any:
    payload = await api.mutate(
        "addToPlaylist", ADD_TO_PLAYLIST, {"playlistId": playlist_id, **fields}, owner.token
    )
    return payload["playlist"]


async def read(api: Api, viewer: User, playlist_id: str) -> Any:
    return (await api.ok(PLAYLIST, {"id": playlist_id}, viewer.token))["playlist"]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def titles(playlist: Any) -> list[str]:
    return [edge["node"]["track"]["title"] for edge in playlist["items"]["edges"]]


def item_ids(playlist: Any) -> list[str]:
    return [edge["node"]["id"] for edge in playlist["items"]["edges"]]


def positions(playlist: Any) -> list[int]:
    return [edge["node"]["position"] for edge in playlist["items"]["edges"]]


def spotify_reorder(order: list[Any], range_start: int, insert_before: int, length: int) -> list:
    """Reference, written from Spotify's description rather than from the implementation:
    take the range out, then put it back just before the item that was at `insert_before`
    (at the end when that is past the last item). Needs distinct items."""
    block = order[range_start : range_start + length]
    anchor = order[insert_before] if insert_before < len(order) else None
    if anchor in block:
        return list(order)  # inserting a range before itself leaves it where it is
    rest = [item for item in order if item not in block]
    at = rest.index(anchor) if anchor is not None else len(rest)
    return rest[:at] + block + rest[at:]


SONGS = ["A", "B", "C", "D", "E"]


# ---------------------------------------------------------------- create / update / delete


async def test_create_playlist_with_defaults(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")

    # when
    payload = (await api.ok(CREATE_PLAYLIST, {"input": {"title": "  Road trip  "}}, alice.token))[
        "createPlaylist"
    ]

    # then
    playlist = payload["playlist"]
    assert payload["errors"] == []
    assert playlist["title"] == "Road trip"
    assert playlist["description"] == ""
    assert playlist["isPublic"] is True
    assert playlist["version"] == 1
    assert playlist["itemCount"] == 0
    assert playlist["owner"] == {"username": "alice"}
    assert playlist["items"]["edges"] == []
    assert await read(api, alice, playlist["id"]) == playlist


async def test_create_private_playlist_with_description(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")

    # when
    playlist = await create_playlist(
        api, alice, "x" * 100, description="Line one\nline two", isPublic=False
    )

    # then
    assert playlist["title"] == "x" * 100
    assert playlist["description"] == "Line one\nline two"
    assert playlist["isPublic"] is False


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("", error("title", "Must not be empty.", "REQUIRED")),
        ("   ", error("title", "Must not be empty.", "REQUIRED")),
        ("x" * 101, error("title", "Must be at most 100 characters.", "TOO_LONG")),
    ],
)
async def test_create_playlist_rejects_bad_title(
    api: Api, title: str, expected: dict[str, Any]
) -> None:
    # given
    alice = await api.sign_up("alice")

    # when
    payload = (await api.ok(CREATE_PLAYLIST, {"input": {"title": title}}, alice.token))[
        "createPlaylist"
    ]

    # then
    assert payload == {"playlist": None, "errors": [expected]}
    data = await api.ok(USER_PLAYLISTS, {"username": "alice"}, alice.token)
    assert data["user"]["playlists"]["edges"] == []


async def test_create_playlist_rejects_too_long_description(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    input = {"title": "Ok", "description": "y" * 1001}

    # when
    payload = (await api.ok(CREATE_PLAYLIST, {"input": input}, alice.token))["createPlaylist"]

    # then
    assert payload == {
        "playlist": None,
        "errors": [error("description", "Must be at most 1000 characters.", "TOO_LONG")],
    }
    data = await api.ok(USER_PLAYLISTS, {"username": "alice"}, alice.token)
    assert data["user"]["playlists"]["edges"] == []


async def test_update_playlist_changes_given_fields_and_bumps_version(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    before = await create_playlist(api, alice, "Old", description="Kept")

    # when
    payload = await api.mutate(
        "updatePlaylist",
        UPDATE_PLAYLIST,
        {"playlistId": before["id"], "title": "New", "isPublic": False, "expectedVersion": 1},
        alice.token,
    )

    # then
    after = payload["playlist"]
    assert (after["title"], after["description"], after["isPublic"]) == ("New", "Kept", False)
    assert after["version"] == 2
    assert after["createdAt"] == before["createdAt"]
    assert moment(after["updatedAt"]) > moment(before["updatedAt"])
    assert await read(api, alice, before["id"]) == after


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": ""}, error("title", "Must not be empty.", "REQUIRED")),
        ({"title": "x" * 101}, error("title", "Must be at most 100 characters.", "TOO_LONG")),
        (
            {"title": "Fine", "description": "y" * 1001},
            error("description", "Must be at most 1000 characters.", "TOO_LONG"),
        ),
    ],
)
async def test_update_playlist_rejects_bad_input_and_writes_nothing(
    api: Api, changes: dict[str, Any], expected: dict[str, Any]
) -> None:
    # given
    alice = await api.sign_up("alice")
    before = await create_playlist(api, alice, "Old")

    # when
    input = {"playlistId": before["id"], **changes}
    payload = (await api.ok(UPDATE_PLAYLIST, {"input": input}, alice.token))["updatePlaylist"]

    # then
    assert payload == {"playlist": None, "errors": [expected]}
    assert await read(api, alice, before["id"]) == before


async def test_delete_playlist_removes_it_and_its_items(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await playlist_with(api, alice, ["A", "B"])
    [first_item, _] = item_ids(playlist)

    # when
    payload = await api.mutate(
        "deletePlaylist",
        DELETE_PLAYLIST,
        {"playlistId": playlist["id"], "expectedVersion": 3},
        alice.token,
    )

    # then
    assert payload == {"deletedPlaylistId": playlist["id"], "errors": []}
    assert await read(api, alice, playlist["id"]) is None
    assert (await api.ok(NODE, {"id": first_item}, alice.token))["node"] is None
    data = await api.ok(USER_PLAYLISTS, {"username": "alice"}, alice.token)
    assert data["user"]["playlists"]["edges"] == []


# ---------------------------------------------------------------- adding


async def test_add_by_postcard_remembers_the_postcard_and_uses_its_track(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    bob = await api.sign_up("bob")
    postcard_id, track_id = await share(api, bob, "Heroes")
    playlist = await create_playlist(api, alice)

    # when
    after = await add(api, alice, playlist["id"], postcardId=postcard_id)

    # then
    assert after["version"] == 2
    assert after["itemCount"] == 1
    [edge] = after["items"]["edges"]
    assert edge["node"]["position"] == 0
    assert edge["node"]["track"] == {"id": track_id, "title": "Heroes"}
    assert edge["node"]["postcard"] == {"id": postcard_id}
    assert edge["node"]["addedBy"] == {"username": "alice"}


async def test_add_by_track_appends_at_the_end_without_a_postcard(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await playlist_with(api, alice, ["A", "B"])
    _postcard_id, track_id = await share(api, alice, "C")

    # when
    after = await add(api, alice, playlist["id"], trackId=track_id)

    # then
    assert titles(after) == ["A", "B", "C"]
    assert positions(after) == [0, 1, 2]
    assert after["items"]["edges"][2]["node"]["postcard"] is None
    assert (after["itemCount"], after["version"]) == (3, 4)


@pytest.mark.parametrize(
    ("position", "expected"),
    [(0, ["X", "A", "B", "C"]), (1, ["A", "X", "B", "C"]), (3, ["A", "B", "C", "X"])],
)
async def test_add_at_a_position_shifts_the_later_items(
    api: Api, position: int, expected: list[str]
) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await playlist_with(api, alice, ["A", "B", "C"])
    _postcard_id, track_id = await share(api, alice, "X")

    # when
    after = await add(api, alice, playlist["id"], trackId=track_id, position=position)

    # then
    assert titles(after) == expected
    assert positions(after) == [0, 1, 2, 3]
    assert (after["itemCount"], after["version"]) == (4, 5)


async def test_the_same_track_can_be_added_twice(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await create_playlist(api, alice)
    postcard_id, track_id = await share(api, alice, "Loop")

    # when
    await add(api, alice, playlist["id"], trackId=track_id)
    after = await add(api, alice, playlist["id"], postcardId=postcard_id, position=0)

    # then
    assert titles(after) == ["Loop", "Loop"]
    assert [edge["node"]["postcard"] for edge in after["items"]["edges"]] == [
        {"id": postcard_id},
        None,
    ]


BOTH_OR_NEITHER = error(None, "Give exactly one of postcardId and trackId.", "INVALID")
OUT_OF_0_2 = error("position", "Must be between 0 and 2.", "OUT_OF_RANGE")


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda ids: {}, BOTH_OR_NEITHER),
        (lambda ids: {"postcardId": ids["postcard"], "trackId": ids["track"]}, BOTH_OR_NEITHER),
        (lambda ids: {"trackId": ids["track"], "position": 3}, OUT_OF_0_2),
        (lambda ids: {"trackId": ids["track"], "position": -1}, OUT_OF_0_2),
        (lambda ids: {"trackId": ids["postcard"]}, not_found("trackId", "track")),
        (lambda ids: {"trackId": "not-an-id"}, not_found("trackId", "track")),
        (lambda ids: {"postcardId": ids["track"]}, not_found("postcardId", "postcard")),
        (lambda ids: {"postcardId": ids["user"]}, not_found("postcardId", "postcard")),
        (
            lambda ids: {"playlistId": ids["user"], "trackId": ids["track"]},
            not_found("playlistId", "playlist"),
        ),
        (
            lambda ids: {"playlistId": "%%%", "trackId": ids["track"]},
            not_found("playlistId", "playlist"),
        ),
        (
            lambda ids: {"playlistId": ids["item"], "trackId": ids["track"]},
            not_found("playlistId", "playlist"),
        ),
    ],
    ids=[
        "neither",
        "both",
        "position-past-end",
        "negative-position",
        "postcard-id-as-track",
        "malformed-track",
        "track-id-as-postcard",
        "user-id-as-postcard",
        "user-id-as-playlist",
        "malformed-playlist",
        "item-id-as-playlist",
    ],
)
async def test_add_rejects_bad_input_and_writes_nothing(
    api: Api, build: Any, expected: dict[str, Any]
) -> None:
    # given
    alice = await api.sign_up("alice")
    before = await playlist_with(api, alice, ["A", "B"])
    postcard_id, track_id = await share(api, alice, "X")
    ids = {
        "postcard": postcard_id,
        "track": track_id,
        "user": alice.id,
        "item": item_ids(before)[0],
    }

    # when
    input = {"playlistId": before["id"], **build(ids)}
    payload = (await api.ok(ADD_TO_PLAYLIST, {"input": input}, alice.token))["addToPlaylist"]

    # then
    assert payload == {"playlist": None, "errors": [expected]}
    assert await read(api, alice, before["id"]) == before


async def test_add_a_deleted_postcard_is_not_found(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    before = await create_playlist(api, alice)
    postcard_id, _track_id = await share(api, alice, "Gone")
    await api.mutate("deletePostcard", DELETE_POSTCARD, {"postcardId": postcard_id}, alice.token)

    # when
    input = {"playlistId": before["id"], "postcardId": postcard_id}
    payload = (await api.ok(ADD_TO_PLAYLIST, {"input": input}, alice.token))["addToPlaylist"]

    # then
    assert payload == {"playlist": None, "errors": [not_found("postcardId", "postcard")]}
    assert await read(api, alice, before["id"]) == before


# ---------------------------------------------------------------- removing


@pytest.mark.parametrize(("index", "expected"), [(0, "BCD"), (1, "ACD"), (3, "ABC")])
async def test_remove_closes_the_gap(api: Api, index: int, expected: str) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await playlist_with(api, alice, ["A", "B", "C", "D"])

    # when
    payload = await api.mutate(
        "removeFromPlaylist",
        REMOVE_FROM_PLAYLIST,
        {"playlistId": playlist["id"], "itemId": item_ids(playlist)[index]},
        alice.token,
    )

    # then
    after = payload["playlist"]
    assert titles(after) == list(expected)
    assert positions(after) == [0, 1, 2]
    assert (after["itemCount"], after["version"]) == (3, 6)
    assert await read(api, alice, playlist["id"]) == after


async def test_remove_rejects_an_item_of_another_playlist_and_writes_nothing(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    before = await playlist_with(api, alice, ["A"])
    other = await playlist_with(api, alice, ["B"])

    for item_id in [item_ids(other)[0], before["id"], "garbage"]:
        # when
        input = {"playlistId": before["id"], "itemId": item_id}
        payload = (await api.ok(REMOVE_FROM_PLAYLIST, {"input": input}, alice.token))[
            "removeFromPlaylist"
        ]

        # then
        assert payload == {
            "playlist": None,
            "errors": [not_found("itemId", "item in this playlist")],
        }
    assert await read(api, alice, before["id"]) == before
    assert await read(api, alice, other["id"]) == other


# ---------------------------------------------------------------- moving

MOVES = [
    # (rangeStart, insertBefore, rangeLength)
    (0, 5, 1),  # first to the end
    (4, 0, 1),  # last to the front
    (0, 2, 1),  # Spotify's own example: first before the third
    (2, 0, 2),  # middle pair to the front
    (0, 5, 2),  # first pair to the end
    (1, 4, 2),  # forward, not to the end
    (3, 1, 2),  # backward into the middle
    (0, 5, 4),  # all but the last, after the last
    (1, 0, 4),  # all but the first, to the front
]
NO_OP_MOVES = [
    # insert before the range itself, inside it, or right after it
    (0, 0, 1),
    (2, 2, 1),
    (2, 3, 1),
    (1, 3, 2),
    (0, 5, 5),
    (1, 2, 3),
    (1, 3, 3),
    (2, 3, 3),
    (0, 3, 5),
]


@pytest.mark.parametrize(("start", "before", "length"), MOVES + NO_OP_MOVES)
def test_moved_order_matches_the_reference(start: int, before: int, length: int) -> None:
    assert moved_order(SONGS, start, before, length) == spotify_reorder(
        SONGS, start, before, length
    )


@pytest.mark.parametrize(
    ("start", "before", "length", "expected"),
    [
        (0, 5, 1, "BCDEA"),
        (4, 0, 1, "EABCD"),
        (0, 2, 1, "BACDE"),
        (2, 0, 2, "CDABE"),
        (1, 4, 2, "ADBCE"),
        (3, 1, 2, "ADEBC"),
    ],
)
def test_reference_reorder_by_hand(start: int, before: int, length: int, expected: str) -> None:
    assert "".join(spotify_reorder(SONGS, start, before, length)) == expected


@pytest.mark.parametrize(("start", "before", "length"), MOVES)
async def test_move_matches_the_reference(api: Api, start: int, before: int, length: int) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await playlist_with(api, alice, SONGS)
    ids = item_ids(playlist)

    # when
    payload = await api.mutate(
        "movePlaylistItems",
        MOVE_PLAYLIST_ITEMS,
        {
            "playlistId": playlist["id"],
            "rangeStart": start,
            "insertBefore": before,
            "rangeLength": length,
            "expectedVersion": 6,
        },
        alice.token,
    )

    # then
    after = payload["playlist"]
    assert item_ids(after) == spotify_reorder(ids, start, before, length)
    assert positions(after) == [0, 1, 2, 3, 4]
    assert (after["itemCount"], after["version"]) == (5, 7)
    assert await read(api, alice, playlist["id"]) == after


async def test_move_defaults_to_one_item(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await playlist_with(api, alice, SONGS)

    # when
    input = {"playlistId": playlist["id"], "rangeStart": 1, "insertBefore": 4}
    payload = await api.mutate("movePlaylistItems", MOVE_PLAYLIST_ITEMS, input, alice.token)

    # then
    assert "".join(titles(payload["playlist"])) == "ACDBE"


@pytest.mark.parametrize(("start", "before", "length"), NO_OP_MOVES)
async def test_a_move_that_changes_nothing_keeps_the_version(
    api: Api, start: int, before: int, length: int
) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await playlist_with(api, alice, SONGS)

    # when
    input = {
        "playlistId": playlist["id"],
        "rangeStart": start,
        "insertBefore": before,
        "rangeLength": length,
    }
    payload = await api.mutate("movePlaylistItems", MOVE_PLAYLIST_ITEMS, input, alice.token)

    # then
    assert payload["playlist"] == playlist
    assert await read(api, alice, playlist["id"]) == playlist


def range_error(field: str, message: str) -> dict[str, Any]:
    return error(field, message, "OUT_OF_RANGE")


@pytest.mark.parametrize(
    ("start", "before", "length", "expected"),
    [
        (0, 2, 0, [range_error("rangeLength", "Must be at least 1.")]),
        (0, 2, -1, [range_error("rangeLength", "Must be at least 1.")]),
        (-1, 2, 1, [range_error("rangeStart", "Must be between 0 and 4.")]),
        (5, 0, 1, [range_error("rangeStart", "Must be between 0 and 4.")]),
        (0, 6, 1, [range_error("insertBefore", "Must be between 0 and 5.")]),
        (0, -1, 1, [range_error("insertBefore", "Must be between 0 and 5.")]),
        (
            3,
            0,
            3,
            [
                range_error(
                    "rangeLength",
                    "The range runs past the end: at most 2 items start at position 3.",
                )
            ],
        ),
        (
            0,
            5,
            6,
            [
                range_error(
                    "rangeLength",
                    "The range runs past the end: at most 5 items start at position 0.",
                )
            ],
        ),
        (
            7,
            9,
            0,
            [
                range_error("rangeStart", "Must be between 0 and 4."),
                range_error("rangeLength", "Must be at least 1."),
                range_error("insertBefore", "Must be between 0 and 5."),
            ],
        ),
    ],
)
async def test_move_rejects_bad_ranges_and_writes_nothing(
    api: Api, start: int, before: int, length: int, expected: list[dict[str, Any]]
) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await playlist_with(api, alice, SONGS)

    # when
    input = {
        "playlistId": playlist["id"],
        "rangeStart": start,
        "insertBefore": before,
        "rangeLength": length,
    }
    payload = (await api.ok(MOVE_PLAYLIST_ITEMS, {"input": input}, alice.token))[
        "movePlaylistItems"
    ]

    # then
    assert payload == {"playlist": None, "errors": expected}
    assert await read(api, alice, playlist["id"]) == playlist


async def test_move_in_an_empty_playlist_is_out_of_range(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await create_playlist(api, alice)

    # when
    input = {"playlistId": playlist["id"], "rangeStart": 0, "insertBefore": 0}
    payload = (await api.ok(MOVE_PLAYLIST_ITEMS, {"input": input}, alice.token))[
        "movePlaylistItems"
    ]

    # then
    assert payload == {
        "playlist": None,
        "errors": [range_error("rangeStart", "The playlist is empty: there is nothing to move.")],
    }
    assert await read(api, alice, playlist["id"]) == playlist


if HAVE_HYPOTHESIS:

    @st.composite
    def orders_and_moves(draw: Any) -> tuple[list[int], int, int, int]:
        """A list of distinct items and a valid Spotify move over it."""
        count = draw(st.integers(min_value=1, max_value=30))
        start = draw(st.integers(min_value=0, max_value=count - 1))
        length = draw(st.integers(min_value=1, max_value=count - start))
        before = draw(st.integers(min_value=0, max_value=count))
        return list(range(100, 100 + count)), start, before, length

    @given(orders_and_moves())
    def test_moved_order_matches_the_reference_for_any_valid_move(
        case: tuple[list[int], int, int, int],
    ) -> None:
        order, start, before, length = case
        moved = moved_order(order, start, before, length)
        assert moved == spotify_reorder(order, start, before, length)
        assert sorted(moved) == order
        block = order[start : start + length]
        at = moved.index(block[0])
        assert moved[at : at + length] == block

    _movers = itertools.count()

    MOVE_SEQUENCES = st.integers(min_value=1, max_value=6).flatmap(
        lambda count: st.tuples(
            st.just(count),
            st.lists(
                st.integers(min_value=0, max_value=count - 1).flatmap(
                    lambda start: st.tuples(
                        st.just(start),
                        st.integers(min_value=0, max_value=count),
                        st.integers(min_value=1, max_value=count - start),
                    )
                ),
                max_size=4,
            ),
        )
    )

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(MOVE_SEQUENCES)
    async def test_moves_over_graphql_follow_the_reference(
        api: Api, case: tuple[int, list[tuple[int, int, int]]]
    ) -> None:
        # given: a fresh playlist per example (tables are emptied per test, not per example)
        count, moves = case
        owner = await api.sign_up(f"mover{next(_movers)}")
        playlist = await playlist_with(api, owner, [f"S{i}" for i in range(count)])
        expected, version = item_ids(playlist), playlist["version"]

        for start, before, length in moves:
            # when
            input = {
                "playlistId": playlist["id"],
                "rangeStart": start,
                "insertBefore": before,
                "rangeLength": length,
                "expectedVersion": version,
            }
            payload = await api.mutate("movePlaylistItems", MOVE_PLAYLIST_ITEMS, input, owner.token)

            # then
            moved = spotify_reorder(expected, start, before, length)
            version += moved != expected
            expected = moved
            assert item_ids(payload["playlist"]) == expected
            assert positions(payload["playlist"]) == list(range(count))
            assert payload["playlist"]["version"] == version

else:

    @pytest.mark.skip(reason="hypothesis is not installed")
    def test_moved_order_matches_the_reference_for_any_valid_move() -> None:
        """Runs once hypothesis is in the dev dependencies."""

    @pytest.mark.skip(reason="hypothesis is not installed")
    def test_moves_over_graphql_follow_the_reference() -> None:
        """Runs once hypothesis is in the dev dependencies."""


# ---------------------------------------------------------------- expectedVersion


async def _update(api: Api, user: User, playlist: Any, version: int) -> Any:
    input = {"playlistId": playlist["id"], "title": "Changed", "expectedVersion": version}
    return (await api.ok(UPDATE_PLAYLIST, {"input": input}, user.token))["updatePlaylist"]


async def _delete(api: Api, user: User, playlist: Any, version: int) -> Any:
    input = {"playlistId": playlist["id"], "expectedVersion": version}
    return (await api.ok(DELETE_PLAYLIST, {"input": input}, user.token))["deletePlaylist"]


async def _add(api: Api, user: User, playlist: Any, version: int) -> Any:
    track_id = playlist["items"]["edges"][0]["node"]["track"]["id"]
    input = {"playlistId": playlist["id"], "trackId": track_id, "expectedVersion": version}
    return (await api.ok(ADD_TO_PLAYLIST, {"input": input}, user.token))["addToPlaylist"]


async def _remove(api: Api, user: User, playlist: Any, version: int) -> Any:
    input = {
        "playlistId": playlist["id"],
        "itemId": item_ids(playlist)[0],
        "expectedVersion": version,
    }
    return (await api.ok(REMOVE_FROM_PLAYLIST, {"input": input}, user.token))["removeFromPlaylist"]


async def _move(api: Api, user: User, playlist: Any, version: int) -> Any:
    input = {
        "playlistId": playlist["id"],
        "rangeStart": 0,
        "insertBefore": 3,
        "expectedVersion": version,
    }
    return (await api.ok(MOVE_PLAYLIST_ITEMS, {"input": input}, user.token))["movePlaylistItems"]


EDITS = [_update, _add, _remove, _move]
EDIT_IDS = ["update", "add", "remove", "move"]


@pytest.mark.parametrize("edit", [*EDITS, _delete], ids=[*EDIT_IDS, "delete"])
@pytest.mark.parametrize("stale", [1, 3, 5])
async def test_a_stale_expected_version_conflicts_and_changes_nothing(
    api: Api, edit: Any, stale: int
) -> None:
    # given: version 4 after three additions
    alice = await api.sign_up("alice")
    before = await playlist_with(api, alice, ["A", "B", "C"])

    # when
    payload = await edit(api, alice, before, stale)

    # then
    [name] = [key for key in payload if key != "errors"]
    assert payload == {name: None, "errors": [conflict(current=4, stale=stale)]}
    assert await read(api, alice, before["id"]) == before


@pytest.mark.parametrize("edit", EDITS, ids=EDIT_IDS)
async def test_the_current_expected_version_succeeds(api: Api, edit: Any) -> None:
    # given
    alice = await api.sign_up("alice")
    before = await playlist_with(api, alice, ["A", "B", "C"])

    # when
    payload = await edit(api, alice, before, 4)

    # then
    assert payload["errors"] == []
    assert payload["playlist"]["version"] == 5
    assert await read(api, alice, before["id"]) == payload["playlist"]


# ---------------------------------------------------------------- who may see and change


@pytest.mark.parametrize("edit", [*EDITS, _delete], ids=[*EDIT_IDS, "delete"])
@pytest.mark.parametrize(
    ("is_public", "expected"),
    [
        (True, error("playlistId", "Only the owner can change this playlist.", "FORBIDDEN")),
        (False, not_found("playlistId", "playlist")),
    ],
    ids=["public", "private"],
)
async def test_a_stranger_cannot_change_a_playlist(
    api: Api, edit: Any, is_public: bool, expected: dict[str, Any]
) -> None:
    # given
    alice = await api.sign_up("alice")
    mallory = await api.sign_up("mallory")
    before = await playlist_with(api, alice, ["A", "B", "C"], isPublic=is_public)

    # when
    payload = await edit(api, mallory, before, 4)

    # then
    [name] = [key for key in payload if key != "errors"]
    assert payload == {name: None, "errors": [expected]}
    assert await read(api, alice, before["id"]) == before


@pytest.mark.parametrize(
    ("query", "input"),
    [
        (CREATE_PLAYLIST, {"title": "Mine"}),
        (UPDATE_PLAYLIST, {"title": "Mine"}),
        (DELETE_PLAYLIST, {}),
        (ADD_TO_PLAYLIST, {"trackId": "x"}),
        (REMOVE_FROM_PLAYLIST, {"itemId": "x"}),
        (MOVE_PLAYLIST_ITEMS, {"rangeStart": 0, "insertBefore": 3}),
    ],
    ids=["create", "update", "delete", "add", "remove", "move"],
)
async def test_anonymous_mutations_are_unauthenticated(
    api: Api, query: str, input: dict[str, Any]
) -> None:
    # given
    alice = await api.sign_up("alice")
    before = await playlist_with(api, alice, ["A", "B", "C"])
    if query is not CREATE_PLAYLIST:
        input = {"playlistId": before["id"], **input}

    # when
    body = await api.raw(query, {"input": input})

    # then
    assert body["data"] is None
    assert [e["extensions"] for e in body["errors"]] == [{"code": "UNAUTHENTICATED"}]
    assert await read(api, alice, before["id"]) == before
    data = await api.ok(USER_PLAYLISTS, {"username": "alice"}, alice.token)
    assert len(data["user"]["playlists"]["edges"]) == 1


async def test_a_private_playlist_is_visible_to_its_owner_only(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    bob = await api.sign_up("bob")
    secret = await playlist_with(api, alice, ["A"], isPublic=False)
    await create_playlist(api, alice, "Open")
    [item_id] = item_ids(secret)

    for viewer, sees_it in [(alice, True), (bob, False), (None, False)]:
        token = viewer.token if viewer else None

        # when
        playlist = (await api.ok(PLAYLIST, {"id": secret["id"]}, token))["playlist"]
        node = (await api.ok(NODE, {"id": secret["id"]}, token))["node"]
        item = (await api.ok(NODE, {"id": item_id}, token))["node"]
        nodes = (await api.ok(NODES, {"ids": [secret["id"], item_id]}, token))["nodes"]
        listed = (await api.ok(USER_PLAYLISTS, {"username": "alice"}, token))["user"]

        # then
        if sees_it:
            assert playlist == secret
            assert node == {"__typename": "Playlist", "id": secret["id"], "title": "Road trip"}
            assert item == {
                "__typename": "PlaylistItem",
                "id": item_id,
                "position": 0,
                "track": {"title": "A"},
            }
            assert nodes == [
                {"__typename": "Playlist", "id": secret["id"]},
                {"__typename": "PlaylistItem", "id": item_id},
            ]
            assert listed["playlists"]["edges"] == [
                {"node": {"title": "Open", "isPublic": True}},
                {"node": {"title": "Road trip", "isPublic": False}},
            ]
        else:
            assert (playlist, node, item, nodes) == (None, None, None, [None, None])
            assert listed["playlists"]["edges"] == [{"node": {"title": "Open", "isPublic": True}}]


async def test_a_public_playlist_and_its_items_are_visible_to_everyone(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    bob = await api.sign_up("bob")
    playlist = await playlist_with(api, alice, ["A"])
    [item_id] = item_ids(playlist)

    for token in [bob.token, None]:
        # when
        seen = (await api.ok(PLAYLIST, {"id": playlist["id"]}, token))["playlist"]
        item = (await api.ok(NODE, {"id": item_id}, token))["node"]

        # then
        assert seen == playlist
        assert item == {
            "__typename": "PlaylistItem",
            "id": item_id,
            "position": 0,
            "track": {"title": "A"},
        }


async def test_making_a_playlist_private_hides_it_and_its_items(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    bob = await api.sign_up("bob")
    playlist = await playlist_with(api, alice, ["A"])
    [item_id] = item_ids(playlist)

    # when
    await api.mutate(
        "updatePlaylist",
        UPDATE_PLAYLIST,
        {"playlistId": playlist["id"], "isPublic": False},
        alice.token,
    )

    # then
    assert await read(api, bob, playlist["id"]) is None
    assert (await api.ok(NODE, {"id": item_id}, bob.token))["node"] is None
    listed = await api.ok(USER_PLAYLISTS, {"username": "alice"}, bob.token)
    assert listed["user"]["playlists"]["edges"] == []


async def test_ids_of_other_types_are_not_playlists(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await playlist_with(api, alice, ["A"])
    postcard_id, track_id = await share(api, alice, "B")

    for wrong in [alice.id, postcard_id, track_id, item_ids(playlist)[0], "garbage", ""]:
        # when
        data = await api.ok(PLAYLIST, {"id": wrong}, alice.token)

        # then
        assert data == {"playlist": None}


# ---------------------------------------------------------------- items


async def test_items_page_in_playlist_order(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await playlist_with(api, alice, SONGS)
    await api.mutate(
        "movePlaylistItems",
        MOVE_PLAYLIST_ITEMS,
        {"playlistId": playlist["id"], "rangeStart": 4, "insertBefore": 0},
        alice.token,
    )
    pages: list[list[str]] = []
    after = None

    # when
    while True:
        data = await api.ok(PLAYLIST_ITEMS_PAGE, {"id": playlist["id"], "after": after})
        items = data["playlist"]["items"]
        pages.append([edge["node"]["track"]["title"] for edge in items["edges"]])
        if not items["pageInfo"]["hasNextPage"]:
            break
        after = items["pageInfo"]["endCursor"]

    # then
    assert pages == [["E", "A"], ["B", "C"], ["D"]]


async def test_an_item_outlives_its_deleted_postcard(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    bob = await api.sign_up("bob")
    postcard_id, track_id = await share(api, bob, "Heroes")
    playlist = await create_playlist(api, alice)
    await add(api, alice, playlist["id"], postcardId=postcard_id)

    # when
    await api.mutate("deletePostcard", DELETE_POSTCARD, {"postcardId": postcard_id}, bob.token)

    # then
    after = await read(api, alice, playlist["id"])
    [edge] = after["items"]["edges"]
    assert edge["node"]["postcard"] is None
    assert edge["node"]["track"] == {"id": track_id, "title": "Heroes"}
    assert (after["itemCount"], after["version"]) == (1, 2)


# ---------------------------------------------------------------- concurrency


@pytest.mark.parametrize("position", [None, 0])
async def test_concurrent_additions_all_land_in_order(api: Api, position: int | None) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await create_playlist(api, alice)
    _postcard_id, track_id = await share(api, alice, "Again")
    input = {"playlistId": playlist["id"], "trackId": track_id, "position": position}

    # when
    bodies = await asyncio.gather(
        *(api.ok(ADD_TO_PLAYLIST, {"input": input}, alice.token) for _ in range(20))
    )

    # then
    assert [body["addToPlaylist"]["errors"] for body in bodies] == [[]] * 20
    versions = sorted(body["addToPlaylist"]["playlist"]["version"] for body in bodies)
    assert versions == list(range(2, 22))
    after = await read(api, alice, playlist["id"])
    assert (after["itemCount"], after["version"]) == (20, 21)
    assert positions(after) == list(range(20))
    assert len(set(item_ids(after))) == 20


async def test_concurrent_edits_from_one_version_let_exactly_one_win(api: Api) -> None:
    # given
    alice = await api.sign_up("alice")
    playlist = await create_playlist(api, alice)
    _postcard_id, track_id = await share(api, alice, "Race")
    input = {"playlistId": playlist["id"], "trackId": track_id, "expectedVersion": 1}

    # when
    bodies = await asyncio.gather(
        *(api.ok(ADD_TO_PLAYLIST, {"input": input}, alice.token) for _ in range(5))
    )

    # then
    errors = sorted((body["addToPlaylist"]["errors"] for body in bodies), key=len)
    assert errors == [[]] + [[conflict(current=2, stale=1)]] * 4
    after = await read(api, alice, playlist["id"])
    assert (after["itemCount"], after["version"]) == (1, 2)
    assert positions(after) == [0]
