"""The per-process hub: routes each event to the local subscribers it concerns.

Feed events are processed strictly in log order. A message is a doorbell: when its sequence
is not the next one, the hub reads the missing range from the database log, so messages
that arrive out of order, late, or not at all (broker down) lose nothing. Each subscriber
has a bounded queue; one that stops reading is cut off instead of growing memory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import types
import uuid
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Generator
from datetime import timedelta
from typing import Any, Protocol

from subscriptions.broker import Broker
from subscriptions.events import (
    ActivityMessage,
    FeedMessage,
    Message,
    NotificationMessage,
    RevokeMessage,
    decode,
    encode,
)

logger = logging.getLogger("soundpost.hub")


class FeedLog(Protocol):
    """The durable feed event log, read by the hub (resolvers/feedlog.py; the server passes
    it in, so this package imports no models)."""

    async def last_seq(self) -> int: ...

    async def read(
        self, after: int, upto: int | None = None, limit: int = ...
    ) -> list[FeedMessage]: ...

    async def followers_among(self, event: FeedMessage, viewer_ids: set[int]) -> set[int]: ...

    async def prune(self, older_than: timedelta) -> int: ...


CLOSE_SLOW_CONSUMER = 4008
CLOSE_TOKEN_REVOKED = 4403
CLOSE_SHUTDOWN = 1012


class Listener:
    """One live subscription: a bounded queue filled by the hub.

    Read it either as an async iterator, or hand it a `deliver` callback (`push_to`): then
    it holds no reader at all, and a task of its own runs only while its events must wait
    (an event's idle listeners are delivered to together: `Hub._broadcast`). A server holds
    thousands of idle subscriptions; here an idle one is this object alone (no buffer, no
    task, no future: an asyncio.Queue holds four deques, about 2.5 KB)."""

    __slots__ = (
        "_close",
        "_deliver",
        "_items",
        "_maxsize",
        "_prepare",
        "_pumping",
        "_waiter",
        "closed",
        "detached",
        "hub",
        "start_seq",
        "token_hash",
        "topic",
    )

    def __init__(
        self,
        hub: Hub,
        topic: tuple[str, int],
        token_hash: str | None,
        close: Callable[[int, str], Awaitable[None]],
        maxsize: int,
    ) -> None:
        self.hub = hub
        self.topic = topic
        self.token_hash = token_hash
        self._close = close
        self._maxsize = maxsize
        self._items: deque[Any] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._deliver: Callable[[Any], Awaitable[None]] | None = None
        self._prepare: Callable[[Any], Awaitable[None]] | None = None
        self._pumping = False
        self.start_seq = hub.seq
        self.closed = False
        self.detached = False  # handed to a new owner, which closes it

    def offer(self, item: Any) -> None:
        if self.closed:
            return
        if self._items is None:
            self._items = deque()
        if len(self._items) >= self._maxsize:
            self.end(CLOSE_SLOW_CONSUMER, "subscriber too slow: events were not read")
            return
        self._items.append(item)
        self._wake()

    def end(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.close()
        self.hub.spawn(self._close(code, reason))

    def close(self) -> None:
        """Stop listening: nothing more is queued or delivered."""
        self.closed = True
        self.hub.remove(self)
        self._items = None  # drop the backlog at once
        self._deliver = None
        self._wake()

    def push_to(
        self,
        deliver: Callable[[Any], Awaitable[None]],
        prepare: Callable[[Any], Awaitable[None]] | None = None,
    ) -> None:
        """From now on each event is given to `deliver`, in order, one at a time; what
        queued meanwhile goes first. `prepare`, if given, makes ready what `deliver` will
        send for an event, without sending it (see `Hub._broadcast`)."""
        self._deliver = deliver
        self._prepare = prepare
        self._wake()

    def _ready_for(self, item: Any) -> bool:
        """Takes `item` to be delivered at once, if nothing is queued or being delivered."""
        if self.closed or self._deliver is None or self._pumping or self._items:
            return False
        self._pumping = True
        return True

    def _wake(self) -> None:
        if self._deliver is not None:
            if self._items and not self._pumping:
                self._pumping = True
                self.hub.spawn(self._pump())
            return
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _take(self) -> Any:
        items = self._items
        assert items
        item = items.popleft()
        if not items:
            self._items = None  # drained: an idle listener keeps no buffer
        return item

    async def _pump(self) -> None:
        try:
            while self._items and (deliver := self._deliver) is not None:
                await deliver(self._take())
        finally:
            self._pumping = False

    async def _pump_from(self, item: Any) -> None:
        """Delivers `item` (taken by `_ready_for`), then whatever queued meanwhile."""
        try:
            if (deliver := self._deliver) is not None:
                await deliver(item)
            while self._items and (deliver := self._deliver) is not None:
                await deliver(self._take())
        finally:
            self._pumping = False

    async def __aiter__(self) -> AsyncIterator[Any]:
        while not self.closed:
            if not self._items:
                self._waiter = asyncio.get_running_loop().create_future()
                await self._waiter
                continue
            yield self._take()


def eagerly(work: Coroutine[Any, Any, None], spawn: Callable[[Awaitable[Any]], None]) -> None:
    """Runs `work` at once, up to its first suspension; if it suspends, the rest goes on in
    a task (`spawn`), as a task started there would have (asyncio's eager tasks, which
    Python 3.12 has built in). Its exceptions are logged, as a task's would be."""
    try:
        waiting = work.send(None)
    except StopIteration:
        return
    except Exception:
        logger.exception("a live delivery failed")
        return
    spawn(_resume(work, waiting))


@types.coroutine
def _resume(work: Coroutine[Any, Any, None], waiting: Any) -> Generator[Any, Any, None]:
    """The rest of a coroutine suspended on `waiting` (what it yielded to its runner): yields
    that to the task running this, and passes on what the task sends or throws."""
    while True:
        try:
            sent = yield waiting
        except GeneratorExit:  # this is being closed (its task destroyed): so is `work`
            work.close()
            raise
        except BaseException as error:
            try:
                waiting = work.throw(error)
            except StopIteration:
                return
        else:
            try:
                waiting = work.send(sent)
            except StopIteration:
                return


class Hub:
    def __init__(
        self,
        broker_url: str,
        log: FeedLog,
        *,
        queue_size: int = 256,
        poll_interval: float = 1.0,
        check_interval: float = 1.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self.log = log
        self.queue_size = queue_size
        self.poll_interval = poll_interval
        self.retention = retention
        self.seq = 0
        self.origin = uuid.uuid4().hex
        self.broker = Broker(broker_url, self._on_raw, self.catch_up, check_interval=check_interval)
        self._listeners: dict[tuple[str, int], set[Listener]] = defaultdict(set)
        self._feed_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._poller: asyncio.Task[None] | None = None
        # told of every revoked token (the process's cache of token lookups)
        self.on_revoke: Callable[[str], None] = lambda token_hash: None
        # and of every revoked token's close reason (the server closes its websockets)
        self.on_revoke_close: Callable[[str, str], None] = lambda token_hash, reason: None

    # lifecycle

    async def start(self) -> None:
        self.seq = await self.log.last_seq()
        await self.broker.start()
        self._poller = asyncio.create_task(self._poll(), name="soundpost-hub-poll")

    async def stop(self) -> None:
        for listeners in list(self._listeners.values()):
            for listener in list(listeners):
                listener.end(CLOSE_SHUTDOWN, "server restarting: reconnect with your cursor")
        if self._poller is not None:
            self._poller.cancel()
        await self.broker.stop()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2)

    async def reset(self) -> None:
        """Forget the position in the log (tests empty the database between cases)."""
        async with self._feed_lock:
            self.seq = await self.log.last_seq()

    def spawn(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def state(self) -> str:
        return self.broker.state

    # subscribers

    def listen(
        self,
        topic: str,
        key: int,
        token_hash: str | None,
        close: Callable[[int, str], Awaitable[None]],
    ) -> Listener:
        """Register before reading any catch-up: everything after `start_seq` is queued."""
        listener = Listener(self, (topic, key), token_hash, close, self.queue_size)
        self._listeners[listener.topic].add(listener)
        return listener

    def remove(self, listener: Listener) -> None:
        listeners = self._listeners.get(listener.topic)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self._listeners[listener.topic]

    @contextlib.contextmanager
    def subscribed(self, *args: Any) -> Any:
        """A listener for the block; one `detached` meanwhile outlives it (its new owner
        closes it)."""
        listener = self.listen(*args)
        try:
            yield listener
        finally:
            if not listener.detached:
                listener.close()

    def count(self, topic: str | None = None) -> int:
        return sum(
            len(listeners)
            for (name, _), listeners in self._listeners.items()
            if topic in (None, name)
        )

    # events

    async def publish(self, message: Message) -> None:
        """Deliver here at once, then tell the other processes (best effort)."""
        await self.receive(message)
        await self.broker.publish(encode(message, self.origin))

    async def _on_raw(self, raw: str) -> None:
        decoded = decode(raw)
        if decoded is None:
            logger.warning("ignored a malformed broker message: %.200r", raw)
            return
        message, origin = decoded
        if origin != self.origin:
            await self.receive(message)

    async def receive(self, message: Message) -> None:
        if isinstance(message, FeedMessage):
            await self._on_feed(message)
        elif isinstance(message, NotificationMessage):
            self._offer(("notifications", message.recipient_id), message)
        elif isinstance(message, ActivityMessage):
            self._offer(("activity", message.postcard_id), message)
        elif isinstance(message, RevokeMessage):
            self.on_revoke(message.token_hash)
            self.on_revoke_close(message.token_hash, message.reason)
            for listeners in list(self._listeners.values()):
                for listener in list(listeners):
                    if listener.token_hash == message.token_hash:
                        listener.end(CLOSE_TOKEN_REVOKED, message.reason)

    def _offer(self, topic: tuple[str, int], item: Any) -> None:
        self._fan_out(list(self._listeners.get(topic, ())), item)

    def _fan_out(self, listeners: list[Listener], item: Any) -> None:
        """Offers `item` to each listener: those idle are delivered to together
        (`_broadcast`), the others queue it behind what they are delivering."""
        idle = []
        for listener in listeners:
            if listener._ready_for(item):
                idle.append(listener)
            else:
                listener.offer(item)
        if idle:
            self.spawn(self._broadcast(idle, item))

    async def _broadcast(self, listeners: list[Listener], item: Any) -> None:
        """One task for an event's idle listeners instead of one each. The first one's
        `prepare` makes what its subscribers share (one execution of their selection, its
        serialized result); then each delivery starts at once in this task (`eagerly`),
        and those that need not wait — the others of that selection, whose sockets are
        writable — are done without a task, a wake-up or a suspension of their own. One
        that must wait (another selection's execution, a socket that is not writable)
        goes on in a task of its own, so nobody waits for a slow consumer."""
        prepare = listeners[0]._prepare
        if prepare is not None and not listeners[0].closed:
            try:
                await prepare(item)
            except Exception:  # its delivery reports it
                logger.exception("preparing a live event failed")
        for listener in listeners:
            eagerly(listener._pump_from(item), self.spawn)

    async def _on_feed(self, message: FeedMessage) -> None:
        async with self._feed_lock:
            if message.seq <= self.seq:
                return
            if message.seq == self.seq + 1:
                missing = [message]
            else:
                missing = await self.log.read(self.seq, message.seq, limit=message.seq - self.seq)
            for event in missing:
                await self._route(event)

    async def catch_up(self) -> None:
        """Route whatever the log holds beyond our position (after a broker outage)."""
        async with self._feed_lock:
            while batch := await self.log.read(self.seq):
                for event in batch:
                    await self._route(event)

    async def _route(self, event: FeedMessage) -> None:
        """Offer the event to the local subscribers it concerns, then advance `seq`.

        Who follows the author takes a query; a subscriber may register meanwhile. Its
        catch-up stops at `seq`, so it must get this event live: check newcomers until none
        are left, then advance and offer without awaiting, so no registration interleaves."""
        checked: set[int] = set()
        recipients: set[int] = set()
        while viewers := {key for (topic, key) in self._listeners if topic == "feed"} - checked:
            if event.author_id in viewers:
                recipients.add(event.author_id)
            if others := viewers - {event.author_id}:
                recipients |= await self.log.followers_among(event, others)
            checked |= viewers
        self.seq = event.seq
        listeners = self._listeners
        self._fan_out(
            [listener for viewer in recipients for listener in listeners.get(("feed", viewer), ())],
            event,
        )

    async def _poll(self) -> None:
        """While the broker is down, read the log every `poll_interval`, so live feeds keep
        flowing. While it is up nothing is missed: Redis drops pub/sub messages only by
        dropping the connection, and every reconnect catches up from the log."""
        while True:
            await asyncio.sleep(self.poll_interval)
            try:
                if self.broker.state != "up":
                    await self.catch_up()
                await self._prune_now_and_then()
            except Exception:  # the database may be down too; try again next round
                logger.exception("hub poll failed")

    _last_prune = 0.0

    async def _prune_now_and_then(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() - self._last_prune < 3600:
            return
        self._last_prune = loop.time()
        removed = await self.log.prune(self.retention)
        if removed:
            logger.info("pruned %d feed events older than %s", removed, self.retention)
