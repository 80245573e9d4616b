"""Inputs the fuzz taught us about: ids of the wrong type or not ids at all (NOT_FOUND in a
payload, null in a query), the requests that once answered INTERNAL_SERVER_ERROR, and hostile
strings; each a client error or nothing, never an internal one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graph.relay import to_global_id
from resolvers.pagination import encode_cursor
from tests.support.api import Api
from tests.support.fuzz import Operation, b64, build_world, problems_of, send

WRONG_IDS = [
    pytest.param(lambda: to_global_id("PlaylistItem", 999_999), id="another type's id"),
    pytest.param(lambda: b64(b"Postcard:-1"), id="negative"),
    pytest.param(lambda: b64(f"Postcard:{2**64}".encode()), id="beyond 64 bits"),
    pytest.param(lambda: "not-an-id\x00", id="garbage"),
    pytest.param(lambda: "\ud800", id="lone surrogate"),
    pytest.param(lambda: "A" * 5000, id="huge"),
]
ID_MUTATIONS = [
    ("updatePostcard", "UpdatePostcardInput", lambda bad: {"postcardId": bad, "caption": "x"}),
    ("deletePostcard", "PostcardIdInput", lambda bad: {"postcardId": bad}),
    ("likePostcard", "PostcardIdInput", lambda bad: {"postcardId": bad}),
    ("unlikePostcard", "PostcardIdInput", lambda bad: {"postcardId": bad}),
    ("addComment", "AddCommentInput", lambda bad: {"postcardId": bad, "body": "x"}),
    ("deleteComment", "DeleteCommentInput", lambda bad: {"commentId": bad}),
    ("follow", "FollowInput", lambda bad: {"userId": bad}),
    ("unfollow", "FollowInput", lambda bad: {"userId": bad}),
    ("createPostcard", "CreatePostcardInput", lambda bad: {"track": {"trackId": bad}}),
    ("updatePlaylist", "UpdatePlaylistInput", lambda bad: {"playlistId": bad, "title": "x"}),
    ("deletePlaylist", "DeletePlaylistInput", lambda bad: {"playlistId": bad}),
    ("addToPlaylist", "AddToPlaylistInput", lambda bad: {"playlistId": bad, "trackId": bad}),
    (
        "removeFromPlaylist",
        "RemoveFromPlaylistInput",
        lambda bad: {"playlistId": bad, "itemId": bad},
    ),
    (
        "movePlaylistItems",
        "MovePlaylistItemsInput",
        lambda bad: {"playlistId": bad, "rangeStart": 0, "insertBefore": 1},
    ),
    ("markNotificationsRead", "MarkNotificationsReadInput", lambda bad: {"upTo": bad}),
]


@pytest.mark.parametrize("bad_id", WRONG_IDS)
async def test_wrong_ids_are_not_found_never_internal(
    api: Api, http: httpx.AsyncClient, bad_id: Any
) -> None:
    world = await build_world(api)
    bad = bad_id()
    for field_name, input_type, make in ID_MUTATIONS:
        query = (
            f"mutation ($input: {input_type}!) "
            f"{{ {field_name}(input: $input) {{ errors {{ field code }} }} }}"
        )
        response, payload = await send(
            http, Operation(query, {"input": make(bad)}, True), world.tokens[0]
        )
        assert problems_of(response, payload) == [], field_name
        assert "errors" not in payload, (field_name, payload)
        codes = {e["code"] for e in payload["data"][field_name]["errors"]}
        assert codes == {"NOT_FOUND"}, (field_name, payload)
    reads = (
        "query ($id: ID!) { postcard(id: $id) { id } playlist(id: $id) { id } "
        "node(id: $id) { id } nodes(ids: [$id, $id]) { id } }"
    )
    response, payload = await send(http, Operation(reads, {"id": bad}, False), world.tokens[0])
    assert payload == {
        "data": {"postcard": None, "playlist": None, "node": None, "nodes": [None, None]}
    }


# Each of these once answered INTERNAL_SERVER_ERROR or killed the request (found by the fuzz).
CARD = to_global_id("Postcard", 1)
FOUND_BY_FUZZ = [
    # a username longer than the column: tortoise's length validator raised in the filter
    ('{ user(username: "9999999999999999999999999999999999999999") { id } }', {}),
    (
        "mutation ($i: LogInInput!) { logIn(input: $i) { errors { code } } }",
        {"i": {"username": "x" * 31, "password": "correct horse"}},
    ),
    # a cursor of another list: text longer than the column, or text where ids are compared
    (
        'query ($a: String) { searchUsers(query: "", after: $a) { edges { cursor } } }',
        {"a": encode_cursor("2026-11-25T04:17:59.365559+00:00", 5)},
    ),
    (
        "query ($a: String) { viewer { notifications(after: $a) { edges { cursor } } } }",
        {"a": encode_cursor("kofi", 2)},
    ),
    (
        'query ($a: String) { playlist(id: "UGxheWxpc3Q6MQ") { items(after: $a) { edges { cursor } } } }',
        {"a": encode_cursor(2**40, 1)},
    ),
    # a client error next to a sibling waiting on the same DataLoader key: the cancelled
    # sibling cancelled the shared future, and the other waiter died of CancelledError
    (
        f'{{ a: postcard(id: "{CARD}") {{ author {{ id }} comments(first: -1) {{ edges {{ cursor }} }} }} '
        f'b: postcard(id: "{CARD}") {{ author {{ id }} }} }}',
        {},
    ),
]


@pytest.mark.parametrize(("query", "variables"), FOUND_BY_FUZZ)
async def test_inputs_the_fuzz_found(
    api: Api, http: httpx.AsyncClient, query: str, variables: dict[str, Any]
) -> None:
    world = await build_world(api)
    response, payload = await send(http, Operation(query, variables, False), world.tokens[0])
    assert problems_of(response, payload) == []
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ user(username: "ma\\u0000ya") { id } }', {}),
        ("query ($q: String!) { user(username: $q) { id } }", {"q": "\ud800maya"}),
        ("query ($q: String!) { searchUsers(query: $q) { edges { cursor } } }", {"q": "\x00%"}),
        ("query ($q: String!) { searchTracks(query: $q) { edges { cursor } } }", {"q": "\ud83d"}),
        ("query ($a: String) { explore(after: $a) { edges { cursor } } }", {"a": b64(b'["x", 1]')}),
        (
            'query ($a: String) { searchUsers(query: "", after: $a) { edges { cursor } } }',
            {"a": b64(b'["a\\u0000", 99999999999999999999]')},
        ),
        (
            "mutation ($i: LogInInput!) { logIn(input: $i) { errors { code } } }",
            {"i": {"username": "\x00", "password": "\ud800" * 300}},
        ),
    ],
)
async def test_hostile_strings_are_client_errors_or_nothing(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any]
) -> None:
    response, payload = await send(http, Operation(query, variables, False), None)
    assert problems_of(response, payload) == []
    assert response.status_code == 200
