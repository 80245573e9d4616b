"""The feed: who sees what, and a constant, small number of SQL statements per page."""

from __future__ import annotations

import pytest

from resolvers import feed, tokens
from tests.support.api import Api
from tests.support.documents import COMMENT, CREATE, FOLLOW, LIKE
from tests.support.sql import count_sql

FEED = """
query ($first: Int!) {
  feed(first: $first) {
    edges {
      node {
        id caption likeCount viewerHasLiked commentCount
        author { username avatarUrl }
        track { title artist spotifyUrl }
        photo { url } place { name }
        comments(first: 2) { edges { node { body author { username } } } pageInfo { hasNextPage } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
# The statements of one feed page: the viewer's token, and the page (authors, tracks, the
# viewer's likes and the first comments with their authors, all in one); the token's none
# when it was used a moment ago (tests/api/test_token_cache.py).
FEED_STATEMENTS = 2
KNOWN_TOKEN_FEED_STATEMENTS = 1


async def post(api: Api, token: str, caption: str) -> str:
    payload = await api.mutate(
        "createPostcard",
        CREATE,
        {"track": {"title": f"Song {caption}", "artist": "Band"}, "caption": caption},
        token,
    )
    return payload["postcard"]["id"]


async def test_feed_shows_followed_and_own_moments_only(api: Api) -> None:
    maya, kofi, lena = [await api.sign_up(n) for n in ("maya", "kofi", "lena")]
    await api.mutate("follow", FOLLOW, {"userId": kofi.id}, maya.token)
    await post(api, kofi.token, "kofi 1")
    await post(api, lena.token, "lena 1")
    await post(api, maya.token, "maya 1")
    await post(api, kofi.token, "kofi 2")

    def captions(data: dict) -> list[str]:
        return [e["node"]["caption"] for e in data["feed"]["edges"]]

    assert captions(await api.ok(FEED, {"first": 10}, maya.token)) == ["kofi 2", "maya 1", "kofi 1"]
    assert captions(await api.ok(FEED, {"first": 10}, lena.token)) == ["lena 1"]
    assert captions(await api.ok(FEED, {"first": 10}, kofi.token)) == ["kofi 2", "kofi 1"]


async def test_feed_needs_a_token(api: Api) -> None:
    body = await api.raw(FEED, {"first": 5})
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_feed_sql_statements_do_not_grow_with_page_size(api: Api) -> None:
    # given: a viewer following 5 authors with 60 moments, liked and commented
    viewer = await api.sign_up("viewer")
    authors = [await api.sign_up(f"author{n}") for n in range(5)]
    fans = [await api.sign_up(f"fan{n}") for n in range(3)]
    for author in authors:
        await api.mutate("follow", FOLLOW, {"userId": author.id}, viewer.token)
    cards = [await post(api, authors[n % 5].token, f"moment {n}") for n in range(60)]
    for n, card in enumerate(cards):
        if n % 2:
            await api.mutate("likePostcard", LIKE, {"postcardId": card}, viewer.token)
        for fan in fans[: n % 4]:
            await api.mutate("addComment", COMMENT, {"postcardId": card, "body": "nice"}, fan.token)

    # when
    counts = {}
    for size in (10, 50):
        tokens.known_tokens.clear()
        counts[size] = []
        for _ in range(2):  # the token unknown, then known
            with count_sql() as sql:
                data = await api.ok(FEED, {"first": size}, viewer.token)
            assert len(data["feed"]["edges"]) == size
            counts[size].append(len(sql.statements))

    # then
    expected = [FEED_STATEMENTS, KNOWN_TOKEN_FEED_STATEMENTS]
    assert counts == {10: expected, 50: expected}
    edges = data["feed"]["edges"]
    assert [e["node"]["caption"] for e in edges[:2]] == ["moment 59", "moment 58"]
    newest = edges[0]["node"]  # moment 59: liked, 3 comments
    assert (newest["likeCount"], newest["viewerHasLiked"], newest["commentCount"]) == (1, True, 3)
    assert [c["node"]["author"]["username"] for c in newest["comments"]["edges"]] == [
        "fan0",
        "fan1",
    ]
    assert newest["comments"]["pageInfo"]["hasNextPage"] is True
    assert edges[1]["node"]["viewerHasLiked"] is False
    liked = {e["node"]["caption"]: e["node"]["viewerHasLiked"] for e in edges}
    assert liked == {f"moment {n}": n % 2 == 1 for n in range(10, 60)}


PAGES = """
query ($first: Int!, $after: String) {
  feed(first: $first, after: $after) {
    edges { node { caption } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_feed_statements_have_one_text_whoever_reads_them(api: Api) -> None:
    """Values travel as parameters: PostgreSQL prepares each statement once per connection
    and SQLite compiles it once, instead of once per viewer, page and cursor."""
    # given: two viewers following one author with 5 moments, commented
    author = await api.sign_up("author")
    viewers = [await api.sign_up(f"viewer{n}") for n in range(2)]
    for viewer in viewers:
        await api.mutate("follow", FOLLOW, {"userId": author.id}, viewer.token)
    for n in range(5):
        card = await post(api, author.token, f"moment {n}")
        await api.mutate(
            "addComment", COMMENT, {"postcardId": card, "body": "hi"}, viewers[0].token
        )

    # when: each reads a first page, then the page after its second moment
    texts = []
    for viewer in viewers:
        first = await api.ok(PAGES, {"first": 2}, viewer.token)
        tokens.known_tokens.clear()  # the token's statement too
        with count_sql() as sql:
            await api.ok(FEED, {"first": 2}, viewer.token)
            await api.ok(
                PAGES, {"first": 2, "after": first["feed"]["pageInfo"]["endCursor"]}, viewer.token
            )
        texts.append(sql.texts)

    # then: the same statement texts for both, naming no viewer, moment or token
    # the second page: its token known by then, and it asks for no comments
    assert len(texts[0]) == FEED_STATEMENTS + 1
    assert texts[0] == texts[1]
    named = [str(viewers[0].id), str(viewers[1].id), viewers[0].token[:8]]
    assert not [t for t in texts[0] if any(f"= {value}" in t for value in named)]


@pytest.mark.parametrize("size", [2, 5, 9])
@pytest.mark.parametrize("dense", [False, True], ids=["walks-per-person", "walks-back-in-time"])
async def test_feed_pages_through_everything_in_order(
    api: Api, monkeypatch: pytest.MonkeyPatch, dense: bool, size: int
) -> None:
    """Both ways of finding a page (index walks per followed person, or one walk back in
    time for someone following many) give the same pages, whatever their size: every
    moment of the people followed and the viewer's own, newest first, each once, none of a
    stranger's. A burst of one author's fills whole pages (on PostgreSQL the walks per
    person then take their second walk: resolvers/feed.py `_in_two_walks`)."""
    # given: two busy authors, one who never posts, a stranger, and the viewer's own
    monkeypatch.setattr(feed, "DENSE_FEED_FOLLOWING", -1 if dense else 10_000)
    viewer, stranger = await api.sign_up("viewer"), await api.sign_up("stranger")
    authors = [await api.sign_up(f"author{n}") for n in range(3)]
    for author in authors:
        await api.mutate("follow", FOLLOW, {"userId": author.id}, viewer.token)
    expected = []
    for n in range(23):
        who = [authors[0], authors[1], viewer, stranger][n % 4 if n % 7 else 0]
        await post(api, who.token, f"moment {n}")
        if who is not stranger:
            expected.append(f"moment {n}")
    for n in range(8):
        await post(api, authors[1].token, f"burst {n}")
        expected.append(f"burst {n}")

    # when: `size` at a time
    seen: list[str] = []
    after = None
    for _ in range(40):
        page = (await api.ok(PAGES, {"first": size, "after": after}, viewer.token))["feed"]
        seen += [edge["node"]["caption"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break

    # then
    assert seen == expected[::-1]


SHAPES = """
query ($n: Int, $after: String) {
  feed(first: 10) {
    edges { node {
      id
      one: comments(first: 1) { edges { node { body author { username } } } pageInfo { hasNextPage } }
      ...Three
      ... on Postcard { none: comments(first: 0) { pageInfo { hasNextPage } } }
      vary: comments(first: $n) { edges { node { body } } pageInfo { hasNextPage } }
      later: comments(first: 5, after: $after) { edges { node { body } } }
    } }
  }
}
fragment Three on Postcard {
  three: comments(first: 3) { edges { cursor node { body } } pageInfo { hasNextPage endCursor } }
}
"""
# without `later` (a page after a cursor: its own statement per moment)
FOLDED = "\n".join(line for line in SHAPES.splitlines() if "later:" not in line)
FOLDED = FOLDED.replace(", $after: String", "")
# the same selection on one moment: its comments come through the loader
ONE = SHAPES.replace("feed(first: 10) {\n    edges { node {", "node(id: $id) { ... on Postcard {")
ONE = ONE.replace("    } }\n  }\n}\nfragment", "    }\n  }\n}\nfragment")
ONE = ONE.replace("query ($n: Int, $after: String)", "query ($id: ID!, $n: Int, $after: String)")


async def test_first_comments_in_the_page_statement_answer_as_the_loader_would(
    api: Api,
) -> None:
    """The feed brings its moments' first comments in its own statement, for every
    `comments(first:)` its nodes ask for without `after` (aliases, fragments, variables):
    each answers exactly as the moment alone answers (through the loader)."""
    # given: moments with 0 to 4 comments by two people
    viewer, author = await api.sign_up("viewer"), await api.sign_up("author")
    await api.mutate("follow", FOLLOW, {"userId": author.id}, viewer.token)
    cards = [await post(api, author.token, f"moment {n}") for n in range(5)]
    for n, card in enumerate(cards):
        for k in range(n):
            who = (viewer, author)[k % 2]
            await api.mutate(
                "addComment", COMMENT, {"postcardId": card, "body": f"{n}.{k}"}, who.token
            )

    for n in (None, 2, 4):
        variables = {"n": n, "after": None}
        # when
        with count_sql() as sql:
            feed = await api.ok(FOLDED, {"n": n}, viewer.token)
        nodes = [edge["node"] for edge in feed["feed"]["edges"]]
        full = await api.ok(SHAPES, variables, viewer.token)

        # then: one statement (the token known), and each node as the moment alone says
        assert len(sql.statements) == KNOWN_TOKEN_FEED_STATEMENTS
        assert [node["id"] for node in nodes] == cards[::-1]
        for node in (edge["node"] for edge in full["feed"]["edges"]):
            alone = await api.ok(ONE, {**variables, "id": node["id"]}, viewer.token)
            assert node == alone["node"]
        bodies = {node["id"]: [e["node"]["body"] for e in node["vary"]["edges"]] for node in nodes}
        shown = 20 if n is None else n
        assert bodies == {
            card: [f"{i}.{k}" for k in range(min(i, shown))] for i, card in enumerate(cards)
        }
        assert [node["three"]["pageInfo"]["hasNextPage"] for node in nodes] == [
            True,
            False,
            False,
            False,
            False,
        ]
        assert [node["none"]["pageInfo"]["hasNextPage"] for node in nodes] == [
            True,
            True,
            True,
            True,
            False,
        ]


async def test_a_bad_first_comments_size_is_refused_at_its_field(api: Api) -> None:
    viewer = await api.sign_up("viewer")
    await post(api, viewer.token, "mine")
    query = "{ feed { edges { node { caption comments(first: 101) { edges { cursor } } } } } }"

    body = await api.raw(query, token=viewer.token)

    assert body["data"] is None  # the non-null fields up to the root give way
    assert [e["path"] for e in body["errors"]] == [["feed", "edges", 0, "node", "comments"]]
    assert "between 0 and 100" in body["errors"][0]["message"]
