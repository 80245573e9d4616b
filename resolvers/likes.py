"""Likes: idempotent, and `like_count` stays exact under concurrency (F() updates)."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import Like, Postcard, User
from resolvers import notifications, visibility
from resolvers.pagination import Page, keyset_page
from resolvers.rows import create_once
from resolvers.sql.hydrate import Joined, aliased, attach, query_rows
from resolvers.sql.moments import before, newest_first
from resolvers.sql.params import Params
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
    """The moment's likes, most recent first, but those of members whose likes the viewer
    may not see; each with its member attached (`like.user`). One written-out statement a
    page."""
    viewer_id = viewer.id if viewer is not None else None

    def query() -> QuerySet[Like]:
        shown = visibility.shown(viewer, "user_id", relation="user")
        return Like.filter(Q(postcard_id=postcard_id) & shown)

    async def fetch(rows: int, cursor: tuple[Any, int] | None) -> list[Like]:
        params = Params(Like)
        shown = visibility.shown_sql(viewer_id, params, "k.user_id", "u", mutes=False)
        sql = (
            f"SELECT {aliased(Like, 'k')}, {aliased(User, 'u')} FROM likes k"
            f" JOIN users u ON u.id = k.user_id WHERE k.postcard_id = {params.add(postcard_id)}"
            f" AND {shown}{before(params, cursor)('k')} {newest_first('k')}"
            f" LIMIT {params.add(rows)}"
        )
        found = await query_rows(Like, sql, params.values)
        made = Joined(found)
        page = []
        for row in found:
            like = made.make(Like, "k", row)
            attach(like, "user", made.make(User, "u", row, once=True))
            page.append(like)
        return page

    return await keyset_page(query, first=first, after=after, fetch=fetch)
