"""Stored notifications: who gets one and when, dedupe of bursts, unread counts and
markNotificationsRead, privacy, pagination and a constant SQL cost, on both databases."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError

from models import Notification, NotificationKind, User
from tests.support.api import Api
from tests.support.documents import DELETE_POSTCARD
from tests.support.sql import count_sql

CREATE = """
mutation ($input: CreatePostcardInput!) {
  createPostcard(input: $input) { postcard { id } errors { field message code } }
}
"""
LIKE = """
mutation ($input: PostcardIdInput!) {
  likePostcard(input: $input) { postcard { likeCount } errors { field message code } }
}
"""
UNLIKE = LIKE.replace("likePostcard", "unlikePostcard")
COMMENT = """
mutation ($input: AddCommentInput!) {
  addComment(input: $input) { comment { id } errors { field message code } }
}
"""
DELETE_COMMENT = """
mutation ($input: DeleteCommentInput!) {
  deleteComment(input: $input) { deletedCommentId errors { field message code } }
}
"""
FOLLOW = """
mutation ($input: FollowInput!) {
  follow(input: $input) { user { followerCount } errors { field message code } }
}
"""
UNFOLLOW = FOLLOW.replace("follow(", "unfollow(")
INBOX = """
query ($first: Int, $after: String) {
  viewer {
    unreadNotificationCount
    notifications(first: $first, after: $after) {
      edges {
        node {
          id kind readAt
          actor { username }
          postcard { caption }
          comment { body }
        }
      }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}
"""
INBOX_PAGE = """
query ($first: Int!) {
  viewer {
    notifications(first: $first) {
      edges { node { kind actor { username } postcard { caption } comment { body } } }
    }
  }
}
"""
MARK_READ = """
mutation ($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) {
    unreadNotificationCount
    viewer { username }
    errors { field message code }
  }
}
"""
SOMEONE_ELSES_NOTIFICATIONS = """
query ($name: String!) {
  user(username: $name) { username notifications(first: 5) { edges { node { id } } } }
}
"""
SOMEONE_ELSES_UNREAD_COUNT = """
query ($name: String!) { user(username: $name) { username unreadNotificationCount } }
"""
NODE = """
query ($id: ID!) { node(id: $id) { id ... on Notification { kind actor { username } } } }
"""
# token → viewer, the notifications page, then one batch each for actors, postcards, comments
INBOX_STATEMENTS = 5


async def a_postcard(api: Api, token: str, caption: str = "Sunset") -> str:
    input = {"track": {"title": "Song", "artist": "Band"}, "caption": caption}
    payload = await api.mutate("createPostcard", CREATE, input, token)
    return payload["postcard"]["id"]


async def inbox(api: Api, token: str, first: int = 20) -> dict[str, Any]:
    data = await api.ok(INBOX, {"first": first}, token)
    return data["viewer"]


async def nodes_of(api: Api, token: str) -> list[dict[str, Any]]:
    return [edge["node"] for edge in (await inbox(api, token))["notifications"]["edges"]]


def without_ids(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in node.items() if k not in {"id", "readAt"}} for node in nodes]


async def test_a_like_notifies_the_postcards_author(api: Api) -> None:
    # given
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    card = await a_postcard(api, maya.token)

    # when
    await api.mutate("likePostcard", LIKE, {"postcardId": card}, kofi.token)

    # then
    viewer = await inbox(api, maya.token)
    assert viewer["unreadNotificationCount"] == 1
    assert without_ids([e["node"] for e in viewer["notifications"]["edges"]]) == [
        {
            "kind": "LIKED",
            "actor": {"username": "kofi"},
            "postcard": {"caption": "Sunset"},
            "comment": None,
        }
    ]
    assert viewer["notifications"]["edges"][0]["node"]["readAt"] is None
    assert await nodes_of(api, kofi.token) == []


async def test_liking_or_commenting_on_your_own_postcard_notifies_nobody(api: Api) -> None:
    # given
    maya = await api.sign_up("maya")
    card = await a_postcard(api, maya.token)

    # when
    await api.mutate("likePostcard", LIKE, {"postcardId": card}, maya.token)
    await api.mutate("addComment", COMMENT, {"postcardId": card, "body": "mine"}, maya.token)

    # then
    assert await nodes_of(api, maya.token) == []
    assert await Notification.all().count() == 0


async def test_like_unlike_like_notifies_exactly_once(api: Api) -> None:
    # given
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    card = await a_postcard(api, maya.token)

    # when
    await api.mutate("likePostcard", LIKE, {"postcardId": card}, kofi.token)
    await api.mutate("unlikePostcard", UNLIKE, {"postcardId": card}, kofi.token)
    payload = await api.mutate("likePostcard", LIKE, {"postcardId": card}, kofi.token)

    # then: the second like is stored (the absorbed duplicate did not abort its transaction)
    assert payload["postcard"] == {"likeCount": 1}
    assert [n["kind"] for n in await nodes_of(api, maya.token)] == ["LIKED"]
    assert await Notification.all().count() == 1


async def test_a_concurrent_like_unlike_burst_notifies_at_most_once(api: Api) -> None:
    # given
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    card = await a_postcard(api, maya.token)

    # when
    async def send(query: str) -> dict[str, Any]:
        return await api.raw(query, {"input": {"postcardId": card}}, kofi.token)

    results = await asyncio.gather(*(send(q) for _ in range(10) for q in (LIKE, UNLIKE)))

    # then
    assert all("errors" not in result for result in results)
    assert await Notification.filter(kind=NotificationKind.LIKED).count() == 1


async def test_each_comment_notifies_the_postcards_author(api: Api) -> None:
    # given
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    card = await a_postcard(api, maya.token)

    # when
    for body in ("Great tune!", "Again!"):
        await api.mutate("addComment", COMMENT, {"postcardId": card, "body": body}, kofi.token)

    # then
    assert without_ids(await nodes_of(api, maya.token)) == [
        {
            "kind": "COMMENTED",
            "actor": {"username": "kofi"},
            "postcard": {"caption": "Sunset"},
            "comment": {"body": body},
        }
        for body in ("Again!", "Great tune!")
    ]
    assert await nodes_of(api, kofi.token) == []


async def test_follow_unfollow_follow_notifies_exactly_once(api: Api) -> None:
    # given
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")

    # when
    await api.mutate("follow", FOLLOW, {"userId": maya.id}, kofi.token)
    await api.mutate("unfollow", UNFOLLOW, {"userId": maya.id}, kofi.token)
    payload = await api.mutate("follow", FOLLOW, {"userId": maya.id}, kofi.token)

    # then
    assert payload["user"] == {"followerCount": 1}
    assert without_ids(await nodes_of(api, maya.token)) == [
        {"kind": "FOLLOWED", "actor": {"username": "kofi"}, "postcard": None, "comment": None}
    ]
    assert await Notification.all().count() == 1


async def test_a_failed_like_writes_no_notification(api: Api) -> None:
    # given
    kofi = await api.sign_up("kofi")

    # when
    data = await api.ok(LIKE, {"input": {"postcardId": "UG9zdGNhcmQ6NDI"}}, kofi.token)

    # then
    assert data["likePostcard"]["errors"] == [
        {"field": ["postcardId"], "message": "No postcard with this id.", "code": "NOT_FOUND"}
    ]
    assert await Notification.all().count() == 0


async def test_mark_read_up_to_one_notification(api: Api) -> None:
    # given: maya has three notifications, oldest first: a follow, a like, a comment
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    card = await a_postcard(api, maya.token)
    await api.mutate("follow", FOLLOW, {"userId": maya.id}, kofi.token)
    await api.mutate("likePostcard", LIKE, {"postcardId": card}, kofi.token)
    await api.mutate("addComment", COMMENT, {"postcardId": card, "body": "hi"}, kofi.token)
    newest, middle, oldest = await nodes_of(api, maya.token)
    assert (await inbox(api, maya.token))["unreadNotificationCount"] == 3

    # when
    payload = await api.mutate(
        "markNotificationsRead", MARK_READ, {"upTo": middle["id"]}, maya.token
    )

    # then
    assert payload == {
        "unreadNotificationCount": 1,
        "viewer": {"username": "maya"},
        "errors": [],
    }
    after = await nodes_of(api, maya.token)
    assert [n["id"] for n in after] == [newest["id"], middle["id"], oldest["id"]]
    assert after[0]["readAt"] is None
    assert after[1]["readAt"] is not None and after[2]["readAt"] is not None
    assert (await inbox(api, maya.token))["unreadNotificationCount"] == 1

    # and again: idempotent, the read times do not move
    again = await api.mutate("markNotificationsRead", MARK_READ, {"upTo": middle["id"]}, maya.token)
    assert again["unreadNotificationCount"] == 1
    assert await nodes_of(api, maya.token) == after

    # and up to the newest: all read
    last = await api.mutate("markNotificationsRead", MARK_READ, {"upTo": newest["id"]}, maya.token)
    assert last["unreadNotificationCount"] == 0
    assert [n["readAt"] for n in await nodes_of(api, maya.token)][1:] == [
        after[1]["readAt"],
        after[2]["readAt"],
    ]


async def test_mark_read_refuses_a_notification_that_is_not_yours(api: Api) -> None:
    # given: both have one unread notification
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    await api.mutate("follow", FOLLOW, {"userId": maya.id}, kofi.token)
    await api.mutate("follow", FOLLOW, {"userId": kofi.id}, maya.token)
    (kofis,) = await nodes_of(api, kofi.token)

    for up_to in (kofis["id"], "Tm90aWZpY2F0aW9uOjk5OTk", "UG9zdGNhcmQ6MQ", "garbage"):
        # when: maya passes kofi's, an unknown, a Postcard's and a malformed id
        data = await api.ok(MARK_READ, {"input": {"upTo": up_to}}, maya.token)

        # then
        assert data["markNotificationsRead"] == {
            "unreadNotificationCount": None,
            "viewer": None,
            "errors": [
                {"field": ["upTo"], "message": "No notification with this id.", "code": "NOT_FOUND"}
            ],
        }
    assert await Notification.filter(read_at__isnull=False).count() == 0
    assert (await inbox(api, maya.token))["unreadNotificationCount"] == 1
    assert (await inbox(api, kofi.token))["unreadNotificationCount"] == 1


async def test_mark_read_needs_a_token(api: Api) -> None:
    body = await api.raw(MARK_READ, {"input": {"upTo": "Tm90aWZpY2F0aW9uOjE"}})
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_nobody_else_can_read_your_notifications(api: Api) -> None:
    # given
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    await api.mutate("follow", FOLLOW, {"userId": maya.id}, kofi.token)

    for query, field in (
        (SOMEONE_ELSES_NOTIFICATIONS, "notifications"),
        (SOMEONE_ELSES_UNREAD_COUNT, "unreadNotificationCount"),
    ):
        # when: kofi asks for maya's, and then anyone does
        for token in (kofi.token, None):
            body = await api.raw(query, {"name": "maya"}, token)

            # then: a viewer-only field is null for anyone else, never an error
            assert body == {"data": {"user": {"username": "maya", field: None}}}


async def test_a_list_of_members_survives_their_viewer_only_fields(api: Api) -> None:
    # found by fuzzing a signed-in session: one member's private field took down the page
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    await api.mutate("follow", FOLLOW, {"userId": maya.id}, kofi.token)
    query = """{ searchUsers(query: "") { edges { node { username unreadNotificationCount
      notifications(first: 1) { edges { node { id } } } } } } }"""
    body = await api.raw(query, token=kofi.token)
    assert "errors" not in body
    assert [edge["node"] for edge in body["data"]["searchUsers"]["edges"]] == [
        {"username": "kofi", "unreadNotificationCount": 0, "notifications": {"edges": []}},
        {"username": "maya", "unreadNotificationCount": None, "notifications": None},
    ]

    # and on herself through user(username:), it is hers to read
    data = await api.ok(SOMEONE_ELSES_UNREAD_COUNT, {"name": "maya"}, maya.token)
    assert data == {"user": {"username": "maya", "unreadNotificationCount": 1}}


async def test_node_refetches_a_notification_for_its_recipient_only(api: Api) -> None:
    # given
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    await api.mutate("follow", FOLLOW, {"userId": maya.id}, kofi.token)
    (mine,) = await nodes_of(api, maya.token)

    # when
    as_recipient = await api.ok(NODE, {"id": mine["id"]}, maya.token)
    as_actor = await api.ok(NODE, {"id": mine["id"]}, kofi.token)
    as_anonymous = await api.ok(NODE, {"id": mine["id"]})

    # then
    assert as_recipient == {
        "node": {"id": mine["id"], "kind": "FOLLOWED", "actor": {"username": "kofi"}}
    }
    assert as_actor == {"node": None}
    assert as_anonymous == {"node": None}


async def test_notifications_page_newest_first(api: Api) -> None:
    # given: kofi likes maya's five moments, oldest first
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    for n in range(5):
        card = await a_postcard(api, maya.token, caption=f"moment {n}")
        await api.mutate("likePostcard", LIKE, {"postcardId": card}, kofi.token)

    # when
    pages, after = [], None
    for _ in range(3):
        data = await api.ok(INBOX, {"first": 2, "after": after}, maya.token)
        connection = data["viewer"]["notifications"]
        pages.append(
            (
                [edge["node"]["postcard"]["caption"] for edge in connection["edges"]],
                connection["pageInfo"]["hasNextPage"],
                connection["pageInfo"]["hasPreviousPage"],
            )
        )
        after = connection["pageInfo"]["endCursor"]

    # then
    assert pages == [
        (["moment 4", "moment 3"], True, False),
        (["moment 2", "moment 1"], True, True),
        (["moment 0"], False, True),
    ]


async def test_deleting_the_postcard_keeps_its_notifications_with_postcard_null(
    api: Api,
) -> None:
    # given
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    card = await a_postcard(api, maya.token)
    await api.mutate("likePostcard", LIKE, {"postcardId": card}, kofi.token)
    await api.mutate("addComment", COMMENT, {"postcardId": card, "body": "hi"}, kofi.token)

    # when
    await api.mutate("deletePostcard", DELETE_POSTCARD, {"postcardId": card}, maya.token)

    # then
    assert without_ids(await nodes_of(api, maya.token)) == [
        {"kind": "COMMENTED", "actor": {"username": "kofi"}, "postcard": None, "comment": None},
        {"kind": "LIKED", "actor": {"username": "kofi"}, "postcard": None, "comment": None},
    ]
    assert (await inbox(api, maya.token))["unreadNotificationCount"] == 2


async def test_deleting_the_comment_keeps_its_notification_with_comment_null(api: Api) -> None:
    # given
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    card = await a_postcard(api, maya.token)
    payload = await api.mutate(
        "addComment", COMMENT, {"postcardId": card, "body": "oops"}, kofi.token
    )

    # when
    await api.mutate(
        "deleteComment", DELETE_COMMENT, {"commentId": payload["comment"]["id"]}, kofi.token
    )

    # then
    assert without_ids(await nodes_of(api, maya.token)) == [
        {
            "kind": "COMMENTED",
            "actor": {"username": "kofi"},
            "postcard": {"caption": "Sunset"},
            "comment": None,
        }
    ]


async def test_inbox_sql_statements_do_not_grow_with_page_size(api: Api) -> None:
    # given: eight fans each follow maya, like one of her moments and comment on it
    maya = await api.sign_up("maya")
    for n in range(8):
        fan = await api.sign_up(f"fan{n}")
        card = await a_postcard(api, maya.token, caption=f"moment {n}")
        await api.mutate("follow", FOLLOW, {"userId": maya.id}, fan.token)
        await api.mutate("likePostcard", LIKE, {"postcardId": card}, fan.token)
        await api.mutate("addComment", COMMENT, {"postcardId": card, "body": f"c{n}"}, fan.token)

    # when
    counts, pages = {}, {}
    for size in (5, 20):
        with count_sql() as sql:
            data = await api.ok(INBOX_PAGE, {"first": size}, maya.token)
        counts[size] = len(sql.statements)
        pages[size] = [e["node"] for e in data["viewer"]["notifications"]["edges"]]

    # then
    assert counts == {5: INBOX_STATEMENTS, 20: INBOX_STATEMENTS}
    assert [len(pages[5]), len(pages[20])] == [5, 20]
    assert pages[5] == pages[20][:5]
    assert pages[5][:3] == [
        {
            "kind": "COMMENTED",
            "actor": {"username": "fan7"},
            "postcard": {"caption": "moment 7"},
            "comment": {"body": "c7"},
        },
        {
            "kind": "LIKED",
            "actor": {"username": "fan7"},
            "postcard": {"caption": "moment 7"},
            "comment": None,
        },
        {"kind": "FOLLOWED", "actor": {"username": "fan7"}, "postcard": None, "comment": None},
    ]


async def test_the_database_refuses_a_duplicate_dedupe_key(app: object) -> None:
    # given
    maya = await User.create(username="maya", password_hash="x")
    kofi = await User.create(username="kofi", password_hash="x")
    key = f"FOLLOWED:{kofi.id}:{maya.id}"
    await Notification.create(
        recipient=maya, actor=kofi, kind=NotificationKind.FOLLOWED, dedupe_key=key
    )

    # when / then: a second one with the key is refused, while comments (null key) never clash
    with pytest.raises(IntegrityError):
        await Notification.create(
            recipient=maya, actor=kofi, kind=NotificationKind.FOLLOWED, dedupe_key=key
        )
    for _ in range(2):
        await Notification.create(recipient=maya, actor=kofi, kind=NotificationKind.COMMENTED)
    assert await Notification.all().count() == 3
