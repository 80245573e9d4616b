"""Live friend moments over real websockets against a real uvicorn: who receives what,
deletions, and lossless resume with a cursor."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from graph.relay import to_global_id
from models import FeedEvent, User
from tests.support.api import Api
from tests.support.documents import ACTIVITY, FRIEND_MOMENTS, NOTIFICATIONS
from tests.support.servers import serve
from tests.support.sql import count_sql
from tests.support.ws import Subscriber, caption_of, post, until

DELETE = """
mutation ($input: PostcardIdInput!) {
  deletePostcard(input: $input) { deletedPostcardId errors { code } }
}
"""
FOLLOW = "mutation ($input: FollowInput!) { follow(input: $input) { errors { code } } }"
UNFOLLOW = "mutation ($input: FollowInput!) { unfollow(input: $input) { errors { code } } }"


@pytest.fixture(scope="module")
async def url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as ws_url:
        yield ws_url


async def test_a_follower_receives_a_friends_moment_and_a_stranger_does_not(
    url: str, api: Api, app: Starlette
) -> None:
    # given
    maya, kofi, lena = [await api.sign_up(n) for n in ("maya", "kofi", "lena")]
    await api.mutate("follow", FOLLOW, {"userId": kofi.id}, maya.token)
    async with (
        Subscriber.open(url, FRIEND_MOMENTS, token=maya.token) as follower,
        Subscriber.open(url, FRIEND_MOMENTS, token=lena.token) as stranger,
    ):
        await until(lambda: app.state.hub.count("feed") == 2)
        # when
        await post(api, kofi.token, "kofi live")
        # then: within a second
        data = await follower.next(timeout=1.0)
        assert data["friendMoments"]["postcard"]["author"] == {"username": "kofi"}
        assert caption_of(data) == "kofi live"
        # the stranger's next event is her own later moment, not kofi's
        await post(api, lena.token, "lena own")
        assert caption_of(await stranger.next()) == "lena own"


async def test_the_authors_deletion_arrives(url: str, api: Api, app: Starlette) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    await api.mutate("follow", FOLLOW, {"userId": kofi.id}, maya.token)
    async with Subscriber.open(url, FRIEND_MOMENTS, token=maya.token) as follower:
        await until(lambda: app.state.hub.count("feed") == 1)
        card = await post(api, kofi.token, "oops")
        assert caption_of(await follower.next()) == "oops"
        await api.mutate("deletePostcard", DELETE, {"postcardId": card}, kofi.token)
        event = (await follower.next())["friendMoments"]
        assert event["__typename"] == "PostcardDeleted"
        assert event["postcardId"] == card


async def test_follow_and_unfollow_apply_to_a_live_subscription(
    url: str, api: Api, app: Starlette
) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    async with Subscriber.open(url, FRIEND_MOMENTS, token=maya.token) as live:
        await until(lambda: app.state.hub.count("feed") == 1)
        await post(api, kofi.token, "before follow")
        await api.mutate("follow", FOLLOW, {"userId": kofi.id}, maya.token)
        await post(api, kofi.token, "after follow")
        assert caption_of(await live.next()) == "after follow"
        await api.mutate("unfollow", UNFOLLOW, {"userId": kofi.id}, maya.token)
        await post(api, kofi.token, "after unfollow")
        await post(api, maya.token, "barrier")
        assert caption_of(await live.next()) == "barrier"


async def test_resume_with_the_last_cursor_replays_exactly_what_was_missed(
    url: str, api: Api, app: Starlette
) -> None:
    # given: a follower who saw one moment, then went away
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    await api.mutate("follow", FOLLOW, {"userId": kofi.id}, maya.token)
    async with Subscriber.open(url, FRIEND_MOMENTS, token=maya.token) as live:
        await until(lambda: app.state.hub.count("feed") == 1)
        await post(api, kofi.token, "seen")
        cursor = (await live.next())["friendMoments"]["cursor"]
    # when: five moments are posted while away, and one by a stranger
    stranger = await api.sign_up("stranger")
    for n in range(5):
        await post(api, kofi.token, f"missed {n}")
        await post(api, stranger.token, f"noise {n}")
    # then: resuming replays exactly those five, in order, then goes live
    async with Subscriber.open(url, FRIEND_MOMENTS, {"after": cursor}, maya.token) as again:
        replayed = [caption_of(await again.next()) for _ in range(5)]
        assert replayed == [f"missed {n}" for n in range(5)]
        await post(api, kofi.token, "live again")
        assert caption_of(await again.next()) == "live again"


async def test_friend_moments_needs_a_token(url: str) -> None:
    async with Subscriber.open(url, FRIEND_MOMENTS) as anonymous:
        message = await anonymous.message()
        assert message["type"] == "next"
        assert message["payload"]["data"] is None
        assert message["payload"]["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
        assert (await anonymous.message())["type"] == "complete"


async def test_a_stale_cursor_asks_for_a_resync(url: str, api: Api) -> None:
    import base64

    maya = await api.sign_up("maya")
    ancient = base64.urlsafe_b64encode(b"0:1000.0").decode().rstrip("=")
    async with Subscriber.open(url, FRIEND_MOMENTS, {"after": ancient}, maya.token) as live:
        event = (await live.next())["friendMoments"]
        assert event == {
            "__typename": "FeedResyncRequired",
            "reason": "The cursor is older than the event log keeps.",
        }
        await post(api, maya.token, "still live")
        assert caption_of(await live.next()) == "still live"


async def test_a_subscriber_that_never_reads_is_cut_off_while_others_keep_receiving(
    url: str, api: Api, app: Starlette
) -> None:
    # given: one subscriber that reads and one that never does (tiny socket buffers, so
    # the kernel cannot absorb the stream for it)
    maya = await api.sign_up("maya")
    author_id = (await User.get(username="maya")).id
    hub = app.state.hub
    async with (
        Subscriber.open(url, FRIEND_MOMENTS, token=maya.token) as reader,
        Subscriber.open(url, FRIEND_MOMENTS, token=maya.token, stalled=True) as stalled,
    ):
        await until(lambda: hub.count("feed") == 2)
        # when: deletion events stream in, in rounds the reader keeps up with
        delivered = 0
        for _ in range(400):
            await FeedEvent.bulk_create(
                [FeedEvent(kind="DELETED", postcard_id=n, author_id=author_id) for n in range(50)]
            )
            await hub.catch_up()
            for _ in range(50):
                assert (await reader.next())["friendMoments"]["__typename"] == "PostcardDeleted"
            delivered += 50
            if hub.count("feed") == 1:
                break
        # then: the stalled one was dropped by the hub, the reader got everything
        assert hub.count("feed") == 1, f"still subscribed after {delivered} events"
        await post(api, maya.token, "after the cut")
        assert caption_of(await reader.next()) == "after the cut"
        code = await stalled.close_code()
        assert code == 4008


LIKE = "mutation ($input: PostcardIdInput!) { likePostcard(input: $input) { errors { code } } }"
UNLIKE = "mutation ($input: PostcardIdInput!) { unlikePostcard(input: $input) { errors { code } } }"
COMMENT = "mutation ($input: AddCommentInput!) { addComment(input: $input) { errors { code } } }"
LOG_OUT = "mutation { logOut { revoked } }"


async def test_likes_and_comments_notify_the_owner_live_and_only_the_owner(
    url: str, api: Api, app: Starlette
) -> None:
    # given
    maya, kofi, lena = [await api.sign_up(n) for n in ("maya", "kofi", "lena")]
    card = await post(api, maya.token, "mine")
    async with (
        Subscriber.open(url, NOTIFICATIONS, token=maya.token) as owner,
        Subscriber.open(url, NOTIFICATIONS, token=lena.token) as other,
    ):
        await until(lambda: app.state.hub.count("notifications") == 2)
        # when
        await api.mutate("likePostcard", LIKE, {"postcardId": card}, kofi.token)
        await api.mutate("unlikePostcard", UNLIKE, {"postcardId": card}, kofi.token)
        await api.mutate("likePostcard", LIKE, {"postcardId": card}, kofi.token)  # no spam
        await api.mutate("addComment", COMMENT, {"postcardId": card, "body": "wow"}, kofi.token)
        await api.mutate("likePostcard", LIKE, {"postcardId": card}, maya.token)  # own: silent
        await api.mutate("follow", FOLLOW, {"userId": maya.id}, kofi.token)
        # then
        received = [(await owner.next())["notifications"] for _ in range(3)]
        assert received == [
            {
                "kind": "LIKED",
                "actor": {"username": "kofi"},
                "postcard": {"caption": "mine"},
                "comment": None,
                "readAt": None,
            },
            {
                "kind": "COMMENTED",
                "actor": {"username": "kofi"},
                "postcard": {"caption": "mine"},
                "comment": {"body": "wow"},
                "readAt": None,
            },
            {
                "kind": "FOLLOWED",
                "actor": {"username": "kofi"},
                "postcard": None,
                "comment": None,
                "readAt": None,
            },
        ]
        # lena's next notification is her own, later one: she got none of maya's
        lena_card = await post(api, lena.token, "hers")
        await api.mutate("likePostcard", LIKE, {"postcardId": lena_card}, kofi.token)
        assert (await other.next())["notifications"]["postcard"] == {"caption": "hers"}


async def test_postcard_activity_streams_counts_and_comments_anonymously(
    url: str, api: Api, app: Starlette
) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    card = await post(api, maya.token, "watch me")
    async with Subscriber.open(url, ACTIVITY, {"id": card}) as watcher:
        await until(lambda: app.state.hub.count("activity") == 1)
        await api.mutate("likePostcard", LIKE, {"postcardId": card}, kofi.token)
        await api.mutate(
            "likePostcard", LIKE, {"postcardId": card}, kofi.token
        )  # idempotent: silent
        await api.mutate("addComment", COMMENT, {"postcardId": card, "body": "hi"}, kofi.token)
        await api.mutate("unlikePostcard", UNLIKE, {"postcardId": card}, kofi.token)
        events = [(await watcher.next())["postcardActivity"] for _ in range(3)]
    assert events == [
        {"postcardId": card, "likeCount": 1, "commentCount": 0, "comment": None},
        {
            "postcardId": card,
            "likeCount": 1,
            "commentCount": 1,
            "comment": {"body": "hi", "author": {"username": "kofi"}},
        },
        {"postcardId": card, "likeCount": 0, "commentCount": 1, "comment": None},
    ]


async def test_log_out_ends_that_tokens_subscriptions(url: str, api: Api, app: Starlette) -> None:
    maya = await api.sign_up("maya")
    async with Subscriber.open(url, FRIEND_MOMENTS, token=maya.token) as live:
        await until(lambda: app.state.hub.count("feed") == 1)
        await api.ok(LOG_OUT, token=maya.token)
        assert await live.close_code() == 4403
    assert app.state.hub.count() == 0


async def test_notifications_need_a_token(url: str) -> None:
    async with Subscriber.open(url, NOTIFICATIONS) as anonymous:
        message = await anonymous.message()
        assert message["payload"]["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_friend_moments_over_the_legacy_graphql_ws_protocol(
    url: str, api: Api, app: Starlette
) -> None:
    maya = await api.sign_up("maya")
    async with connect(url, subprotocols=[Subprotocol("graphql-ws")]) as ws:
        await ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {maya.token}"}}
            )
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps({"type": "start", "id": "1", "payload": {"query": FRIEND_MOMENTS}})
        )
        await until(lambda: app.state.hub.count("feed") == 1)
        await post(api, maya.token, "old protocol")
        async with asyncio.timeout(5):
            while (message := json.loads(await ws.recv()))["type"] == "ka":
                pass
        assert message["type"] == "data"
        assert message["payload"]["data"]["friendMoments"]["postcard"]["caption"] == "old protocol"


async def test_resume_replays_a_long_backlog_in_order(url: str, api: Api, app: Starlette) -> None:
    # given: a cursor, then 1,200 events (more than one read batch) while away
    maya = await api.sign_up("maya")
    author_id = (await User.get(username="maya")).id
    async with Subscriber.open(url, FRIEND_MOMENTS, token=maya.token) as live:
        await until(lambda: app.state.hub.count("feed") == 1)
        await post(api, maya.token, "seen")
        cursor = (await live.next())["friendMoments"]["cursor"]
    await FeedEvent.bulk_create(
        [FeedEvent(kind="DELETED", postcard_id=n, author_id=author_id) for n in range(1, 1201)]
    )
    await app.state.hub.catch_up()  # as its next poll would: nobody is listening now
    # when
    async with Subscriber.open(url, FRIEND_MOMENTS, {"after": cursor}, maya.token) as again:
        replayed = [(await again.next())["friendMoments"]["postcardId"] for _ in range(1200)]
        await post(api, maya.token, "live")
        assert caption_of(await again.next()) == "live"
    # then
    assert replayed == [to_global_id("Postcard", n) for n in range(1, 1201)]


async def test_one_event_to_many_subscribers_loads_its_rows_once(
    url: str, api: Api, app: Starlette
) -> None:
    """Deterministic guard for fan-out cost: the SQL of delivering one moment does not
    grow with the number of subscribers."""
    query = """subscription { friendMoments { ... on PostcardPosted {
      postcard { caption author { username } track { title } } } } }"""
    author = await api.sign_up("author")
    fans = [await api.sign_up(f"fan{n}") for n in range(8)]
    for fan in fans:
        await api.mutate("follow", FOLLOW, {"userId": author.id}, fan.token)
    await post(api, author.token, "the track exists from now on")
    statements = {}
    for size in (2, 8):
        async with AsyncExitStack() as stack:
            subscribers = [
                await stack.enter_async_context(Subscriber.open(url, query, token=fan.token))
                for fan in fans[:size]
            ]
            await until(lambda: app.state.hub.count("feed") == size)  # noqa: B023
            with count_sql() as sql:
                await post(api, author.token, f"to {size}")
                for subscriber in subscribers:
                    data = await subscriber.next()
                    assert data["friendMoments"]["postcard"]["caption"] == f"to {size}"
            statements[size] = len(sql.statements)
        await until(lambda: app.state.hub.count("feed") == 0)
    assert statements[2] == statements[8]
