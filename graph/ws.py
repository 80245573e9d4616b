"""Websocket transport: authentication on connection_init, queries and mutations over the
legacy graphql-ws protocol, and server pings on graphql-transport-ws."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import suppress

from starlette.websockets import WebSocketDisconnected as SocketClosed
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage
from strawberry.types.execution import PreExecutionError

from graph.context import Context, bearer_token
from graph.loaders import Loaders
from resolvers import auth

# Mobile networks drop sockets idle for ~30-60 s; a ping every 15 s keeps them open.
KEEP_ALIVE_INTERVAL = 15.0


def _authorization(source: object) -> object:
    if isinstance(source, Mapping):
        for key, value in source.items():
            if isinstance(key, str) and key.lower() == "authorization" and value:
                return value
    return None


def connection_token(context: Context) -> str | None:
    """None when no token was sent; "" when one was sent but is not `Bearer <token>`."""
    params = context.connection_params or {}
    raw = (
        _authorization(params)
        or _authorization(params.get("headers"))
        or context.request.headers.get("authorization")
    )
    return bearer_token(str(raw)) if raw else None


async def authenticate(context: Context) -> None:
    """Resolves the viewer once per connection; a token that was sent but does not work
    refuses the connection, so a client never runs silently as anonymous."""
    token = connection_token(context)
    viewer = await auth.viewer_for_token(token) if token else None
    if token is not None and viewer is None:
        message = (
            "Your token is invalid, expired or revoked: log in again."
            if token
            else "Send the token as `Bearer <token>`."
        )
        raise ConnectionRejectionError({"message": message, "code": "UNAUTHENTICATED"})
    context.viewer = viewer
    context.token = token
    context.token_rejected = False
    _refresh_loaders(context)


def _refresh_loaders(context: Context) -> None:
    # The context lives as long as the connection: without this, a query would read rows
    # cached by an earlier operation, before some other client changed them.
    context.loaders = Loaders(context.viewer.id if context.viewer else None)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, plus server pings (strawberry sends none, issue 2992)."""

    ping_task: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self.view.keep_alive and self.ping_task is None:
            self.ping_task = asyncio.create_task(self._ping())

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged:
            _refresh_loaders(self.context)
        await super().handle_subscribe(message)

    async def shutdown(self) -> None:
        if self.ping_task is not None:
            self.ping_task.cancel()
            with suppress(asyncio.CancelledError):
                await self.ping_task
        await super().shutdown()

    async def _ping(self) -> None:
        assert self.view.keep_alive_interval
        # The socket may close between two pings; the handler's shutdown then ends this task.
        with suppress(WebSocketDisconnected, SocketClosed):
            while True:
                await asyncio.sleep(self.view.keep_alive_interval)
                await self.send_message({"type": "ping"})


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """subscriptions-transport-ws clients (old Apollo) send every operation over the
    socket; stock strawberry only runs subscriptions there."""

    async def handle_start(self, message: StartMessage) -> None:
        if self.connection_acknowledged:
            _refresh_loaders(self.context)
        await super().handle_start(message)

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        # The stock method with `stream` instead of `subscribe`: a query or mutation yields
        # one result, then the stream ends and `complete` follows.
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
                await self.send_data_message(result, operation_id)  # type: ignore[arg-type]
                is_first_result = False
            await self.send_message({"type": "complete", "id": operation_id})
        except asyncio.CancelledError:
            await self.send_message({"type": "complete", "id": operation_id})
        finally:
            self.subscriptions.pop(operation_id, None)
            self.tasks.pop(operation_id, None)
