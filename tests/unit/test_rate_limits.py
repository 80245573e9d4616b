"""The budgets' stores: this process's windows (graph/windows.py), and Redis when it is
unreachable (graph/rate_limits.py, RateLimits)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.responses import Response

from graph import windows
from graph.rate_limits import RateLimits, Verdict, set_raw_headers
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


class Clock:
    """`time.time` for graph/windows.py, moved by hand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_window_counts_up_to_its_limit_and_refuses_what_would_pass_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock(1000.0)
    monkeypatch.setattr(windows.time, "time", clock)
    counts = windows.Windows()
    assert counts.charge("k", 6, 10, 60) == windows.Charged(True, 6, 1060.0)
    clock.now = 1030.0
    assert counts.charge("k", 4, 10, 60) == windows.Charged(True, 10, 1060.0)  # the window's end
    assert counts.charge("k", 1, 10, 60) == windows.Charged(False, 10, 1060.0)  # nothing added
    assert counts.charge("other", 11, 10, 60) == windows.Charged(False, 0, 1030.0)
    assert len(counts) == 1  # a refused first charge starts no window
    assert counts.charge("k", 0, 10, 60) == windows.Charged(True, 10, 1060.0)  # a free look
    clock.now = 1060.0  # the window is over: a new one starts with the next charge
    assert counts.charge("k", 3, 10, 60) == windows.Charged(True, 3, 1120.0)


def test_expired_windows_are_dropped_once_per_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(1000.0)
    monkeypatch.setattr(windows.time, "time", clock)
    counts = windows.Windows(sweep=100)
    for n in range(5):
        counts.charge(f"ip-{n}", 1, 10, 10)
    clock.now = 1050.0  # their windows are over, the sweep is not due
    counts.charge("late", 1, 10, 100)
    assert len(counts) == 6
    clock.now = 1100.0
    counts.charge("late", 1, 10, 100)
    assert len(counts) == 1  # only the running window is kept
    assert counts.charge("late", 0, 10, 100) == windows.Charged(True, 2, 1150.0)


async def test_without_redis_the_budgets_are_counted_in_this_process() -> None:
    limits = RateLimits(Settings(broadcast_url="memory://"))
    assert limits.storage is None
    first = await limits.charge(limits.sign_up, "sign_up", "1.2.3.4", cost=5)
    refused = await limits.charge(limits.sign_up, "sign_up", "1.2.3.4", cost=1)
    other = await limits.charge(limits.sign_up, "sign_up", "5.6.7.8", cost=1)
    assert (first.allowed, first.limit, first.remaining) == (True, 5, 0)
    assert (refused.allowed, refused.remaining) == (False, 0)
    assert refused.reset_at == first.reset_at
    assert (other.allowed, other.remaining) == (True, 4)


@pytest.mark.parametrize(
    "verdict",
    [
        Verdict(True, 100, 93, 1_700_000_000.2),
        Verdict(False, 100, 0, time.time() + 41.5),
        Verdict(True, 100, None, None),  # the store unreachable: no headers
    ],
)
def test_a_verdicts_headers_set_as_starlettes_update_sets_them(verdict: Verdict) -> None:
    ours, theirs = Response(), Response()
    for response in (ours, theirs):
        response.headers["X-RateLimit-Remaining"] = "stale"  # set by an earlier charge
        response.headers.append("x-ratelimit-remaining", "stale too")
        response.headers["Content-Type"] = "application/json"
    set_raw_headers(ours.raw_headers, verdict.raw_headers())
    theirs.headers.update(verdict.headers())
    assert ours.raw_headers == theirs.raw_headers
    fresh_ours, fresh_theirs = Response(), Response()
    set_raw_headers(fresh_ours.raw_headers, verdict.raw_headers())
    fresh_theirs.headers.update(verdict.headers())
    assert fresh_ours.raw_headers == fresh_theirs.raw_headers


def test_a_budgets_key_is_the_one_limits_makes() -> None:
    budgets = RateLimits(Settings())
    items = [budgets.account, budgets.anonymous, budgets.sign_up, budgets.log_in_ip]
    for item in items:
        for identifiers in [("account", "12"), ("ip", "2001:db8::1"), ("log_in", "ab" * 16)]:
            assert budgets.key_for(item, *identifiers) == item.key_for(budgets.prefix, *identifiers)
