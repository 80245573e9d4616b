"""The media sweep: uploads a day old are deleted, and files that no photo names are
deleted from the media store.

Files are content-addressed and shared, so a file is unused only when no upload, moment or
avatar names it. A sweep marks what it finds unused (`UnusedFile`) and deletes what an
earlier sweep marked at least `grace` ago and is still unused: a file someone is about to
name again is either named by then or was stored afresh under the lock (`sweep_lock`).
One process sweeps at a time; every process tries each `MEDIA_SWEEP_INTERVAL_SECONDS`, and
`soundpost media sweep` runs one by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.timezone import now as current_time
from tortoise.transactions import in_transaction

from media.store import Store
from models import UnusedFile, Upload
from resolvers import sweep_lock
from resolvers.photos import UPLOAD_LIFETIME

# A file found unused is deleted by the first sweep at least this much later.
GRACE = timedelta(minutes=15)


@dataclass(frozen=True)
class Swept:
    """What one sweep did (all zero and `ran` False when another process was sweeping)."""

    ran: bool
    uploads_deleted: int = 0
    files_marked: int = 0
    files_deleted: int = 0
    files_kept: int = 0


def _named_sql(postgres: bool) -> str:
    """Every key a photo names: uploads', moments' and avatars'."""
    if postgres:
        element = "jsonb_array_elements({column} -> 'renditions') ->> 'key'"
        parts = [
            f"SELECT {element.format(column=column)} AS key FROM {table} WHERE {column} IS NOT NULL"
            for table, column in (("postcards", "photo"), ("users", "avatar"))
        ]
        parts.append("SELECT jsonb_array_elements(renditions::jsonb) ->> 'key' AS key FROM uploads")
        return " UNION ".join(parts)
    parts = [
        f"SELECT json_extract(r.value, '$.key') AS key FROM {table},"
        f" json_each({table}.{column}, '$.renditions') AS r WHERE {table}.{column} IS NOT NULL"
        for table, column in (("postcards", "photo"), ("users", "avatar"))
    ]
    parts.append(
        "SELECT json_extract(r.value, '$.key') AS key FROM uploads,"
        " json_each(uploads.renditions) AS r"
    )
    return " UNION ".join(parts)


async def named_keys(conn: BaseDBAsyncClient) -> set[str]:
    """The keys some upload, moment or avatar names."""
    _, rows = await conn.execute_query(_named_sql(conn.capabilities.dialect == "postgres"))
    return {row["key"] for row in rows if row["key"]}


async def sweep(store: Store, *, now: datetime | None = None, grace: timedelta = GRACE) -> Swept:
    """One sweep (see the module's docstring); `now` stands in for the clock in tests."""
    moment = now or current_time()
    async with in_transaction() as conn:
        if not await sweep_lock.take(conn):
            return Swept(ran=False)
        uploads = (
            await Upload.filter(created_at__lt=moment - UPLOAD_LIFETIME).using_db(conn).delete()
        )
        named = await named_keys(conn)
        unused = set(await store.keys()) - named
        marked = {row.key: row.found_at for row in await UnusedFile.all().using_db(conn)}
        due = sorted(
            key for key, found in marked.items() if key in unused and found <= moment - grace
        )
        # Marks of files named again, or gone, are dropped; due files are deleted.
        stale = [key for key in marked if key not in unused]
        for key in due:
            await store.delete(key)
        if due or stale:
            await UnusedFile.filter(key__in=[*due, *stale]).using_db(conn).delete()
        new = sorted(unused - marked.keys())
        if new:
            await UnusedFile.bulk_create(
                [UnusedFile(key=key, found_at=moment) for key in new], using_db=conn
            )
    return Swept(
        ran=True,
        uploads_deleted=uploads,
        files_marked=len(new),
        files_deleted=len(due),
        files_kept=len(named),
    )
