"""Operations refused before they run, on both protocols, each with the code of its limit:
over a websocket as over HTTP, the token limit's TOO_MANY_TOKENS comes back as the
operation's `error` (strawberry's own handlers sent nothing), and the connection goes on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute

from server.settings import Settings
from server.view import SoundpostGraphQL
from tests.support.servers import serve
from tests.support.ws import LEGACY, TRANSPORT, init, receive, send, socket_to

VIEWER = "{ viewer { username } }"


@asynccontextmanager
async def server(settings: Settings, **limits: Any) -> AsyncIterator[str]:
    view = SoundpostGraphQL(settings.model_copy(update=limits), keep_alive_interval=None)
    async with serve(Starlette(routes=[WebSocketRoute("/graphql", view)])) as url:
        yield url


def operation(protocol: str, op_id: str, query: str) -> dict[str, Any]:
    kind = "start" if protocol == LEGACY else "subscribe"
    return {"type": kind, "id": op_id, "payload": {"query": query}}


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_too_many_tokens_is_the_operations_error(settings: Settings, protocol: str) -> None:
    async with server(settings, max_tokens=100) as url, socket_to(url, protocol) as socket:
        await init(socket)
        await send(socket, operation(protocol, "1", "{ " + "__typename " * 120 + "}"))
        refused = await receive(socket)
        assert refused["type"] == "error" and refused["id"] == "1"
        payload = refused["payload"]
        [error] = payload if protocol == TRANSPORT else [payload]
        assert error["extensions"] == {"code": "TOO_MANY_TOKENS"}
        assert "more than 100 tokens" in error["message"]
        # the connection goes on, and the id is free again
        await send(socket, operation(protocol, "1", VIEWER))
        result = await receive(socket)
        assert result["id"] == "1" and result["payload"] == {"data": {"viewer": None}}
        assert await receive(socket) == {"type": "complete", "id": "1"}


async def test_a_legacy_start_without_a_query_is_an_error(app: Starlette) -> None:
    async with serve(app) as url, socket_to(url, LEGACY) as socket:
        await init(socket)
        await send(socket, {"type": "start", "id": "7", "payload": {"variables": {}}})
        refused = await receive(socket)
        assert refused["type"] == "error" and refused["id"] == "7"
        assert refused["payload"]["message"] == "A start message needs a payload with a query."
        await send(socket, operation(LEGACY, "8", VIEWER))
        assert (await receive(socket))["payload"] == {"data": {"viewer": None}}
