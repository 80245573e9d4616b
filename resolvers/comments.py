"""Comments on postcards, oldest first."""

from __future__ import annotations

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import Comment, Postcard, User
from resolvers import notifications, visibility
from resolvers.errors import Code, not_found, problem
from resolvers.likes import activity
from resolvers.pagination import OLDEST_FIRST, Page, keyset_page
from resolvers.validate import clean_text
from subscriptions.events import Publish, publish_nothing


async def add(
    viewer: User, postcard_id: int | None, body: str, publish: Publish = publish_nothing
) -> Comment:
    """After commit: the comment to the moment's watchers, and the author's notification
    (none when you comment on your own moment)."""
    text = clean_text(body, "body", min_len=1, max_len=1000, multiline=True)
    postcard = await visibility.reachable_postcard(viewer, postcard_id, "postcardId")
    async with in_transaction():
        comment = await Comment.create(postcard_id=postcard.id, author_id=viewer.id, body=text)
        await Postcard.filter(id=postcard.id).update(comment_count=F("comment_count") + 1)
        notification = await notifications.record_comment(viewer, postcard, comment)
    await publish(activity(await Postcard.get(id=postcard.id), comment.id))
    await notifications.announce(notification, publish)
    return comment


async def delete(
    viewer: User, comment_id: int | None, publish: Publish = publish_nothing
) -> Comment:
    """The comment's author (always: it is theirs) or the moment's author may delete a
    comment. Anyone else learns no more than they may see: NOT_FOUND when the moment or the
    comment is hidden from them, as for an unknown id; FORBIDDEN when they see it."""
    async with in_transaction():
        comment = (
            await Comment.get_or_none(id=comment_id).select_related("postcard__author")
            if comment_id is not None
            else None
        )
        if comment is None:
            raise not_found("commentId", "comment")
        if viewer.id not in {comment.author_id, comment.postcard.author_id}:
            await _refuse(viewer, comment)
        await remove(comment)
    await announce_removal(comment, publish)
    return comment


async def _refuse(viewer: User, comment: Comment) -> None:
    await visibility.reachable_postcard(viewer, comment.postcard_id, "commentId")
    author = await User.get(id=comment.author_id)
    known = await visibility.relation(viewer.id, comment.author_id)
    if known.blocked or author.suspended_at is not None:
        raise not_found("commentId", "comment")
    raise problem(
        "commentId",
        "Only the comment's author or the postcard's author can delete it.",
        Code.FORBIDDEN,
    )


async def remove(comment: Comment) -> None:
    """Inside the caller's transaction, whoever decided it (an author, or a moderator:
    resolvers/moderation.py): the comment deleted and its moment's counter. Then, after
    commit, `announce_removal`."""
    await comment.delete()
    await Postcard.filter(id=comment.postcard_id).update(comment_count=F("comment_count") - 1)


async def announce_removal(comment: Comment, publish: Publish) -> None:
    """After commit: the moment's new counters to its watchers."""
    await publish(activity(await Postcard.get(id=comment.postcard_id)))


async def page(postcard_id: int, first: int | None, after: str | None) -> Page[Comment]:
    return await keyset_page(
        Comment.filter(postcard_id=postcard_id), first=first, after=after, order=OLDEST_FIRST
    )
