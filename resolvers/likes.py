"""Likes: idempotent, and `like_count` stays exact under concurrency (F() updates)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import Like, Postcard, User
from resolvers.errors import not_found
from resolvers.pagination import Page, keyset_page


async def _postcard(postcard_id: int | None) -> Postcard:
    postcard = await Postcard.get_or_none(id=postcard_id) if postcard_id is not None else None
    if postcard is None:
        raise not_found("postcardId", "postcard")
    return postcard


async def like(viewer: User, postcard_id: int | None) -> tuple[Postcard, bool]:
    """Returns the postcard and whether this call created the like."""
    postcard = await _postcard(postcard_id)
    async with in_transaction():
        try:
            async with in_transaction():  # savepoint: a duplicate must not abort the outer one
                await Like.create(user_id=viewer.id, postcard_id=postcard.id)
        except IntegrityError:
            return postcard, False
        await Postcard.filter(id=postcard.id).update(like_count=F("like_count") + 1)
    return await Postcard.get(id=postcard.id), True


async def unlike(viewer: User, postcard_id: int | None) -> Postcard:
    postcard = await _postcard(postcard_id)
    async with in_transaction():
        deleted = await Like.filter(user_id=viewer.id, postcard_id=postcard.id).delete()
        if deleted:
            await Postcard.filter(id=postcard.id).update(like_count=F("like_count") - 1)
    return await Postcard.get(id=postcard.id)


async def liked_by(postcard_id: int, first: int | None, after: str | None) -> Page[Like]:
    return await keyset_page(Like.filter(postcard_id=postcard_id), first=first, after=after)
