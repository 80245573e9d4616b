"""Spotify-style moves of a playlist's items over GraphQL (movePlaylistItems), against the
reference model in tests/support/playlists.py: listed cases, and sequences hypothesis draws."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.api import Api
from tests.support.playlists import (
    MOVE_PLAYLIST_ITEMS,
    MOVES,
    NO_OP_MOVES,
    SONGS,
    create_playlist,
    error,
    item_ids,
    playlist_with,
    positions,
    read,
    spotify_reorder,
    titles,
)


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
