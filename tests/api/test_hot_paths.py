"""SQL statements per request of the hot operations besides the feed (tests/api/test_feed.py):
a fixed number, whatever the size of what they touch. Deterministic guards for the bench's
figures (`make bench` prints the same counts on the bench dataset)."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers import tokens
from tests.support.api import Api
from tests.support.documents import COMMENT, CREATE, FOLLOW
from tests.support.share import go_private
from tests.support.sql import count_sql

DETAIL = """query ($id: ID!) { postcard(id: $id) { id caption likeCount commentCount
  viewerHasLiked author { username } track { title artist }
  comments(first: 10) { edges { node { body author { username } } } }
  likedBy(first: 10) { edges { node { username } } } } }"""
LIKE = """mutation ($input: PostcardIdInput!) { likePostcard(input: $input) {
  postcard { likeCount } errors { code } } }"""

# token -> viewer; the postcard with its author and track, the viewer's like and its first
# comments (their authors); its likers (their members)
DETAIL_STATEMENTS = 3


async def create(api: Api, token: str, caption: str, title: str = "Song") -> str:
    payload = await api.mutate(
        "createPostcard", CREATE, {"track": {"title": title, "artist": "Band"}}, token
    )
    assert payload["errors"] == [], caption
    return str(payload["postcard"]["id"])


async def test_postcard_detail_statements_do_not_grow_with_its_comments(api: Api) -> None:
    # given: two moments, one with 1 comment, one with 10 by 10 different members
    author = await api.sign_up("author")
    members = [await api.sign_up(f"member{n}") for n in range(10)]
    quiet, busy = await create(api, author.token, "quiet"), await create(api, author.token, "busy")
    await api.mutate("addComment", COMMENT, {"postcardId": quiet, "body": "hi"}, members[1].token)
    for member in members:
        await api.mutate("addComment", COMMENT, {"postcardId": busy, "body": "yo"}, member.token)
        await api.mutate("likePostcard", LIKE, {"postcardId": busy}, member.token)

    # when
    counts, data = {}, {}
    for name, card in (("quiet", quiet), ("busy", busy)):
        tokens.known_tokens.clear()  # the token's statement too (none when it is known)
        with count_sql() as sql:
            data[name] = await api.ok(DETAIL, {"id": card}, members[0].token)
        counts[name] = len(sql.statements)

    # then
    assert counts == {"quiet": DETAIL_STATEMENTS, "busy": DETAIL_STATEMENTS}
    comments = data["busy"]["postcard"]["comments"]["edges"]
    assert [c["node"]["author"]["username"] for c in comments] == [m.username for m in members]
    assert data["busy"]["postcard"]["commentCount"] == 10
    likers = data["busy"]["postcard"]["likedBy"]["edges"]
    assert [edge["node"]["username"] for edge in likers] == [m.username for m in reversed(members)]


async def test_create_postcard_statements_do_not_grow_with_followers_or_moments(
    api: Api,
) -> None:
    # given: an author with 1 follower and 1 moment, another with 12 followers and 12
    few, many = await api.sign_up("few"), await api.sign_up("many")
    fans = [await api.sign_up(f"fan{n}") for n in range(12)]
    await api.mutate("follow", FOLLOW, {"userId": few.id}, fans[0].token)
    for fan in fans:
        await api.mutate("follow", FOLLOW, {"userId": many.id}, fan.token)
    await create(api, few.token, "first")
    for n in range(12):
        await create(api, many.token, f"old {n}")

    # when: each shares a moment of an existing track, then of a new one
    counts = {}
    for who in (few, many):
        for title in ("Song", f"New for {who.username}"):
            tokens.known_tokens.clear()  # the token read in every count, however long ago
            with count_sql() as sql:
                await create(api, who.token, "now", title)
            counts[who.username, title == "Song"] = len(sql.statements)

    # then: a new track costs its insert, nothing else depends on the author's size
    assert counts[("few", True)] == counts[("many", True)]
    assert counts[("few", False)] == counts[("many", False)] == counts[("few", True)] + 1
    assert counts[("few", True)] <= 7


async def test_like_statements_do_not_grow_with_likes(api: Api) -> None:
    author = await api.sign_up("author")
    members = [await api.sign_up(f"member{n}") for n in range(12)]
    card = await create(api, author.token, "liked")
    counts = []
    for member in members:
        # the token's statement in every count (a token is known for 2 s only: the sign-ups
        # before may take longer on a busy machine)
        tokens.known_tokens.clear()
        with count_sql() as sql:
            payload = await api.mutate("likePostcard", LIKE, {"postcardId": card}, member.token)
        counts.append(len(sql.statements))
    assert payload["postcard"]["likeCount"] == 12
    assert len(set(counts)) == 1, counts
    assert counts[0] <= 7


async def test_a_connection_given_back_to_the_pool_holds_no_session_state(
    api: Api, is_postgres: bool
) -> None:
    """The pool no longer resets each connection it gets back (server.database.keep_session):
    a round trip per statement. That holds only while nothing leaves session state."""
    if not is_postgres:
        pytest.skip("PostgreSQL's connection pool")
    from models import Postcard
    from server.database import keep_session

    db = Postcard._meta.db
    # given: moments posted, whose transactions take the feed log's advisory lock
    maya = await api.sign_up("maya")
    for n in range(3):
        await create(api, maya.token, f"moment {n}")

    # when: any pooled connection is asked what it holds
    here = "database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    _, locks = await db.execute_query(
        f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND {here}"
    )
    _, open_transactions = await db.execute_query(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND state LIKE 'idle in transaction%'"
    )

    # then
    assert db._pool._reset is keep_session
    assert (locks[0][0], open_transactions[0][0]) == (0, 0)


EXPLORE = """{ explore(first: 20) { edges { node { caption author { username } track { title }
  viewerHasLiked comments(first: 2) { edges { node { body author { username } } } } } } } }"""
PROFILE = """query ($username: String!) { user(username: $username) { postcards(first: 20) {
  edges { node { caption viewerHasLiked comments(first: 2) { edges { node { body } } } } } } } }"""


async def test_explore_and_a_profile_are_one_statement_a_page_whatever_their_size(
    api: Api,
) -> None:
    # given: a reader, and an author whose moments have 0, 1 and 3 comments, one liked
    author, reader = await api.sign_up("author"), await api.sign_up("reader")
    cards = [await create(api, author.token, f"moment {n}") for n in range(3)]
    for n, card in enumerate(cards):
        for i in range(n + n // 2):
            await api.mutate(
                "addComment", COMMENT, {"postcardId": card, "body": f"c{i}"}, reader.token
            )
    await api.mutate("likePostcard", LIKE, {"postcardId": cards[1]}, reader.token)
    await api.ok("{ viewer { id } }", None, reader.token)  # the token is known

    # when
    counts, pages = {}, {}
    for name, document, variables in (
        ("explore", EXPLORE, None),
        ("profile", PROFILE, {"username": "author"}),
    ):
        for who, token in (("anonymous", None), ("reader", reader.token)):
            with count_sql() as sql:
                pages[name, who] = await api.ok(document, variables, token)
            counts[name, who] = len(sql.statements)

    # then: explore is its page's statement; a profile, the member's with their page (a
    # public member in no block: nobody's blocks or follows towards them change what is
    # shown, so none are read)
    assert counts == {
        ("explore", "anonymous"): 1,
        ("explore", "reader"): 1,
        ("profile", "anonymous"): 1,
        ("profile", "reader"): 1,
    }
    nodes = [edge["node"] for edge in pages["explore", "reader"]["explore"]["edges"]]
    assert [node["viewerHasLiked"] for node in nodes] == [False, True, False]
    assert [[c["node"]["body"] for c in node["comments"]["edges"]] for node in nodes] == [
        ["c0", "c1"],
        ["c0"],
        [],
    ]
    profile = pages["profile", "anonymous"]["user"]["postcards"]["edges"]
    assert [edge["node"]["viewerHasLiked"] for edge in profile] == [False, False, False]

    # a private member: the reader's follows towards them are read (the reader follows
    # not, and sees no moment)
    await go_private(api, author)
    with count_sql() as sql:
        hidden = await api.ok(PROFILE, {"username": "author"}, reader.token)
    assert len(sql.statements) == 2
    assert hidden == {"user": {"postcards": {"edges": []}}}


PROFILE_PAGE = """query ($username: String!, $first: Int) { user(username: $username) {
  username postcardCount postcards(first: $first) { edges { node { caption } }
  pageInfo { hasNextPage } } } }"""


async def test_a_profile_read_with_its_first_page_answers_as_a_page_of_its_own(
    api: Api,
) -> None:
    # given: an author of three moments, a member who shared nothing, a private member
    author = await api.sign_up("author")
    await api.sign_up("quiet")
    private = await api.sign_up("private")
    for member, caption in [(author, f"moment {n}") for n in range(3)] + [(private, "hidden")]:
        payload = await api.mutate(
            "createPostcard",
            CREATE,
            {"track": {"title": "Song", "artist": "Band"}, "caption": caption},
            member.token,
        )
        assert payload["errors"] == []
    await go_private(api, private)

    # when: each asked in one request, and the author's pages once more without reading ahead
    asked = {}
    for name, first in (("author", 2), ("author", 0), ("author", 5), ("quiet", 2)):
        with count_sql() as sql:
            asked[name, first] = await api.ok(PROFILE_PAGE, {"username": name, "first": first})
        assert len(sql.statements) == 1, (name, first, sql.texts)
    with count_sql() as sql:
        hidden = await api.ok(PROFILE_PAGE, {"username": "private", "first": 2})
        nobody = await api.ok(PROFILE_PAGE, {"username": "nobody", "first": 2})
    assert len(sql.statements) == 2  # one each
    two_pages = await api.ok(
        """{ user(username: "author") { a: postcards(first: 1) { edges { node { caption } } }
        b: postcards(first: 2) { edges { node { caption } } } } }"""
    )

    # then
    def captions(data: dict[str, Any]) -> list[str]:
        return [edge["node"]["caption"] for edge in data["user"]["postcards"]["edges"]]

    assert captions(asked["author", 2]) == ["moment 2", "moment 1"]
    assert asked["author", 2]["user"]["postcards"]["pageInfo"] == {"hasNextPage": True}
    assert captions(asked["author", 0]) == []
    assert asked["author", 0]["user"]["postcards"]["pageInfo"] == {"hasNextPage": True}
    assert captions(asked["author", 5]) == ["moment 2", "moment 1", "moment 0"]
    assert asked["author", 5]["user"]["postcards"]["pageInfo"] == {"hasNextPage": False}
    assert asked["quiet", 2]["user"] == {
        "username": "quiet",
        "postcardCount": 0,
        "postcards": {"edges": [], "pageInfo": {"hasNextPage": False}},
    }
    assert hidden["user"]["postcards"] == {"edges": [], "pageInfo": {"hasNextPage": False}}
    assert nobody == {"user": None}
    assert [edge["node"]["caption"] for edge in two_pages["user"]["a"]["edges"]] == ["moment 2"]
    assert [edge["node"]["caption"] for edge in two_pages["user"]["b"]["edges"]] == [
        "moment 2",
        "moment 1",
    ]


async def test_no_page_of_moments_or_members_reads_a_password_hash(api: Api) -> None:
    author, reader = await api.sign_up("author"), await api.sign_up("reader")
    await api.mutate("follow", FOLLOW, {"userId": author.id}, reader.token)
    card = await create(api, author.token, "moment")
    await api.mutate("addComment", COMMENT, {"postcardId": card, "body": "hi"}, reader.token)
    await api.mutate("likePostcard", LIKE, {"postcardId": card}, reader.token)
    feed = EXPLORE.replace("explore(first: 20)", "feed(first: 20)")
    with count_sql() as sql:
        for document, variables in (
            (EXPLORE, None),
            (feed, None),
            (PROFILE, {"username": "author"}),
            (DETAIL, {"id": card}),
            ('{ search(query: "auth") { edges { node { __typename } } } }', None),
        ):
            await api.ok(document, variables, reader.token)
    assert len(sql.texts) >= 6
    assert [text for text in sql.texts if "password_hash" in text] == []
