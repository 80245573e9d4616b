"""Real servers and real websocket clients for the live-feed tests."""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.cli import WEBSOCKETS

WAIT = 5.0


@asynccontextmanager
async def serve(app: ASGIApp) -> AsyncIterator[str]:
    """Run `app` on a real uvicorn in this event loop; yields its websocket URL."""
    # A socket bound here, not a port number: no window for another process to take it.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",  # the session `app` fixture already opened the database
        log_level="warning",
        **WEBSOCKETS,  # as `soundpost serve` runs
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(WAIT):
            while not server.started:
                if task.done():
                    task.result()  # surfaces why the server could not start
                await asyncio.sleep(0.01)
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        async with asyncio.timeout(WAIT):
            await task
        sock.close()


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def private_redis(port: int) -> Iterator[subprocess.Popen[bytes]]:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed for the broker fault test"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + WAIT
        while True:  # accepting connections before the test goes on
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
