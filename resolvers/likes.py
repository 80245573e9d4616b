"""Likes: idempotent, and `like_count` stays exact under concurrency (F() updates)."""

from __future__ import annotations

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from models import Like, Postcard, User
from resolvers import notifications, visibility
from resolvers.pagination import Page, keyset_page
from resolvers.rows import create_once
from subscriptions.events import ActivityMessage, Publish, publish_nothing


async def like(
    viewer: User, postcard_id: int | None, publish: Publish = publish_nothing
) -> Postcard:
    """Idempotent. After commit: the new counts to the moment's watchers, and the author's
    notification (at most one per liker and moment, ever). Refused for a moment hidden from
    the viewer, or across a block."""
    postcard = await visibility.reachable_postcard(viewer, postcard_id, "postcardId")
    async with in_transaction():
        if await create_once(Like, user_id=viewer.id, postcard_id=postcard.id) is None:
            return postcard
        await Postcard.filter(id=postcard.id).update(like_count=F("like_count") + 1)
        notification = await notifications.record_like(viewer, postcard)
    postcard = await Postcard.get(id=postcard.id)
    await publish(activity(postcard))
    await notifications.announce(notification, publish)
    return postcard


async def unlike(
    viewer: User, postcard_id: int | None, publish: Publish = publish_nothing
) -> Postcard | None:
    """Idempotent; notifies nobody. A member can always take back their own like, even of a
    moment they can no longer see (its author went private, blocked them, was suspended):
    the like goes and None comes back, as the moment is not theirs to see. Without a like of
    theirs, a moment hidden from them is refused as `like` refuses it."""
    deleted = 0
    if postcard_id is not None:
        async with in_transaction():
            deleted = await Like.filter(user_id=viewer.id, postcard_id=postcard_id).delete()
            if deleted:
                await Postcard.filter(id=postcard_id).update(like_count=F("like_count") - 1)
    if not deleted:
        return await visibility.reachable_postcard(viewer, postcard_id, "postcardId")
    postcard = await Postcard.get(id=postcard_id).select_related("author")
    await publish(activity(postcard))
    if not await visibility.may_act_on(viewer, postcard):
        return None
    return postcard


def activity(postcard: Postcard, comment_id: int | None = None) -> ActivityMessage:
    return ActivityMessage(
        postcard_id=postcard.id,
        like_count=postcard.like_count,
        comment_count=postcard.comment_count,
        comment_id=comment_id,
    )


async def liked_by(
    postcard_id: int, viewer: User | None, first: int | None, after: str | None
) -> Page[Like]:
    """The moment's likes but those of members whose likes the viewer may not see."""
    shown = visibility.shown(viewer, "user_id", relation="user")
    query = Like.filter(Q(postcard_id=postcard_id) & shown)
    return await keyset_page(query, first=first, after=after)
