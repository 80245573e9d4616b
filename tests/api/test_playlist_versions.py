"""expectedVersion: an edit from a stale version conflicts and changes nothing; of
concurrent edits from one version exactly one wins."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.support.api import Api
from tests.support.playlists import (
    ADD_TO_PLAYLIST,
    EDIT_IDS,
    EDITS,
    conflict,
    create_playlist,
    edit_delete,
    playlist_with,
    positions,
    read,
    share,
)


@pytest.mark.parametrize("edit", [*EDITS, edit_delete], ids=[*EDIT_IDS, "delete"])
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
