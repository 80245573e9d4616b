"""Each process recomputes trending (resolvers/trending.py) every TRENDING_INTERVAL_SECONDS
(server/periodic.py). On PostgreSQL one process at a time computes (an advisory lock), and
a process finding a snapshot younger than most of an interval leaves it be, so several
processes make about one snapshot per interval between them."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

from resolvers import trending
from server.periodic import running

log = logging.getLogger("soundpost.trending")


def recomputing(interval: float) -> AbstractAsyncContextManager[None]:
    """Recompute in the background while the block runs (never when `interval` is 0)."""

    async def recompute() -> None:
        made = await trending.recompute(fresh_for=timedelta(seconds=interval * 0.9))
        if made is not None:
            log.debug("trending snapshot %d made", made)

    return running("trending", interval, recompute)
