"""The executor's helpers for resolvers (`info.async_helpers`) without a reference cycle.

graphql-core makes them of the executor's own bound methods, which the executor keeps: a
cycle, so an operation's executor, and with it its context, loaders and every row it read,
outlived the response until the cyclic collector found them. Collections of that garbage
were ~15% of a profile page's time (tests/unit/test_async_helpers.py counts the garbage).
These reach the executor through a weak reference instead: it is alive whenever
execution can call them (its frames hold it), and freed by its last reference after."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Sequence
from typing import Any

from graphql import GraphQLResolveInfoHelpers

# Work tracked after its executor was freed (a resolver that kept its info): still
# settled, so its errors are observed, as the executor's own `settle_in_background` does.
_settling: set[asyncio.Future[Any]] = set()


def weak_helpers(executor: Any) -> GraphQLResolveInfoHelpers:
    """`executor`'s `gather_async_work` and `track_async_work`, as graphql-core builds
    them, through a weak reference to it."""
    ref = weakref.ref(executor)
    is_awaitable = executor.is_awaitable

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        alive = ref()
        if alive is not None:
            return alive.gather_async_work(values)
        return asyncio.gather(*values)

    def track(values: Sequence[Any]) -> None:
        alive = ref()
        if alive is not None:
            alive.track_async_work(values)
            return
        awaitables = [value for value in values if is_awaitable(value)]
        if awaitables:
            future = asyncio.gather(*awaitables, return_exceptions=True)
            _settling.add(future)
            future.add_done_callback(_settling.discard)

    return GraphQLResolveInfoHelpers(gather=gather, track=track)
