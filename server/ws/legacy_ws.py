"""graphql-ws, the legacy protocol of subscriptions-transport-ws (old Apollo clients), which
sends every operation over the socket: queries and mutations run here too (stock strawberry
runs only subscriptions). Keep-alives (`ka`) and the connection_init deadline run on the
view's one Heartbeat; live subscriptions are taken over (takeover.py)."""

from __future__ import annotations

import logging
from contextlib import suppress
from functools import partial
from typing import Any

from graphql import GraphQLError
from strawberry.http.exceptions import NonTextMessageReceived, WebSocketDisconnected

from server.ws.connection import CLOSE_TRY_AGAIN_LATER, Connection, Operation
from server.ws.limits import (
    CLOSE_TOO_MANY_CONNECTIONS,
    TOO_MANY_CONNECTIONS_REASON,
    too_many_operations,
)

log = logging.getLogger("soundpost.ws")


class LegacyWS(Connection):
    kind = "data"
    protocol = "graphql-ws"

    async def handle(self) -> None:
        timeout = self.view.connection_init_wait_timeout.total_seconds()
        self.heartbeat.expect_init(self, timeout, self.init_timed_out)  # 4408, as on the other
        try:
            async for message in self.socket.iter_json(ignore_parsing_errors=True):
                await self.dispatch(message)
        except NonTextMessageReceived:
            await self.socket.close(1002, "WebSocket message type must be text")
        except WebSocketDisconnected:
            pass
        finally:
            await self.shutdown()

    async def dispatch(self, message: Any) -> None:
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "connection_init":
            await self.connection_init(message)
        elif kind == "connection_terminate":
            await self.socket.close(1000, "")
        elif kind == "start":
            await self.start(message)
        elif kind == "stop":
            await self.stop(str(message.get("id")))
        # anything else is ignored, as subscriptions-transport-ws servers do

    async def connection_init(self, message: dict[str, Any]) -> None:
        self.init_received = True
        self.heartbeat.initialised(self)
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            await self.send({"type": "connection_error"})
            await self.socket.close(1000, "")
            return
        refusal = await self.admit(payload)
        if refusal is not None:
            if refusal.kind == "token":
                await self.send({"type": "connection_error", "payload": refusal.payload})
                await self.socket.close(1011, "")
            elif refusal.kind == "connections":
                payload = {"message": refusal.message, "code": "TOO_MANY_CONNECTIONS"}
                await self.send({"type": "connection_error", "payload": payload})
                await self.socket.close(CLOSE_TOO_MANY_CONNECTIONS, TOO_MANY_CONNECTIONS_REASON)
            else:  # 1013: the token may be fine; retry later, do not log out
                payload = {"message": refusal.message + ".", "code": "SERVICE_UNAVAILABLE"}
                await self.send({"type": "connection_error", "payload": payload})
                await self.socket.close(CLOSE_TRY_AGAIN_LATER, refusal.message)
            return
        await self.send({"type": "connection_ack"})
        self.acknowledged = True
        if self.view.keep_alive:
            keep_alive = partial(self.send, {"type": "ka"})
            await keep_alive()  # at once, then every interval
            self.heartbeat.keep_alive(self, keep_alive)

    async def start(self, message: dict[str, Any]) -> None:
        if not self.acknowledged:
            await self.socket.close(4401, "Unauthorized")
            return
        op_id = str(message.get("id"))
        # A start under the id of a running operation completes that one first.
        if self.stop_live(op_id):
            await self.send({"type": "complete", "id": op_id})
        await self.cancel(op_id)
        if self.limit is not None and len(self.operations) + len(self.live) >= self.limit:
            error = too_many_operations(self.limit).formatted
            await self.send({"type": "error", "id": op_id, "payload": error})
            return
        payload = message.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            error = GraphQLError("A start message needs a payload with a query.").formatted
            await self.send({"type": "error", "id": op_id, "payload": error})
            return
        self.begin(op_id, payload["query"], payload.get("variables"), payload.get("operationName"))

    async def refuse(self, operation: Operation, errors: list[GraphQLError]) -> None:
        """graphql-ws has one `error` message, with one error, and no `complete` after it."""
        if not operation.completed and errors:
            operation.completed = True
            message = {"type": "error", "id": operation.id, "payload": errors[0].formatted}
            await self.send(message)

    async def stop(self, op_id: str) -> None:
        if self.stop_live(op_id):
            await self.send({"type": "complete", "id": op_id})
            return
        await self.cancel(op_id)

    async def cancel(self, op_id: str) -> None:
        """Ends a running operation; its task sends its `complete`."""
        operation = self.operations.pop(op_id, None)
        if operation is None or operation.task is None:
            return
        operation.task.cancel()
        with suppress(BaseException):
            await operation.task

    async def shutdown(self) -> None:
        self.release()
        for op_id in list(self.operations):
            await self.cancel(op_id)
