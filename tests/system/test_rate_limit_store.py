"""Rate limits on a Redis of their own (a private redis-server) that goes away and comes
back: fail open while it is down, enforce again once it is back."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from starlette.applications import Starlette

from graph import rate_limits
from server.settings import Settings
from tests.support.limits import EXPLORE, own_client, post
from tests.support.servers import private_redis

pytestmark = pytest.mark.system

Client = Callable[..., Any]


class Clock:
    """graph.rate_limits' time, which the test moves on: its `monotonic()` runs `ahead`
    of the real one (everything else keeps the real clock)."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.ahead

    def time(self) -> float:
        return time.time()


@pytest.fixture
def make_client(app: Starlette, settings: Settings) -> Client:
    """Apps of their own, over the session app's database (tortoise is initialised)."""
    return partial(own_client, settings)


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
async def test_a_restarted_redis_fails_open_then_enforces_again(
    make_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: budgets in a Redis of our own, which we can stop
    clock = Clock()
    monkeypatch.setattr(rate_limits, "time", clock)
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
                clock.ahead += rate_limits.OUTAGE_BACKOFF_SECONDS
                back = await post(client, EXPLORE)
                assert back.headers["X-RateLimit-Remaining"] == "13"
                assert (await post(client, EXPLORE)).headers["X-RateLimit-Remaining"] == "6"
                assert (await post(client, EXPLORE)).status_code == 429
