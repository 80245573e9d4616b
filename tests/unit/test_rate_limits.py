"""The budgets' store (graph/rate_limits.py, RateLimits) when it is unreachable."""

from __future__ import annotations

from typing import Any

from graph.rate_limits import RateLimits
from server.settings import Settings


class Calls:
    """Stands in for the store: records each call that would reach it, then makes it."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage
        self.made: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.storage, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            self.made.append(name)
            return await method(*args, **kwargs)

        return call


async def test_fail_open_backs_off_instead_of_retrying_every_request() -> None:
    limits = RateLimits(Settings(broadcast_url="redis://127.0.0.1:1/0"))
    limits.storage = calls = Calls(limits.storage)  # type: ignore[assignment]
    try:
        first = await limits.charge(limits.anonymous, "ip", "1.2.3.4", cost=5)
        assert calls.made == ["get"]  # the store was tried, and failed
        second = await limits.charge(limits.anonymous, "ip", "1.2.3.4", cost=5)
        # a store known down is not tried again: no connection, no timeout, no latency
        assert calls.made == ["get"]
    finally:
        await limits.close()
    assert first.allowed and first.remaining is None
    assert second.allowed and second.remaining is None
