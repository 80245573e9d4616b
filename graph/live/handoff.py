"""The seam between a websocket transport and a subscription: the transport gives each
operation it runs a `LiveHandoff` (as `Context.live`); a subscription that goes live offers
itself through it as a `LiveSubscription`, which the transport then drives (see the
package's docstring for the whole path of an event)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError

from graph.errors import shaped
from graph.live.sharing import EventRoot, GoingLive, SharedExecution, selection_key
from subscriptions.hub import Listener

# (the app's shared execution, one hub message) -> the event's root value for this
# subscription (None: not for it).
ToRoot = Callable[[SharedExecution, Any], Awaitable[EventRoot | None]]
# Sends the text of a payload (`{"data": ...}`) as this operation's next result.
SendPayload = Callable[[str], Awaitable[None]]


class LiveHandoff:
    """From a websocket transport to one operation it runs. `send_payload` sends a result
    another subscriber's execution already serialized, as this operation's next result; a
    subscription that goes live puts itself in `offered` and yields it, and the transport,
    finding it there, takes it over and closes strawberry's stream."""

    __slots__ = ("offered", "send_payload")

    def __init__(self, send_payload: SendPayload) -> None:
        self.send_payload = send_payload
        self.offered: LiveSubscription | None = None

    def take(self) -> LiveSubscription | None:
        """The subscription offered, now the transport's; None when none was offered."""
        taken, self.offered = self.offered, None
        if taken is not None:
            taken.context.live = None  # its events run without this handoff: let it go
        return taken


class LiveSubscription(GoingLive):
    """A subscription gone live, driven by its transport once offered: for each message of
    its hub listener, `payload()` says what to send. It holds no task and no generator: while
    it waits it is this object and its listener."""

    __slots__ = ("_key", "_operation", "_sharing", "_to_root", "context", "listener")

    def __init__(self, listener: Listener, to_root: ToRoot, info: Any) -> None:
        super().__init__()
        self.listener = listener
        self._to_root = to_root
        self.context: Any = info.context
        self._sharing: SharedExecution = info.context.sharing
        self._operation = info.operation
        self._key = selection_key(info.operation, info.variable_values)

    async def payload(self, message: Any) -> str | dict[str, Any] | None:
        """What to send for one hub message: the JSON text of a result serialized once for
        every subscriber of this selection, or a result of this subscriber's own as a
        payload dict; None when the message is not for this subscriber."""
        root = await self._to_root(self._sharing, message)
        if root is None:
            return None
        text = await self._sharing.payload(root, self._key, self._operation)
        if text is not None:
            return text
        assert self.template is not None, "a live subscription is offered by yielding it"
        executor = self.template.build_per_event_executor(root)
        executor.context_value = self.context
        executed = await executor.execute_event()
        if executed.payload is not None:
            return executed.payload
        result = executed.result
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = shaped(result.errors, self.context)
        return payload

    def failure(self, error: Exception) -> dict[str, Any]:
        """The last result of a subscription whose event failed, as strawberry reports a
        source that raises: the error, masked as any unexpected one is."""
        located = (
            error
            if isinstance(error, GraphQLError)
            else GraphQLError(str(error), original_error=error)
        )
        return {"data": None, "errors": shaped([located], self.context)}
