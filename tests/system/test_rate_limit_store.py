"""Rate limits on a Redis of their own (a private redis-server) that goes away and comes
back: fail open while it is down, enforce again once it is back."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from starlette.applications import Starlette

from server.settings import Settings
from tests.support.limits import EXPLORE, own_client, post
from tests.support.servers import private_redis

pytestmark = pytest.mark.system

Client = Callable[..., Any]


@pytest.fixture
def make_client(app: Starlette, settings: Settings) -> Client:
    """Apps of their own, over the session app's database (tortoise is initialised)."""
    return partial(own_client, settings)


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
async def test_a_restarted_redis_fails_open_then_enforces_again(make_client: Client) -> None:
    # given: budgets in a Redis of our own, which we can stop
    with private_redis() as redis:
        async with make_client(broadcast_url=redis.url, rate_limit_anonymous_points=20) as client:
            assert (await post(client, EXPLORE)).headers["X-RateLimit-Remaining"] == "13"
            # when: Redis goes away, requests are served unmetered (documented: fail open)
            redis.stop()
            down = await post(client, EXPLORE)
            assert down.status_code == 200
            assert down.json()["extensions"]["cost"]["remaining"] is None
            # then: once it is back (and the 5 s back-off has passed), budgets count again
            with private_redis(redis.port):
                await asyncio.sleep(5.2)
                back = await post(client, EXPLORE)
                assert back.headers["X-RateLimit-Remaining"] == "13"
                assert (await post(client, EXPLORE)).headers["X-RateLimit-Remaining"] == "6"
                assert (await post(client, EXPLORE)).status_code == 429
