"""A playlist's items over GraphQL: adding (by postcard or track, at a position),
removing, paging through them, and concurrent additions."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.support.api import Api
from tests.support.documents import DELETE_POSTCARD
from tests.support.playlists import (
    ADD_TO_PLAYLIST,
    MOVE_PLAYLIST_ITEMS,
    PLAYLIST_ITEMS_PAGE,
    REMOVE_FROM_PLAYLIST,
    SONGS,
    add,
    create_playlist,
    error,
    item_ids,
    not_found,
    playlist_with,
    positions,
    read,
    share,
    titles,
)


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
