"""Likes: idempotent, and exact counters under concurrency on both databases."""

from __future__ import annotations

import asyncio

from models import Like, Postcard
from tests.support.api import Api
from tests.support.documents import CREATE

LIKE = """
mutation ($input: PostcardIdInput!) {
  likePostcard(input: $input) {
    postcard { likeCount viewerHasLiked likedBy(first: 5) { edges { node { username } } } }
    errors { field message code }
  }
}
"""
UNLIKE = LIKE.replace("likePostcard", "unlikePostcard")


async def a_postcard(api: Api, token: str) -> str:
    payload = await api.mutate(
        "createPostcard", CREATE, {"track": {"title": "Song", "artist": "Band"}}, token
    )
    return payload["postcard"]["id"]


async def test_liking_twice_counts_once_and_unlike_restores(api: Api) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    card = await a_postcard(api, maya.token)
    for _ in range(2):
        payload = await api.mutate("likePostcard", LIKE, {"postcardId": card}, kofi.token)
        assert payload["postcard"] == {
            "likeCount": 1,
            "viewerHasLiked": True,
            "likedBy": {"edges": [{"node": {"username": "kofi"}}]},
        }
    for _ in range(2):
        payload = await api.mutate("unlikePostcard", UNLIKE, {"postcardId": card}, kofi.token)
        assert payload["postcard"] == {
            "likeCount": 0,
            "viewerHasLiked": False,
            "likedBy": {"edges": []},
        }
    assert await Like.all().count() == 0


async def test_like_unknown_postcard(api: Api) -> None:
    maya = await api.sign_up("maya")
    payload = (await api.ok(LIKE, {"input": {"postcardId": "UG9zdGNhcmQ6NDI"}}, maya.token))[
        "likePostcard"
    ]
    assert payload == {
        "postcard": None,
        "errors": [
            {"field": ["postcardId"], "message": "No postcard with this id.", "code": "NOT_FOUND"}
        ],
    }
    assert await Like.all().count() == 0


async def test_100_concurrent_likes_from_50_users_count_exactly(api: Api) -> None:
    # given
    author = await api.sign_up("author")
    card = await a_postcard(api, author.token)
    fans = [await api.sign_up(f"fan{n:02d}") for n in range(50)]

    # when: every fan likes twice, all at once
    async def like(token: str) -> dict:
        return await api.raw(LIKE, {"input": {"postcardId": card}}, token)

    results = await asyncio.gather(*(like(fan.token) for fan in fans for _ in range(2)))

    # then
    assert all("errors" not in r and r["data"]["likePostcard"]["errors"] == [] for r in results)
    assert await Like.all().count() == 50
    assert (await Postcard.get()).like_count == 50

    # and unliking concurrently brings it back exactly
    async def unlike(token: str) -> dict:
        return await api.raw(UNLIKE, {"input": {"postcardId": card}}, token)

    await asyncio.gather(*(unlike(fan.token) for fan in fans[:30] for _ in range(2)))
    assert await Like.all().count() == 20
    assert (await Postcard.get()).like_count == 20
