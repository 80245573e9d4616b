"""The durable feed event log, all of it: appended inside the writing transaction
(`append`), read back in order by the live hub and by a subscription's catch-up (`read`,
`read_for_viewer`), routed (`followers_among`) and pruned past retention (`prune`).

The hub (subscriptions/hub.py) imports no models: the server hands it this module as its
`FeedLog`."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery
from tortoise.functions import Max
from tortoise.timezone import now

from models import DepartedFollower, FeedEvent, Follow
from resolvers import visibility
from resolvers.sql.hydrate import query_rows
from resolvers.sql.params import Params
from subscriptions.events import FeedMessage

BATCH = 500
# Any fixed number: the key of the advisory lock that orders feed-log writers.
FEED_LOCK_KEY = 7_368_801
POSTED, DELETED = "POSTED", "DELETED"


async def append(conn: BaseDBAsyncClient, kind: str, postcard_id: int, author_id: int) -> FeedEvent:
    """Call inside the writing transaction, as its last statement. On PostgreSQL an advisory
    lock held until commit makes sequence order equal commit order, so a subscriber that has
    seen event N can never later miss an event below N. SQLite serializes writers anyway."""
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [FEED_LOCK_KEY])
    return await FeedEvent.create(
        kind=kind, postcard_id=postcard_id, author_id=author_id, using_db=conn
    )


def to_message(row: FeedEvent) -> FeedMessage:
    return FeedMessage(
        seq=row.id,
        kind=row.kind,
        postcard_id=row.postcard_id,
        author_id=row.author_id,
        created_at=row.created_at.timestamp(),
    )


async def last_seq() -> int:
    row = await FeedEvent.annotate(top=Max("id")).first().values("top")
    return int(row["top"] or 0) if row else 0


async def read(after: int, upto: int | None = None, limit: int = BATCH) -> list[FeedMessage]:
    """Every event with `after < seq <= upto`, in order."""
    rows = FeedEvent.filter(id__gt=after)
    if upto is not None:
        rows = rows.filter(id__lte=upto)
    return [to_message(row) for row in await rows.order_by("id").limit(limit)]


async def read_for_viewer(
    viewer_id: int, after: int, upto: int, limit: int = BATCH
) -> list[FeedMessage]:
    """The viewer's feed events with `after < seq <= upto`, their own and their followees'
    (but those they mute), and the tombstones of accounts they followed until those were
    deleted, at most `limit` of them."""
    followees = Follow.filter(
        Q(follower_id=viewer_id) & ~Q(followee_id__in=visibility.muted_ids(viewer_id))
    ).values("followee_id")
    departed = DepartedFollower.filter(follower_id=viewer_id).values("author_id")
    rows = (
        FeedEvent.filter(id__gt=after, id__lte=upto)
        .filter(
            Q(author_id=viewer_id)
            | Q(author_id__in=Subquery(followees))
            | Q(kind=DELETED, author_id__in=Subquery(departed))
        )
        .order_by("id")
        .limit(limit)
    )
    return [to_message(row) for row in await rows]


async def followers_among(event: FeedMessage, viewer_ids: set[int]) -> set[int]:
    """Which of these viewers the event reaches: those who follow its author and do not
    mute them; for a tombstone also those who followed the author until the account was
    deleted. One statement, its text the same whoever the author and viewers (the ids are
    one parameter): the hub asks it for every event, with every local subscriber's id."""
    if not viewer_ids:
        return set()
    params = Params(Follow)
    author = params.add(event.author_id)
    sql = (
        f"SELECT f.follower_id FROM follows f WHERE f.followee_id = {author}"
        f" AND {params.ids('f.follower_id', viewer_ids)}"
        f" AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muted_id = {author}"
        f" AND m.muter_id = f.follower_id"
        f" AND (m.expires_at IS NULL OR m.expires_at > {params.time(now())}))"
    )
    if event.kind == DELETED:
        sql += (
            f" UNION SELECT d.follower_id FROM departed_followers d WHERE d.author_id = {author}"
            f" AND {params.ids('d.follower_id', viewer_ids)}"
        )
    return {int(row["follower_id"]) for row in await query_rows(Follow, sql, params.values)}


async def remember_followers(conn: BaseDBAsyncClient, author_id: int, followers: list[int]) -> None:
    """Inside an account's deletion, before its follows go: who its tombstones reach."""
    rows = [DepartedFollower(author_id=author_id, follower_id=f) for f in followers]
    await DepartedFollower.bulk_create(rows, batch_size=BATCH, using_db=conn)


async def prune(older_than: timedelta) -> int:
    """Drop events past retention (and the departed accounts' followers with them); cursors
    older than that ask the client to resync."""
    cutoff = datetime.now().astimezone() - older_than
    await DepartedFollower.filter(created_at__lt=cutoff).delete()
    return await FeedEvent.filter(created_at__lt=cutoff).delete()
