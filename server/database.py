"""How tortoise connects: the config for a DATABASE_URL, with the pool and cache sizes the
app needs."""

from __future__ import annotations

from typing import Any

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import OperationalError

MODEL_MODULES = ["models"]
SQLITE_CACHE_KIB = 64 * 1024


async def keep_session(connection: Any) -> None:
    """What the PostgreSQL pool does to a connection given back, beyond asyncpg's own
    rollback of an open transaction: nothing. asyncpg's default sends `SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` on every release, and
    tortoise takes a connection from the pool for each statement, so every statement cost
    a second round trip (a feed page, three). None of that state is ever left behind
    here: no SET, LISTEN, cursors or session advisory locks (the feed log's lock is
    transaction-scoped); tests/api/test_hot_paths.py checks a released connection."""


def tortoise_config(database_url: str, pool_size: int = 10) -> dict[str, Any]:
    """Tortoise config for a URL; PostgreSQL gets an explicit pool size (the default is 5)."""
    url = database_url
    if url.startswith(("postgres://", "postgresql://")) and "maxsize=" not in url:
        url += ("&" if "?" in url else "?") + f"maxsize={pool_size}"
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite") and "cache_size=" not in url:
        # SQLite's default page cache is 2 MB: at a million moments a heavy feed page then
        # reads its index pages from the OS again and again (20 ms, against 7 ms warm).
        url += ("&" if "?" in url else "?") + f"cache_size=-{SQLITE_CACHE_KIB}"
    connection: str | dict[str, Any] = url
    if url.startswith("postgres://"):
        connection = expand_db_url(url)
        connection["credentials"]["reset"] = keep_session
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# What a database outage raises: refused or reset sockets, asyncpg's server and client
# errors ("the database system is starting up", a connection closed mid-query), tortoise's.
DATABASE_DOWN = (
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OperationalError,
)
