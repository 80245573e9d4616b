"""Fixed-window counters in this process's memory: the budgets' store when no Redis is
configured (graph/rate_limits.py).

The `limits` library's asyncio memory store counts the same windows, but its `incr` starts
a task on every call that walks every key the store holds to drop the expired ones: a
loop turn and a walk of all keys per request, with a lock per key, for a count that needs
neither (one event loop, no await between reading and writing a count). Here a charge is
two dict lookups, and expired windows are dropped in one walk at most once per `sweep`
seconds."""

from __future__ import annotations

import time
from typing import NamedTuple

SWEEP_SECONDS = 60.0


class Charged(NamedTuple):
    """A window after a charge: whether it was allowed, its count, when it ends (epoch s).
    (A tuple: made on every request, a frozen dataclass's constructor costs ~10 times as
    much.)"""

    allowed: bool
    total: int  # the count (a tuple has a `count` method)
    reset_at: float


class Windows:
    def __init__(self, sweep: float = SWEEP_SECONDS) -> None:
        # key -> (count, end of its window in epoch seconds)
        self._windows: dict[str, tuple[int, float]] = {}
        self._sweep = sweep
        self._next_sweep = time.time() + sweep

    def charge(self, key: str, cost: int, limit: int, seconds: float) -> Charged:
        """Add `cost` to the key's window unless the count would pass `limit` (then nothing
        is added); a key without a running window starts one of `seconds` when charged. As
        `limits`' fixed window counts (test, hit and window stats)."""
        now = time.time()
        if now >= self._next_sweep:
            self._drop_expired(now)
        count, end = self._windows.get(key, (0, now))
        if end <= now:  # none running (an ended one counts nothing)
            count, end = 0, now
        allowed = cost <= 0 or count + cost <= limit
        if allowed and cost > 0:
            if count == 0:
                end = now + seconds
            count += cost
            self._windows[key] = (count, end)
        return Charged(allowed, count, end)

    def __len__(self) -> int:
        return len(self._windows)

    def _drop_expired(self, now: float) -> None:
        self._windows = {key: w for key, w in self._windows.items() if w[1] > now}
        self._next_sweep = now + self._sweep
