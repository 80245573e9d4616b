"""Each process runs the media sweep (resolvers/sweep.py) every MEDIA_SWEEP_INTERVAL_SECONDS,
starting at a random point of the first interval so that processes started together do not
all try at once (only one sweeps at a time anyway)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from media.store import Store
from resolvers.sweep import sweep

log = logging.getLogger("soundpost.media")


async def sweep_now(store: Store) -> None:
    swept = await sweep(store)
    if swept.ran:
        log.info(
            "media sweep: %d uploads deleted, %d files deleted, %d newly unused, %d in use",
            swept.uploads_deleted,
            swept.files_deleted,
            swept.files_marked,
            swept.files_kept,
        )


async def _every(store: Store, interval: float) -> None:
    await asyncio.sleep(random.uniform(0, interval))
    while True:
        try:
            await sweep_now(store)
        except Exception:  # a failed sweep is retried next time; the process serves on
            log.exception("media sweep failed")
        await asyncio.sleep(interval)


@asynccontextmanager
async def sweeping(store: Store, interval: float) -> AsyncIterator[None]:
    """Sweep in the background while the block runs (never when `interval` is 0)."""
    if interval <= 0:
        yield
        return
    task = asyncio.create_task(_every(store, interval), name="media sweep")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
