"""Shared execution of live events (graph/live/sharing.py): subscribers of one selection share
one execution per event; anything that depends on the viewer is executed per viewer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from tests.support.api import Api
from tests.support.api import User as Member
from tests.support.servers import serve
from tests.support.ws import Subscriber, until

FOLLOW = "mutation ($input: FollowInput!) { follow(input: $input) { errors { code } } }"
CREATE = """mutation ($input: CreatePostcardInput!) {
  createPostcard(input: $input) { postcard { id } errors { code } } }"""
PLAIN = """subscription { friendMoments { ... on PostcardPosted {
  cursor postcard { id caption likeCount author { username } track { title artist } } } } }"""
OTHER = """subscription { friendMoments { ... on PostcardPosted { postcard { caption } } } }"""
PERSONAL = """subscription { friendMoments { ... on PostcardPosted {
  postcard { caption viewerHasLiked author { username viewerIsFollowing } } } } }"""
WITH_VARIABLES = """subscription ($n: Int!) { friendMoments { ... on PostcardPosted {
  postcard { caption comments(first: $n) { edges { cursor } } } } } }"""


@pytest.fixture(scope="module")
async def url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as ws_url:
        yield ws_url


async def followed_author(api: Api, fans: int) -> tuple[Member, list[Member]]:
    author = await api.sign_up("author")
    members = [await api.sign_up(f"fan{n}") for n in range(fans)]
    for member in members:
        await api.mutate("follow", FOLLOW, {"userId": author.id}, member.token)
    return author, members


async def deliver(
    url: str,
    api: Api,
    app: Starlette,
    author: Member,
    subscriptions: list[tuple[Member, str, dict[str, Any] | None]],
    caption: str,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Subscribes each (member, query, variables), posts one moment as `author`: what each
    subscriber received, and how often a selection was executed or shared meanwhile."""
    async with AsyncExitStack() as stack:
        subscribers = [
            await stack.enter_async_context(
                Subscriber.open(url, query, variables, token=member.token)
            )
            for member, query, variables in subscriptions
        ]
        await until(lambda: app.state.hub.count("feed") == len(subscriptions))
        stats = app.state.sharing.stats
        before = stats.copy()
        await api.mutate(
            "createPostcard",
            CREATE,
            {"track": {"title": "Song", "artist": "Band"}, "caption": caption},
            author.token,
        )
        received = [(await subscriber.next())["friendMoments"] for subscriber in subscribers]
        counts = {key: stats[key] - before[key] for key in ("executed", "shared")}
    await until(lambda: app.state.hub.count("feed") == 0)
    return received, counts


async def test_one_event_is_executed_once_per_selection(url: str, api: Api, app: Starlette) -> None:
    author, fans = await followed_author(api, 8)
    received, counts = await deliver(
        url,
        api,
        app,
        author,
        [(fan, PLAIN, None) for fan in fans[:5]] + [(fan, OTHER, None) for fan in fans[5:]],
        "once",
    )
    assert counts == {"executed": 2, "shared": 6}
    plain, other = received[0], received[5]
    assert plain["postcard"]["caption"] == "once"
    assert plain["postcard"]["author"] == {"username": "author"}
    assert plain["postcard"]["track"] == {"title": "Song", "artist": "Band"}
    assert plain["postcard"]["likeCount"] == 0
    assert received[:5] == [plain] * 5
    assert other == {"postcard": {"caption": "once"}}
    assert received[5:] == [other] * 3


async def test_fields_about_the_viewer_are_executed_for_each_viewer(
    url: str, api: Api, app: Starlette
) -> None:
    """The author sees their own moment too, and does not follow themself: a shared
    result would tell them they do (or every fan that they do not)."""
    author, fans = await followed_author(api, 3)
    received, counts = await deliver(
        url, api, app, author, [(m, PERSONAL, None) for m in [*fans, author]], "personal"
    )
    assert counts == {"executed": 4, "shared": 0}
    following = [event["postcard"]["author"]["viewerIsFollowing"] for event in received]
    assert following == [True, True, True, False]
    assert {event["postcard"]["caption"] for event in received} == {"personal"}
    assert {event["postcard"]["viewerHasLiked"] for event in received} == {False}


async def test_different_variables_are_executed_apart(url: str, api: Api, app: Starlette) -> None:
    author, fans = await followed_author(api, 4)
    received, counts = await deliver(
        url,
        api,
        app,
        author,
        [(fan, WITH_VARIABLES, {"n": 1 + n % 2}) for n, fan in enumerate(fans)],
        "variables",
    )
    assert counts == {"executed": 2, "shared": 2}
    assert received == [{"postcard": {"caption": "variables", "comments": {"edges": []}}}] * 4


async def test_legacy_graphql_ws_subscribers_get_the_shared_result_too(
    url: str, api: Api, app: Starlette
) -> None:
    author, fans = await followed_author(api, 4)
    async with AsyncExitStack() as stack:
        modern = [
            await stack.enter_async_context(Subscriber.open(url, PLAIN, token=fan.token))
            for fan in fans[:2]
        ]
        legacy = []
        for fan in fans[2:]:
            ws = await stack.enter_async_context(
                connect(url, subprotocols=[Subprotocol("graphql-ws")])
            )
            payload = {"authorization": f"Bearer {fan.token}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
            await ws.send(json.dumps({"type": "start", "id": "7", "payload": {"query": PLAIN}}))
            legacy.append(ws)
        await until(lambda: app.state.hub.count("feed") == 4)
        stats = app.state.sharing.stats
        before = stats.copy()
        await api.mutate(
            "createPostcard",
            CREATE,
            {"track": {"title": "Song", "artist": "Band"}, "caption": "legacy"},
            author.token,
        )
        expected = (await modern[0].next())["friendMoments"]
        assert (await modern[1].next())["friendMoments"] == expected
        for ws in legacy:
            while (raw := await ws.recv()) and json.loads(raw)["type"] == "ka":
                continue
            assert isinstance(raw, str)
            assert json.loads(raw) == {
                "type": "data",
                "id": "7",
                "payload": {"data": {"friendMoments": expected}},
            }
        assert stats["executed"] - before["executed"] == 1
        assert stats["shared"] - before["shared"] == 3
    await until(lambda: app.state.hub.count("feed") == 0)
