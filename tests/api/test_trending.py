"""Trending (README, "Trending"): the order the formula gives, who is left out, the cap per
author, cursors pinned to a snapshot, and a constant number of statements per page."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import models
from resolvers import tokens, trending
from resolvers.pagination import encode_cursor
from server.trending import recomputing
from tests.support.api import Api, User
from tests.support.documents import DELETE_POSTCARD, FOLLOW
from tests.support.ranking import comment, like, share, trending_score
from tests.support.sql import count_sql

TRENDING = """
query ($first: Int, $after: String) {
  trending(first: $first, after: $after) {
    edges { cursor node { caption author { username } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
# token -> viewer, and the page (authors, tracks and the viewer's likes joined)
TRENDING_STATEMENTS = 2
BLOCK = "mutation ($input: UserIdInput!) { block(input: $input) { errors { code } } }"
MUTE = "mutation ($input: MuteInput!) { mute(input: $input) { errors { code } } }"
PROFILE = (
    "mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { errors { code } } }"
)


def captions(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["caption"] for edge in data["trending"]["edges"]]


async def read(
    api: Api, token: str | None = None, first: int = 20, after: str | None = None
) -> Any:
    return (await api.ok(TRENDING, {"first": first, "after": after}, token))["trending"]


async def members(api: Api, prefix: str, n: int) -> list[User]:
    return [await api.sign_up(f"{prefix}{i}") for i in range(n)]


async def test_moments_rank_by_the_formula_and_need_two_members(api: Api) -> None:
    # given: four authors, six likers, moments of chosen ages and interactions
    authors = await members(api, "author", 6)
    fans = await members(api, "fan", 6)
    plan = {  # caption: (author, hours ago, likers, commenters)
        "popular": (0, 2.0, fans[:5], []),  # 5 / 4^1.8 = 0.41
        "newest": (1, 1.0, fans[:2], []),  # 2 / 3^1.8 = 0.28: newer, fewer likes, below
        "talked about": (2, 3.0, fans[:2], fans[2:4]),  # (2 + 2*2) / 5^1.8 = 0.33
        "old hit": (3, 6.0, fans, []),  # 6 / 8^1.8 = 0.14
    }
    for caption, (author, hours, likers, commenters) in plan.items():
        card = await share(api, authors[author], caption, hours)
        await like(api, card, *likers)
        await comment(api, card, *commenters)
    # left out: one member only (a like and a comment of the same fan), the author's own
    # like beside one fan's, and a moment older than 48 hours
    lonely = await share(api, authors[4], "one fan", 0.5)
    await like(api, lonely, fans[0])
    await comment(api, lonely, fans[0], fans[0])
    selfish = await share(api, authors[5], "self like", 0.5)
    await like(api, selfish, authors[5], fans[0])
    stale = await share(api, authors[4], "last week", 49)
    await like(api, stale, *fans)

    # when
    page = await read(api)

    # then: the order the formula gives (computed here from the same ages and counts)
    expected = sorted(
        plan,
        key=lambda c: -trending_score(len(plan[c][2]), len(plan[c][3]), plan[c][1]),
    )
    assert expected == ["popular", "talked about", "newest", "old hit"]
    assert [edge["node"]["caption"] for edge in page["edges"]] == expected
    assert page["pageInfo"]["hasNextPage"] is False


async def test_at_most_three_moments_of_one_author_on_every_page(api: Api) -> None:
    loud, quiet = await members(api, "loud", 1), await members(api, "quiet", 1)
    fans = await members(api, "fan", 3)
    # loud's five moments all outrank quiet's two: ages 1..5 hours, the same likes
    for n in range(5):
        await like(api, await share(api, loud[0], f"loud {n}", 1 + n), *fans)
    for n in range(2):
        await like(api, await share(api, quiet[0], f"quiet {n}", 10 + n), *fans)

    pages, after = [], None
    while True:
        page = await read(api, first=2, after=after)
        pages.append([edge["node"]["caption"] for edge in page["edges"]])
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break

    # the cap holds over the whole list (the snapshot's order), so on any page too
    assert pages == [["loud 0", "loud 1"], ["loud 2", "quiet 0"], ["quiet 1"]]


async def test_paging_while_likes_arrive_repeats_and_skips_nothing(api: Api) -> None:
    authors = await members(api, "author", 6)
    fans = await members(api, "fan", 8)
    cards = []
    for n, author in enumerate(authors):  # newer moments rank higher: the same 2 likes
        card = await share(api, author, f"m{n}", 1 + n)
        await like(api, card, *fans[:2])
        cards.append(card)
    first = await read(api, first=2)
    assert [edge["node"]["caption"] for edge in first["edges"]] == ["m0", "m1"]

    # likes arrive: the last moment would now be first, and a snapshot is recomputed
    await like(api, cards[5], *fans[2:])
    await comment(api, cards[5], *fans[2:])
    await trending.recompute()
    second = await read(api, first=2, after=first["pageInfo"]["endCursor"])
    third = await read(api, first=2, after=second["pageInfo"]["endCursor"])

    seen = [edge["node"]["caption"] for page in (first, second, third) for edge in page["edges"]]
    assert seen == ["m0", "m1", "m2", "m3", "m4", "m5"]
    assert third["pageInfo"]["hasNextPage"] is False
    # a new first page reads the new snapshot
    assert [e["node"]["caption"] for e in (await read(api, first=2))["edges"]] == ["m5", "m0"]


async def test_a_cursor_whose_snapshot_is_gone_asks_to_start_again(api: Api) -> None:
    authors, fans = await members(api, "author", 2), await members(api, "fan", 2)
    for n, author in enumerate(authors):
        await like(api, await share(api, author, f"m{n}", 1 + n), *fans)
    page = await read(api, first=1)
    cursor = page["pageInfo"]["endCursor"]

    # the snapshot grows older than 15 minutes, and the next recompute prunes it
    old = datetime.now(UTC) - timedelta(minutes=16)
    await models.RankingSnapshot.all().update(created_at=old)
    await trending.recompute()

    body = await api.raw(TRENDING, {"first": 1, "after": cursor})
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == (
        "This list's snapshot has expired: fetch its first page again, without `after`."
    )
    # not a cursor at all, one of another list, or out of the columns' range
    for bad in ("bm90IGEgY3Vyc29y", encode_cursor("x", 1), encode_cursor(1, 2**40)):
        body = await api.raw(TRENDING, {"first": 1, "after": bad})
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], bad
    # a fresh first page works
    assert [e["node"]["caption"] for e in (await read(api, first=1))["edges"]] == ["m0"]


async def test_hidden_authors_are_left_out_for_each_viewer(api: Api) -> None:
    # given: one trending moment per author, each author in another relation to vera
    vera = await api.sign_up("vera")
    names = ["pub", "blocked", "blocker", "muted", "private", "friend", "suspended", "gone"]
    people = {name: await api.sign_up(name) for name in names}
    fans = await members(api, "fan", 2)
    cards = {}
    for n, name in enumerate(names):
        cards[name] = await share(api, people[name], name, 1 + n)
        await like(api, cards[name], *fans)
    await api.mutate("block", BLOCK, {"userId": people["blocked"].id}, vera.token)
    await api.mutate("block", BLOCK, {"userId": vera.id}, people["blocker"].token)
    await api.mutate("mute", MUTE, {"userId": people["muted"].id}, vera.token)
    await api.mutate("follow", FOLLOW, {"userId": people["friend"].id}, vera.token)
    for name in ("private", "friend"):  # the friend's follow was approved before
        await api.mutate("updateProfile", PROFILE, {"isPrivate": True}, people[name].token)
    await models.User.filter(username="suspended").update(suspended_at=datetime.now(UTC))
    await trending.recompute()
    # removed after the snapshot was made
    await api.mutate(
        "deletePostcard", DELETE_POSTCARD, {"postcardId": cards["gone"]}, people["gone"].token
    )

    # then
    assert [e["node"]["caption"] for e in (await read(api, vera.token))["edges"]] == [
        "pub",
        "friend",
    ]
    assert [e["node"]["caption"] for e in (await read(api))["edges"]] == [
        "pub",
        "blocked",
        "blocker",
        "muted",
    ]
    # a private member sees her own
    mine = captions(await api.ok(TRENDING, {}, people["private"].token))
    assert mine == ["pub", "blocked", "blocker", "muted", "private"]


async def test_statements_per_page_do_not_grow_with_the_page(api: Api) -> None:
    authors, fans = await members(api, "author", 12), await members(api, "fan", 2)
    for n, author in enumerate(authors):
        await like(api, await share(api, author, f"m{n}", 1 + n), *fans)
    await trending.recompute()
    counts = {}
    for size in (2, 10):
        tokens.known_tokens.clear()
        with count_sql() as sql:
            page = await read(api, fans[0].token, first=size)
        tokens.known_tokens.clear()
        with count_sql() as later:
            after = await read(api, fans[0].token, first=size, after=page["edges"][0]["cursor"])
        assert len(page["edges"]) == len(after["edges"]) == size
        counts[size] = [len(sql.statements), len(later.statements)]
    assert counts == {2: [TRENDING_STATEMENTS] * 2, 10: [TRENDING_STATEMENTS] * 2}


async def test_a_first_page_with_no_snapshot_makes_one(api: Api) -> None:
    authors, fans = await members(api, "author", 1), await members(api, "fan", 2)
    await like(api, await share(api, authors[0], "m0", 1), *fans)
    assert await models.RankingSnapshot.all().count() == 0
    body = await api.raw(TRENDING, {"first": 101})  # bad input makes none
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert await models.RankingSnapshot.all().count() == 0
    assert [e["node"]["caption"] for e in (await read(api))["edges"]] == ["m0"]
    assert await models.RankingSnapshot.all().count() == 1
    # a recompute finding a fresh snapshot leaves it be
    assert await trending.recompute(fresh_for=timedelta(minutes=1)) is None
    assert await trending.recompute() is not None


async def test_one_process_at_a_time_computes_on_postgresql(
    api: Api, is_postgres: bool, database_url: str
) -> None:
    if not is_postgres:
        pytest.skip("SQLite is one process")
    import asyncpg

    # another process holds the lock: this one makes nothing, and says so
    other = await asyncpg.connect(database_url.split("?")[0])
    try:
        await other.execute("SELECT pg_advisory_lock($1)", trending.RECOMPUTE_KEY)
        assert await trending.recompute() is None
    finally:
        await other.close()
    assert await trending.recompute() is not None


async def test_each_process_recomputes_in_the_background(api: Api) -> None:
    async with recomputing(0.05):
        for _ in range(200):  # a safety net, not a timing: it runs at once
            if await models.RankingSnapshot.exists():
                break
            await asyncio.sleep(0.05)
    assert await models.RankingSnapshot.filter(viewer_id=None).exists()
