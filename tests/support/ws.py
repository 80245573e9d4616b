"""Websocket clients for the live tests: a graphql-transport-ws `Subscriber`, the plain
socket helpers both protocols' tests use, `until()` for server-side conditions, and the
moments the live feed carries."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.support.api import Api
from tests.support.documents import CREATE

WAIT = 5.0  # seconds: the bound on every wait, so a broken server fails instead of hanging
TRANSPORT = "graphql-transport-ws"
LEGACY = "graphql-ws"


class Subscriber:
    """A graphql-transport-ws client: one connection, one subscription."""

    _ids = itertools.count(1)

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.id = str(next(self._ids))

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        url: str,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        stalled: bool = False,
    ) -> AsyncIterator[Subscriber]:
        """`stalled`: a client that stops reading: tiny socket buffers, one-frame queue."""
        options: dict[str, Any] = {}
        if stalled:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            host, port = url.removeprefix("ws://").split("/")[0].split(":")
            sock.connect((host, int(port)))
            options = {"sock": sock, "max_queue": 1}
        async with connect(url, subprotocols=["graphql-transport-ws"], **options) as ws:  # type: ignore[list-item]
            client = cls(ws)
            payload = {"authorization": f"Bearer {token}"} if token else {}
            await client.send({"type": "connection_init", "payload": payload})
            assert (await client.message())["type"] == "connection_ack"
            await client.send(
                {
                    "type": "subscribe",
                    "id": client.id,
                    "payload": {"query": query, "variables": variables or {}},
                }
            )
            yield client

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def message(self, timeout: float = WAIT) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                raw = await self.ws.recv()
                # text frames: browsers' graphql-ws cannot parse binary ones
                assert isinstance(raw, str), f"binary frame: {raw!r}"
                message = json.loads(raw)
                if message["type"] == "ping":
                    await self.send({"type": "pong"})
                    continue
                return message  # type: ignore[no-any-return]

    async def next(self, timeout: float = WAIT) -> dict[str, Any]:
        """The data of the next `next` message; fails on an error or completion."""
        message = await self.message(timeout)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message["payload"]
        return message["payload"]["data"]  # type: ignore[no-any-return]

    async def close_code(self, timeout: float = WAIT) -> int | None:
        """Read whatever is left until the server closes; the close code it sent."""
        async with asyncio.timeout(timeout):
            try:
                while True:
                    await self.ws.recv()
            except ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None


# --- plain sockets, either protocol -------------------------------------------------------


@asynccontextmanager
async def socket_to(
    url: str, protocol: str, headers: dict[str, str] | None = None, origin: str | None = None
) -> AsyncIterator[ClientConnection]:
    async with connect(
        url,
        subprotocols=[Subprotocol(protocol)],
        additional_headers=headers,
        origin=origin,  # type: ignore[arg-type]
        open_timeout=WAIT,
        close_timeout=1,
    ) as ws:
        assert ws.subprotocol == protocol
        yield ws


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def receive(ws: ClientConnection, skip: Sequence[str] = ("ka", "ping")) -> dict[str, Any]:
    """The next message, past keep-alives."""
    async with asyncio.timeout(WAIT):
        while True:
            raw = await ws.recv()
            assert isinstance(raw, str), f"binary frame: {raw!r}"  # browsers need text
            message = json.loads(raw)
            if message["type"] not in skip:
                return message  # type: ignore[no-any-return]


async def init(ws: ClientConnection, payload: dict[str, Any] | None = None) -> None:
    await send(ws, {"type": "connection_init", **({"payload": payload} if payload else {})})
    assert await receive(ws) == {"type": "connection_ack"}


# --- the server side ----------------------------------------------------------------------


def server_tasks() -> Counter[str]:
    """The tasks in this loop, but the client's (the `websockets` client runs its own)."""
    coroutines = (task.get_coro() for task in asyncio.all_tasks())
    return Counter(
        coro.__qualname__.rpartition(".")[2]  # type: ignore[union-attr]
        for coro in coroutines
        if not coro.__qualname__.startswith(("ClientConnection", "Connection"))  # type: ignore[union-attr]
    )


async def until(condition: Any, timeout: float = WAIT) -> None:
    """Wait for a server-side condition (e.g. a subscription registered in the hub)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


# --- moments for the live feed ------------------------------------------------------------


async def post(api: Api, token: str, caption: str) -> str:
    """Posts a moment; its id."""
    payload = await api.mutate(
        "createPostcard",
        CREATE,
        {"track": {"title": "Song", "artist": "Band"}, "caption": caption},
        token,
    )
    return payload["postcard"]["id"]  # type: ignore[no-any-return]


def caption_of(data: dict) -> str:  # type: ignore[type-arg]
    event = data["friendMoments"]
    assert event["__typename"] == "PostcardPosted", event
    return event["postcard"]["caption"]  # type: ignore[no-any-return]
