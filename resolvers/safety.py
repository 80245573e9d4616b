"""Blocks, mutes, private accounts and their follow requests: the writes. Who then sees
what is resolvers/visibility.py.

Blocking is Mastodon's: it removes the follows and pending follow requests of both
members, both ways, and the notifications the blocked member caused the blocker; while it
stands, neither can follow, request, like, comment on or collect the other's moments.
Muting hides the muted member's moments and notifications from the muter only. A private
account turns `follow` into a request; accepting it makes the follow."""

from __future__ import annotations

from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from models import Block, Follow, FollowRequest, Mute, Notification, NotificationKind, User
from resolvers.errors import Code, not_found, problem
from resolvers.pagination import Page, keyset_page
from resolvers.rows import create_once
from resolvers.visibility import relation

# No cap like Pixelfed's 50; a sane large one, past which a clear error.
MAX_BLOCKS = 10_000
# The longest a mute may be set to expire in (else: no expiry).
MAX_MUTE_SECONDS = 10 * 365 * 24 * 3600


async def other_member(viewer: User, user_id: int | None, what: str) -> User:
    """The member named (not the viewer), or an InputError on `userId`."""
    target = await User.get_or_none(id=user_id) if user_id is not None else None
    if target is None:
        raise not_found("userId", "user")
    if target.id == viewer.id:
        raise problem("userId", f"You cannot {what} yourself.", Code.INVALID)
    return target


async def refuse_if_blocked(viewer_id: int, other_id: int, field: str, what: str) -> None:
    """FORBIDDEN when either member has blocked the other (not saying which)."""
    if (await relation(viewer_id, other_id)).blocked:
        raise problem(
            field, f"You cannot {what}: one of you has blocked the other.", Code.FORBIDDEN
        )


async def unfollow_rows(conn: BaseDBAsyncClient, follower_id: int, followee_id: int) -> None:
    """Delete a follow, if any, with both counters exact."""
    deleted = (
        await Follow.filter(follower_id=follower_id, followee_id=followee_id)
        .using_db(conn)
        .delete()
    )
    if deleted:
        await (
            User.filter(id=followee_id)
            .using_db(conn)
            .update(follower_count=F("follower_count") - 1)
        )
        await (
            User.filter(id=follower_id)
            .using_db(conn)
            .update(following_count=F("following_count") - 1)
        )


async def block(viewer: User, user_id: int | None) -> User:
    """Idempotent. Removes follows and follow requests both ways, and the notifications
    the blocked member caused the viewer."""
    target = await other_member(viewer, user_id, "block")
    async with in_transaction() as conn:
        if await Block.filter(blocker_id=viewer.id, blocked_id=target.id).using_db(conn).exists():
            return target
        if await Block.filter(blocker_id=viewer.id).using_db(conn).count() >= MAX_BLOCKS:
            raise problem(
                "userId",
                f"You block {MAX_BLOCKS:,} members already: unblock some first.",
                Code.LIMIT_REACHED,
            )
        if await create_once(Block, blocker_id=viewer.id, blocked_id=target.id) is None:
            return target  # a concurrent block of the same member won
        await _count_block(conn, viewer.id, target.id, +1)
        await unfollow_rows(conn, viewer.id, target.id)
        await unfollow_rows(conn, target.id, viewer.id)
        await (
            FollowRequest.filter(
                Q(requester_id=viewer.id, target_id=target.id)
                | Q(requester_id=target.id, target_id=viewer.id)
            )
            .using_db(conn)
            .delete()
        )
        await (
            Notification.filter(recipient_id=viewer.id, actor_id=target.id).using_db(conn).delete()
        )
    return await User.get(id=target.id)


async def unblock(viewer: User, user_id: int | None) -> User:
    """Idempotent; follows removed by the block stay removed."""
    target = await other_member(viewer, user_id, "unblock")
    async with in_transaction() as conn:
        deleted = (
            await Block.filter(blocker_id=viewer.id, blocked_id=target.id).using_db(conn).delete()
        )
        if deleted:
            await _count_block(conn, viewer.id, target.id, -1)
    return await User.get(id=target.id)


async def _count_block(conn: BaseDBAsyncClient, one: int, other: int, by: int) -> None:
    await User.filter(id__in=[one, other]).using_db(conn).update(block_count=F("block_count") + by)


async def mute(viewer: User, user_id: int | None, expires_in_seconds: int | None) -> User:
    """Mute (again: the expiry is replaced); without `expires_in_seconds`, until unmuted."""
    if expires_in_seconds is not None and not 1 <= expires_in_seconds <= MAX_MUTE_SECONDS:
        raise problem(
            "expiresInSeconds",
            f"Must be between 1 and {MAX_MUTE_SECONDS:,} seconds (or omitted: no expiry).",
            Code.OUT_OF_RANGE,
        )
    target = await other_member(viewer, user_id, "mute")
    expires_at = now() + timedelta(seconds=expires_in_seconds) if expires_in_seconds else None
    async with in_transaction():
        if await create_once(Mute, muter_id=viewer.id, muted_id=target.id, expires_at=expires_at):
            return target
        await Mute.filter(muter_id=viewer.id, muted_id=target.id).update(expires_at=expires_at)
    return target


async def unmute(viewer: User, user_id: int | None) -> User:
    target = await other_member(viewer, user_id, "unmute")
    await Mute.filter(muter_id=viewer.id, muted_id=target.id).delete()
    return target


# --- follow requests ----------------------------------------------------------------------


async def request_follow(
    viewer: User, target: User
) -> tuple[FollowRequest | None, Notification | None]:
    """Inside the follow's transaction: the viewer's pending request to the private `target`
    (the one there already, or a new one with its FOLLOW_REQUESTED notification)."""
    request = await create_once(FollowRequest, requester_id=viewer.id, target_id=target.id)
    if request is None:
        return await FollowRequest.get(requester_id=viewer.id, target_id=target.id), None
    notification = await create_once(
        Notification,
        dedupe_key=f"REQUESTED:{viewer.id}:{target.id}",
        recipient_id=target.id,
        actor_id=viewer.id,
        kind=NotificationKind.FOLLOW_REQUESTED,
    )
    return request, notification


async def _incoming(viewer: User, request_id: int | None) -> FollowRequest:
    request = None
    if request_id is not None:
        request = await FollowRequest.get_or_none(id=request_id, target_id=viewer.id)
    if request is None:
        raise not_found("requestId", "follow request to you")
    return request


async def accept_request(conn: BaseDBAsyncClient, request: FollowRequest) -> Notification | None:
    """Inside a transaction: the request becomes a follow (counters exact) and its requester
    is told (FOLLOW_ACCEPTED)."""
    deleted = await FollowRequest.filter(id=request.id).using_db(conn).delete()
    if not deleted:  # accepted or withdrawn meanwhile
        return None
    follow = await create_once(
        Follow, follower_id=request.requester_id, followee_id=request.target_id
    )
    if follow is None:
        return None
    await (
        User.filter(id=request.target_id)
        .using_db(conn)
        .update(follower_count=F("follower_count") + 1)
    )
    await (
        User.filter(id=request.requester_id)
        .using_db(conn)
        .update(following_count=F("following_count") + 1)
    )
    return await Notification.create(
        recipient_id=request.requester_id,
        actor_id=request.target_id,
        kind=NotificationKind.FOLLOW_ACCEPTED,
        using_db=conn,
    )


async def accept(viewer: User, request_id: int | None) -> tuple[User, Notification | None]:
    """Accept a request to follow the viewer; the requester and the notification."""
    request = await _incoming(viewer, request_id)
    async with in_transaction() as conn:
        notification = await accept_request(conn, request)
    return await User.get(id=request.requester_id), notification


async def reject(viewer: User, request_id: int | None) -> User:
    request = await _incoming(viewer, request_id)
    await FollowRequest.filter(id=request.id).delete()
    return await User.get(id=request.requester_id)


async def cancel(viewer: User, user_id: int | None) -> User:
    """Withdraw the viewer's request to follow the member. Idempotent."""
    target = await other_member(viewer, user_id, "follow")
    await FollowRequest.filter(requester_id=viewer.id, target_id=target.id).delete()
    return target


async def go_public(conn: BaseDBAsyncClient, viewer: User) -> list[Notification]:
    """Inside the transaction that makes the account public: every pending request to it
    is accepted."""
    told = []
    for request in await FollowRequest.filter(target_id=viewer.id).using_db(conn).order_by("id"):
        notification = await accept_request(conn, request)
        if notification is not None:
            told.append(notification)
    return told


async def request_of(viewer: User | None, request_id: int) -> FollowRequest | None:
    """A follow request, for its requester and its target only."""
    if viewer is None:
        return None
    return await FollowRequest.get_or_none(
        Q(id=request_id) & (Q(requester_id=viewer.id) | Q(target_id=viewer.id))
    )


# --- the viewer's lists -------------------------------------------------------------------


async def blocked_users(viewer: User, first: int | None, after: str | None) -> Page[Block]:
    return await keyset_page(Block.filter(blocker_id=viewer.id), first=first, after=after)


async def muted_users(viewer: User, first: int | None, after: str | None) -> Page[Mute]:
    unexpired = Q(expires_at=None) | Q(expires_at__gt=now())
    return await keyset_page(
        Mute.filter(Q(muter_id=viewer.id) & unexpired), first=first, after=after
    )


async def follow_requests(
    viewer: User, first: int | None, after: str | None
) -> Page[FollowRequest]:
    """Requests to follow the viewer, newest first."""
    return await keyset_page(FollowRequest.filter(target_id=viewer.id), first=first, after=after)
