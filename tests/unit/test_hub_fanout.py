"""The hub's fan-out (subscriptions/hub.py): an event's idle listeners are delivered to in
one task, the first one's `prepare` first; a delivery that need not wait runs without a
task of its own (`eagerly`); one that waits (a slow consumer) holds up nobody else, and
what queues behind it arrives in order; a full queue still ends its listener (4008)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from subscriptions.events import FeedMessage, NotificationMessage
from subscriptions.hub import CLOSE_SLOW_CONSUMER, Hub, eagerly


class NoLog:
    async def last_seq(self) -> int:
        return 0

    async def read(self, after: int, upto: int | None = None, limit: int = 0) -> list[Any]:
        return []

    async def followers_among(self, event: FeedMessage, viewer_ids: set[int]) -> set[int]:
        return viewer_ids

    async def prune(self, older_than: timedelta) -> int:
        return 0


class Subscriber:
    """A listener's owner: records what it prepared and was delivered; `gate`, when set,
    holds its deliveries (a client that stopped reading)."""

    def __init__(self, hub: Hub, key: int, log: list[str], gate: asyncio.Event | None = None):
        self.name = f"s{key}"
        self.log = log
        self.gate = gate
        self.closed: list[int] = []
        self.listener = hub.listen("notifications", key, None, self.close)
        self.listener.push_to(self.deliver, self.prepare)

    async def prepare(self, item: Any) -> None:
        self.log.append(f"prepare {self.name} {item.notification_id}")

    async def deliver(self, item: Any) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.log.append(f"{self.name} {item.notification_id}")

    async def close(self, code: int, reason: str) -> None:
        self.closed.append(code)


def notification(n: int, recipient: int = 1) -> NotificationMessage:
    return NotificationMessage(notification_id=n, recipient_id=recipient)


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_one_task_delivers_to_every_idle_listener_after_the_first_prepares() -> None:
    hub = Hub("memory://", NoLog())
    log: list[str] = []
    subscribers = [Subscriber(hub, 1, log) for _ in range(3)]
    # when: one event for all three
    await hub.receive(notification(1))
    assert len(hub._tasks) == 1  # one task for the three, not one each
    await settle()
    # then: the first prepared, then each was delivered to, in one pass
    assert log == [f"prepare {subscribers[0].name} 1"] + [f"{s.name} 1" for s in subscribers]
    assert not hub._tasks


async def test_a_slow_consumer_holds_up_nobody_and_gets_its_events_in_order() -> None:
    hub = Hub("memory://", NoLog(), queue_size=3)
    log: list[str] = []
    gate = asyncio.Event()
    slow = Subscriber(hub, 1, log, gate)
    slow.name = "slow"
    quick = Subscriber(hub, 1, log)
    quick.name = "quick"
    for n in (1, 2, 3):
        await hub.receive(notification(n))
        await settle()
    # the quick one has every event; the slow one none yet, and two queued
    assert [entry for entry in log if entry.startswith("quick")] == [
        "quick 1",
        "quick 2",
        "quick 3",
    ]
    assert not [entry for entry in log if entry.startswith("slow")]
    gate.set()
    await settle()
    assert [entry for entry in log if entry.startswith("slow")] == ["slow 1", "slow 2", "slow 3"]
    assert slow.closed == []


async def test_a_full_queue_still_ends_its_listener() -> None:
    hub = Hub("memory://", NoLog(), queue_size=2)
    log: list[str] = []
    stalled = Subscriber(hub, 1, log, asyncio.Event())  # never reads
    for n in range(1, 5):  # one being delivered, two queued, the fourth overflows
        await hub.receive(notification(n))
        await settle()
    await settle()
    assert stalled.closed == [CLOSE_SLOW_CONSUMER]
    assert stalled.listener.closed


async def test_eagerly_runs_to_the_first_suspension_and_goes_on_in_a_task() -> None:
    spawned: list[asyncio.Task[Any]] = []
    seen: list[str] = []

    def spawn(work: Any) -> None:
        spawned.append(asyncio.ensure_future(work))

    async def at_once() -> None:
        seen.append("at once")

    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def waits() -> None:
        seen.append("before")
        seen.append(await future)
        await asyncio.sleep(0)
        seen.append("after")

    async def fails_later() -> None:
        await asyncio.sleep(0)
        raise ValueError("boom")

    # given/when: one that never suspends, one that waits for a future
    eagerly(at_once(), spawn)
    eagerly(waits(), spawn)
    # then: both ran at once up to their first suspension; only the waiting one got a task
    assert seen == ["at once", "before"] and len(spawned) == 1
    future.set_result("resumed")
    await spawned[0]
    assert seen == ["at once", "before", "resumed", "after"]
    # and an exception after a suspension is its task's, as in any task
    eagerly(fails_later(), spawn)
    try:
        await spawned[1]
    except ValueError as error:
        assert str(error) == "boom"
    else:
        raise AssertionError("the exception was lost")
