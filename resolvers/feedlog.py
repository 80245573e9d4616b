"""Appending to the durable feed event log, in commit order."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from models import FeedEvent

# Any fixed number: the key of the advisory lock that orders feed-log writers.
FEED_LOCK_KEY = 7_368_801


async def append(conn: BaseDBAsyncClient, kind: str, postcard_id: int, author_id: int) -> FeedEvent:
    """Call inside the writing transaction, as its last statement. On PostgreSQL an advisory
    lock held until commit makes sequence order equal commit order, so a subscriber that has
    seen event N can never later miss an event below N. SQLite serializes writers anyway."""
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [FEED_LOCK_KEY])
    return await FeedEvent.create(
        kind=kind, postcard_id=postcard_id, author_id=author_id, using_db=conn
    )
