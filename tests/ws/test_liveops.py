"""Live subscriptions taken over by the transports once live (server/ws/takeover.py): an idle one
holds no task; completing, stopping, reusing its id and a failing event behave as the
protocols say; their messages go through the wire (server/ws/wire.py). Real websockets
against a real uvicorn."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from starlette.applications import Starlette

import graph.live.fields
from server.ws import socket as ws_socket
from server.ws.wire import Wire
from tests.support.api import Api
from tests.support.documents import ACTIVITY, FRIEND_MOMENTS, NOTIFICATIONS
from tests.support.servers import serve
from tests.support.ws import (
    LEGACY,
    Subscriber,
    caption_of,
    init,
    post,
    receive,
    send,
    server_tasks,
    socket_to,
    until,
)


@pytest.fixture(scope="module")
async def url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as ws_url:
        yield ws_url


async def settled(before: Counter[str], expected: Counter[str]) -> Counter[str]:
    """The server's tasks beyond `before`, once they stop changing towards `expected`."""
    for _ in range(200):
        now = server_tasks() - before
        if now == expected:
            return now
        await asyncio.sleep(0.01)
    return server_tasks() - before


async def test_live_subscriptions_hold_no_task_while_they_wait(
    url: str, api: Api, app: Starlette
) -> None:
    # given: five live subscriptions of all three kinds, on five connections
    maya = await api.sign_up("maya")
    postcard_id = await post(api, maya.token, "before")
    hub = app.state.hub
    before = server_tasks()
    async with AsyncExitStack() as stack:
        feeds = [
            await stack.enter_async_context(Subscriber.open(url, FRIEND_MOMENTS, token=maya.token))
            for _ in range(3)
        ]
        await stack.enter_async_context(Subscriber.open(url, NOTIFICATIONS, token=maya.token))
        activity = await stack.enter_async_context(
            Subscriber.open(url, ACTIVITY, {"id": postcard_id})
        )
        await until(lambda: hub.count() == 5)
        # then: each connection costs its uvicorn task and nothing else, before events...
        only_connections = Counter({"run_asgi": 5})
        assert await settled(before, only_connections) == only_connections
        # ...and after they were delivered
        await post(api, maya.token, "live")
        for feed in feeds:
            assert caption_of(await feed.next()) == "live"
        like = "mutation ($input: PostcardIdInput!) { likePostcard(input: $input) { errors { code } } }"
        await api.mutate("likePostcard", like, {"postcardId": postcard_id}, maya.token)
        assert (await activity.next())["postcardActivity"]["likeCount"] == 1
        assert await settled(before, only_connections) == only_connections


async def test_completing_a_live_subscription_stops_it_and_frees_its_id(
    url: str, api: Api, app: Starlette
) -> None:
    maya = await api.sign_up("maya")
    hub = app.state.hub
    async with Subscriber.open(url, FRIEND_MOMENTS, token=maya.token) as live:
        await until(lambda: hub.count("feed") == 1)
        # when: the client completes it
        await live.send({"type": "complete", "id": live.id})
        await until(lambda: hub.count("feed") == 0)
        await post(api, maya.token, "unseen")
        # then: the id may be used again, and the new subscription gets only what follows
        subscribe = {"type": "subscribe", "id": live.id, "payload": {"query": FRIEND_MOMENTS}}
        await live.send(subscribe)
        await until(lambda: hub.count("feed") == 1)
        await post(api, maya.token, "seen")
        assert caption_of(await live.next()) == "seen"
        # and a second subscribe with the id of a live one breaks the protocol: 4409
        await live.send(subscribe)
        assert await live.close_code() == 4409
    await until(lambda: hub.count("feed") == 0)


async def test_legacy_stop_of_a_live_subscription_completes_it(
    url: str, api: Api, app: Starlette
) -> None:
    maya = await api.sign_up("maya")
    hub = app.state.hub
    async with socket_to(url, LEGACY) as ws:
        await init(ws, {"authorization": f"Bearer {maya.token}"})
        await send(ws, {"type": "start", "id": "7", "payload": {"query": FRIEND_MOMENTS}})
        await until(lambda: hub.count("feed") == 1)
        await send(ws, {"type": "stop", "id": "7"})
        assert await receive(ws) == {"type": "complete", "id": "7"}
        assert hub.count("feed") == 0
        # the connection goes on: a new subscription under the same id is live, and a
        # start under the id of a live one completes it first, as the stock handler does
        for _ in range(2):
            await send(ws, {"type": "start", "id": "7", "payload": {"query": FRIEND_MOMENTS}})
            await until(lambda: hub.count("feed") == 1)
        assert await receive(ws) == {"type": "complete", "id": "7"}
        await until(lambda: hub.count("feed") == 1)
        await post(api, maya.token, "again")
        message = await receive(ws)
        assert message["type"] == "data" and message["id"] == "7"
        assert caption_of(message["payload"]["data"]) == "again"
        assert hub.count("feed") == 1


async def test_an_event_that_fails_ends_its_subscription_with_a_masked_error(
    url: str, api: Api, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any) -> Any:
        raise RuntimeError("the row could not be read")

    monkeypatch.setattr(graph.live.fields, "_feed_event", broken)
    maya = await api.sign_up("maya")
    hub = app.state.hub
    async with Subscriber.open(url, FRIEND_MOMENTS, token=maya.token) as live:
        await until(lambda: hub.count("feed") == 1)
        await post(api, maya.token, "boom")
        # then: one result with the error, masked as any unexpected error is; then complete
        message = await live.message()
        assert message["type"] == "next" and message["id"] == live.id
        assert message["payload"]["data"] is None
        [error] = message["payload"]["errors"]
        assert error["message"] == "Internal server error."
        assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert "the row could not be read" not in str(message)
        assert await live.message() == {"type": "complete", "id": live.id}
        assert hub.count("feed") == 0


# --- the wire (server/ws/wire.py) ---------------------------------------------------------
# As `soundpost serve` serves them, the app's websockets write their messages through the
# wire, not starlette's send, on both protocols: a wrapper of `send` added to the app's stack
# would turn it off without a test failing elsewhere. What the wire writes is checked byte
# for byte in tests/unit/test_ws_wire.py.


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How each message the app sent went: "wire", or "starlette" (it fell back)."""
    counted: Counter[str] = Counter()
    real_of, real_write = Wire.of, Wire.write

    def of(websocket: Any) -> Wire | None:
        found = real_of(websocket)
        counted["sockets with a wire" if found else "sockets without"] += 1
        return found

    def write(self: Wire, frame: bytes) -> bool:
        written = real_write(self, frame)
        counted["wire" if written else "starlette"] += 1
        return written

    monkeypatch.setattr(ws_socket.Wire, "of", staticmethod(of))
    monkeypatch.setattr(ws_socket.Wire, "write", write)
    return counted


async def test_graphql_transport_ws_messages_go_through_the_wire(
    url: str, api: Api, app: Starlette, writes: Counter[str]
) -> None:
    maya = await api.sign_up("maya")
    async with Subscriber.open(url, FRIEND_MOMENTS, token=maya.token) as live:
        await until(lambda: app.state.hub.count("feed") == 1)
        await post(api, maya.token, "over the wire")
        assert caption_of(await live.next()) == "over the wire"
    # connection_ack and the event (shared payload), written to the transport
    assert writes["sockets with a wire"] == 1 and writes["sockets without"] == 0
    assert writes["wire"] >= 2 and writes["starlette"] == 0


async def test_graphql_ws_messages_go_through_the_wire(
    url: str, api: Api, app: Starlette, writes: Counter[str]
) -> None:
    maya = await api.sign_up("maya")
    async with socket_to(url, LEGACY) as ws:
        await init(ws, {"authorization": f"Bearer {maya.token}"})
        await send(ws, {"type": "start", "id": "a", "payload": {"query": FRIEND_MOMENTS}})
        await until(lambda: app.state.hub.count("feed") == 1)
        await post(api, maya.token, "legacy wire")
        message = await receive(ws)
        assert message["type"] == "data" and message["id"] == "a"
        assert caption_of(message["payload"]["data"]) == "legacy wire"
    assert writes["sockets with a wire"] == 1 and writes["sockets without"] == 0
    assert writes["wire"] >= 3 and writes["starlette"] == 0  # ack, ka, data
