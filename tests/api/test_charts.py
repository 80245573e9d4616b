"""Charts of songs (README, "Charts"): windows, scopes, exact ranks, what counts for whom,
the sample sharers, Track.shareCount, and a constant number of statements per page."""

from __future__ import annotations

from typing import Any

from resolvers import tokens
from tests.support.api import Api, User
from tests.support.documents import FOLLOW
from tests.support.ranking import share
from tests.support.sql import count_sql

CHART = """
query ($window: ChartWindow, $scope: ChartScope, $first: Int, $after: String) {
  topTracks(window: $window, scope: $scope, first: $first, after: $after) {
    edges { cursor rank sharers node { title shareCount } sampleSharers { username } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
BLOCK = "mutation ($input: UserIdInput!) { block(input: $input) { errors { code } } }"
PROFILE = (
    "mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { errors { code } } }"
)
# the token, the chart, the sample sharers of its songs, their share counts
CHART_STATEMENTS = 4


async def chart(api: Api, token: str | None = None, **variables: Any) -> Any:
    return (await api.ok(CHART, variables, token))["topTracks"]


def ranks(page: Any) -> list[tuple[int, str, int]]:
    return [(e["rank"], e["node"]["title"], e["sharers"]) for e in page["edges"]]


async def people(api: Api, prefix: str, n: int) -> list[User]:
    return [await api.sign_up(f"{prefix}{i}") for i in range(n)]


async def shared(api: Api, title: str, hours_ago: float, *members: User) -> None:
    for member in members:
        await share(api, member, f"{member.username} plays {title}", hours_ago, title)


async def test_windows_rank_songs_by_distinct_sharers(api: Api) -> None:
    m = await people(api, "mem", 6)
    await shared(api, "Today", 2, *m[:3])
    await shared(api, "Today", 3, m[0])  # twice by the same member: counted once
    await shared(api, "Also today", 5, *m[3:6])
    await shared(api, "This week", 72, *m[:4])
    await shared(api, "This month", 24 * 20, *m[:5])
    await shared(api, "Long ago", 24 * 40, *m)

    assert ranks(await chart(api, window="DAY")) == [(1, "Today", 3), (1, "Also today", 3)]
    assert ranks(await chart(api, window="WEEK")) == [
        (1, "This week", 4),
        (2, "Today", 3),
        (2, "Also today", 3),
    ]
    month = await chart(api, window="MONTH")
    assert ranks(month) == [
        (1, "This month", 5),
        (2, "This week", 4),
        (3, "Today", 3),
        (3, "Also today", 3),
    ]
    # shareCount counts every moment there is, whenever; the sample is the latest sharers
    assert [e["node"]["shareCount"] for e in month["edges"]] == [5, 4, 3, 3]
    assert [u["username"] for u in month["edges"][2]["sampleSharers"]] == ["mem2", "mem1", "mem0"]
    # the default window is the week
    assert await chart(api) == await chart(api, window="WEEK")


async def test_paging_keeps_ranks_and_repeats_nothing(api: Api) -> None:
    m = await people(api, "mem", 4)
    for n, title in enumerate(("four", "three", "two", "one")):
        await shared(api, title, 1, *m[: 4 - n])
    first = await chart(api, first=2)
    second = await chart(api, first=2, after=first["pageInfo"]["endCursor"])
    assert ranks(first) + ranks(second) == [
        (1, "four", 4),
        (2, "three", 3),
        (3, "two", 2),
        (4, "one", 1),
    ]
    assert (first["pageInfo"]["hasNextPage"], second["pageInfo"]["hasNextPage"]) == (True, False)
    body = await api.raw(CHART, {"after": "bm9wZQ"})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


async def test_friends_are_the_people_you_follow(api: Api) -> None:
    vera = await api.sign_up("vera")
    friends, others = await people(api, "friend", 2), await people(api, "other", 3)
    for friend in friends:
        await api.mutate("follow", FOLLOW, {"userId": friend.id}, vera.token)
    await shared(api, "Ours", 1, *friends, vera)  # vera's own share is not a friend's
    await shared(api, "Theirs", 1, *others)

    page = await chart(api, vera.token, scope="FRIENDS")
    assert ranks(page) == [(1, "Ours", 2)]
    assert [u["username"] for u in page["edges"][0]["sampleSharers"]] == ["friend1", "friend0"]
    assert ranks(await chart(api, vera.token)) == [(1, "Ours", 3), (1, "Theirs", 3)]
    body = await api.raw(CHART, {"scope": "FRIENDS"})
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_moments_you_may_not_see_do_not_count_for_you(api: Api) -> None:
    # given: four sharers of one song: public, private (vera follows her), private (not
    # followed), and one who blocked vera
    vera = await api.sign_up("vera")
    pub, followed, hidden, blocker = await people(api, "sharer", 4)
    await api.mutate("follow", FOLLOW, {"userId": followed.id}, vera.token)
    for member in (followed, hidden):
        await api.mutate("updateProfile", PROFILE, {"isPrivate": True}, member.token)
    await api.mutate("block", BLOCK, {"userId": vera.id}, blocker.token)
    await shared(api, "Song", 1, pub, followed, hidden, blocker)

    # then
    mine = await chart(api, vera.token)
    assert ranks(mine) == [(1, "Song", 2)]
    assert [u["username"] for u in mine["edges"][0]["sampleSharers"]] == ["sharer1", "sharer0"]
    assert ranks(await chart(api)) == [(1, "Song", 2)]  # anonymous: the two public ones
    anonymous = (await chart(api))["edges"][0]["sampleSharers"]
    assert [u["username"] for u in anonymous] == ["sharer3", "sharer0"]
    assert ranks(await chart(api, hidden.token)) == [(1, "Song", 3)]  # her own counts
    assert mine["edges"][0]["node"]["shareCount"] == 4


async def test_statements_per_page_do_not_grow_with_the_page(api: Api) -> None:
    m = await people(api, "mem", 3)
    for n in range(12):
        await shared(api, f"song {n}", 1, *m[: 1 + n % 3])
    counts = {}
    for size in (2, 10):
        tokens.known_tokens.clear()
        with count_sql() as sql:
            page = await chart(api, m[0].token, first=size)
        assert len(page["edges"]) == size
        counts[size] = len(sql.statements)
    assert counts == {2: CHART_STATEMENTS, 10: CHART_STATEMENTS}


async def test_the_query_cost_counts_each_sample_sharer(api: Api) -> None:
    # topTracks 1 + 5 edges x (edge 1 + sampleSharers (1 + n usernames)); rateLimit 2
    for selection, cost in (("sampleSharers(first: 2)", 23), ("sampleSharers", 28)):
        query = f"{{ topTracks(first: 5) {{ edges {{ {selection} {{ username }} }} }} rateLimit {{ cost }} }}"
        assert (await api.ok(query))["rateLimit"]["cost"] == cost
