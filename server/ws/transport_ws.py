"""graphql-transport-ws (the `graphql-ws` npm client's protocol, its PROTOCOL.md): one
message dispatch, every close code commented where it is sent. Server pings keep idle mobile
sockets open (strawberry sends none, its issue 2992); the connection_init deadline and the
pings run on the view's one Heartbeat; live subscriptions are taken over (takeover.py)."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from functools import partial
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.schema.exceptions import CannotGetOperationTypeError

from server.ws.connection import (
    CLOSE_TRY_AGAIN_LATER,
    Connection,
    Operation,
)
from server.ws.limits import (
    CLOSE_TOO_MANY_CONNECTIONS,
    TOO_MANY_CONNECTIONS_REASON,
    too_many_operations,
)

log = logging.getLogger("soundpost.ws")


class TransportWS(Connection):
    kind = "next"
    protocol = "graphql-transport-ws"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timed_out = False

    async def handle(self) -> None:
        timeout = self.view.connection_init_wait_timeout.total_seconds()
        self.heartbeat.expect_init(self, timeout, self._init_timed_out)
        try:
            async for message in self.socket.iter_json():
                await self.dispatch(message)
        except NonTextMessageReceived:
            await self.socket.close(4400, "WebSocket message type must be text")
        except NonJsonMessageReceived:
            await self.socket.close(4400, "WebSocket message must be valid JSON")
        except WebSocketDisconnected:
            pass
        finally:
            await self.shutdown()

    async def dispatch(self, message: Any) -> None:
        try:
            kind = message["type"]
            if kind == "connection_init":
                await self.connection_init(message)
            elif kind == "ping":
                await self.send({"type": "pong"})
            elif kind == "pong":
                pass
            elif kind == "subscribe":
                await self.subscribe(message["id"], message["payload"])
            elif kind == "complete":
                self.complete(message["id"])
            else:
                await self.socket.close(4400, f"Unknown message type: {kind}")
        except (KeyError, TypeError):
            await self.socket.close(4400, "Failed to parse message")

    async def _init_timed_out(self) -> None:
        if not self.init_received:
            self.timed_out = True
            await self.init_timed_out()  # 4408

    async def connection_init(self, message: dict[str, Any]) -> None:
        if self.timed_out:
            return
        self.heartbeat.initialised(self)
        payload = message.get("payload", {})
        if not isinstance(payload, dict):
            await self.socket.close(4400, "Invalid connection init payload")
            return
        if self.init_received:
            await self.socket.close(4429, "Too many initialisation requests")
            return
        self.init_received = True
        refusal = await self.admit(payload)
        if refusal is not None:
            if refusal.kind == "token":
                await self.socket.close(4403, "Forbidden")  # the reason is not sent here
            elif refusal.kind == "connections":
                await self.socket.close(CLOSE_TOO_MANY_CONNECTIONS, TOO_MANY_CONNECTIONS_REASON)
            else:  # 1013: the token may be fine; retry later, do not log out
                await self.socket.close(CLOSE_TRY_AGAIN_LATER, refusal.message)
            return
        await self.send({"type": "connection_ack"})
        self.acknowledged = True
        if self.view.keep_alive:
            self.heartbeat.keep_alive(self, partial(self.send, {"type": "ping"}))

    async def subscribe(self, op_id: str, payload: dict[str, Any]) -> None:
        if not self.acknowledged:
            await self.socket.close(4401, "Unauthorized")
            return
        if op_id in self.operations or op_id in self.live:
            await self.socket.close(4409, f"Subscriber for {op_id} already exists")
            return
        # Queries and mutations in flight count too.
        if self.limit is not None and len(self.operations) + len(self.live) >= self.limit:
            error = too_many_operations(self.limit).formatted
            await self.send({"id": op_id, "type": "error", "payload": [error]})
            return
        self.begin(op_id, payload["query"], payload.get("variables"), payload.get("operationName"))

    async def refuse(self, operation: Operation, errors: list[GraphQLError]) -> None:
        """An operation refused before it ran: a document that cannot be parsed, or has no
        operation to run, breaks the protocol (4400); any other error is the operation's."""
        error = errors[0] if errors else None
        reason = None
        if isinstance(error, GraphQLSyntaxError):
            reason = error.message
        elif error is not None and isinstance(error.original_error, CannotGetOperationTypeError):
            reason = error.original_error.as_http_error_reason()
        if reason is not None:
            self.forget(operation)
            await self.socket.close(4400, reason)
            return
        payload = [error.formatted for error in errors]
        await self.finish(operation, {"id": operation.id, "type": "error", "payload": payload})

    def complete(self, op_id: str) -> None:
        """The client's `complete`: the operation ends, nothing more is sent for it."""
        if self.stop_live(op_id):
            return
        operation = self.operations.get(op_id)
        if operation is not None:
            self.forget(operation)
            if operation.task is not None:
                operation.task.cancel()

    async def shutdown(self) -> None:
        self.release()
        tasks = [op.task for op in self.operations.values() if op.task is not None]
        for operation in list(self.operations.values()):
            self.forget(operation)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(Exception, asyncio.CancelledError):
                await task
