"""Shared execution of live events: one event delivered to many subscribers of the same
selection is executed once, and its result, serialized once, goes to all of them.

Subscription resolvers yield an `EventRoot(value, event)`. The first subscriber of each
(event, document, variables) executes the selection; the others get its result. Whether a
result may be shared is not declared per field, where a forgotten mark would leak one
member's data to another: the first execution runs with a context that notices any read
of who the viewer is (`viewer`, `token`, `require_viewer()`, the viewer's loaders, anything
not known to be neutral). A result that read the viewer is that viewer's alone, and every
other subscriber executes the selection for themselves.

Everything shared lives in one `SharedExecution` per app, reached through the context."""

from __future__ import annotations

import asyncio
import weakref
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import orjson
from graphql import ExecutionResult, OperationDefinitionNode

from graph import compat, plan
from graph.async_helpers import weak_helpers
from graph.loaders import ROW_LOADERS, Loaders

# Context attributes that do not depend on who is asking. Everything else counts as a read
# of the viewer, so a new attribute is private until it is listed here.
NEUTRAL = frozenset({"settings", "hub", "sharing", "live", "media", "discover"})

# A selection, as the subscribers who may share its results: (id of the operation's syntax
# tree, the repr of its coerced variables).
SelectionKey = tuple[int, str]


class GoingLive:
    """What a subscription yields when its transport takes it over (handoff.py's
    `LiveSubscription`): the executor records on it the executor of its selection, which
    each of its events will run on a copy of, and executes nothing."""

    __slots__ = ("template",)

    def __init__(self) -> None:
        self.template: SharingExecutor | None = None


@dataclass(frozen=True, slots=True)
class EventRoot:
    """A live event's root value, and the event it came from (hashable): what
    subscription resolvers yield."""

    value: Any
    event: Any


def selection_key(operation: OperationDefinitionNode, variables: dict[str, Any]) -> SelectionKey:
    # repr of the coerced values: equal for equal inputs; an exotic value whose repr differs
    # between equal objects only costs a missed share, never a wrong one.
    return (id(operation), repr(sorted(variables.items())))


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


@dataclass(slots=True)
class Executed:
    """A selection executed for one event: its result; whether other subscribers may have
    it (it read nothing of the viewer); and then its `{"data": ...}` as JSON text, which
    the websocket transports send as they are."""

    result: ExecutionResult
    shareable: bool
    payload: str | None = None


class SharedTask:
    """A value made by one task, awaited by many: cheaper than a shield per waiter (an event
    delivered to a thousand subscribers waits a thousand times), and a waiter going away
    cancels nothing. `owner` is what the value was made for (a selection's operation, held
    so that its id in a key is not reused by another document meanwhile)."""

    __slots__ = ("_ready", "owner", "task")

    def __init__(self, work: Awaitable[Any], owner: object = None) -> None:
        self.owner = owner
        self._ready = asyncio.Event()
        self.task = asyncio.ensure_future(work)
        self.task.add_done_callback(lambda _: self._ready.set())

    async def result(self) -> Any:
        if not self.task.done():
            await self._ready.wait()
        return self.task.result()


class SharedEvent:
    """What the subscribers of one event share: its rows, its root value, and each
    selection's execution."""

    __slots__ = ("_root", "executions", "rows")

    def __init__(self) -> None:
        self.rows = Loaders(None)
        self.executions: dict[SelectionKey, SharedTask] = {}
        self._root: SharedTask | None = None

    async def root(self, make: Callable[[], Awaitable[Any]]) -> Any:
        """The event's root value, made once (by whichever subscriber comes first)."""
        if self._root is None:
            self._root = SharedTask(make())
        return await self._root.result()

    def execution(self, key: SelectionKey, operation: object) -> SharedTask | None:
        task = self.executions.get(key)
        return task if task is not None and task.owner is operation else None


class SharedExecution:
    """One per app: the shares of the most recent events (an event is delivered within
    moments, so a bounded window is enough: a subscriber that falls further behind executes
    alone), one executor per selection to run events on, and how often a selection was
    executed (`stats["executed"]`) or its result reused (`stats["shared"]`)."""

    def __init__(self, recent: int = 256) -> None:
        self.recent = recent
        self.stats: Counter[str] = Counter()
        self._events: OrderedDict[object, SharedEvent] = OrderedDict()
        self._templates: weakref.WeakValueDictionary[SelectionKey, SharingExecutor] = (
            weakref.WeakValueDictionary()
        )

    def event(self, event: object) -> SharedEvent:
        share = self._events.get(event)
        if share is None:
            share = self._events[event] = SharedEvent()
            if len(self._events) > self.recent:
                self._events.popitem(last=False)
        return share

    async def payload(self, root: EventRoot, key: SelectionKey, operation: object) -> str | None:
        """The serialized result another subscriber's execution made of this selection for
        this event, once it is done; None when there is none, it failed, or it may not be
        shared (the caller then executes)."""
        task = self.event(root.event).execution(key, operation)
        if task is None:
            return None
        try:
            executed: Executed = await task.result()
        except Exception:  # the first execution failed: the caller reports its own
            return None
        if not executed.shareable or executed.payload is None:
            return None
        self.stats["shared"] += 1
        return executed.payload

    def template(self, executor: SharingExecutor) -> SharingExecutor:
        """The executor every subscription of this executor's selection runs its events on
        (a copy of it each time), made without context or root value. It keeps the first
        subscriber's middleware manager: the extensions that implement `resolve`, of which
        this schema has none (they would hold its context)."""
        key = selection_key(executor.operation, compat.coerced_variables(executor))
        template = self._templates.get(key)
        if template is None or template.operation is not executor.operation:
            template = executor.build_per_event_executor(None)
            template.context_value = None
            self._templates[key] = template
        return template


def _copy(result: ExecutionResult) -> ExecutionResult:
    # Strawberry sets `extensions` on the result it is given: each subscriber gets its own.
    return ExecutionResult(data=result.data, errors=result.errors)


class SharingExecutor(compat.Executor):
    """Strawberry's executor, sharing the execution of live events (`EventRoot`), and
    recording the executor of a subscription that goes live (`GoingLive`)."""

    event_root: EventRoot | None = None
    going_live = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = weak_helpers(self)

    def build_per_event_executor(self, payload: Any) -> Any:
        if isinstance(payload, GoingLive):
            payload.template = self._sharing().template(self)
            executor = cast(SharingExecutor, super().build_per_event_executor(None))
            executor.going_live = True
            return executor
        if not isinstance(payload, EventRoot):
            return super().build_per_event_executor(payload)
        executor = cast(SharingExecutor, super().build_per_event_executor(payload.value))
        executor.event_root = payload
        return executor

    def _sharing(self) -> SharedExecution:
        sharing = getattr(self.context_value, "sharing", None)
        if not isinstance(sharing, SharedExecution):
            raise RuntimeError("live subscriptions need the app's SharedExecution in the context")
        return sharing

    def execute_operation(self, serially: bool | None = None) -> Any:
        if self.going_live:  # the transport takes the subscription: nothing to execute
            return ExecutionResult(data=None)
        if self.event_root is None:
            if serially:
                return super().execute_operation(serially)
            # a query's compiled plan (graph/plan/), or graphql-core for anything else
            return plan.execute(
                self, lambda executor: compat.Executor.execute_operation(executor, serially)
            )
        return self._execute_event()

    async def _execute_event(self) -> ExecutionResult:
        return _copy((await self.execute_event()).result)

    async def execute_event(self) -> Executed:
        """This subscriber's result for its event: another subscriber's when it may be
        shared, else executed here (the first of a selection executes in a task of its own:
        if it goes away mid-way, the others waiting for the same result still get it)."""
        assert self.event_root is not None
        sharing = self._sharing()
        event = sharing.event(self.event_root.event)
        key = selection_key(self.operation, compat.coerced_variables(self))
        task = event.execution(key, self.operation)
        if task is None:
            task = SharedTask(self._execute_probed(sharing), self.operation)
            event.executions[key] = task
            return await task.result()
        executed: Executed = await task.result()
        if executed.shareable:
            sharing.stats["shared"] += 1
            return executed
        return Executed(await self._execute_alone(sharing), shareable=False)

    async def _execute_probed(self, sharing: SharedExecution) -> Executed:
        self._fresh_loaders(sharing)
        probe = ViewerProbe(self.context_value)
        self.context_value = probe
        result = await self._execute(sharing)
        if probe.read_viewer:
            return Executed(result, shareable=False)
        payload = None
        if not result.errors and result.data is not None:
            payload = orjson.dumps({"data": result.data}).decode()
        return Executed(result, shareable=True, payload=payload)

    async def _execute_alone(self, sharing: SharedExecution) -> ExecutionResult:
        self._fresh_loaders(sharing)
        return await self._execute(sharing)

    def _fresh_loaders(self, sharing: SharedExecution) -> None:
        """Each execution gets fresh loaders, or rows cached by an earlier event (like
        counts, profiles) would be stale; its rows come from the event's share, loaded once
        for all subscribers."""
        assert self.event_root is not None
        context = self.context_value
        viewer = context.viewer
        rows = sharing.event(self.event_root.event).rows
        context.loaders = Loaders(viewer.id if viewer else None, rows)

    async def _execute(self, sharing: SharedExecution) -> ExecutionResult:
        sharing.stats["executed"] += 1
        # the selection's compiled plan on this event (graph/plan/), else graphql-core
        result = plan.execute(
            self, lambda executor: compat.Executor.execute_operation(executor, False)
        )
        if self.is_awaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        return result
