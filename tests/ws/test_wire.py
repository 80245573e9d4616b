"""The app's websockets, served as `soundpost serve` serves them, write their messages
through server/ws/wire.py (not starlette's send) on both protocols: a wrapper of `send`
added to the app's stack would turn the wire off without a test failing elsewhere. What
the wire writes is checked byte for byte in tests/unit/test_ws_wire.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette

from server.ws import socket as ws_socket
from server.ws.wire import Wire
from tests.support.api import Api
from tests.support.documents import FRIEND_MOMENTS
from tests.support.servers import serve
from tests.support.ws import (
    LEGACY,
    Subscriber,
    caption_of,
    init,
    post,
    receive,
    send,
    socket_to,
    until,
)


@pytest.fixture(scope="module")
async def url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as ws_url:
        yield ws_url


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
