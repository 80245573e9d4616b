"""What both websocket protocols share: admitting a connection at connection_init (the
view's `on_ws_connect`: its token, then its account's connection limit), running each
operation through strawberry with a context of its own (`run`: its results, its last
message, the take-over of a subscription gone live), and letting go of everything when the
connection ends. Each protocol's module says how it speaks: its messages, close codes and
refusals."""

from __future__ import annotations

import asyncio
import logging
from contextlib import aclosing, suppress
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnected as SocketClosed
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.types.execution import ExecutionResult, PreExecutionError

from graph.context import Context
from graph.live.handoff import LiveHandoff, LiveSubscription
from server.database import DATABASE_DOWN
from server.ws.heartbeat import Heartbeat
from server.ws.limits import TooManyConnections
from server.ws.socket import Socket
from server.ws.takeover import LiveOp

log = logging.getLogger("soundpost.ws")

# A client that left while something was being sent to it.
GONE = (WebSocketDisconnected, SocketClosed)
CLOSE_INIT_TIMEOUT = 4408  # graphql-transport-ws's code; graphql-ws has none: the same
INIT_TIMEOUT_REASON = "Connection initialisation timeout"
CLOSE_TRY_AGAIN_LATER = 1013  # RFC 6455: the token cannot be checked (database down)
UNAVAILABLE_REASON = "Service unavailable: try again shortly"


class Operation:
    """One operation a client started on a connection: the task running it, until it
    completes (then nothing more is sent for it)."""

    __slots__ = ("completed", "id", "task")

    def __init__(self, op_id: str) -> None:
        self.id = op_id
        self.completed = False
        self.task: asyncio.Task[None] | None = None


@dataclass(frozen=True)
class Refusal:
    """Why connection_init was refused: `kind` is "token" (the token was refused: its
    `payload` says why), "connections" (too many for the account) or "unavailable"."""

    kind: str
    message: str
    payload: Any = None


class Connection:
    """One websocket, whichever protocol it speaks (a subclass each). Made by the strawberry
    view with the connection's context; each operation runs with a copy of its own."""

    kind: ClassVar[str]  # the message type of an operation's results: "next" or "data"
    protocol: ClassVar[str]

    def __init__(
        self, view: Any, websocket: Socket, context: Context, root_value: Any, schema: Any, **_: Any
    ) -> None:
        self.view = view
        self.socket = websocket
        self.context = context
        self.root_value = root_value
        self.schema = schema
        self.limit: int | None = view.max_subscriptions_per_connection
        self.heartbeat: Heartbeat = view.heartbeat
        self.init_received = False
        self.acknowledged = False
        self.operations: dict[str, Operation] = {}
        self.live: dict[str, LiveOp] = {}

    async def admit(self, payload: dict[str, Any] | None) -> Refusal | None:
        """Runs the view's connection hook with connection_init's payload; the refusal, if
        it refused."""
        self.context.connection_params = payload
        try:
            await self.view.on_ws_connect(self.context)
        except ConnectionRejectionError as rejected:
            return Refusal("token", "Forbidden", rejected.payload)
        except TooManyConnections as refused:
            return Refusal("connections", refused.message)
        except DATABASE_DOWN as error:
            # Not a refused token: it may be fine, and a client must not log out over this.
            log.warning("connection_init failed, database unreachable: %r", error)
            return Refusal("unavailable", UNAVAILABLE_REASON)
        return None

    def begin(
        self,
        op_id: str,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> None:
        operation = Operation(op_id)
        self.operations[op_id] = operation
        operation.task = asyncio.create_task(self.run(operation, query, variables, operation_name))

    async def run(
        self,
        operation: Operation,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> None:
        """One operation, through strawberry up to its results; a subscription that goes
        live is taken over, and then nothing more runs here."""
        context = self.operation_context(operation)
        try:
            results = await self.schema.stream(
                query,
                variable_values=variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation_name,
            )
            async with aclosing(results):
                first = True
                async for result in results:
                    if first and isinstance(result, PreExecutionError):
                        await self.refuse(operation, result.errors or [])
                        return
                    if (live := context.live.take() if context.live else None) is not None:
                        self.forget(operation)
                        self.take_over(operation.id, live)
                        return  # no `complete`: it lives on
                    if not isinstance(result, ExecutionResult):  # @defer/@stream frames
                        message = f"Incremental delivery is not supported over {self.protocol}"
                        await self.refuse(operation, [GraphQLError(message)])
                        return
                    await self.send_result(operation, result)
                    first = False
            await self.finish(operation, {"id": operation.id, "type": "complete"})
        except asyncio.CancelledError:
            # Stopped by the client. graphql-ws completes it; on graphql-transport-ws the
            # client's own `complete` ended it already, and nothing more is sent.
            await self.finish(operation, {"id": operation.id, "type": "complete"})
            raise
        except GraphQLError as error:  # a limit found while parsing (too many tokens)
            await self.refuse(operation, [error])
        except Exception:
            log.exception("operation %s failed", operation.id)
            await self.finish(operation, {"id": operation.id, "type": "complete"})
        finally:
            self.forget(operation)

    async def refuse(self, operation: Operation, errors: list[GraphQLError]) -> None:
        """An operation refused before it ran (each protocol says how)."""
        raise NotImplementedError

    async def send_result(self, operation: Operation, result: ExecutionResult) -> None:
        if operation.completed:
            return
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        await self.send({"id": operation.id, "type": self.kind, "payload": payload})

    async def finish(self, operation: Operation, message: dict[str, Any]) -> None:
        """The operation's last message; its id is free again before the client reads it."""
        if operation.completed:
            return
        self.forget(operation)
        await self.send(message)

    def forget(self, operation: Operation) -> None:
        operation.completed = True
        if self.operations.get(operation.id) is operation:
            del self.operations[operation.id]

    def operation_context(self, operation: Operation) -> Context:
        return self.context.for_operation(LiveHandoff(partial(self.send_payload, operation)))

    async def send_payload(self, operation: Operation, payload: str) -> None:
        """An operation's next result, serialized already (shared by many subscribers)."""
        if operation.completed:
            return
        with suppress(*GONE):
            await self.socket.send_payload(operation.id, self.kind, payload)

    async def send(self, message: dict[str, Any]) -> None:
        with suppress(*GONE):
            await self.socket.send_json(message)

    def take_over(self, op_id: str, subscription: LiveSubscription) -> None:
        """From now on the subscription's events are delivered here, by its listener."""
        self.live[op_id] = LiveOp(
            op_id,
            self.kind,
            subscription,
            send_payload=self.socket.send_payload,
            send_message=self.socket.send_json,
            ended=self._ended,
        )

    def _ended(self, op: LiveOp) -> None:
        if self.live.get(op.id) is op:
            del self.live[op.id]

    def stop_live(self, op_id: str) -> bool:
        """Stops the live subscription of this id; whether there was one."""
        op = self.live.pop(op_id, None)
        if op is None:
            return False
        op.stop()
        return True

    async def init_timed_out(self) -> None:
        if not self.init_received:
            await self.socket.close(code=CLOSE_INIT_TIMEOUT, reason=INIT_TIMEOUT_REASON)

    def release(self) -> None:
        """The connection is over: no timers, no count against its account, no live
        subscriptions."""
        self.heartbeat.forget(self)
        self.view.ws_connections.release(self.context)
        for op in self.live.values():
            op.stop()
        self.live.clear()
