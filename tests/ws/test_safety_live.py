"""Blocks, mutes and private accounts, live, over both websocket protocols against a real
uvicorn: a moment of a muted or unapproved author is never delivered, approval takes
effect on the next event without reconnecting, and a blocked member can neither watch the
other's moment nor be shown in its activity."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection

from tests.support.api import Api, User
from tests.support.documents import ACTIVITY, FRIEND_MOMENTS
from tests.support.servers import serve
from tests.support.ws import LEGACY, TRANSPORT, init, post, receive, send, socket_to, until

ERRORS = "errors { field code }"
FOLLOW = f"mutation ($input: FollowInput!) {{ follow(input: $input) {{ followRequest {{ id }} {ERRORS} }} }}"
MUTE = f"mutation ($input: MuteInput!) {{ mute(input: $input) {{ {ERRORS} }} }}"
BLOCK = f"mutation ($input: UserIdInput!) {{ block(input: $input) {{ {ERRORS} }} }}"
PROFILE = (
    f"mutation ($input: UpdateProfileInput!) {{ updateProfile(input: $input) {{ {ERRORS} }} }}"
)
ACCEPT = f"mutation ($input: FollowRequestInput!) {{ acceptFollowRequest(input: $input) {{ {ERRORS} }} }}"
COMMENT = f"mutation ($input: AddCommentInput!) {{ addComment(input: $input) {{ {ERRORS} }} }}"
PROTOCOLS = pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])


@pytest.fixture(scope="module")
async def url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as ws_url:
        yield ws_url


class Live:
    """One subscription over either protocol."""

    def __init__(self, ws: ClientConnection, protocol: str) -> None:
        self.ws, self.protocol = ws, protocol

    async def next(self) -> dict[str, Any]:
        message = await receive(self.ws)
        assert message["type"] == ("next" if self.protocol == TRANSPORT else "data"), message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]  # type: ignore[no-any-return]

    async def refused(self) -> list[dict[str, Any]]:
        """The errors of a subscription refused as it starts (a result without data)."""
        message = await receive(self.ws)
        assert message["type"] == ("next" if self.protocol == TRANSPORT else "data"), message
        assert message["payload"]["data"] is None, message
        return message["payload"]["errors"]  # type: ignore[no-any-return]


@asynccontextmanager
async def live(
    url: str, protocol: str, member: User, query: str, variables: dict[str, Any] | None = None
) -> AsyncIterator[Live]:
    async with socket_to(url, protocol) as ws:
        await init(ws, {"authorization": f"Bearer {member.token}"})
        start = "subscribe" if protocol == TRANSPORT else "start"
        await send(
            ws,
            {"type": start, "id": "1", "payload": {"query": query, "variables": variables or {}}},
        )
        yield Live(ws, protocol)


async def act(api: Api, document: str, input: dict[str, Any], member: User) -> dict[str, Any]:
    (payload,) = (await api.ok(document, {"input": input}, member.token)).values()
    assert payload["errors"] == [], payload
    return payload  # type: ignore[no-any-return]


def caption(data: dict[str, Any]) -> str:
    return str(data["friendMoments"]["postcard"]["caption"])


@PROTOCOLS
async def test_a_muted_authors_moment_is_never_delivered(
    url: str, api: Api, app: Starlette, protocol: str
) -> None:
    ana, ben, cleo = [await api.sign_up(n) for n in ("ana", "ben", "cleo")]
    for friend in (ben, cleo):
        await act(api, FOLLOW, {"userId": friend.id}, ana)
    await act(api, MUTE, {"userId": ben.id}, ana)
    async with live(url, protocol, ana, FRIEND_MOMENTS) as feed:
        await until(lambda: app.state.hub.count("feed") == 1)
        await post(api, ben.token, "ben, muted")
        await post(api, cleo.token, "cleo, shown")
        assert caption(await feed.next()) == "cleo, shown"


@PROTOCOLS
async def test_an_approval_takes_effect_on_the_next_event_without_reconnecting(
    url: str, api: Api, app: Starlette, protocol: str
) -> None:
    pia, sam, cleo = [await api.sign_up(n) for n in ("pia", "sam", "cleo")]
    await act(api, PROFILE, {"isPrivate": True}, pia)
    await act(api, FOLLOW, {"userId": cleo.id}, sam)
    request = (await act(api, FOLLOW, {"userId": pia.id}, sam))["followRequest"]["id"]
    async with live(url, protocol, sam, FRIEND_MOMENTS) as feed:
        await until(lambda: app.state.hub.count("feed") == 1)
        await post(api, pia.token, "pia, before")
        await post(api, cleo.token, "cleo, a marker")
        assert caption(await feed.next()) == "cleo, a marker"
        await act(api, ACCEPT, {"requestId": request}, pia)
        await post(api, pia.token, "pia, after")
        assert caption(await feed.next()) == "pia, after"


@PROTOCOLS
async def test_a_blocked_member_cannot_watch_nor_be_shown_in_activity(
    url: str, api: Api, app: Starlette, protocol: str
) -> None:
    ana, ben, cleo = [await api.sign_up(n) for n in ("ana", "ben", "cleo")]
    anas = await post(api, ana.token, "ana's")
    cleos = await post(api, cleo.token, "cleo's")
    await act(api, BLOCK, {"userId": ben.id}, ana)
    async with live(url, protocol, ben, ACTIVITY, {"id": anas}) as watch:
        errors = await watch.refused()
        assert [error["message"] for error in errors] == ["No postcard with this id."]
    async with live(url, protocol, ana, ACTIVITY, {"id": cleos}) as watch:
        await until(lambda: app.state.hub.count("activity") == 1)
        await act(api, COMMENT, {"postcardId": cleos, "body": "ben here"}, ben)
        await act(api, COMMENT, {"postcardId": cleos, "body": "cleo here"}, cleo)
        first, second = (
            (await watch.next())["postcardActivity"],
            (await watch.next())["postcardActivity"],
        )
        # the counts move, but ben's comment is not shown to ana
        assert (first["commentCount"], first["comment"]) == (1, None)
        assert (second["commentCount"], second["comment"]) == (
            2,
            {"body": "cleo here", "author": {"username": "cleo"}},
        )
