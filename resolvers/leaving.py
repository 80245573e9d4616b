"""Leaving: `delete_account`, a member's account and everything they made, in one
transaction; then every live connection of theirs ends.

What goes, and how (README, "Leaving"):
- their moments, each with a DELETED event in the feed log (tombstones for live feeds);
  their likes, comments and notifications on those moments go with them (foreign keys);
- the places of their moments count one moment fewer per moment;
- their likes and comments on other members' moments, whose `like_count` and
  `comment_count` drop by exactly what was deleted (the rows come back from the DELETE
  itself, so a concurrent unlike is never counted twice);
- their follows both ways, fixing the others' `follower_count` and `following_count`;
- by foreign key: follow requests, blocks and mutes both ways, playlists and their items,
  notifications to and from them, uploads and tokens. Items of other members' playlists
  that held their moments keep the song, the moment's link becomes null (as when a
  moment is deleted). Reports they made stay, with no reporter (SET NULL);
- the username is held by a `RetiredUsername` row until `free_at`.

Who followed them is kept beside the tombstones (`feedlog.remember_followers`), so the
tombstones reach them though the follows are gone, live or from the log. After commit: the
tombstones, and a revocation of each token (its websocket subscriptions close with 4403).
Photo files are left to the media sweep: the ones nothing names any more are deleted a
grace period later (resolvers/sweep.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import AccessToken, FeedEvent, Place, Postcard, RetiredUsername, User
from resolvers import feedlog
from resolvers.accounts import password_matches
from resolvers.errors import Code, problem
from resolvers.feedlog import DELETED, to_message
from resolvers.sql.params import Params
from resolvers.tokens import known_tokens
from subscriptions.events import Publish, RevokeMessage, publish_nothing


@dataclass(frozen=True)
class Left:
    """What a deletion leaves to announce after commit."""

    user_id: int
    tombstones: list[FeedEvent]
    token_hashes: list[str]


async def delete_account(
    viewer: User, password: str, hold: timedelta, publish: Publish = publish_nothing
) -> Left:
    """Delete the viewer's account (wrong password: INVALID_CREDENTIALS, nothing written)."""
    if not await password_matches(viewer, password):
        raise problem("password", "This is not your password.", Code.INVALID_CREDENTIALS)
    async with in_transaction() as conn:
        left = await _delete(conn, viewer, hold)
    await announce(left, publish)
    return left


async def _delete(conn: BaseDBAsyncClient, viewer: User, hold: timedelta) -> Left:
    user = await User.select_for_update().using_db(conn).get_or_none(id=viewer.id)
    if user is None:  # deleted meanwhile, by another request of theirs
        raise problem(None, "This account no longer exists.", Code.NOT_FOUND)
    token_hashes = list(
        await AccessToken.filter(user_id=user.id, revoked_at=None)
        .using_db(conn)
        .values_list("token_hash", flat=True)
    )
    # Their moments first: likes and comments on them go too, and what is left of theirs
    # is on other members' moments.
    # (the rows deleted come back: each place counts exactly the moments it lost)
    params = Params(User)
    sql = f"DELETE FROM postcards WHERE author_id = {params.add(user.id)} RETURNING id, place_id"
    shared = await conn.execute_query_dict(sql, params.values)
    moments = sorted(int(row["id"]) for row in shared)
    placed = [int(row["place_id"]) for row in shared if row["place_id"] is not None]
    await _uncount(conn, Place, "postcard_count", placed)
    await _uncount(conn, Postcard, "like_count", await _deleted(conn, "likes", "user_id", user.id))
    await _uncount(
        conn, Postcard, "comment_count", await _deleted(conn, "comments", "author_id", user.id)
    )
    following = await _deleted(conn, "follows", "follower_id", user.id, "followee_id")
    await _uncount(conn, User, "follower_count", following)
    followers = await _deleted(conn, "follows", "followee_id", user.id, "follower_id")
    await _uncount(conn, User, "following_count", followers)
    # blocks both ways: the other member is in one block fewer
    blocked = await _deleted(conn, "blocks", "blocker_id", user.id, "blocked_id")
    blockers = await _deleted(conn, "blocks", "blocked_id", user.id, "blocker_id")
    await _uncount(conn, User, "block_count", blocked + blockers)
    await _retire(conn, user.username, datetime.now(UTC) + hold)
    # The rest goes by foreign key (see the module's docstring).
    await User.filter(id=user.id).using_db(conn).delete()
    if moments:
        await feedlog.remember_followers(conn, user.id, sorted(set(followers)))
    tombstones = [
        await feedlog.append(conn, DELETED, postcard_id, user.id) for postcard_id in moments
    ]
    return Left(user.id, tombstones, [str(h) for h in token_hashes])


async def _deleted(
    conn: BaseDBAsyncClient, table: str, owner: str, user_id: int, returning: str = "postcard_id"
) -> list[int]:
    """Delete the table's rows of `owner` = the member; a column of each row deleted."""
    params = Params(User)
    sql = f"DELETE FROM {table} WHERE {owner} = {params.add(user_id)} RETURNING {returning}"
    # execute_query_dict: tortoise's `execute_query` drops a DELETE's RETURNING rows on
    # PostgreSQL (asyncpg's `execute`); this one fetches them on both databases.
    rows = await conn.execute_query_dict(sql, params.values)
    return [int(row[returning]) for row in rows]


async def _uncount(
    conn: BaseDBAsyncClient,
    model: type[Postcard] | type[User] | type[Place],
    counter: str,
    ids: list[int],
) -> None:
    """Take each row's share of `ids` off its counter: one F() update per distinct share."""
    shares: dict[int, int] = defaultdict(int)
    for row_id in ids:
        shares[row_id] += 1
    by_share: dict[int, list[int]] = defaultdict(list)
    for row_id, share in shares.items():
        by_share[share].append(row_id)
    for share, rows in sorted(by_share.items()):
        await model.filter(id__in=rows).using_db(conn).update(**{counter: F(counter) - share})


async def _retire(conn: BaseDBAsyncClient, username: str, free_at: datetime) -> None:
    """Hold the username until `free_at` (a name freed and taken again may be retired twice)."""
    updated = await RetiredUsername.filter(username=username).using_db(conn).update(free_at=free_at)
    if not updated:
        await RetiredUsername.create(username=username, free_at=free_at, using_db=conn)


async def announce(left: Left, publish: Publish) -> None:
    """After commit: the tombstones to whoever followed the member, then the end of every
    token's live subscriptions (and of its cached lookups), in every process."""
    for event in left.tombstones:
        await publish(to_message(event))
    for token_hash in left.token_hashes:
        known_tokens.forget(token_hash)
        await publish(RevokeMessage(token_hash=token_hash))
