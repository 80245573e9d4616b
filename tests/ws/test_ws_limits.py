"""Websocket limits against a real uvicorn and a real websockets client: operations per
connection, connections per account, message size, connection_init timeout."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from graph.relay import decode_id
from server import cli
from server.settings import Settings
from server.view import SoundpostGraphQL
from server.ws import limits as ws
from tests.support.api import Api
from tests.support.servers import serve
from tests.support.ws import until

TRANSPORT = "graphql-transport-ws"
LEGACY = "graphql-ws"
WAIT = 5  # seconds: the bound on every wait
VIEWER = "{ viewer { username } }"


@strawberry.type
class _Query:
    ok: bool = True


@strawberry.type
class _Subscription:
    @strawberry.subscription
    async def forever(self) -> AsyncIterator[int]:
        while True:
            yield 0
            await asyncio.sleep(0.05)


@asynccontextmanager
async def limited(
    settings: Settings, small_schema: bool = False, **limits: Any
) -> AsyncIterator[tuple[str, SoundpostGraphQL]]:
    """A real server for one view with the given limit settings; yields its URL and view."""
    view = SoundpostGraphQL(settings.model_copy(update=limits), keep_alive_interval=None)
    if small_schema:
        view.schema = strawberry.Schema(query=_Query, subscription=_Subscription)
    async with serve(Starlette(routes=[WebSocketRoute("/graphql", view)])) as url:
        yield url, view


@asynccontextmanager
async def socket_to(url: str, protocol: str) -> AsyncIterator[ClientConnection]:
    async with connect(
        url, subprotocols=[Subprotocol(protocol)], open_timeout=WAIT, close_timeout=1
    ) as socket:
        assert socket.subprotocol == protocol
        yield socket


async def send(socket: ClientConnection, message: dict[str, Any]) -> None:
    await socket.send(json.dumps(message))


async def receive(socket: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(WAIT):
        while True:
            message = json.loads(await socket.recv())
            if message["type"] not in ("ka", "ping"):
                return message  # type: ignore[no-any-return]


async def init(socket: ClientConnection, token: str | None = None) -> None:
    payload = {"authorization": f"Bearer {token}"} if token else {}
    await send(socket, {"type": "connection_init", "payload": payload})
    assert await receive(socket) == {"type": "connection_ack"}


async def closed(socket: ClientConnection) -> tuple[int | None, str | None]:
    """Reads until the server closes; its close code and reason."""
    async with asyncio.timeout(WAIT):
        with pytest.raises(ConnectionClosed):
            while True:
                await socket.recv()
    return socket.close_code, socket.close_reason


def operation(protocol: str, id: str, query: str) -> dict[str, Any]:
    kind = "start" if protocol == LEGACY else "subscribe"
    return {"type": kind, "id": id, "payload": {"query": query}}


def stop(protocol: str, id: str) -> dict[str, Any]:
    return {"type": "stop" if protocol == LEGACY else "complete", "id": id}


def data_type(protocol: str) -> str:
    return "data" if protocol == LEGACY else "next"


# operations per connection


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_operations_beyond_the_limit_are_refused_and_the_connection_stays(
    settings: Settings, protocol: str
) -> None:
    async with (
        limited(settings, small_schema=True, ws_max_subscriptions=2) as (url, _),
        socket_to(url, protocol) as socket,
    ):
        await init(socket)
        for id in ("a", "b"):
            await send(socket, operation(protocol, id, "subscription { forever }"))
            assert (await receive(socket))["id"] == id
        await send(socket, operation(protocol, "c", "subscription { forever }"))
        async with asyncio.timeout(WAIT):
            while (refused := await receive(socket))["id"] != "c":
                pass
        assert refused["type"] == "error"
        # graphql-transport-ws carries a list of errors, graphql-ws a single one.
        error = refused["payload"][0] if protocol == TRANSPORT else refused["payload"]
        assert error["extensions"] == {"code": "TOO_MANY_SUBSCRIPTIONS"}
        assert error["message"].startswith("Subscription limit reached: at most 2 operations")
        # Ending one makes room for another on the same connection (the server handles
        # one connection's messages in order: the stop is done before "d" is read).
        await send(socket, stop(protocol, "a"))
        await send(socket, operation(protocol, "d", "subscription { forever }"))
        async with asyncio.timeout(WAIT):
            while (message := await receive(socket))["id"] != "d":
                pass
        assert message["type"] == data_type(protocol)


# connections per account


async def connection_refused(url: str, protocol: str, token: str) -> tuple[Any, int | None]:
    """connection_init past the limit: the message before the close (if any) and the code."""
    async with socket_to(url, protocol) as socket:
        await send(
            socket, {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        )
        message = None
        async with asyncio.timeout(WAIT):
            try:
                while True:
                    message = json.loads(await socket.recv())
            except ConnectionClosed:
                pass
        assert socket.close_reason == ws.TOO_MANY_CONNECTIONS_REASON
        return message, socket.close_code


async def test_connections_per_account_are_limited(settings: Settings, api: Api) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    maya_pk = decode_id(maya.id, "User")
    assert maya_pk is not None
    async with (
        limited(settings, ws_max_connections_per_user=2) as (url, view),
        AsyncExitStack() as stack,
    ):
        first = await stack.enter_async_context(socket_to(url, TRANSPORT))
        await init(first, maya.token)
        second = await stack.enter_async_context(socket_to(url, LEGACY))
        await init(second, maya.token)
        assert view.ws_connections.count(maya_pk) == 2

        # The third is refused on either protocol, with a code of its own.
        message, code = await connection_refused(url, TRANSPORT, maya.token)
        assert (message, code) == (None, ws.CLOSE_TOO_MANY_CONNECTIONS)
        message, code = await connection_refused(url, LEGACY, maya.token)
        assert code == ws.CLOSE_TOO_MANY_CONNECTIONS
        assert message["type"] == "connection_error"
        assert message["payload"]["code"] == "TOO_MANY_CONNECTIONS"
        assert "at most 2" in message["payload"]["message"]

        # Another account and anonymous connections are not affected.
        for token in (kofi.token, None, None, None):
            socket = await stack.enter_async_context(socket_to(url, TRANSPORT))
            await init(socket, token)

        # The open ones still work; closing one frees a place.
        await send(first, operation(TRANSPORT, "1", VIEWER))
        assert (await receive(first))["payload"] == {"data": {"viewer": {"username": "maya"}}}
        await first.close()
        await until(lambda: view.ws_connections.count(maya_pk) == 1)
        async with socket_to(url, TRANSPORT) as again:
            await init(again, maya.token)
    await until(lambda: view.ws_connections.count(maya_pk) == 0)


async def test_a_refused_token_does_not_take_a_place(settings: Settings, api: Api) -> None:
    maya = await api.sign_up("maya")
    maya_pk = decode_id(maya.id, "User")
    assert maya_pk is not None
    async with limited(settings, ws_max_connections_per_user=1) as (url, view):
        for _ in range(3):
            async with socket_to(url, TRANSPORT) as socket:
                await send(
                    socket, {"type": "connection_init", "payload": {"authorization": "Bearer x"}}
                )
                assert await closed(socket) == (4403, "Forbidden")
        assert view.ws_connections.count(maya_pk) == 0
        async with socket_to(url, TRANSPORT) as socket:
            await init(socket, maya.token)
            assert view.ws_connections.count(maya_pk) == 1


# message size


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_a_message_over_the_size_limit_closes_with_1009(
    settings: Settings, protocol: str
) -> None:
    async with limited(settings, ws_max_message_bytes=1024) as (url, _):
        async with socket_to(url, protocol) as socket:
            await init(socket)
            # Just under the limit passes ...
            padding = " " * (1000 - len(json.dumps(operation(protocol, "1", VIEWER))))
            message = operation(protocol, "1", VIEWER + padding)
            assert len(json.dumps(message).encode()) <= 1024
            await send(socket, message)
            assert (await receive(socket))["type"] == data_type(protocol)
        async with socket_to(url, protocol) as socket:
            await init(socket)
            # ... and over it (in bytes: "é" is two) closes the connection.
            await send(socket, operation(protocol, "2", "{ viewer { username } } #" + "é" * 520))
            assert await closed(socket) == (1009, "Message larger than 1024 bytes")


async def test_soundpost_serve_gives_uvicorn_the_message_limit(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    cli.serve(settings.model_copy(update={"ws_max_message_bytes": 4096}))
    assert seen["ws_max_size"] == 4096


# connection_init timeout


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_no_connection_init_in_time_closes_with_4408(
    settings: Settings, protocol: str
) -> None:
    async with limited(settings, ws_connection_init_timeout_seconds=0.3) as (url, _):
        async with socket_to(url, protocol) as socket:
            assert await closed(socket) == (4408, "Connection initialisation timeout")
        # An initialised connection outlives the timeout.
        async with socket_to(url, protocol) as socket:
            await init(socket)
            await asyncio.sleep(0.6)
            await send(socket, operation(protocol, "1", VIEWER))
            assert (await receive(socket))["type"] == data_type(protocol)


def test_limit_defaults(app: Starlette) -> None:
    defaults = Settings.model_fields
    assert defaults["ws_max_subscriptions"].default == 20
    assert defaults["ws_max_connections_per_user"].default == 10
    assert defaults["ws_max_message_bytes"].default == 64 * 1024
    assert defaults["ws_connection_init_timeout_seconds"].default == 10
    # The application's view takes them from its settings.
    settings: Settings = app.state.settings
    views = {
        id(v): v for r in app.routes if isinstance(v := getattr(r, "app", None), SoundpostGraphQL)
    }
    assert len(views) == 1  # one view serves both the HTTP and the websocket route
    (view,) = views.values()
    assert view.max_subscriptions_per_connection == settings.ws_max_subscriptions
    assert view.connection_init_wait_timeout.total_seconds() == (
        settings.ws_connection_init_timeout_seconds
    )
    assert view.max_message_bytes == settings.ws_max_message_bytes
    assert view.ws_connections.limit == settings.ws_max_connections_per_user


# query depth and cost, per subscription (graph/limits.py's rules run for subscriptions too)

DEEP = 'subscription { postcardActivity(postcardId: "x") { comment { author { username } } } }'
COSTLY = 'subscription { postcardActivity(postcardId: "x") { likeCount commentCount postcardId } }'


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
@pytest.mark.parametrize(
    ("limits", "query", "message"),
    [
        pytest.param({"max_query_depth": 2}, DEEP, "exceeds maximum operation depth", id="depth"),
        pytest.param({"max_query_cost": 3}, COSTLY, "This query costs 4 points", id="cost"),
    ],
)
async def test_each_subscription_is_held_to_the_depth_and_cost_limits(
    settings: Settings, protocol: str, limits: dict[str, int], query: str, message: str
) -> None:
    async with limited(settings, **limits) as (url, _), socket_to(url, protocol) as socket:
        await init(socket)
        await send(socket, operation(protocol, "1", query))
        refused = await receive(socket)
        assert refused["id"] == "1"
        payload = refused["payload"]
        # Depth is a validation rule: an `error` message (a list on graphql-transport-ws).
        # Cost is checked at execution: a result with no data and the error, then complete.
        if refused["type"] == "error":
            errors = payload if isinstance(payload, list) else [payload]
            assert errors[0]["extensions"]["code"] == "QUERY_TOO_DEEP"
        else:
            assert refused["type"] == data_type(protocol) and payload["data"] is None
            errors = payload["errors"]
            assert errors[0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert len(errors) == 1 and message in errors[0]["message"], refused
        # The connection stays usable.
        await send(socket, operation(protocol, "2", VIEWER))
        async with asyncio.timeout(WAIT):
            while (answer := await receive(socket))["id"] != "2":
                pass
        assert answer["type"] == data_type(protocol)
