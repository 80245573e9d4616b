"""Moments shared at times a test chooses, and the scores the README's formulas give them
(trending, the ranked feed), for tests to compute the exact order they expect."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import models
from graph.relay import from_global_id
from tests.support.api import Api, User
from tests.support.documents import COMMENT, CREATE, LIKE


def pk(global_id: str) -> int:
    parsed = from_global_id(global_id)
    assert parsed is not None
    return parsed[1]


async def share(
    api: Api, author: User, caption: str, hours_ago: float, title: str | None = None
) -> str:
    """A moment of `author` made `hours_ago` hours ago (its id)."""
    track = {"title": title or f"Song {caption}", "artist": "Band"}
    payload = await api.mutate(
        "createPostcard", CREATE, {"track": track, "caption": caption}, author.token
    )
    card = payload["postcard"]["id"]
    at = datetime.now(UTC) - timedelta(hours=hours_ago)
    await models.Postcard.filter(id=pk(card)).update(created_at=at)
    return str(card)


async def like(api: Api, card: str, *members: User) -> None:
    for member in members:
        await api.mutate("likePostcard", LIKE, {"postcardId": card}, member.token)


async def comment(api: Api, card: str, *members: User) -> None:
    for member in members:
        await api.mutate("addComment", COMMENT, {"postcardId": card, "body": "nice"}, member.token)


def trending_score(likes: int, comments: int, hours_ago: float) -> float:
    """README, "Trending": (likes + 2 · comments) / (age_h + 2) ^ 1.8."""
    return (likes + 2 * comments) / (hours_ago + 2) ** 1.8


def affinity(interactions: int) -> float:
    """README, "Ranked feed": 1 + ln(1 + the viewer's likes and comments on the author's
    moments in the last 30 days)."""
    return 1 + math.log(1 + interactions)
