"""A revoked token closes every websocket signed in with it, subscribed or not (logOut here;
a suspension and a deleted account revoke the same way), over both protocols."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed

from tests.support.api import Api
from tests.support.servers import serve
from tests.support.ws import LEGACY, TRANSPORT, WAIT, init, socket_to

LOG_OUT = "mutation { logOut { revoked } }"


@pytest.fixture(scope="module")
async def url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as ws_url:
        yield ws_url


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_an_idle_socket_closes_when_its_token_is_revoked(
    url: str, api: Api, app: Starlette, protocol: str
) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    async with socket_to(url, protocol) as mine, socket_to(url, protocol) as theirs:
        await init(mine, {"authorization": f"Bearer {maya.token}"})
        await init(theirs, {"authorization": f"Bearer {kofi.token}"})
        assert (await api.ok(LOG_OUT, token=maya.token)) == {"logOut": {"revoked": True}}
        async with asyncio.timeout(WAIT):
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await mine.recv()
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
            4403,
            "token revoked: log in again",
        )
        # kofi's socket, signed in with another token, stays open
        pong = await theirs.ping()
        async with asyncio.timeout(WAIT):
            await pong
