"""The subscription fields: live friend moments (lossless across reconnects), a moment's
activity, your notifications; and the types of their events."""

from __future__ import annotations

import base64
import binascii
import contextlib
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from functools import partial
from typing import Annotated, Any

import strawberry
from starlette.websockets import WebSocket

import models
from graph.context import Context, Info
from graph.errors import bad_input
from graph.live.handoff import LiveSubscription, ToRoot
from graph.live.sharing import EventRoot, SharedExecution, selection_key
from graph.relay import decode_id, to_global_id
from graph.types.notification import Notification
from graph.types.postcard import Comment, Postcard, shown_comment, shown_postcard
from resolvers import feedlog
from resolvers import notifications as inbox
from resolvers.tokens import hash_token
from subscriptions.events import ActivityMessage, FeedMessage, NotificationMessage
from subscriptions.hub import Hub, Listener


@strawberry.type(description="Someone you follow (or you) shared a moment.")
class PostcardPosted:
    cursor: str = strawberry.field(description="Resume after this event with `after`.")
    postcard: Postcard = strawberry.field(description="The new moment.")


@strawberry.type(description="A moment in your feed was deleted: remove it.")
class PostcardDeleted:
    cursor: str = strawberry.field(description="Resume after this event with `after`.")
    postcard_id: strawberry.ID = strawberry.field(description="Global ID of the deleted moment.")


@strawberry.type(
    description="Your cursor is older than the event log keeps (or unknown): refetch `feed`, "
    "then keep listening; live events follow."
)
class FeedResyncRequired:
    reason: str = strawberry.field(description="Why the missed events cannot be replayed.")


FeedEvent = Annotated[
    PostcardPosted | PostcardDeleted | FeedResyncRequired,
    strawberry.union("FeedEvent", description="An event of your live feed."),
]


@strawberry.type(description="A moment's counters changed, or it got a new comment.")
class PostcardActivity:
    postcard_id: strawberry.ID = strawberry.field(description="Global ID of the moment.")
    like_count: int = strawberry.field(description="Likes now.")
    comment_count: int = strawberry.field(description="Comments now.")
    comment_row: strawberry.Private[models.Comment | None]

    @strawberry.field(
        description="The comment just added, if that is what happened (null too when its "
        "author and you are blocked either way)."
    )
    async def comment(self, info: Info) -> Comment | None:
        row = await shown_comment(info, self.comment_row, moment_shown=True)
        return Comment.from_row(row) if row else None


def feed_cursor(message: FeedMessage) -> str:
    raw = f"{message.seq}:{message.created_at:.6f}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def parse_feed_cursor(cursor: str) -> tuple[int, float]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        seq, _, at = raw.partition(":")
        number, when = int(seq), float(at)
        if not 0 <= number < 2**63:  # a larger one would fail in the event-log query
            raise ValueError(number)
        return number, when
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad_input("`after` is not a friendMoments cursor.") from None


def _hub(context: Context) -> Hub:
    if context.hub is None:
        raise RuntimeError("the live hub is not running")
    return context.hub


def _sharing(context: Context) -> SharedExecution:
    if context.sharing is None:
        raise RuntimeError("live subscriptions need the app's shared execution")
    return context.sharing


def _closer(context: Context) -> Callable[[int, str], Awaitable[None]]:
    async def close(code: int, reason: str) -> None:
        if isinstance(context.request, WebSocket):
            with contextlib.suppress(Exception):
                await context.request.close(code=code, reason=reason)

    return close


def _token_hash(context: Context) -> str | None:
    return hash_token(context.token) if context.token else None


async def _feed_event(sharing: SharedExecution, message: FeedMessage) -> EventRoot | None:
    """The event as its subscribers see it, made once for all of them."""
    share = sharing.event(message)

    async def make() -> EventRoot | None:
        cursor = feed_cursor(message)
        if message.kind == "DELETED":
            postcard_id = to_global_id("Postcard", message.postcard_id)
            return EventRoot(PostcardDeleted(cursor=cursor, postcard_id=postcard_id), message)
        row = await share.rows.postcard_by_id.load(message.postcard_id)
        if row is None:  # deleted since; its PostcardDeleted follows
            return None
        return EventRoot(PostcardPosted(cursor=cursor, postcard=Postcard.from_row(row)), message)

    return await share.root(make)


async def _sent_already_made(info: Info, root: EventRoot) -> bool:
    """Over a websocket, sends `root` straight from the result another subscriber of the
    same selection made of it (no execution, no encoding); False when this subscriber must
    yield `root` to be executed (the first of its selection, or a selection that reads
    the viewer)."""
    handoff = info.context.live
    if handoff is None:
        return False
    key = selection_key(info.operation, info.variable_values)
    text = await _sharing(info.context).payload(root, key, info.operation)
    if text is None:
        return False
    await handoff.send_payload(text)
    return True


async def friend_moments(
    info: Info,
    after: Annotated[
        str | None,
        strawberry.argument(
            description="The cursor of the last event you received: replays what you "
            "missed, then goes live, with no gap and no duplicate."
        ),
    ] = None,
) -> AsyncGenerator[FeedEvent, None]:
    context = info.context
    viewer = context.require_viewer()
    hub = _hub(context)
    sharing = _sharing(context)
    with hub.subscribed("feed", viewer.id, _token_hash(context), _closer(context)) as listener:
        if after is not None:
            seq, at = parse_feed_cursor(after)
            if seq > listener.start_seq:
                raise bad_input("`after` is ahead of the event log.")
            if at < time.time() - hub.retention.total_seconds():
                yield FeedResyncRequired(reason="The cursor is older than the event log keeps.")
            else:
                position = seq
                while position < listener.start_seq:
                    batch = await feedlog.read_for_viewer(viewer.id, position, listener.start_seq)
                    if not batch:
                        break
                    for message in batch:
                        position = message.seq
                        root = await _feed_event(sharing, message)
                        if root is not None and not await _sent_already_made(info, root):
                            yield root  # type: ignore[misc]
        async with contextlib.aclosing(_live(info, listener, _feed_event)) as events:
            async for event in events:
                yield event


async def postcard_activity(
    info: Info,
    postcard_id: Annotated[strawberry.ID, strawberry.argument(description="The moment to watch.")],
) -> AsyncGenerator[PostcardActivity, None]:
    context = info.context
    pk = decode_id(postcard_id, "Postcard")
    row = await context.loaders.postcard_by_id.load(pk) if pk is not None else None
    # a moment hidden from the viewer (private, blocked) cannot be watched either
    if await shown_postcard(info, row) is None:
        raise bad_input("No postcard with this id.")
    hub = _hub(context)
    to_root = partial(_activity_event, postcard_id)
    with hub.subscribed("activity", pk, _token_hash(context), _closer(context)) as listener:
        async with contextlib.aclosing(_live(info, listener, to_root)) as events:
            async for event in events:
                yield event


async def _activity_event(
    postcard_id: strawberry.ID, sharing: SharedExecution, message: ActivityMessage
) -> EventRoot:
    comment = None
    if message.comment_id is not None:
        comment = await sharing.event(message).rows.comment_by_id.load(message.comment_id)
    activity = PostcardActivity(
        postcard_id=postcard_id,
        like_count=message.like_count,
        comment_count=message.comment_count,
        comment_row=comment,
    )
    return EventRoot(activity, message)


async def notifications(info: Info) -> AsyncGenerator[Notification, None]:
    context = info.context
    viewer = context.require_viewer()
    hub = _hub(context)
    with hub.subscribed(
        "notifications", viewer.id, _token_hash(context), _closer(context)
    ) as listener:
        async with contextlib.aclosing(_live(info, listener, _notification_event)) as events:
            async for event in events:
                yield event


async def _notification_event(
    sharing: SharedExecution, message: NotificationMessage
) -> EventRoot | None:
    row = await sharing.event(message).rows.notification_by_id.load(message.notification_id)
    if row is None or not await inbox.is_shown(row):  # muted or blocked meanwhile
        return None
    return EventRoot(Notification.from_row(row), message)


async def _live(info: Info, listener: Listener, to_root: ToRoot) -> AsyncGenerator[Any, None]:
    """The live part of a subscription, after any catch-up. A websocket transport takes it
    over (server/ws/takeover.py): then this offers a `LiveSubscription`, yields it (so the
    executor records the selection's executor on it) and ends, and the subscription holds
    no task or generator while it waits for events. Elsewhere, events are read here."""
    handoff = info.context.live
    if handoff is not None:
        live = handoff.offered = LiveSubscription(listener, to_root, info)
        listener.detached = True
        try:
            yield live
        finally:
            if handoff.offered is live:  # the transport went away before taking it
                listener.close()
        return
    sharing = _sharing(info.context)
    async for message in listener:
        root = await to_root(sharing, message)
        if root is not None and not await _sent_already_made(info, root):
            yield root


@strawberry.type(description="Live events over a websocket (graphql-transport-ws or graphql-ws).")
class Subscription:
    # strawberry's annotation is each field's GraphQL type, not its resolver's (a generator)
    friend_moments: FeedEvent = strawberry.subscription(  # type: ignore[assignment]
        resolver=friend_moments,
        description="Moments of the people you follow and your own, live; needs a token.",
    )
    postcard_activity: PostcardActivity = strawberry.subscription(  # type: ignore[assignment]
        resolver=postcard_activity,
        description="Live likeCount, commentCount and new comments of one moment; anonymous ok.",
    )
    notifications: Notification = strawberry.subscription(  # type: ignore[assignment]
        resolver=notifications,
        description="Your new notifications (likes, comments, follows) as they happen; "
        "they are also stored: see `viewer.notifications`. Needs a token.",
    )
