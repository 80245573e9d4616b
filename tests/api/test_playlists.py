"""Playlists over GraphQL: creating, updating and deleting them. Their items, moves,
expectedVersion and visibility have files of their own (test_playlist_*.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Api
from tests.support.playlists import (
    CREATE_PLAYLIST,
    DELETE_PLAYLIST,
    NODE,
    UPDATE_PLAYLIST,
    USER_PLAYLISTS,
    create_playlist,
    error,
    item_ids,
    moment,
    playlist_with,
    read,
)


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
