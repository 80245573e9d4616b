"""The hand-written statements on the feed's hot path (resolvers/sql/, the token lookup):
one statement per call, results in key order, and the same rows a queryset would give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models import AccessToken, Comment, Postcard, User
from resolvers import tokens
from resolvers.sql import batches, comments
from resolvers.sql.params import Params
from tests.support.api import Api
from tests.support.documents import COMMENT, CREATE, LIKE
from tests.support.sql import count_sql


def read_in_pages(member: User) -> dict[str, object]:
    """A member as a page's statements read one: everything but the password's hash
    (resolvers/sql/hydrate.py UNREAD), so a partial instance."""
    return {
        **{k: v for k, v in vars(member).items() if k != "password_hash"},
        "_partial": True,
    }


async def test_rows_by_id_one_statement_in_key_order_none_for_missing(api: Api) -> None:
    # given
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    ids = [u.id for u in await User.all().order_by("id")]
    missing = max(ids) + 100

    # when
    with count_sql() as sql:
        rows = await batches.rows_by_id(User, [ids[1], missing, ids[0], ids[1]])

    # then: the same instances a queryset makes, field for field, but the password's hash
    assert len(sql.statements) == 1
    assert [row.username if row else None for row in rows] == ["kofi", None, "maya", "kofi"]
    expected = await User.get(id=ids[1])
    assert rows[0] is not None
    assert vars(rows[0]) == read_in_pages(expected)
    assert rows[0].created_at == expected.created_at
    assert rows[0].created_at.tzinfo is expected.created_at.tzinfo is not None
    assert (maya.username, kofi.username) == ("maya", "kofi")


async def test_postcards_by_id_come_with_author_and_track_in_one_statement(api: Api) -> None:
    # given: two moments by one author, on one track
    maya = await api.sign_up("maya")
    track = {"title": "Song", "artist": "Band"}
    for caption in ("one", "two"):
        await api.mutate("createPostcard", CREATE, {"track": track, "caption": caption}, maya.token)
    first, second = [p.id for p in await Postcard.all().order_by("id")]

    # when
    with count_sql() as sql:
        rows = await batches.postcards_by_id([second, second + 100, first])

    # then: the instances a queryset with select_related makes, one author and track each
    assert len(sql.statements) == 1
    assert rows[1] is None and rows[0] is not None and rows[2] is not None
    expected = await Postcard.get(id=second).select_related("author", "track")
    plain = {k: v for k, v in vars(expected).items() if k not in ("_author", "_track")}
    assert {k: v for k, v in vars(rows[0]).items() if k not in ("_author", "_track")} == plain
    assert vars(rows[0].author) == read_in_pages(expected.author)
    assert vars(rows[0].track) == vars(expected.track)
    assert rows[0].author is rows[2].author and rows[0].track is rows[2].track
    assert await batches.postcards_by_id([]) == []


async def test_viewer_likes_and_first_comments_one_statement_each(api: Api) -> None:
    # given: two moments; the viewer likes the second, which has three comments
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    track = {"title": "Song", "artist": "Band"}
    cards = [
        (await api.mutate("createPostcard", CREATE, {"track": track, "caption": c}, maya.token))[
            "postcard"
        ]["id"]
        for c in ("one", "two")
    ]
    first, second = [p.id for p in await Postcard.all().order_by("id")]
    await api.mutate("likePostcard", LIKE, {"postcardId": cards[1]}, kofi.token)
    for body in ("a", "b", "c"):
        await api.mutate("addComment", COMMENT, {"postcardId": cards[1], "body": body}, kofi.token)
    viewer = await User.get(username="kofi")

    # when
    with count_sql() as sql:
        liked = await batches.liked_by_viewer(viewer.id, [first, second, first])
        pages = await comments.first_comments([(second, 2), (first, 2), (second, 5)])

    # then
    assert len(sql.statements) == 2
    assert liked == [False, True, False]
    assert [[c.body for c in page.rows] for page in pages] == [["a", "b"], [], ["a", "b", "c"]]
    assert [page.has_next for page in pages] == [True, False, False]
    stored = await Comment.filter(postcard_id=second).order_by("id").first()
    assert stored is not None and pages[0].rows[0].created_at == stored.created_at
    # authors come joined, one instance per person, equal to what a queryset makes
    authors = [c.author for page in pages for c in page.rows]
    assert {id(a) for a in authors} == {id(authors[0])}
    assert vars(authors[0]) == read_in_pages(await User.get(username="kofi"))
    assert await batches.rows_by_id(User, []) == []
    assert await comments.first_comments([]) == []


async def test_token_lookup_refuses_revoked_and_expired_tokens_at_once(api: Api) -> None:
    # given
    maya = await api.sign_up("maya")
    user = await tokens.viewer_for_token(maya.token)
    assert user is not None and user.username == "maya"
    assert vars(user) == vars(await User.get(username="maya"))

    # when the token expires, then it is refused at once
    token_hash = tokens.hash_token(maya.token)
    await AccessToken.filter(token_hash=token_hash).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert await tokens.viewer_for_token(maya.token) is None

    # when a live token is revoked, then it is refused on the very next request
    await AccessToken.filter(token_hash=token_hash).update(
        expires_at=datetime.now(UTC) + timedelta(days=1)
    )
    assert (await api.ok("{ viewer { username } }", {}, maya.token)) == {
        "viewer": {"username": "maya"}
    }
    await api.ok("mutation { logOut { revoked } }", {}, maya.token)
    body = await api.raw("{ viewer { username } }", token=maya.token)
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert await tokens.viewer_for_token(maya.token) is None
    assert await tokens.viewer_for_token("not-a-token") is None


async def test_first_comments_in_a_page_statement_are_the_rows_a_queryset_makes(
    api: Api,
) -> None:
    """`first_comments_column` carries comments as JSON (times as text, whatever the
    database): `comments_of` makes of them the instances a queryset would."""
    # given: a moment with three comments by two people, one with no comments
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    track = {"title": "Song", "artist": "Band"}
    created = [
        await api.mutate("createPostcard", CREATE, {"track": track, "caption": c}, maya.token)
        for c in ("one", "two")
    ]
    busy_id = created[1]["postcard"]["id"]
    bare, busy = [p.id for p in await Postcard.all().order_by("id")]
    for body, who in (("a", kofi), ("b", maya), ("c", kofi)):
        await api.mutate("addComment", COMMENT, {"postcardId": busy_id, "body": body}, who.token)

    # when: the first 2 (and one more) of each, in one statement
    params = Params(Postcard)
    column = comments.first_comments_column("p.id", 2, params)
    wanted = f"{params.add(bare)}, {params.add(busy)}"
    sql = f"SELECT p.id, {column} AS c FROM postcards p WHERE p.id IN ({wanted}) ORDER BY p.id"
    with count_sql() as statements:
        _, rows = await Postcard._meta.db.execute_query(sql, params.values)
    made = comments.comment_rows()
    found = [comments.comments_of(made, row[1]) for row in rows]

    # then
    assert len(statements.statements) == 1
    assert found[0] == []
    assert [c.body for c in found[1]] == ["a", "b", "c"]
    expected = await Comment.filter(postcard_id=busy).order_by("created_at", "id")
    for comment, stored in zip(found[1], expected, strict=True):
        assert {k: v for k, v in vars(comment).items() if k != "_author"} == vars(stored)
        assert comment.created_at.tzinfo is stored.created_at.tzinfo is not None
        assert vars(comment.author) == read_in_pages(await User.get(id=stored.author_id))
    assert found[1][0].author is found[1][2].author  # one instance per person
    page = comments.first_page(found[1], 2)
    assert ([c.body for c in page.rows], page.has_next) == (["a", "b"], True)
    page = comments.first_page(found[1], 3)
    assert ([c.body for c in page.rows], page.has_next) == (["a", "b", "c"], False)
