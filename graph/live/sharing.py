"""Shared execution of live events: one event delivered to many subscribers of the same
selection is executed once, and its result is given to all of them.

A subscription resolver yields `Shared(value, event)`. The executor below runs the
selection for the first subscriber of each (event, document, variables) and hands the result
to the others. Whether a result may be shared is not declared per field, where a forgotten
mark would leak one member's data to another: the first execution runs with a context that
notices any read of who the viewer is (`viewer`, `token`, `require_viewer()`, the viewer's
loaders, anything not known to be neutral). A result that read the viewer is that viewer's
alone, and every other subscriber executes the selection for themselves."""

from __future__ import annotations

import asyncio
import weakref
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from copy import copy
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph.loaders import ROW_LOADERS, Loaders

# Context attributes that do not depend on who is asking. Everything else counts as a read
# of the viewer, so a new attribute is private until it is listed here.
NEUTRAL = frozenset({"settings", "hub"})

# How often selections ran (`executed`) and how often a result was reused (`shared`).
stats: Counter[str] = Counter()


@dataclass(frozen=True, slots=True)
class Shared:
    """A subscription event's root value, and the event it came from (hashable)."""

    value: Any
    event: Any


class ViewerProbe:
    """Stands in for the context of the first execution and records reads of the viewer."""

    def __init__(self, context: Any) -> None:
        self._context = context
        self.read_viewer = False

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._context, name)
        if name == "loaders":
            return LoadersProbe(value, self)
        if name not in NEUTRAL:
            self.read_viewer = True
        return value


class LoadersProbe:
    """Row loaders are the same for everyone; the others answer for the viewer."""

    def __init__(self, loaders: Loaders, probe: ViewerProbe) -> None:
        self._loaders = loaders
        self._probe = probe

    def __getattr__(self, name: str) -> Any:
        if name not in ROW_LOADERS:
            self._probe.read_viewer = True
        return getattr(self._loaders, name)


class Rendered(dict[str, Any]):
    """A shared result's `data`, serialized once as the `payload` of a websocket message:
    the transports send it to each subscriber without encoding it again."""

    __slots__ = ("payload",)
    payload: str


@dataclass(slots=True)
class Outcome:
    result: ExecutionResult
    shareable: bool


class Pending:
    """A value being made by one task, awaited by many: cheaper than a shield per waiter
    (an event delivered to a thousand subscribers waits a thousand times), and a waiter
    going away cancels nothing."""

    __slots__ = ("_ready", "task")

    def __init__(self, work: Awaitable[Any]) -> None:
        self._ready = asyncio.Event()
        self.task = asyncio.ensure_future(work)
        self.task.add_done_callback(lambda _: self._ready.set())

    async def result(self) -> Any:
        if not self.task.done():
            await self._ready.wait()
        return self.task.result()


@dataclass(slots=True)
class Entry:
    operation: Any  # held so that its id in the key cannot be reused by another document
    outcome: Pending


class EventShare:
    """What the subscribers of one event share: its rows, and its executed results."""

    __slots__ = ("_root", "results", "rows")

    def __init__(self) -> None:
        self.rows = Loaders(None)
        self.results: dict[tuple[int, str], Entry] = {}
        self._root: Pending | None = None

    async def root(self, make: Callable[[], Awaitable[Any]]) -> Any:
        """The event's root value, made once (by whichever subscriber comes first)."""
        if self._root is None:
            self._root = Pending(make())
        return await self._root.result()


class EventShares:
    """The shares of the most recent events; an event is delivered within moments, so a
    bounded window is enough (a subscriber that falls further behind executes alone)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._by_event: OrderedDict[object, EventShare] = OrderedDict()

    def for_event(self, event: object) -> EventShare:
        share = self._by_event.get(event)
        if share is None:
            share = self._by_event[event] = EventShare()
            if len(self._by_event) > self.size:
                self._by_event.popitem(last=False)
        return share


shares = EventShares()


def _variables_key(variables: dict[str, Any]) -> str:
    # repr of the coerced values: equal for equal inputs; an exotic value whose repr differs
    # between equal objects only costs a missed share, never a wrong one.
    return repr(sorted(variables.items()))


# Set by the websocket transports for each operation's task: sends one `next` (or `data`)
# message whose payload is already serialized.
Send = Callable[[str], Awaitable[None]]
direct_send: ContextVar[Send | None] = ContextVar("direct_send", default=None)


class Direct:
    """One subscription's short cut: created when it starts (in its operation's task)."""

    __slots__ = ("_key", "_operation", "_send")

    def __init__(self, info: Any) -> None:
        self._send = direct_send.get()
        self._operation = info.operation
        self._key = (id(info.operation), _variables_key(info.variable_values))

    def send_with(self, send: Send) -> None:
        self._send = send

    async def sent(self, root: Shared) -> bool:
        """Sends `root` to this subscriber straight from the shared result when another
        subscriber of the same selection executed it: no execution, no encoding, none of
        the per-result machinery. False when this subscriber must yield `root` to be
        executed (the first of its selection, or a selection that reads the viewer)."""
        if self._send is None:
            return False
        entry = shares.for_event(root.event).results.get(self._key)
        if entry is None or entry.operation is not self._operation:
            return False
        try:
            outcome: Outcome = await entry.outcome.result()
        except Exception:  # the first execution failed: let this one report its own
            return False
        data = outcome.result.data
        if not outcome.shareable or type(data) is not Rendered:
            return False
        stats["shared"] += 1
        await self._send(data.payload)
        return True


# Set by the websocket transports for each operation's task: they take a subscription over
# once it goes live (graph/liveops.py), so it holds no task or generator while it waits.
hand_off: ContextVar[bool] = ContextVar("hand_off", default=False)


@dataclass(slots=True)
class Live:
    """What a subscription resolver yields when it goes live under a transport that takes
    it over: its listener, how an event becomes its root value, its short cut; and, filled
    in by the executor, the subscription's executor to run each event with."""

    listener: Any
    to_root: Callable[[Any], Awaitable[Shared | None]]
    direct: Direct
    template: Any = None
    taken: bool = False


class HandOff(dict[str, Any]):
    """The `data` of the result a `Live` turns into: the transport takes the subscription."""

    __slots__ = ("live",)
    live: Live


class Templates:
    """One executor per (document, variables) without context or root value, shared by every
    subscription of that selection: each event is run on a copy of it."""

    def __init__(self) -> None:
        self._by_key: weakref.WeakValueDictionary[tuple[int, str], SharingExecutor] = (
            weakref.WeakValueDictionary()
        )

    def get(self, executor: SharingExecutor) -> SharingExecutor:
        # A template keeps the first subscriber's middleware manager: the extensions that
        # implement `resolve`, of which this schema has none (they would hold its context).
        key = (id(executor.operation), _variables_key(executor.variable_values.coerced))
        template = self._by_key.get(key)
        if template is None or template.operation is not executor.operation:
            template = copy(executor)
            template.context_value = template.root_value = template.live = None
            self._by_key[key] = template
        return template


templates = Templates()


def _copy(result: ExecutionResult) -> ExecutionResult:
    # Strawberry sets `extensions` on the result it is given: each subscriber gets its own.
    return ExecutionResult(data=result.data, errors=result.errors)


class SharingExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, sharing the execution of `Shared` subscription events."""

    share: Shared | None = None
    live: Live | None = None

    def build_per_event_executor(self, payload: Any) -> Any:
        if isinstance(payload, Live):
            executor = super().build_per_event_executor(None)
            executor.live = payload
            return executor
        if not isinstance(payload, Shared):
            return super().build_per_event_executor(payload)
        executor = super().build_per_event_executor(payload.value)
        executor.share = payload
        return executor

    def execute_operation(self, serially: bool | None = None) -> Any:
        if self.live is not None:
            self.live.template = templates.get(self)
            data = HandOff()
            data.live = self.live
            return ExecutionResult(data=data)
        if self.share is None:
            return super().execute_operation(serially)
        return self._execute_shared(self.share, serially)

    def _execute_shared(self, shared: Shared, serially: bool | None) -> Any:
        results = shares.for_event(shared.event).results
        key = (id(self.operation), _variables_key(self.variable_values.coerced))
        entry = results.get(key)
        if entry is None or entry.operation is not self.operation:
            # A task of its own: if this subscriber goes away mid-way, the others that wait
            # for the same result still get it.
            pending = Pending(self._execute_probed(serially))
            results[key] = Entry(self.operation, pending)
            return self._first(pending)
        if entry.outcome.task.done():  # nothing to await
            return self._reuse(entry.outcome.task.result(), serially)
        return self._await_reuse(entry.outcome, serially)

    @staticmethod
    async def _first(pending: Pending) -> ExecutionResult:
        return _copy((await pending.result()).result)

    async def _await_reuse(self, pending: Pending, serially: bool | None) -> ExecutionResult:
        result = self._reuse(await pending.result(), serially)
        return await result if self.is_awaitable(result) else result

    def _reuse(self, outcome: Outcome, serially: bool | None) -> Any:
        if not outcome.shareable:
            return self._execute_alone(serially)
        stats["shared"] += 1
        return _copy(outcome.result)

    async def _execute_probed(self, serially: bool | None) -> Outcome:
        self._fresh_loaders()
        probe = ViewerProbe(self.context_value)
        self.context_value = probe
        result = await self._execute(serially)
        if probe.read_viewer:
            return Outcome(result, shareable=False)
        if not result.errors and result.data is not None:
            rendered = Rendered(result.data)
            rendered.payload = orjson.dumps({"data": result.data}).decode()
            result = ExecutionResult(data=rendered)
        return Outcome(result, shareable=True)

    async def _execute_alone(self, serially: bool | None) -> ExecutionResult:
        self._fresh_loaders()
        return await self._execute(serially)

    def _fresh_loaders(self) -> None:
        """The websocket's context lives as long as the connection: each execution gets
        fresh loaders, or rows cached by an earlier event (like counts, profiles) would be
        stale; its rows come from the event's share, loaded once for all subscribers."""
        assert self.share is not None
        context = self.context_value
        viewer = context.viewer
        rows = shares.for_event(self.share.event).rows
        context.loaders = Loaders(viewer.id if viewer else None, rows)

    async def _execute(self, serially: bool | None) -> ExecutionResult:
        stats["executed"] += 1
        result = super().execute_operation(serially)
        if self.is_awaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        return result
