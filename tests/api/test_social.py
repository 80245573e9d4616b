"""Following: idempotent, exact counters, and the follower lists."""

from __future__ import annotations

from models import Follow, User
from tests.support.api import Api

FOLLOW = """
mutation ($input: FollowInput!) {
  follow(input: $input) {
    user { username followerCount viewerIsFollowing } errors { field message code }
  }
}
"""
UNFOLLOW = FOLLOW.replace("follow(", "unfollow(").replace("FollowInput!", "FollowInput!")
PROFILE = """
query ($name: String!) {
  user(username: $name) {
    followerCount followingCount
    followers(first: 10) { edges { node { username } } pageInfo { hasNextPage } }
    following(first: 10) { edges { node { username } } }
  }
}
"""
SEARCH = """
query ($q: String!, $after: String) {
  searchUsers(query: $q, first: 2, after: $after) {
    edges { node { username } } pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_follow_is_idempotent_and_counts_exactly(api: Api) -> None:
    # given
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    # when: following twice
    for _ in range(2):
        payload = await api.mutate("follow", FOLLOW, {"userId": kofi.id}, maya.token)
        assert payload["user"] == {
            "username": "kofi",
            "followerCount": 1,
            "viewerIsFollowing": True,
        }
    # then
    assert await Follow.all().count() == 1
    data = await api.ok(PROFILE, {"name": "maya"})
    assert data["user"]["followingCount"] == 1
    assert data["user"]["following"]["edges"] == [{"node": {"username": "kofi"}}]
    data = await api.ok(PROFILE, {"name": "kofi"})
    assert data["user"]["followers"] == {
        "edges": [{"node": {"username": "maya"}}],
        "pageInfo": {"hasNextPage": False},
    }


async def test_unfollow_is_idempotent(api: Api) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    await api.mutate("follow", FOLLOW, {"userId": kofi.id}, maya.token)
    for _ in range(2):
        payload = await api.mutate("unfollow", UNFOLLOW, {"userId": kofi.id}, maya.token)
        assert payload["user"] == {
            "username": "kofi",
            "followerCount": 0,
            "viewerIsFollowing": False,
        }
    assert await Follow.all().count() == 0
    counts = await User.filter(username="maya").values_list("following_count", flat=True)
    assert counts == [0]


async def test_follow_refuses_self_and_unknown_users(api: Api) -> None:
    maya = await api.sign_up("maya")
    cases = [
        (maya.id, "INVALID", "You cannot follow yourself."),
        ("VXNlcjo5OTk5", "NOT_FOUND", "No user with this id."),  # User:9999
        ("garbage", "NOT_FOUND", "No user with this id."),
        ("UG9zdGNhcmQ6MQ", "NOT_FOUND", "No user with this id."),  # a Postcard id
    ]
    for user_id, code, message in cases:
        payload = (await api.ok(FOLLOW, {"input": {"userId": user_id}}, maya.token))["follow"]
        assert payload == {
            "user": None,
            "errors": [{"field": ["userId"], "message": message, "code": code}],
        }
    assert await Follow.all().count() == 0
    assert (await User.get(username="maya")).following_count == 0


async def test_follow_needs_a_token(api: Api) -> None:
    kofi = await api.sign_up("kofi")
    body = await api.raw(FOLLOW, {"input": {"userId": kofi.id}})
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert await Follow.all().count() == 0


async def test_search_users_pages_by_relevance(api: Api) -> None:
    # ranked (resolvers/search.py): all three begin with "dj", so the newest first
    for name in ("dj_bea", "dj_ana", "maya", "dj_cam"):
        await api.sign_up(name)
    first = (await api.ok(SEARCH, {"q": "DJ"}))["searchUsers"]
    assert [e["node"]["username"] for e in first["edges"]] == ["dj_cam", "dj_ana"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (await api.ok(SEARCH, {"q": "dj", "after": first["pageInfo"]["endCursor"]}))[
        "searchUsers"
    ]
    assert [e["node"]["username"] for e in rest["edges"]] == ["dj_bea"]
    assert rest["pageInfo"]["hasNextPage"] is False
