"""The process's one broker subscription, kept alive by a watchdog.

broadcaster 0.3.1 does not notice a lost Redis connection: its listener task dies and every
subscriber waits forever. The watchdog pings the broker and checks that listener; on failure
it tears the connection down and reconnects with backoff, then tells the hub to catch up
from the database log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from broadcaster import Broadcast

log = logging.getLogger("soundpost.broker")
CHANNEL = "soundpost.events"


# broadcaster shows neither its connection nor its listener: these two read its internals
# (`Broadcast._backend`, the Redis backend's `_conn` and `_listener`), and only these;
# tests/unit/test_compat.py says clearly what an upgrade broke.


def redis_connection(broadcast: Broadcast) -> Any:
    """The Redis client of a Redis-backed broadcast (None for other backends)."""
    connection = getattr(broadcast._backend, "_conn", None)
    return connection if connection is not None and hasattr(connection, "ping") else None


def backend_listener(broadcast: Broadcast) -> asyncio.Task[None] | None:
    """The task in which a Redis backend reads its subscription (None for other backends,
    or before `connect`)."""
    listener = getattr(broadcast._backend, "_listener", None)
    return listener if isinstance(listener, asyncio.Task) else None


class Broker:
    def __init__(
        self,
        url: str,
        on_message: Callable[[str], Awaitable[None]],
        on_reconnect: Callable[[], Awaitable[None]],
        *,
        check_interval: float = 1.0,
        max_backoff: float = 10.0,
    ) -> None:
        self.url = url
        self.on_message = on_message
        self.on_reconnect = on_reconnect
        self.check_interval = check_interval
        self.max_backoff = max_backoff
        self.state = "connecting"
        self.reconnects = 0
        self._broadcast: Broadcast | None = None
        self._task: asyncio.Task[None] | None = None
        self._up = asyncio.Event()

    async def start(self, wait: float = 5.0) -> None:
        self._task = asyncio.create_task(self._run(), name="soundpost-broker")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._up.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._teardown()
        self.state = "stopped"

    async def publish(self, raw: str) -> bool:
        """False when the broker is down: the event is in the log, peers catch up later."""
        broadcast = self._broadcast
        if self.state != "up" or broadcast is None:
            return False
        try:
            async with asyncio.timeout(self.check_interval * 2):
                await broadcast.publish(CHANNEL, raw)
        except Exception as error:  # any broker failure: the watchdog handles reconnecting
            log.warning("publish failed, broker unavailable: %r", error)
            return False
        return True

    async def _run(self) -> None:
        backoff = 0.2
        first = True
        while True:
            try:
                await self._session(first)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # anything the broker throws means: reconnect
                log.warning("broker %s down: %r; retrying in %.1fs", self.url, error, backoff)
            if self.state == "up":
                backoff = 0.2
            first = False
            self.state = "down"
            self._up.clear()
            await self._teardown()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def _session(self, first: bool) -> None:
        broadcast = Broadcast(self.url)
        self._broadcast = broadcast
        async with asyncio.timeout(5):
            await broadcast.connect()
        subscribed = asyncio.Event()
        consumer = asyncio.create_task(self._consume(broadcast, subscribed))
        try:
            async with asyncio.timeout(5):
                await subscribed.wait()
            await self._check(broadcast)
            self.state = "up"
            self._up.set()
            if not first:
                self.reconnects += 1
                log.info("broker %s back; catching up from the log", self.url)
                await self.on_reconnect()
            while True:
                await asyncio.sleep(self.check_interval)
                if consumer.done():
                    consumer.result()
                    raise ConnectionError("broker listener ended")
                await self._check(broadcast)
        finally:
            consumer.cancel()
            with contextlib.suppress(BaseException):
                await consumer

    async def _consume(self, broadcast: Broadcast, subscribed: asyncio.Event) -> None:
        async with broadcast.subscribe(CHANNEL) as subscriber:
            subscribed.set()
            async for event in subscriber:  # type: ignore[union-attr]
                if event is None:
                    return
                try:
                    await self.on_message(event.message)
                except Exception:  # one bad event must not kill the listener
                    log.exception("handling a broker message failed")

    async def _check(self, broadcast: Broadcast) -> None:
        connection = redis_connection(broadcast)
        if connection is not None:
            async with asyncio.timeout(max(self.check_interval, 1.0)):
                await connection.ping()
        listener = backend_listener(broadcast)
        if listener is not None and listener.done():
            raise ConnectionError("broker backend listener died")

    async def _teardown(self) -> None:
        broadcast, self._broadcast = self._broadcast, None
        if broadcast is None:
            return
        with contextlib.suppress(BaseException):
            async with asyncio.timeout(2):
                await broadcast.disconnect()
