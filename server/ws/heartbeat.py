"""One timer per view for the timers of all its websockets: the connection_init deadline and
the keep-alive pings. Stock strawberry runs a sleeping task per connection for the first
and one per connection for the second: a thousand idle sockets held up to two thousand
tasks (coroutine, frame, timer), for nothing but waiting."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

Action = Callable[[], Awaitable[None]]


class Heartbeat:
    def __init__(self, ping_every: float | None) -> None:
        self.ping_every = ping_every or None
        # insertion order is deadline order: every connection gets the same time to init
        self._deadlines: dict[object, tuple[float, Action]] = {}
        self._pinged: dict[object, Action] = {}
        self._next_ping: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._running: set[asyncio.Future[Any]] = set()

    def expect_init(self, connection: object, within: float, close: Action) -> None:
        """Unless `initialised` comes first, `close()` runs after `within` seconds."""
        loop = asyncio.get_running_loop()
        self._deadlines[connection] = (loop.time() + within, close)
        self._schedule(loop)

    def initialised(self, connection: object) -> None:
        self._deadlines.pop(connection, None)

    def keep_alive(self, connection: object, ping: Action) -> None:
        """`ping()` every `ping_every` seconds until `forget`."""
        if self.ping_every is None:
            return
        loop = asyncio.get_running_loop()
        if not self._pinged:
            self._next_ping = loop.time() + self.ping_every
        self._pinged[connection] = ping
        self._schedule(loop)

    def forget(self, connection: object) -> None:
        self._deadlines.pop(connection, None)
        self._pinged.pop(connection, None)

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        when = math.inf
        if self._deadlines:
            when = next(iter(self._deadlines.values()))[0]
        if self._pinged and self._next_ping is not None:
            when = min(when, self._next_ping)
        if self._timer is not None:
            if self._timer.when() <= when:
                return
            self._timer.cancel()
            self._timer = None
        if when < math.inf:
            self._timer = loop.call_at(when, self._fire, loop)

    def _fire(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        now = loop.time()
        while self._deadlines:
            connection, (deadline, close) = next(iter(self._deadlines.items()))
            if deadline > now:
                break
            del self._deadlines[connection]
            self._spawn(close())
        if self._pinged and self._next_ping is not None and now >= self._next_ping:
            for ping in list(self._pinged.values()):
                self._spawn(ping())
            self._next_ping = now + (self.ping_every or 0)
        self._schedule(loop)

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(_quietly(work))
        self._running.add(task)
        task.add_done_callback(self._running.discard)


async def _quietly(work: Awaitable[None]) -> None:
    # A ping or close races the socket closing: losing that race is normal.
    with suppress(Exception):
        await work
