"""The websocket as both protocols use it: JSON text messages in, bounded in size; text
frames out (browsers' graphql-ws cannot parse binary ones), written straight to uvicorn's
transport when it can be (server/ws/wire.py), else through starlette; and `send_payload`,
the one place a payload serialized once for many subscribers is put into each one's
message (its frame built once per event and operation id, `SHARED`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from json import JSONDecodeError
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.http.async_base_view import AsyncWebSocketAdapter
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)

from server.ws.limits import CLOSE_MESSAGE_TOO_BIG, too_big
from server.ws.wire import SharedFrames, Wire, envelope, text_frame

# The frames of the process's latest shared payloads (a payload is the same text object
# for every subscriber of its selection).
SHARED = SharedFrames()


def frame(op_id: str, kind: str, payload: str) -> str:
    """The text of an operation's `next` (graphql-transport-ws) or `data` (graphql-ws)
    message around a payload that is already JSON text."""
    return envelope(op_id, kind, payload.encode()).decode()


class Socket(AsyncWebSocketAdapter):
    """Made by the strawberry view for each websocket (`websocket_adapter_class`). Closes
    with 1009 on a message larger than the view's `max_message_bytes`: `soundpost serve`
    gives uvicorn the same limit (`ws_max_size`), which refuses the frame before it is even
    buffered; this check holds under any other server too."""

    def __init__(self, view: Any, request: WebSocket, response: WebSocket) -> None:
        super().__init__(view)
        self.ws = response
        self.max_message_bytes: int | None = getattr(view, "max_message_bytes", None)
        self.wire = Wire.of(response)

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        """Each message, decoded; ends when the client leaves or a message is too big.
        Raises NonTextMessageReceived for a binary frame, and NonJsonMessageReceived for
        text that is not JSON unless `ignore_parsing_errors`."""
        limit = self.max_message_bytes
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                try:
                    text = await self.ws.receive_text()
                    if limit is not None and too_big(text, limit):
                        reason = f"Message larger than {limit} bytes"
                        await self.ws.close(code=CLOSE_MESSAGE_TOO_BIG, reason=reason)
                        return
                    yield self.view.decode_json(text)
                except JSONDecodeError as error:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
        except KeyError as error:  # starlette: a binary frame has no "text"
            raise NonTextMessageReceived from error
        except WebSocketDisconnect:
            pass

    async def send_json(self, message: Mapping[str, object]) -> None:
        data = orjson.dumps(message)
        if self.wire is None or not self.wire.write(text_frame(data)):
            await self.send_text(data.decode())

    async def send_payload(self, op_id: str, kind: str, payload: str) -> None:
        """An operation's `next`/`data` message around a payload that is JSON text already,
        shared by many subscribers."""
        if self.wire is None or not self.wire.write(SHARED.frame(op_id, kind, payload)):
            await self.send_text(frame(op_id, kind, payload))

    async def send_text(self, text: str) -> None:
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error

    async def close(self, code: int, reason: str) -> None:
        await self.ws.close(code=code, reason=reason)
