"""Live subscriptions after their catch-up: the websocket transports take them over from
strawberry (graph/ws.py), so that a subscription waiting for events holds no task, no
async generator and no open extension hooks: only this object and its hub listener.

Everything up to going live still runs through strawberry: parsing, validation, the
limits, the resolver's checks and its catch-up. Then the resolver yields a `Live`
(graph/live.py), the executor makes it a `HandOff` result (graph/sharing.py), and the
transport builds a `LiveOp` from it and closes strawberry's stream. Each event is then
run here on a copy of the selection's shared executor, with the same sharing as before."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

import orjson
from graphql import ExecutionResult, GraphQLError
from starlette.websockets import WebSocketDisconnected as SocketClosed
from strawberry.http.exceptions import WebSocketDisconnected

from graph.errors import shape_error
from graph.live.sharing import Live

log = logging.getLogger("soundpost.live")

SendMessage = Callable[[dict[str, Any]], Awaitable[None]]
SendText = Callable[[str], Awaitable[None]]
GONE = (WebSocketDisconnected, SocketClosed)


class LiveOp:
    """One live subscription of one connection. `kind` is the message type of its
    results: "next" on graphql-transport-ws, "data" on graphql-ws."""

    __slots__ = (
        "_context",
        "_direct",
        "_listener",
        "_schema",
        "_send_message",
        "_send_text",
        "_template",
        "_to_root",
        "closed",
        "id",
        "kind",
    )

    def __init__(
        self,
        live: Live,
        op_id: str,
        kind: str,
        *,
        context: Any,
        schema: Any,
        send_message: SendMessage,
        send_text: SendText,
    ) -> None:
        live.taken = True
        self.id = op_id
        self.kind = kind
        self.closed = False
        self._context = context
        self._schema = schema
        self._send_message = send_message
        self._send_text = send_text
        self._template = live.template
        self._to_root = live.to_root
        self._direct = live.direct
        self._direct.send_with(self._send_payload)
        self._listener = live.listener
        self._listener.push_to(self.deliver)

    def stop(self) -> None:
        """The client completed it, or the connection is shutting down."""
        self.closed = True
        self._listener.close()

    async def deliver(self, message: Any) -> None:
        if self.closed:
            return
        try:
            root = await self._to_root(message)
            if root is None or self.closed or await self._direct.sent(root):
                return
            executor = self._template.build_per_event_executor(root)
            executor.context_value = self._context
            result = executor.execute_operation(False)
            if executor.is_awaitable(result):
                result = await result
        except Exception as error:  # reported to the client, as strawberry does
            await self._fail(error)
            return
        await self._send_result(result)

    async def _fail(self, error: Exception) -> None:
        """Like strawberry's stream when the source raises: the error as a last result,
        then `complete`; the subscription ends."""
        located = (
            error
            if isinstance(error, GraphQLError)
            else GraphQLError(str(error), original_error=error)
        )
        self.stop()
        with suppress(*GONE):
            await self._send(ExecutionResult(data=None, errors=[located]))
            await self._send_message({"id": self.id, "type": "complete"})

    async def _send_result(self, result: ExecutionResult) -> None:
        if self.closed:
            return
        with suppress(*GONE):
            await self._send(result)

    async def _send(self, result: ExecutionResult) -> None:
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            self._schema.process_errors(result.errors)
            settings = getattr(self._context, "settings", None)
            hide = settings is not None and settings.environment == "production"
            payload["errors"] = [
                shape_error(e, hide_suggestions=hide).formatted for e in result.errors
            ]
        await self._send_message({"id": self.id, "type": self.kind, "payload": payload})

    async def _send_payload(self, payload: str) -> None:
        """The short cut's send: a result another subscriber's execution serialized."""
        if self.closed:
            return
        head = orjson.dumps({"id": self.id, "type": self.kind}).decode()
        with suppress(*GONE):
            await self._send_text(f'{head[:-1]},"payload":{payload}}}')
