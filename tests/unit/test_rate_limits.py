"""The budgets' store (graph/rate_limits.py, RateLimits) when it is unreachable."""

from __future__ import annotations

import time

from graph.rate_limits import RateLimits
from server.settings import Settings


async def test_fail_open_backs_off_instead_of_retrying_every_request() -> None:
    limits = RateLimits(Settings(broadcast_url="redis://127.0.0.1:1/0"))
    try:
        first = await limits.charge(limits.anonymous, "ip", "1.2.3.4", cost=5)
        started = time.monotonic()
        second = await limits.charge(limits.anonymous, "ip", "1.2.3.4", cost=5)
        assert time.monotonic() - started < 0.01
    finally:
        await limits.close()
    assert first.allowed and first.remaining is None
    assert second.allowed and second.remaining is None
