"""Who may see and change a playlist: its owner changes it, a stranger and anonymous
callers cannot; a private one and its items are visible to its owner only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Api
from tests.support.playlists import (
    ADD_TO_PLAYLIST,
    CREATE_PLAYLIST,
    DELETE_PLAYLIST,
    EDIT_IDS,
    EDITS,
    MOVE_PLAYLIST_ITEMS,
    NODE,
    NODES,
    PLAYLIST,
    REMOVE_FROM_PLAYLIST,
    UPDATE_PLAYLIST,
    USER_PLAYLISTS,
    create_playlist,
    edit_delete,
    error,
    item_ids,
    not_found,
    playlist_with,
    read,
    share,
)


@pytest.mark.parametrize("edit", [*EDITS, edit_delete], ids=[*EDIT_IDS, "delete"])
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
