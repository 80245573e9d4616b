"""Likes: idempotent, and `like_count` stays exact under concurrency (F() updates)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import Like, Notification, Postcard, User
from resolvers import notifications
from resolvers.errors import not_found
from resolvers.pagination import Page, keyset_page


async def _postcard(postcard_id: int | None) -> Postcard:
    postcard = await Postcard.get_or_none(id=postcard_id) if postcard_id is not None else None
    if postcard is None:
        raise not_found("postcardId", "postcard")
    return postcard


async def like(viewer: User, postcard_id: int | None) -> tuple[Postcard, bool, Notification | None]:
    """Returns the postcard, whether this call created the like, and the notification it
    recorded for the postcard's author (None when it recorded none)."""
    postcard = await _postcard(postcard_id)
    async with in_transaction():
        try:
            async with in_transaction():  # savepoint: a duplicate must not abort the outer one
                await Like.create(user_id=viewer.id, postcard_id=postcard.id)
        except IntegrityError:
            return postcard, False, None
        await Postcard.filter(id=postcard.id).update(like_count=F("like_count") + 1)
        notification = await notifications.record_like(viewer, postcard)
    return await Postcard.get(id=postcard.id), True, notification


async def unlike(viewer: User, postcard_id: int | None) -> Postcard:
    postcard = await _postcard(postcard_id)
    async with in_transaction():
        deleted = await Like.filter(user_id=viewer.id, postcard_id=postcard.id).delete()
        if deleted:
            await Postcard.filter(id=postcard.id).update(like_count=F("like_count") - 1)
    return await Postcard.get(id=postcard.id)


async def liked_by(postcard_id: int, first: int | None, after: str | None) -> Page[Like]:
    return await keyset_page(Like.filter(postcard_id=postcard_id), first=first, after=after)
