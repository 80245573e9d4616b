"""A real `soundpost serve` process: what uvicorn itself enforces, before the app sees it."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.support.servers import soundpost_serve
from tests.support.ws import TRANSPORT, WAIT, init, send, socket_to

pytestmark = pytest.mark.system


async def closed(socket: ClientConnection) -> tuple[int | None, str | None]:
    """Reads until the server closes; its close code and reason."""
    async with asyncio.timeout(WAIT):
        with pytest.raises(ConnectionClosed):
            while True:
                await socket.recv()
    return socket.close_code, socket.close_reason


async def test_uvicorn_refuses_an_oversize_frame_in_a_real_server(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("WS_MAX_MESSAGE_BYTES", "2048")
    async with soundpost_serve("memory://", database_url) as served:
        async with socket_to(served.ws_url, TRANSPORT) as socket:
            await init(socket)
            query = "{ viewer { username } } #" + "x" * 3000
            await send(socket, {"type": "subscribe", "id": "1", "payload": {"query": query}})
            code, reason = await closed(socket)
    assert code == 1009
    # uvicorn's protocol refused the frame before the application saw it.
    assert not (reason or "").startswith("Message larger than")
