"""Each process runs the media sweep (resolvers/sweep.py) every MEDIA_SWEEP_INTERVAL_SECONDS
(server/periodic.py; only one process sweeps at a time anyway)."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from functools import partial

from media.store import Store
from resolvers.sweep import sweep
from server.periodic import running

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


def sweeping(store: Store, interval: float) -> AbstractAsyncContextManager[None]:
    """Sweep in the background while the block runs (never when `interval` is 0)."""
    return running("media sweep", interval, partial(sweep_now, store))
