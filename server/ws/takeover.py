"""Live subscriptions after their catch-up: the transports take them over from strawberry,
so that a subscription waiting for events holds no task, no async generator and no open
extension hooks, only a `LiveOp` and the graph's `LiveSubscription` with its hub listener.

Everything up to going live still runs through strawberry: parsing, validation, the limits,
the resolver's checks and its catch-up. Then the resolver offers a `LiveSubscription`
(graph/live/handoff.py), the transport makes a `LiveOp` of it and closes strawberry's stream
without a `complete`. Each event is pushed here by the hub listener."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocketDisconnected as SocketClosed
from strawberry.http.exceptions import WebSocketDisconnected

from graph.live.handoff import LiveSubscription

log = logging.getLogger("soundpost.live")

# (operation id, message type, payload text): its message around a shared payload.
SendPayload = Callable[[str, str, str], Awaitable[None]]
SendMessage = Callable[[dict[str, Any]], Awaitable[None]]
GONE = (WebSocketDisconnected, SocketClosed)


@dataclass(slots=True, eq=False)
class LiveOp:
    """One live subscription of one connection. `kind` is the message type of its
    results: "next" on graphql-transport-ws, "data" on graphql-ws. `ended` is told when it
    ends on its own (an event failed)."""

    id: str
    kind: str
    subscription: LiveSubscription
    send_payload: SendPayload
    send_message: SendMessage
    ended: Callable[[LiveOp], None]
    closed: bool = False
    # (hub message, its payload or the exception making it raised), made by `prepare`
    prepared: tuple[Any, Any] | None = None

    def __post_init__(self) -> None:
        self.subscription.listener.push_to(self.deliver, self.prepare)

    def stop(self) -> None:
        """The client completed it, or the connection is shutting down."""
        self.closed = True
        self.subscription.listener.close()

    async def prepare(self, message: Any) -> None:
        """Makes the payload `deliver` will send for this message, without sending it: the
        hub asks the first subscriber of a fan-out, so that the others find their shared
        payload made (subscriptions/hub.py `Hub._broadcast`)."""
        if self.closed:
            return
        try:
            self.prepared = (message, await self.subscription.payload(message))
        except Exception as error:  # `deliver` reports it
            self.prepared = (message, error)

    async def deliver(self, message: Any) -> None:
        """Sends what one hub message makes for this subscriber (called by its listener,
        one message at a time)."""
        prepared, self.prepared = self.prepared, None
        if self.closed:
            return
        try:
            if prepared is not None and prepared[0] is message:
                payload = prepared[1]
                if isinstance(payload, Exception):
                    raise payload
            else:
                payload = await self.subscription.payload(message)
        except Exception as error:  # reported to the client, as strawberry does
            await self._fail(error)
            return
        if payload is None or self.closed:
            return
        with suppress(*GONE):
            if isinstance(payload, str):
                await self.send_payload(self.id, self.kind, payload)
            else:
                await self.send_message({"id": self.id, "type": self.kind, "payload": payload})

    async def _fail(self, error: Exception) -> None:
        """Like strawberry's stream when the source raises: the error as a last result,
        then `complete`; the subscription ends."""
        self.stop()
        self.ended(self)
        with suppress(*GONE):
            payload = self.subscription.failure(error)
            await self.send_message({"id": self.id, "type": self.kind, "payload": payload})
            await self.send_message({"id": self.id, "type": "complete"})
