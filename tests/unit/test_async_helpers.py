"""graph/async_helpers.py: the executor's helpers reach it weakly, do what graphql-core's
do while it lives, and still settle tracked work once it is freed."""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

from graphql import build_schema, parse

from graph import async_helpers
from graph.async_helpers import weak_helpers
from graph.live.sharing import SharingExecutor

SCHEMA = build_schema("type Query { hello: String }")


def executor() -> Any:
    built = SharingExecutor.build(SCHEMA, parse("{ hello }"))
    assert isinstance(built, SharingExecutor)
    return built


async def answer(value: int) -> int:
    await asyncio.sleep(0)
    return value


async def test_the_schema_executor_has_helpers_that_do_not_hold_it() -> None:
    # given
    built = executor()
    helpers = built.async_helpers

    alive = weakref.ref(built)

    # when: the last reference goes, with no collection
    gc.disable()
    try:
        del built
        # then: it was freed by its reference count
        assert alive() is None
    finally:
        gc.enable()
    assert await helpers.gather([answer(1), answer(2)]) == [1, 2]


async def test_gather_and_track_go_to_the_live_executor() -> None:
    # given
    built = executor()
    helpers = weak_helpers(built)
    failing = asyncio.get_running_loop().create_future()

    # when
    gathered = await helpers.gather([answer(3), answer(4)])
    helpers.track([5, failing])

    # then: the executor settles the tracked awaitable in its background futures
    assert gathered == [3, 4]
    assert len(built.background_futures) == 1
    failing.set_exception(ValueError("observed"))
    await asyncio.gather(*built.background_futures)
    assert built.background_futures == set()


async def test_work_tracked_after_the_executor_is_gone_is_still_settled() -> None:
    # given: helpers that outlived their executor
    helpers = weak_helpers(executor())
    gc.collect()
    failing = asyncio.get_running_loop().create_future()

    # when
    helpers.track([failing, 6])
    failing.set_exception(ValueError("observed"))
    for _ in range(3):
        await asyncio.sleep(0)

    # then: its error was retrieved (no "exception was never retrieved") and it was let go
    assert failing.done()
    assert isinstance(failing.exception(), ValueError)
    assert async_helpers._settling == set()
