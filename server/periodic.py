"""A job each process runs in the background every `interval` seconds while the app runs,
starting at a random point of the first interval so that processes started together do not
all try at once (the jobs here run in one process at a time anyway: advisory locks)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

log = logging.getLogger("soundpost.periodic")


async def _every(name: str, interval: float, job: Callable[[], Awaitable[object]]) -> None:
    await asyncio.sleep(random.uniform(0, interval))
    while True:
        try:
            await job()
        except Exception:  # a failed run is retried next time; the process serves on
            log.exception("%s failed", name)
        await asyncio.sleep(interval)


@asynccontextmanager
async def running(
    name: str, interval: float, job: Callable[[], Awaitable[object]]
) -> AsyncIterator[None]:
    """Run `job` every `interval` seconds while the block runs (never when it is 0)."""
    if interval <= 0:
        yield
        return
    task = asyncio.create_task(_every(name, interval, job), name=name)
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
