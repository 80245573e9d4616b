"""server/ws/wire.py, the fence below starlette's WebSocket, checked against the installed
starlette, uvicorn and wsproto: its frames are wsproto's, byte for byte; under uvicorn's
wsproto protocol the wire is found and sends exactly the bytes the path through starlette
sends; anything but a plainly open connection (paused, closed, deflate, another protocol)
is left to starlette. When an upgrade moves one of these, the test names what to mend."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from wsproto.frame_protocol import FrameProtocol

from server.cli import WEBSOCKETS
from server.ws.socket import Socket, frame
from server.ws.wire import SharedFrames, Wire, envelope, text_frame


def mend(where: str) -> str:
    return f"the installed library changed what {where} relies on: mend it there"


# --- frames, without a server ----------------------------------------------------------------

SIZES = [0, 1, 125, 126, 127, 65535, 65536, 70_000]


@pytest.mark.parametrize("size", SIZES)
def test_a_text_frame_is_wsprotos_byte_for_byte(size: int) -> None:
    text = ("é" * size)[: size // 2] + "x" * (size - size // 2)
    theirs = FrameProtocol(client=False, extensions=[]).send_data(text, fin=True)
    assert text_frame(text.encode()) == theirs, mend("server/ws/wire.py text_frame")


@pytest.mark.parametrize("op_id", ["1", "a-b-c", "ünï", 'q"uote', "x" * 200])
@pytest.mark.parametrize("kind", ["next", "data"])
def test_the_envelope_is_the_message_the_old_path_serialized(op_id: str, kind: str) -> None:
    payload = orjson.dumps({"data": {"friendMoments": {"caption": 'é ☂ "hi"', "n": [1, 2]}}})
    # the text server/ws/socket.py `frame` wrote before the wire existed
    head = orjson.dumps({"id": op_id, "type": kind}).decode()
    old = f'{head[:-1]},"payload":{payload.decode()}}}'
    assert envelope(op_id, kind, payload).decode() == old
    assert frame(op_id, kind, payload.decode()) == old
    assert json.loads(old) == {"id": op_id, "type": kind, "payload": json.loads(payload)}


def test_shared_frames_are_built_once_per_payload_and_id() -> None:
    frames = SharedFrames(payloads=2, per_payload=2)
    payload = '{"data":{"x":1}}'
    first = frames.frame("1", "next", payload)
    assert frames.frame("1", "next", payload) is first
    assert first == text_frame(envelope("1", "next", payload.encode()))
    assert frames.frame("2", "data", payload) == text_frame(
        envelope("2", "data", b'{"data":{"x":1}}')
    )
    # beyond `per_payload` ids a frame is built each time, still right
    assert frames.frame("3", "next", payload) == text_frame(envelope("3", "next", payload.encode()))
    assert frames.frame("3", "next", payload) is not frames.frame("3", "next", payload)
    # and only the last `payloads` payloads are kept
    frames.frame("1", "next", '{"data":{"x":2}}')
    frames.frame("1", "next", '{"data":{"x":3}}')
    assert frames.frame("1", "next", payload) is not first


# --- under a real uvicorn ----------------------------------------------------------------------

Handler = Callable[[Socket], Awaitable[None]]


class Endpoint:
    """A websocket endpoint as strawberry's view is one (an ASGI app under a WebSocketRoute),
    handing the test's handler the same Socket adapter the view makes."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.view = SimpleNamespace(max_message_bytes=None, decode_json=json.loads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        await websocket.accept()
        await self.handler(Socket(self.view, websocket, websocket))


@asynccontextmanager
async def served(handler: Handler, **options: Any) -> AsyncIterator[int]:
    app = Starlette(routes=[WebSocketRoute("/ws", Endpoint(handler))])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, lifespan="off", log_level="warning", **options)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # it could not start: say why
            await asyncio.sleep(0.01)
        yield int(sock.getsockname()[1])
    finally:
        server.should_exit = True
        await task


class RawClient:
    """A websocket client reading the server's frames as raw bytes (server frames are not
    masked, and these tests send the server nothing after the handshake)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    @asynccontextmanager
    async def connect(cls, port: int) -> AsyncIterator[RawClient]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(b"0123456789abcdef").decode()
        writer.write(
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        try:
            yield cls(reader, writer)
        finally:
            writer.close()

    async def frame(self) -> bytes:
        """One whole frame, header included."""
        async with asyncio.timeout(5):
            head = await self.reader.readexactly(2)
            size = head[1] & 0x7F
            extra = b""
            if size == 126:
                extra = await self.reader.readexactly(2)
                (size,) = struct.unpack("!H", extra)
            elif size == 127:
                extra = await self.reader.readexactly(8)
                (size,) = struct.unpack("!Q", extra)
            return head + extra + await self.reader.readexactly(size)


PAYLOAD = '{"data":{"friendMoments":{"cursor":"Y3Vyc29y","caption":"Sunset ☀ on the pier"}}}'
MESSAGE = {"id": "7", "type": "next", "payload": {"data": {"caption": "é" * 300}}}


async def test_as_soundpost_serve_runs_uvicorn_the_wire_sends_what_starlette_sent() -> None:
    seen: dict[str, Any] = {}

    async def handler(sock: Socket) -> None:
        seen["wire"] = sock.wire
        # the path through starlette, as every message went before
        await sock.send_text(frame("1", "next", PAYLOAD))
        await sock.send_text(orjson.dumps(MESSAGE).decode())
        # the wire's
        await sock.send_payload("1", "next", PAYLOAD)
        await sock.send_json(MESSAGE)
        await asyncio.sleep(1)

    async with served(handler, **WEBSOCKETS) as port, RawClient.connect(port) as client:
        old = [await client.frame(), await client.frame()]
        new = [await client.frame(), await client.frame()]
    assert isinstance(seen["wire"], Wire), mend("server/ws/wire.py Wire.of (starlette's _send)")
    assert new == old
    assert json.loads(new[0][2:]) == {"id": "1", "type": "next", "payload": json.loads(PAYLOAD)}


async def test_the_wire_writes_only_to_a_plainly_open_connection() -> None:
    seen: dict[str, Any] = {}

    async def handler(sock: Socket) -> None:
        assert sock.wire is not None
        protocol = sock.wire._protocol
        seen["open"] = sock.wire.write(text_frame(b'"open"'))
        protocol.pause_writing()  # the transport's buffer is full: starlette's send waits
        seen["paused"] = sock.wire.write(text_frame(b'"paused"'))
        protocol.resume_writing()
        await sock.send_payload("1", "next", '"resumed"')
        await sock.close(1000, "")
        seen["closed"] = sock.wire.write(text_frame(b'"closed"'))

    async with served(handler, **WEBSOCKETS) as port, RawClient.connect(port) as client:
        frames = [await client.frame(), await client.frame(), await client.frame()]
    assert seen == {"open": True, "paused": False, "closed": False}, mend(
        "server/ws/wire.py Wire.write (uvicorn's WSProtocol state)"
    )
    assert frames[0] == text_frame(b'"open"')
    assert frames[1] == text_frame(b'{"id":"1","type":"next","payload":"resumed"}')
    assert frames[2][0] == 0x88  # the close frame, nothing after it


@pytest.mark.parametrize(
    "options",
    [
        {"ws": "wsproto", "ws_per_message_deflate": True},
        {"ws": "websockets-sansio", "ws_per_message_deflate": False},
    ],
    ids=["wsproto-deflate", "websockets-sansio"],
)
async def test_other_protocols_send_through_starlette(options: dict[str, Any]) -> None:
    seen: dict[str, Any] = {}

    async def handler(sock: Socket) -> None:
        seen["wire"] = sock.wire
        await sock.send_payload("1", "next", PAYLOAD)
        await asyncio.sleep(1)

    async with served(handler, **options) as port, RawClient.connect(port) as client:
        received = await client.frame()
    assert seen["wire"] is None
    assert received == text_frame(frame("1", "next", PAYLOAD).encode())
