"""Stored notifications: what other members did to you (liked or commented on your moment,
followed you). Recorded inside the transaction of the like, comment or follow itself, so the
two are written atomically; read newest first; marked read up to one of them.

Rules: acting on your own things notifies nobody; unliking and unfollowing notify nobody; a
(actor, postcard) pair gets at most one LIKED ever and an (actor, recipient) pair at most one
FOLLOWED ever (a unique `dedupe_key`, so like/unlike/like bursts do not spam); every comment
notifies the postcard's author.
"""

from __future__ import annotations

from tortoise import timezone
from tortoise.expressions import Q

from models import Comment, Notification, NotificationKind, Postcard, User
from resolvers import visibility
from resolvers.errors import Forbidden, not_found
from resolvers.pagination import Order, Page, keyset_page
from resolvers.rows import create_once
from subscriptions.events import NotificationMessage, Publish

# Ids grow with time, and `markNotificationsRead` marks by id: list them in that same order.
NEWEST_FIRST_BY_ID = Order("id", descending=True)


async def record_like(actor: User, postcard: Postcard) -> Notification | None:
    """Call inside the transaction that created the like. The new notification, or None
    (own postcard, or this actor's like of this postcard was notified before)."""
    if postcard.author_id == actor.id:
        return None
    return await create_once(
        Notification,
        dedupe_key=f"LIKED:{actor.id}:{postcard.id}",
        recipient_id=postcard.author_id,
        actor_id=actor.id,
        kind=NotificationKind.LIKED,
        postcard_id=postcard.id,
    )


async def record_comment(actor: User, postcard: Postcard, comment: Comment) -> Notification | None:
    """Call inside the transaction that created the comment. The new notification, or None
    when the commenter is the postcard's author."""
    if postcard.author_id == actor.id:
        return None
    return await Notification.create(
        recipient_id=postcard.author_id,
        actor_id=actor.id,
        kind=NotificationKind.COMMENTED,
        postcard_id=postcard.id,
        comment_id=comment.id,
    )


async def record_follow(actor: User, recipient: User) -> Notification | None:
    """Call inside the transaction that created the follow. The new notification, or None
    (following yourself, or this actor's follow of this member was notified before)."""
    if recipient.id == actor.id:
        return None
    return await create_once(
        Notification,
        dedupe_key=f"FOLLOWED:{actor.id}:{recipient.id}",
        recipient_id=recipient.id,
        actor_id=actor.id,
        kind=NotificationKind.FOLLOWED,
    )


def visible(row: Notification | None, viewer: User | None) -> bool:
    """A notification exists only for its recipient."""
    return row is not None and viewer is not None and row.recipient_id == viewer.id


def check_reader(viewer: User, recipient_id: int) -> None:
    """Only the recipient reads their notifications (and how many are unread)."""
    if viewer.id != recipient_id:
        raise Forbidden("Only the member themselves can read their notifications: use `viewer`.")


def _shown(recipient: User) -> Q:
    """The recipient's notifications but those caused by members they mute, or who are
    blocked either way."""
    return (
        Q(recipient_id=recipient.id)
        & visibility.not_muted(recipient, "actor_id")
        & visibility.not_blocked(recipient, "actor_id")
    )


async def page(
    viewer: User, recipient_id: int, first: int | None, after: str | None
) -> Page[Notification]:
    """The recipient's notifications, newest first; the viewer must be the recipient."""
    check_reader(viewer, recipient_id)
    return await keyset_page(
        Notification.filter(_shown(viewer)),
        first=first,
        after=after,
        order=NEWEST_FIRST_BY_ID,
    )


async def is_shown(row: Notification) -> bool:
    """Whether its recipient sees it (its actor not muted by them, nor blocked either way)."""
    recipient = await User.get(id=row.recipient_id)
    return await Notification.filter(Q(id=row.id) & _shown(recipient)).exists()


async def unread_count(viewer: User) -> int:
    """How many of the viewer's notifications (those shown) are unread."""
    return await Notification.filter(_shown(viewer), read_at__isnull=True).count()


async def mark_read(viewer: User, up_to: int | None) -> int:
    """Mark every unread notification of the viewer with id <= `up_to` as read; `up_to`
    must be one of the viewer's notifications. Idempotent. Returns the new unread count."""
    found = (
        up_to is not None and await Notification.filter(id=up_to, recipient_id=viewer.id).exists()
    )
    if not found:
        raise not_found("upTo", "notification")
    await Notification.filter(recipient_id=viewer.id, id__lte=up_to, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return await unread_count(viewer)


async def announce(notification: Notification | None, publish: Publish) -> None:
    """Push a committed notification to its recipient's live subscriptions."""
    if notification is not None:
        await publish(
            NotificationMessage(
                notification_id=notification.id, recipient_id=notification.recipient_id
            )
        )
