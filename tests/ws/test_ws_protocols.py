"""Both websocket protocols against a real uvicorn server and a real websockets client:
authentication, queries and mutations over legacy graphql-ws, server pings, origins."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from server.settings import Settings
from server.view import SoundpostGraphQL
from tests.support.api import Api
from tests.support.servers import serve
from tests.support.ws import (
    LEGACY,
    TRANSPORT,
    WAIT,
    init,
    receive,
    send,
    server_tasks,
    socket_to,
)

ALLOWED_ORIGIN = "https://app.soundpost.example"
VIEWER = "{ viewer { username } }"
FOLLOW = "mutation ($id: ID!) { follow(input: {userId: $id}) { errors { code } } }"
UPDATE_PROFILE = """
mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { errors { code } } }
"""
PROFILE = "query ($name: String!) { user(username: $name) { followerCount } }"


@pytest.fixture(scope="module")
async def live_server(app: Starlette) -> AsyncIterator[str]:
    """The real application (default 15 s keep-alive, no CORS origins)."""
    async with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
async def tuned_server(app: Starlette, settings: Settings) -> AsyncIterator[str]:
    """A view with 0.2 s keep-alive and one allowed browser origin."""
    tuned = settings.model_copy(update={"cors_origins": [ALLOWED_ORIGIN]})
    view = SoundpostGraphQL(tuned, keep_alive_interval=0.2)
    async with serve(Starlette(routes=[WebSocketRoute("/graphql", view)])) as url:
        yield url


async def start(ws: ClientConnection, id: str, query: str) -> None:
    await send(ws, {"type": "start", "id": id, "payload": {"query": query}})


async def run(
    ws: ClientConnection, query: str, variables: dict[str, Any] | None = None, id: str = "1"
) -> dict[str, Any]:
    """One query or mutation on either protocol: its payload, after checking it completes."""
    legacy = ws.subprotocol == LEGACY
    payload = {"query": query, "variables": variables or {}}
    await send(ws, {"type": "start" if legacy else "subscribe", "id": id, "payload": payload})
    result = await receive(ws)
    assert result["type"] == ("data" if legacy else "next"), result
    assert result["id"] == id
    assert await receive(ws) == {"type": "complete", "id": id}
    return result["payload"]


async def closed(ws: ClientConnection) -> tuple[int | None, str | None]:
    with pytest.raises(ConnectionClosed):
        await receive(ws)
    return ws.close_code, ws.close_reason


def bearer(token: str) -> str:
    return f"Bearer {token}"


@pytest.mark.parametrize(
    ("payload", "header"),
    [
        pytest.param(lambda t: {"authorization": bearer(t)}, False, id="payload"),
        pytest.param(lambda t: {"Authorization": bearer(t)}, False, id="payload-capital"),
        pytest.param(lambda t: {"headers": {"Authorization": bearer(t)}}, False, id="headers"),
        pytest.param(lambda t: {}, True, id="upgrade-header"),
    ],
)
async def test_token_authenticates_the_connection(
    live_server: str, api: Api, payload: Any, header: bool
) -> None:
    maya = await api.sign_up("maya")
    headers = {"Authorization": bearer(maya.token)} if header else None
    async with socket_to(live_server, TRANSPORT, headers) as ws:
        await init(ws, payload(maya.token))
        assert await run(ws, VIEWER) == {"data": {"viewer": {"username": "maya"}}}


async def test_connection_init_payload_wins_over_the_upgrade_header(
    live_server: str, api: Api
) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    async with socket_to(live_server, TRANSPORT, {"Authorization": bearer(kofi.token)}) as ws:
        await init(ws, {"authorization": bearer(maya.token)})
        assert await run(ws, VIEWER) == {"data": {"viewer": {"username": "maya"}}}


async def test_anonymous_connection_is_allowed_but_viewer_fields_refuse(
    live_server: str, api: Api
) -> None:
    async with socket_to(live_server, TRANSPORT) as ws:
        await init(ws)
        assert await run(ws, VIEWER) == {"data": {"viewer": None}}
        feed = await run(ws, "{ feed { edges { cursor } } }", id="2")
        assert feed["data"] is None
        assert feed["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def revoked_token(api: Api) -> str:
    maya = await api.sign_up("maya")
    assert (await api.ok("mutation { logOut { revoked } }", token=maya.token)) == {
        "logOut": {"revoked": True}
    }
    return maya.token


async def unknown_token(api: Api) -> str:
    return "not-a-token"


BAD_TOKENS = [pytest.param(unknown_token, id="unknown"), pytest.param(revoked_token, id="revoked")]


@pytest.mark.parametrize("make_token", BAD_TOKENS)
async def test_bad_token_is_refused_on_graphql_transport_ws(
    live_server: str, api: Api, make_token: Any
) -> None:
    token = await make_token(api)
    async with socket_to(live_server, TRANSPORT) as ws:
        await send(ws, {"type": "connection_init", "payload": {"authorization": bearer(token)}})
        # Strawberry closes with 4403 and drops the rejection payload on this protocol.
        assert await closed(ws) == (4403, "Forbidden")


@pytest.mark.parametrize(
    ("headers", "payload", "message"),
    [
        pytest.param(
            None,
            {"authorization": "Bearer nope"},
            "Your token is invalid, expired or revoked: log in again.",
            id="invalid",
        ),
        pytest.param(
            {"Authorization": "Bearer nope"},
            None,
            "Your token is invalid, expired or revoked: log in again.",
            id="invalid-upgrade-header",
        ),
        pytest.param(
            None, {"authorization": "Token abc"}, "Send the token as `Bearer <token>`.", id="scheme"
        ),
    ],
)
async def test_bad_token_is_refused_on_legacy_graphql_ws(
    live_server: str, headers: dict[str, str] | None, payload: Any, message: str
) -> None:
    async with socket_to(live_server, LEGACY, headers) as ws:
        await send(ws, {"type": "connection_init", **({"payload": payload} if payload else {})})
        assert await receive(ws) == {
            "type": "connection_error",
            "payload": {"message": message, "code": "UNAUTHENTICATED"},
        }
        assert await closed(ws) == (1011, "")


async def test_legacy_graphql_ws_carries_queries_and_mutations(live_server: str, api: Api) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    async with socket_to(live_server, LEGACY) as ws:
        await init(ws, {"authorization": bearer(maya.token)})
        assert await run(ws, VIEWER) == {"data": {"viewer": {"username": "maya"}}}
        followed = await run(ws, FOLLOW, {"id": kofi.id}, id="2")
        assert followed == {"data": {"follow": {"errors": []}}}
        # Validation errors come back as the legacy protocol's `error` message.
        await start(ws, "3", "{ nope }")
        error = await receive(ws)
        assert error["type"] == "error" and error["id"] == "3"
        assert "nope" in error["payload"]["message"]
    assert await api.ok(PROFILE, {"name": "kofi"}) == {"user": {"followerCount": 1}}


@strawberry.type
class _Query:
    ok: bool = True


@strawberry.type
class _Subscription:
    @strawberry.subscription
    async def count(self, to: int) -> AsyncIterator[int]:
        for n in range(1, to + 1):
            yield n

    @strawberry.subscription
    async def forever(self) -> AsyncIterator[int]:
        while True:
            yield 0
            await asyncio.sleep(0.05)


async def test_legacy_graphql_ws_still_runs_subscriptions(settings: Settings) -> None:
    # The Soundpost schema may not have a subscription yet: this view gets a small one.
    view = SoundpostGraphQL(settings)
    view.schema = strawberry.Schema(query=_Query, subscription=_Subscription)
    async with serve(Starlette(routes=[WebSocketRoute("/graphql", view)])) as url:
        async with socket_to(url, LEGACY) as ws:
            await init(ws)
            await start(ws, "c", "subscription { count(to: 3) }")
            for n in (1, 2, 3):
                data = {"type": "data", "id": "c", "payload": {"data": {"count": n}}}
                assert await receive(ws) == data
            assert await receive(ws) == {"type": "complete", "id": "c"}
            # `stop` ends an endless subscription with `complete`.
            await start(ws, "f", "subscription { forever }")
            assert (await receive(ws))["type"] == "data"
            await send(ws, {"type": "stop", "id": "f"})
            async with asyncio.timeout(WAIT):
                while (message := await receive(ws))["type"] == "data":
                    pass
            assert message == {"type": "complete", "id": "f"}


async def test_each_operation_reads_fresh_rows_on_a_long_lived_connection(
    live_server: str, api: Api
) -> None:
    kofi = await api.sign_up("kofi")
    node = "query ($id: ID!) { node(id: $id) { ... on User { displayName } } }"
    async with socket_to(live_server, TRANSPORT) as ws:
        await init(ws)
        assert await run(ws, node, {"id": kofi.id}) == {"data": {"node": {"displayName": "kofi"}}}
        await api.mutate("updateProfile", UPDATE_PROFILE, {"displayName": "Kofi A."}, kofi.token)
        assert await run(ws, node, {"id": kofi.id}, id="2") == {
            "data": {"node": {"displayName": "Kofi A."}}
        }


async def test_server_pings_on_graphql_transport_ws(tuned_server: str) -> None:
    async with socket_to(tuned_server, TRANSPORT) as ws:
        await init(ws)
        async with asyncio.timeout(1.5):
            for _ in range(3):
                assert await receive(ws, skip=()) == {"type": "ping"}
                await send(ws, {"type": "pong"})
        # Pings do not disturb operations.
        assert await run(ws, VIEWER) == {"data": {"viewer": None}}


async def test_keep_alives_on_legacy_graphql_ws(tuned_server: str) -> None:
    async with socket_to(tuned_server, LEGACY) as ws:
        await init(ws)
        async with asyncio.timeout(1.5):
            for _ in range(3):
                assert await receive(ws, skip=()) == {"type": "ka"}


async def test_no_pings_before_connection_init(tuned_server: str) -> None:
    async with socket_to(tuned_server, TRANSPORT) as ws:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.6):
                await ws.recv()


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_foreign_browser_origin_is_refused(tuned_server: str, protocol: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with socket_to(tuned_server, protocol, origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param(ALLOWED_ORIGIN, id="allowed"),
        pytest.param("same", id="same-origin"),
        pytest.param(None, id="no-origin"),
    ],
)
async def test_allowed_same_and_missing_origins_connect(
    tuned_server: str, origin: str | None
) -> None:
    if origin == "same":
        origin = tuned_server.replace("ws://", "http://").removesuffix("/graphql")
    async with socket_to(tuned_server, TRANSPORT, origin=origin) as ws:
        await init(ws)


async def test_without_cors_origins_only_same_origin_browsers_connect(live_server: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with socket_to(live_server, TRANSPORT, origin=ALLOWED_ORIGIN):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_idle_connections_hold_no_timer_tasks(tuned_server: str, protocol: str) -> None:
    """Keep-alives and connection_init deadlines run on one timer per view, not a task per
    connection: an idle socket costs the server its connection task and nothing else."""
    before = server_tasks()
    async with AsyncExitStack() as stack:
        initialised = []
        for _ in range(10):
            ws = await stack.enter_async_context(socket_to(tuned_server, protocol))
            await init(ws)
            initialised.append(ws)
        await stack.enter_async_context(socket_to(tuned_server, protocol))  # no init yet
        for ws in initialised:  # keep-alives went out meanwhile: one has reached each
            await receive(ws, skip=())
        # one task per connection: uvicorn's, running the handler
        assert server_tasks() - before == Counter({"run_asgi": 11})
