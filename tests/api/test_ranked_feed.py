"""The ranked feed (README, "Ranked feed"): score x affinity, no author three times in a row,
cursors pinned to the viewer's snapshot, and the chronological feed as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import models
from resolvers import ranked_feed, tokens
from tests.support.api import Api, User
from tests.support.documents import FOLLOW
from tests.support.ranking import affinity, comment, like, pk, share, trending_score
from tests.support.sql import count_sql

RANKED = """
query ($first: Int, $after: String) {
  feed(order: RANKED, first: $first, after: $after) {
    edges { cursor node { caption author { username } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
CHRONOLOGICAL = "{ feed(order: CHRONOLOGICAL) { edges { node { caption } } } }"
MUTE = "mutation ($input: MuteInput!) { mute(input: $input) { errors { code } } }"


async def read(api: Api, viewer: User, first: int = 20, after: str | None = None) -> Any:
    return (await api.ok(RANKED, {"first": first, "after": after}, viewer.token))["feed"]


def captions(page: Any) -> list[str]:
    return [edge["node"]["caption"] for edge in page["edges"]]


async def follow(api: Api, viewer: User, *people: User) -> None:
    for person in people:
        await api.mutate("follow", FOLLOW, {"userId": person.id}, viewer.token)


async def test_moments_rank_by_score_times_affinity(api: Api) -> None:
    # given: vera follows ann, bo and cy; two fans like things
    vera, ann, bo, cy, stranger = [
        await api.sign_up(n) for n in ("vera", "ann", "bob", "cyd", "stranger")
    ]
    fans = [await api.sign_up(f"fan{n}") for n in range(2)]
    await follow(api, vera, ann, bo, cy)
    # vera's history with bo: two likes and a comment in the last 30 days (on moments
    # older than the 72-hour window), and a like 40 days old that no longer counts
    old = [await share(api, bo, f"bo old {n}", 100 + n) for n in range(3)]
    await like(api, old[0], vera)
    await like(api, old[1], vera)
    await comment(api, old[0], vera)
    await like(api, old[2], vera)
    long_ago = datetime.now(UTC) - timedelta(days=40)
    await models.Like.filter(postcard_id=pk(old[2])).update(created_at=long_ago)
    plan = {  # caption: (author, hours ago, fans' likes, vera's likes and comments on the author)
        "ann's": (ann, 2.0, 2, 0),  # 2 / 4^1.8 = 0.165
        "bo's": (bo, 1.0, 1, 3),  # 1 / 3^1.8 * (1 + ln 4) = 0.330
        "cy's": (cy, 1.5, 0, 0),  # 0
        "vera's": (vera, 0.5, 0, 0),  # 0, newer
    }
    for caption, (author, hours, likes, _) in plan.items():
        await like(api, await share(api, author, caption, hours), *fans[:likes])
    await share(api, ann, "ann's last week", 80)  # outside the window
    await share(api, stranger, "not followed", 1)

    # when
    page = await read(api, vera)

    # then: the order computed here from the README's formula
    def weight(caption: str) -> tuple[float, float]:
        _, hours, likes, interactions = plan[caption]
        return (-trending_score(likes, 0, hours) * affinity(interactions), hours)

    expected = sorted(plan, key=weight)
    assert expected == ["bo's", "ann's", "vera's", "cy's"]
    assert captions(page) == expected
    # the chronological feed is as it was, the default
    data = await api.ok(CHRONOLOGICAL, token=vera.token)
    default = await api.ok("{ feed { edges { node { caption } } } }", token=vera.token)
    assert data == default
    assert [e["node"]["caption"] for e in data["feed"]["edges"]][:4] == [
        "vera's",
        "bo's",
        "cy's",
        "ann's",
    ]


async def test_no_author_three_times_in_a_row(api: Api) -> None:
    vera, ann, bo, cy = [await api.sign_up(n) for n in ("vera", "ann", "bob", "cyd")]
    fans = [await api.sign_up(f"fan{n}") for n in range(3)]
    await follow(api, vera, ann, bo, cy)
    for n in range(4):  # ann's four outrank everything else
        await like(api, await share(api, ann, f"ann {n}", 1 + n), *fans)
    await like(api, await share(api, bo, "bo", 10), fans[0])
    await share(api, cy, "cy", 11)
    assert captions(await read(api, vera)) == ["ann 0", "ann 1", "bo", "ann 2", "ann 3", "cy"]


async def test_the_spacing_is_made_over_what_the_viewer_is_shown(api: Api) -> None:
    vera, ann, bob, cyd = [await api.sign_up(n) for n in ("vera", "ann", "bob", "cyd")]
    fans = [await api.sign_up(f"fan{n}") for n in range(3)]
    await follow(api, vera, ann, bob, cyd)
    for n in range(3):
        await like(api, await share(api, ann, f"ann {n}", 1 + n), *fans)
    await like(api, await share(api, bob, "bob", 10), fans[0])  # would part ann's, but muted
    await share(api, cyd, "cyd", 11)
    await api.mutate("mute", MUTE, {"userId": bob.id}, vera.token)
    assert captions(await read(api, vera)) == ["ann 0", "ann 1", "cyd", "ann 2"]


def test_spacing_keeps_the_order_where_it_can() -> None:
    rows = [(1, 7, 5.0), (2, 7, 4.0), (3, 7, 3.0), (4, 8, 2.0), (5, 7, 1.0), (6, 7, 0.5)]
    assert [r[0] for r in ranked_feed.spaced(rows)] == [1, 2, 4, 3, 5, 6]  # nothing else left
    assert ranked_feed.spaced([]) == []


async def test_paging_while_likes_arrive_repeats_and_skips_nothing(api: Api) -> None:
    vera = await api.sign_up("vera")
    authors = [await api.sign_up(f"author{n}") for n in range(6)]
    fans = [await api.sign_up(f"fan{n}") for n in range(4)]
    await follow(api, vera, *authors)
    cards = [await share(api, a, f"m{n}", 1 + n) for n, a in enumerate(authors)]
    for card in cards:
        await like(api, card, fans[0])
    first = await read(api, vera, first=2)
    assert captions(first) == ["m0", "m1"]

    # likes arrive, and vera likes m5's author: m5 would now come first
    await like(api, cards[5], *fans[1:], vera)
    await comment(api, cards[5], *fans)
    second = await read(api, vera, first=2, after=first["pageInfo"]["endCursor"])
    third = await read(api, vera, first=2, after=second["pageInfo"]["endCursor"])
    assert captions(first) + captions(second) + captions(third) == [f"m{n}" for n in range(6)]
    assert third["pageInfo"]["hasNextPage"] is False
    # a first page within the minute reads the same snapshot; a later one a new order
    assert captions(await read(api, vera, first=2)) == ["m0", "m1"]
    a_while_ago = datetime.now(UTC) - timedelta(minutes=2)
    await models.RankingSnapshot.filter(viewer_id=pk(vera.id)).update(created_at=a_while_ago)
    assert captions(await read(api, vera, first=2)) == ["m5", "m0"]


async def test_a_cursor_of_a_gone_or_foreign_snapshot_asks_to_start_again(api: Api) -> None:
    vera, ann, sam = [await api.sign_up(n) for n in ("vera", "ann", "sam")]
    await follow(api, vera, ann)
    await follow(api, sam, ann)
    for n in range(2):
        await share(api, ann, f"m{n}", 1 + n)
    cursor = (await read(api, vera, first=1))["pageInfo"]["endCursor"]
    message = "This list's snapshot has expired: fetch its first page again, without `after`."

    # someone else's cursor names a snapshot that is not theirs
    body = await api.raw(RANKED, {"first": 1, "after": cursor}, sam.token)
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (message, "BAD_USER_INPUT")
    ]
    # older than 15 minutes, pruned by the next snapshot made
    old = datetime.now(UTC) - timedelta(minutes=16)
    await models.RankingSnapshot.all().update(created_at=old)
    await read(api, sam, first=1)
    body = await api.raw(RANKED, {"first": 1, "after": cursor}, vera.token)
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (message, "BAD_USER_INPUT")
    ]
    assert captions(await read(api, vera, first=1)) == ["m0"]


async def test_muted_and_suspended_followees_are_left_out(api: Api) -> None:
    vera, ann, bo, cy = [await api.sign_up(n) for n in ("vera", "ann", "bob", "cyd")]
    await follow(api, vera, ann, bo, cy)
    for n, author in enumerate((ann, bo, cy)):
        await share(api, author, author.username, 1 + n)
    await api.mutate("mute", MUTE, {"userId": bo.id}, vera.token)
    await models.User.filter(username="cyd").update(suspended_at=datetime.now(UTC))
    assert captions(await read(api, vera)) == ["ann"]
    body = await api.raw(RANKED, {})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_bad_input_is_refused_and_writes_no_snapshot(api: Api) -> None:
    vera = await api.sign_up("vera")
    for variables in ({"first": 101}, {"first": -1}, {"after": "bm9wZQ"}):
        body = await api.raw(RANKED, variables, vera.token)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert await models.RankingSnapshot.all().count() == 0


async def test_statements_per_page_do_not_grow_with_the_page(api: Api) -> None:
    viewers = [await api.sign_up(f"viewer{n}") for n in range(2)]
    authors = [await api.sign_up(f"author{n}") for n in range(12)]
    for viewer in viewers:
        await follow(api, viewer, *authors)
    for n, author in enumerate(authors):
        await like(api, await share(api, author, f"m{n}", 1 + n), viewers[0])
    counts = {}
    for size, viewer in ((2, viewers[0]), (10, viewers[1])):
        tokens.known_tokens.clear()
        with count_sql() as made:  # the first page makes the snapshot
            page = await read(api, viewer, first=size)
        tokens.known_tokens.clear()
        with count_sql() as later:
            after = await read(api, viewer, first=size, after=page["edges"][0]["cursor"])
        assert len(page["edges"]) == len(after["edges"]) == size
        counts[size] = (len(made.statements), len(later.statements))
    assert counts[2] == counts[10]
    assert counts[2][1] == 2  # the token, the page
