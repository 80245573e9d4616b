"""Realistic demo data: users with a skewed follow graph, a track catalogue, postcards with
likes and comments, playlists and the feed-event log; moments' photos and members' avatars
drawn here and kept in the media store like any upload. Used by `soundpost seed` and
benchmarks.

Everything is generated in memory first (with local 0-based indices), then written with
`bulk_create` inside ONE transaction, so a failed seed leaves no row behind and every
denormalized counter is exact (picture files it stored are deleted by the media sweep, as
nothing names them). The caller initialises Tortoise and applies migrations, and opens the
media store.

tortoise-orm 1.1.9 `bulk_create`, as verified on SQLite and PostgreSQL:
- it returns None and never fills in generated ids, on either database, so parents get
  explicit ids reserved up front and children point at them;
- an explicit value for an `auto_now_add` field is kept, but `auto_now` fields
  (`updated_at`) are always overwritten with the current time, so they are fixed afterwards
  with one UPDATE per table.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from argon2 import PasswordHasher
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from media.store import Store
from models import Track, User
from server.seed import pictures
from server.seed.generate import Generator
from server.seed.plan import SeedSizes
from server.seed.write import reserve_all_ids, write

__all__ = ["SeedSizes", "analyze", "database_is_empty", "seed"]


async def database_is_empty() -> bool:
    return not await User.exists()


async def analyze() -> None:
    """Refresh the planner's statistics after a bulk load. Without them PostgreSQL planned
    a feed page on 100,000 fresh moments as if the tables were empty (160 ms instead of
    14 ms) until autovacuum came by. PostgreSQL also gets VACUUM, which marks the loaded
    pages all-visible: a feed page then reads its ids from the index alone (index-only
    scans), as it will once autovacuum has been by."""
    connection = Tortoise.get_connection("default")
    postgres = connection.capabilities.dialect == "postgres"
    await connection.execute_script("VACUUM ANALYZE" if postgres else "ANALYZE")


async def seed(
    sizes: SeedSizes,
    *,
    store: Store,
    rng_seed: int = 7,
    progress: bool = True,
    password: str = "soundpost-demo",
    now: datetime | None = None,
) -> dict[str, int]:
    """Insert demo data and return the number of rows inserted per table; the pictures of
    moments and avatars go to `store` (server/seed/pictures.py).

    Same `rng_seed` → same content; only timestamps move with `now` (default: the current
    time). Works on a non-empty database too: ids continue after the existing ones, taken
    usernames get a digit suffix and tracks with a known dedupe key are reused."""
    now_ts = int((now or datetime.now(UTC)).timestamp())
    # One hash for everyone: argon2 is deliberately slow, 10k hashes would take minutes.
    password_hash = PasswordHasher().hash(password)
    with progress_bar(progress) as bar:
        # Before the transaction: drawn beside the rows' generation (Python, holding the
        # GIL), they took as long and saved nothing measurable.
        drawn = await asyncio.to_thread(pictures.make, rng_seed, bar, sizes.photos, sizes.avatars)
        async with in_transaction() as conn:
            taken = {name for (name,) in await User.all().using_db(conn).values_list("username")}
            known_tracks = dict(await Track.all().using_db(conn).values_list("dedupe_key", "id"))
            plan = Generator(sizes, random.Random(rng_seed), now_ts, taken, bar).run()
            ids = await reserve_all_ids(conn, plan, known_tracks)
            kept = await pictures.store(conn, drawn, store)
            await write(conn, plan, ids, known_tracks, kept, password_hash, bar)
    await analyze()
    return {
        "users": len(plan.users),
        "tracks": sum(1 for t in plan.tracks if t.key not in known_tracks),
        "follows": len(plan.follows),
        "postcards": len(plan.postcards),
        "feed_events": len(plan.postcards),
        "likes": len(plan.likes),
        "comments": len(plan.comments),
        "playlists": len(plan.playlists),
        "playlist_items": len(plan.items),
        "places": len(plan.places),
    }


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress]:
    # stderr, so that `soundpost seed` can print its summary on a clean stdout.
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    ) as bar:
        yield bar
