"""The one place that reaches below starlette's WebSocket: a message's websocket frame,
built here as bytes, written straight to the connection's transport when uvicorn's wsproto
protocol (what `soundpost serve` runs) carries it and the connection is plainly open.

Why: in a fan-out each subscriber's message went through starlette's `send` (its state
checks, an ASGI message dict, the router's and exception middleware's send wrappers), then
uvicorn's `send` and wsproto's frame serializer, which encodes the text again; about a
quarter of the server's time in a fan-out to 1,000. A live event's message is the same
bytes for every subscriber of its selection with the same operation id, so `SharedFrames`
builds each frame once per event and `Wire.write` hands it to the transport.

Anything but the plain case — the transport paused (backpressure), the handshake not done,
a close sent or received, per-message deflate, another server or uvicorn's other websocket
protocols — is not written here: the caller then sends the text through starlette as
before, which waits, refuses or raises exactly as it did. What this relies on in starlette
(`WebSocket._send`, and what its own wrappers of it are), uvicorn (`WSProtocol`'s `send`
and connection state) and wsproto (its frames) is checked against the installed
versions by tests/unit/test_ws_wire.py."""

from __future__ import annotations

import inspect
import struct
from collections import OrderedDict
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketState
from uvicorn.protocols.websockets.wsproto_impl import WSProtocol
from wsproto.connection import ConnectionState

# starlette's wrappers of a websocket's `send` that pass every message on as it is (the
# exception handling of its app and router: they only note whether an HTTP response began)
PASSING_SENDERS = {
    (
        "starlette._exception_handler",
        "wrap_app_handling_exceptions.<locals>.wrapped_app.<locals>.sender",
    ),
}
FIN_TEXT = 0x81  # RFC 6455 5.2: FIN, opcode 1 (text); a server's frames are not masked


def text_frame(data: bytes) -> bytes:
    """One unfragmented text frame carrying `data` (UTF-8), as wsproto writes it."""
    size = len(data)
    if size < 126:
        head = bytes((FIN_TEXT, size))
    elif size < 1 << 16:
        head = struct.pack("!BBH", FIN_TEXT, 126, size)
    else:
        head = struct.pack("!BBQ", FIN_TEXT, 127, size)
    return head + data


def envelope(op_id: str, kind: str, payload: bytes) -> bytes:
    """`{"id": op_id, "type": kind, "payload": <payload>}` around payload bytes that are
    JSON already: the same text as `server/ws/socket.py` `frame`."""
    head = orjson.dumps({"id": op_id, "type": kind})
    return b"".join((head[:-1], b',"payload":', payload, b"}"))


class Wire:
    """Direct writes to one connection's uvicorn wsproto protocol."""

    __slots__ = ("_protocol", "_websocket")

    def __init__(self, websocket: WebSocket, protocol: WSProtocol) -> None:
        self._websocket = websocket
        self._protocol = protocol

    @classmethod
    def of(cls, websocket: WebSocket) -> Wire | None:
        """The wire under `websocket`: when its `send` is uvicorn's wsproto protocol's, with
        no per-message deflate, through nothing but starlette's wrappers that only look at
        what passes. None otherwise (then every message goes through starlette)."""
        send: Any = websocket._send
        while not inspect.ismethod(send):
            if (getattr(send, "__module__", None), getattr(send, "__qualname__", None)) not in (
                PASSING_SENDERS
            ):
                return None
            cells = dict(zip(send.__code__.co_freevars, send.__closure__ or (), strict=True))
            if "send" not in cells:
                return None
            send = cells["send"].cell_contents
        protocol = send.__self__
        if (
            not isinstance(protocol, WSProtocol)
            or send.__func__ is not WSProtocol.send
            or protocol.config.ws_per_message_deflate
        ):
            return None
        return cls(websocket, protocol)

    def write(self, frame: bytes) -> bool:
        """Writes a whole frame if the connection is plainly open and writable; False, with
        nothing written, otherwise (the caller sends through starlette, which waits for a
        paused transport, or raises as it always did)."""
        protocol = self._protocol
        if (
            self._websocket.application_state is not WebSocketState.CONNECTED
            or not protocol.writable.is_set()
            or protocol.disconnected
            or not protocol.handshake_complete
            or protocol.close_sent
            or protocol.response_started
            or protocol.conn.state is not ConnectionState.OPEN
        ):
            return False
        transport = protocol.transport
        if not transport.is_closing():  # as uvicorn: a closing transport drops the frame
            transport.write(frame)
        return True


class SharedFrames:
    """The frames of the last few shared payloads, each built once: one per (operation id,
    message type) among its first `per_payload` subscribers, whose ids usually repeat ("1"
    from most clients); beyond that, the payload's bytes are still encoded only once."""

    def __init__(self, payloads: int = 16, per_payload: int = 64) -> None:
        self.payloads = payloads
        self.per_payload = per_payload
        self._shared: OrderedDict[str, tuple[bytes, dict[tuple[str, str], bytes]]] = OrderedDict()

    def frame(self, op_id: str, kind: str, payload: str) -> bytes:
        shared = self._shared.get(payload)
        if shared is None:
            shared = self._shared[payload] = (payload.encode(), {})
            if len(self._shared) > self.payloads:
                self._shared.popitem(last=False)
        data, frames = shared
        key = (op_id, kind)
        built = frames.get(key)
        if built is None:
            built = text_frame(envelope(op_id, kind, data))
            if len(frames) < self.per_payload:
                frames[key] = built
        return built
