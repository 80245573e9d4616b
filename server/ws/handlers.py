"""Websocket transport: authentication on connection_init, queries and mutations over the
legacy graphql-ws protocol, server pings on graphql-transport-ws, and the limits: open
connections per account, operations per connection, message size, connection_init timeout."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncGenerator, Mapping
from contextlib import suppress
from functools import partial
from json import JSONDecodeError
from typing import Any

import asyncpg
import orjson
from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect, WebSocketState
from starlette.websockets import WebSocketDisconnected as SocketClosed
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    CompleteMessage,
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage as LegacyConnectionInitMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage, StopMessage
from strawberry.types.execution import ExecutionResult, PreExecutionError
from tortoise.exceptions import OperationalError

from graph.context import Context
from graph.live.sharing import HandOff, Live, Rendered, direct_send, hand_off
from graph.loaders import Loaders
from server.ws.heartbeat import Heartbeat
from server.ws.takeover import LiveOp

# Mobile networks drop sockets idle for ~30-60 s; a ping every 15 s keeps them open.
KEEP_ALIVE_INTERVAL = 15.0

# Close codes of the limits. graphql-transport-ws uses 44xx codes itself (4429 there means
# "a second connection_init"), so the per-account limit takes 4029.
CLOSE_TOO_MANY_CONNECTIONS = 4029
CLOSE_MESSAGE_TOO_BIG = 1009  # RFC 6455; uvicorn's own ws_max_size check sends the same
CLOSE_INIT_TIMEOUT = 4408  # strawberry's code on graphql-transport-ws; reused on graphql-ws
INIT_TIMEOUT_REASON = "Connection initialisation timeout"
TOO_MANY_CONNECTIONS_REASON = "Too many connections for this account"
CLOSE_TRY_AGAIN_LATER = 1013  # RFC 6455: the token cannot be checked (database down)
UNAVAILABLE_REASON = "Service unavailable: try again shortly"

log = logging.getLogger("soundpost.ws")

# What a database outage raises: refused or reset sockets, asyncpg's server and client
# errors ("the database system is starting up", a connection closed mid-query), tortoise's.
DATABASE_DOWN = (
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OperationalError,
)


class TooManyConnections(Exception):
    """The viewer already holds the maximum of open websockets in this process.

    Deliberately not a ConnectionRejectionError: strawberry turns that into a bare
    4403 "Forbidden", which a client cannot tell apart from a bad token."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.message = (
            f"Too many open websocket connections for this account (at most {limit}): "
            "close one before opening another."
        )
        super().__init__(self.message)


class ConnectionCounter:
    """Open websocket connections per viewer, in this process. A connection counts from its
    accepted connection_init until its handler shuts down; anonymous ones are not counted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._counts: Counter[int] = Counter()
        self._owners: dict[int, int] = {}  # id(connection context) -> viewer id

    def admit(self, connection: object, viewer_id: int | None) -> None:
        self.release(connection)  # graphql-ws allows a second connection_init
        if viewer_id is None:
            return
        if self._counts[viewer_id] >= self.limit:
            raise TooManyConnections(self.limit)
        self._counts[viewer_id] += 1
        self._owners[id(connection)] = viewer_id

    def release(self, connection: object) -> None:
        viewer_id = self._owners.pop(id(connection), None)
        if viewer_id is not None:
            self._counts[viewer_id] -= 1
            if self._counts[viewer_id] <= 0:
                del self._counts[viewer_id]

    def count(self, viewer_id: int) -> int:
        return self._counts[viewer_id]


def too_many_operations(limit: int) -> GraphQLError:
    return GraphQLError(
        f"Subscription limit reached: at most {limit} operations at once on one connection. "
        "Complete one first.",
        extensions={"code": "TOO_MANY_SUBSCRIPTIONS"},
    )


class SizeLimitedWebSocketAdapter(ASGIWebSocketAdapter):
    """Closes with 1009 on a message larger than the view's `max_message_bytes`.

    `soundpost serve` gives uvicorn the same limit (`ws_max_size`), which refuses the frame
    before it is even buffered; this check holds under any other server too."""

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        limit: int | None = getattr(self.view, "max_message_bytes", None)
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                try:
                    text = await self.ws.receive_text()
                    if limit is not None and _too_big(text, limit):
                        await self.ws.close(
                            code=CLOSE_MESSAGE_TOO_BIG, reason=f"Message larger than {limit} bytes"
                        )
                        return
                    yield self.view.decode_json(text)
                except JSONDecodeError as error:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
        except KeyError as error:
            raise NonTextMessageReceived from error
        except WebSocketDisconnect:
            pass

    async def send_json(self, message: Mapping[str, object]) -> None:
        # Text frames: the view's orjson encoder gives bytes, and strawberry would send those
        # as binary frames, which browser clients (graphql-ws) cannot parse.
        await self.send_text(_frame(message) or orjson.dumps(message).decode())

    async def send_text(self, text: str) -> None:
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error


async def _send_rendered(
    handler: TransportWSHandler | LegacyWSHandler, head: dict[str, str], payload: str
) -> None:
    text = f'{orjson.dumps(head).decode()[:-1]},"payload":{payload}}}'
    # A subscriber that left meanwhile: its handler is shutting the operation down.
    with suppress(WebSocketDisconnected, SocketClosed):
        await handler.websocket.send_text(text)  # type: ignore[attr-defined]


def _frame(message: Mapping[str, object]) -> str | None:
    """The text of a `next`/`data` message whose payload was serialized once for all the
    subscribers of a live event (graph/sharing.py); None for any other message."""
    payload = message.get("payload")
    if not isinstance(payload, dict) or len(payload) != 1:
        return None
    data = payload.get("data")
    if type(data) is not Rendered:
        return None
    head = orjson.dumps({"id": message["id"], "type": message["type"]}).decode()
    return f'{head[:-1]},"payload":{data.payload}}}'


def _too_big(text: str, limit: int) -> bool:
    # A character is 1 to 4 bytes in UTF-8: encode only when the length leaves a doubt.
    return len(text) > limit or (len(text) * 4 > limit and len(text.encode()) > limit)


def admit(counter: ConnectionCounter, context: Context) -> None:
    """After `authenticate`: count the connection against its viewer's limit."""
    counter.admit(context, context.viewer.id if context.viewer else None)


def _release(handler: TransportWSHandler | LegacyWSHandler) -> None:
    counter = getattr(handler.view, "ws_connections", None)
    if isinstance(counter, ConnectionCounter):
        counter.release(handler.context)


def _refresh_loaders(context: Context) -> None:
    # The context lives as long as the connection: without this, a query would read rows
    # cached by an earlier operation, before some other client changed them.
    context.loaders = Loaders(context.viewer.id if context.viewer else None)


def heartbeat(view: Any) -> Heartbeat:
    """The view's timers for all its websockets, made on first use."""
    beat: Heartbeat | None = getattr(view, "soundpost_heartbeat", None)
    if beat is None:
        beat = Heartbeat(view.keep_alive_interval if view.keep_alive else None)
        view.soundpost_heartbeat = beat
    return beat


def _taken_over(result: object) -> Live | None:
    if isinstance(result, ExecutionResult) and type(result.data) is HandOff:
        return result.data.live
    return None


def _take_over(
    handler: TransportWSHandler | LegacyWSHandler, live: Live, op_id: str, kind: str
) -> LiveOp:
    return LiveOp(
        live,
        op_id,
        kind,
        context=handler.context,
        schema=handler.schema,
        send_message=handler.send_message,
        send_text=handler.websocket.send_text,  # type: ignore[attr-defined]
    )


def _stop_all(live: dict[str, LiveOp]) -> None:
    for op in live.values():
        op.stop()
    live.clear()


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, plus server pings (strawberry sends none, issue 2992); both
    timers on the view's one Heartbeat instead of a task per connection; subscriptions
    taken over once live (graph/liveops.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.live: dict[str, LiveOp] = {}

    def on_request_accepted(self) -> None:
        timeout = self.connection_init_wait_timeout.total_seconds()
        heartbeat(self.view).expect_init(self, timeout, self._init_timed_out)

    async def _init_timed_out(self) -> None:
        if not self.connection_init_received:
            self.connection_timed_out = True
            await self.websocket.close(code=CLOSE_INIT_TIMEOUT, reason=INIT_TIMEOUT_REASON)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        heartbeat(self.view).initialised(self)
        try:
            await super().handle_connection_init(message)
        except TooManyConnections:
            await self.websocket.close(
                code=CLOSE_TOO_MANY_CONNECTIONS, reason=TOO_MANY_CONNECTIONS_REASON
            )
            return
        except DATABASE_DOWN as error:
            # Not 4403: the token may be fine, and a client must not log out over an outage.
            log.warning("connection_init failed, database unreachable: %r", error)
            await self.websocket.close(code=CLOSE_TRY_AGAIN_LATER, reason=UNAVAILABLE_REASON)
            return
        if self.connection_acknowledged and self.view.keep_alive:
            heartbeat(self.view).keep_alive(self, partial(self.send_message, {"type": "ping"}))

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged:
            if message["id"] in self.live:
                reason = f"Subscriber for {message['id']} already exists"
                await self.websocket.close(code=4409, reason=reason)
                return
            limit = self.max_subscriptions_per_connection
            # Strawberry's own refusal has no code; this one tells the client what to do.
            if (
                limit is not None
                and message["id"] not in self.operations
                and len(self.operations) + len(self.live) >= limit
            ):
                payload = [too_many_operations(limit).formatted]
                await self.send_message({"id": message["id"], "type": "error", "payload": payload})
                return
            _refresh_loaders(self.context)
        await super().handle_subscribe(message)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        direct_send.set(partial(self._send_next, operation))
        hand_off.set(True)
        await super().run_operation(operation)

    async def _send_result_stream(
        self, operation: Operation[Context, None], result_source: Any
    ) -> None:
        # The stock loop, and the take-over of a subscription that went live.
        is_first_result = True
        async for result in result_source:
            if is_first_result and isinstance(result, PreExecutionError):
                await self._handle_pre_execution_error(operation, result)
                return
            if (live := _taken_over(result)) is not None:
                operation.completed = True
                self.operations.pop(operation.id, None)
                self.live[operation.id] = _take_over(self, live, operation.id, "next")
                raise _OperationStreamClosed  # ends the task without a `complete`
            if not isinstance(result, ExecutionResult):
                await self._reject_incremental_delivery(operation)
                return
            await operation.send_next(result)
            is_first_result = False

    async def handle_complete(self, message: CompleteMessage) -> None:
        op = self.live.pop(message["id"], None)
        if op is not None:
            op.stop()
            return
        await super().handle_complete(message)

    async def _send_next(self, operation: Operation[Context, None], payload: str) -> None:
        if not operation.completed:
            await _send_rendered(self, {"id": operation.id, "type": "next"}, payload)

    async def shutdown(self) -> None:
        heartbeat(self.view).forget(self)
        _release(self)
        _stop_all(self.live)
        await super().shutdown()


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """subscriptions-transport-ws clients (old Apollo) send every operation over the
    socket; stock strawberry only runs subscriptions there."""

    init_received = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.live: dict[str, LiveOp] = {}

    async def handle(self) -> None:
        # Stock graphql-ws waits for connection_init forever; close like graphql-transport-ws.
        timeout = self.view.connection_init_wait_timeout.total_seconds()
        heartbeat(self.view).expect_init(self, timeout, self._init_timed_out)
        try:
            await super().handle()
        finally:
            heartbeat(self.view).forget(self)
            _release(self)
            _stop_all(self.live)

    async def _init_timed_out(self) -> None:
        if not self.init_received:
            await self.websocket.close(code=CLOSE_INIT_TIMEOUT, reason=INIT_TIMEOUT_REASON)

    async def handle_connection_init(self, message: LegacyConnectionInitMessage) -> None:
        self.init_received = True
        heartbeat(self.view).initialised(self)
        # The stock handler starts a keep-alive task per connection: the heartbeat pings.
        keep_alive, self.keep_alive = self.keep_alive, False
        try:
            await super().handle_connection_init(message)
        except TooManyConnections as refused:
            payload = {"message": refused.message, "code": "TOO_MANY_CONNECTIONS"}
            await self.send_message({"type": "connection_error", "payload": payload})
            await self.websocket.close(
                code=CLOSE_TOO_MANY_CONNECTIONS, reason=TOO_MANY_CONNECTIONS_REASON
            )
        except DATABASE_DOWN as error:
            log.warning("connection_init failed, database unreachable: %r", error)
            payload = {"message": UNAVAILABLE_REASON + ".", "code": "SERVICE_UNAVAILABLE"}
            await self.send_message({"type": "connection_error", "payload": payload})
            await self.websocket.close(code=CLOSE_TRY_AGAIN_LATER, reason=UNAVAILABLE_REASON)
        finally:
            self.keep_alive = keep_alive
        if self.connection_acknowledged and keep_alive:
            ka = partial(self.send_message, {"type": "ka"})
            await ka()  # at once, as the stock handler does, then every interval
            heartbeat(self.view).keep_alive(self, ka)

    async def handle_start(self, message: StartMessage) -> None:
        if self.connection_acknowledged:
            if (op := self.live.pop(message["id"], None)) is not None:
                # the stock handler completes an operation of the same id, then replaces it
                op.stop()
                await self.send_message({"type": "complete", "id": message["id"]})
            limit = self.max_subscriptions_per_connection
            if (
                limit is not None
                and message["id"] not in self.tasks
                and len(self.tasks) + len(self.live) >= limit
            ):
                error = too_many_operations(limit).formatted
                await self.send_message({"type": "error", "id": message["id"], "payload": error})
                return
            _refresh_loaders(self.context)
        await super().handle_start(message)

    async def handle_stop(self, message: StopMessage) -> None:
        op = self.live.pop(message["id"], None)
        if op is None:
            await super().handle_stop(message)
            return
        op.stop()
        await self.send_message({"type": "complete", "id": message["id"]})

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        # The stock method with `stream` instead of `subscribe`: a query or mutation yields
        # one result, then the stream ends and `complete` follows.
        direct_send.set(partial(_send_rendered, self, {"type": "data", "id": operation_id}))
        hand_off.set(True)
        try:
            result_source = await self.schema.stream(
                query=query,
                variable_values=variables,
                operation_name=operation_name,
                context_value=self.context,
                root_value=self.root_value,
            )
            self.subscriptions[operation_id] = result_source
            is_first_result = True
            async for result in result_source:
                if is_first_result and isinstance(result, PreExecutionError):
                    assert result.errors
                    await self.send_message(
                        {"type": "error", "id": operation_id, "payload": result.errors[0].formatted}
                    )
                    return
                if (live := _taken_over(result)) is not None:
                    self.live[operation_id] = _take_over(self, live, operation_id, "data")
                    await result_source.aclose()
                    return
                await self.send_data_message(result, operation_id)  # type: ignore[arg-type]
                is_first_result = False
            await self.send_message({"type": "complete", "id": operation_id})
        except asyncio.CancelledError:
            await self.send_message({"type": "complete", "id": operation_id})
        finally:
            self.subscriptions.pop(operation_id, None)
            self.tasks.pop(operation_id, None)
