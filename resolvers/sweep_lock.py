"""The lock between storing photo files and sweeping unused ones.

A file is content-addressed: a new photo may be a picture stored long ago and unused since,
which the sweep is about to delete. So whoever stores files for a photo does it inside the
transaction that writes the row naming them, holding this lock shared; the sweep decides and
deletes holding it exclusively. On PostgreSQL they are transaction-level advisory locks (any
number of writers at once, none while a sweep deletes); SQLite runs one transaction at a
time on its one connection, which is the same exclusion."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

# Any fixed numbers (the feed log's is 7_368_801).
FILES_KEY = 7_368_802
# Held by the process sweeping, so that two processes never sweep at once.
SWEEPER_KEY = 7_368_803


def _postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


async def share(conn: BaseDBAsyncClient) -> None:
    """Call inside a transaction before storing a photo's files."""
    if _postgres(conn):
        await conn.execute_query("SELECT pg_advisory_xact_lock_shared($1)", [FILES_KEY])


async def take(conn: BaseDBAsyncClient) -> bool:
    """Inside the sweep's transaction: False when another process is sweeping; else wait
    for the photos being stored and hold off new ones until the transaction ends."""
    if not _postgres(conn):
        return True
    _, rows = await conn.execute_query("SELECT pg_try_advisory_xact_lock($1) AS ok", [SWEEPER_KEY])
    if not rows[0]["ok"]:
        return False
    await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [FILES_KEY])
    return True
