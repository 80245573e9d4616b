"""search, searchUsers and searchTracks (issue 15 item 4): what is found, in what order, paged
without duplicates, kept in step with every write, whatever is typed, and hidden as explore
hides it. Black-box over HTTP, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import models
from tests.support.api import Api, User
from tests.support.documents import CREATE, DELETE_POSTCARD, FOLLOW
from tests.support.sql import count_sql

SEARCH = """
query ($q: String!, $types: [SearchType!], $first: Int, $after: String) {
  search(query: $q, types: $types, first: $first, after: $after) {
    edges { cursor node {
      __typename
      ... on User { username }
      ... on Track { title }
      ... on Postcard { caption author { username } track { title } }
      ... on Place { name }
    } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""
USERS = """query ($q: String!, $first: Int, $after: String) {
  searchUsers(query: $q, first: $first, after: $after) {
    edges { node { username } } pageInfo { hasNextPage endCursor } } }"""
TRACKS = """query ($q: String!, $first: Int, $after: String) {
  searchTracks(query: $q, first: $first, after: $after) {
    edges { node { title } } pageInfo { hasNextPage endCursor } } }"""
PROFILE = """mutation ($input: UpdateProfileInput!) {
  updateProfile(input: $input) { user { id } errors { code } } }"""
UPDATE = """mutation ($input: UpdatePostcardInput!) {
  updatePostcard(input: $input) { postcard { id } errors { code } } }"""
REPORT = """mutation ($input: ReportInput!) {
  report(input: $input) { report { id } errors { code } } }"""
RESOLVE = """mutation ($input: ResolveReportInput!) {
  resolveReport(input: $input) { report { status } errors { code } } }"""
DELETE_ACCOUNT = """mutation ($input: DeleteAccountInput!) {
  deleteAccount(input: $input) { deleted errors { code } } }"""
MUTE = """mutation ($input: MuteInput!) { mute(input: $input) { errors { code } } }"""
BLOCK = """mutation ($input: UserIdInput!) { block(input: $input) { errors { code } } }"""


def named(node: dict[str, Any]) -> str:
    """A result as the tests compare it: `@user`, `♪ title`, `⌖ place` or `"caption"`."""
    kind = node["__typename"]
    if kind == "User":
        return f"@{node['username']}"
    if kind == "Track":
        return f"♪ {node['title']}"
    if kind == "Place":
        return f"⌖ {node['name']}"
    return f'"{node["caption"]}"'


async def found(api: Api, query: str, token: str | None = None, **variables: Any) -> list[str]:
    data = await api.ok(SEARCH, {"q": query, **variables}, token)
    return [named(edge["node"]) for edge in data["search"]["edges"]]


async def share(
    api: Api,
    who: User,
    title: str,
    artist: str = "Band",
    caption: str = "",
    place: str | None = None,
    album: str | None = None,
) -> str:
    track = {"title": title, "artist": artist, **({"album": album} if album else {})}
    input: dict[str, Any] = {"track": track, "caption": caption}
    if place:
        input["place"] = {"name": place}
    payload = await api.mutate("createPostcard", CREATE, input, who.token)
    return str(payload["postcard"]["id"])


async def named_member(api: Api, username: str, display_name: str) -> User:
    member = await api.sign_up(username)
    await api.mutate("updateProfile", PROFILE, {"displayName": display_name}, member.token)
    return member


# --- ranking ----------------------------------------------------------------------------------


async def test_results_are_ranked_exact_username_first_then_prefixes_then_any_word(
    api: Api,
) -> None:
    # given: "maya" in every place a result can hold it
    maya = await named_member(api, "maya", "Someone")
    await named_member(api, "mayalou", "Lou")
    await named_member(api, "dj_sam", "Maya Fan")
    kofi = await named_member(api, "kofi", "Kofi Maya")
    await share(api, kofi, "Maya", caption="one")
    await share(api, kofi, "Mayan Sun", caption="two")
    await share(api, kofi, "Rain", artist="Maya Jane", caption="three")
    await share(api, kofi, "Days", album="Maya Days", caption="four")
    await share(api, maya, "Quiet", caption="with maya tonight")
    await share(api, maya, "Loud", caption="swim", place="Maya Bay")

    # when / then: by tier (README, Search), the newest first within one
    assert await found(api, "maya") == [
        "@maya",  # the username is the query
        "@mayalou",  # a username beginning with it
        "♪ Maya",  # a title that is the query
        "@dj_sam",  # a display name beginning with it
        "♪ Mayan Sun",  # a title beginning with it
        "⌖ Maya Bay",  # a place's name beginning with it (after tracks: same tier)
        "♪ Rain",  # an artist beginning with it
        "@kofi",  # a member with the word anywhere else
        "♪ Days",  # a track with it anywhere else (the album)
        '"swim"',  # a moment whose place begins with it
        '"with maya tonight"',  # a moment with it anywhere else
    ]
    # any case, any accent, a leading @, several words (each a word prefix, all required)
    assert await found(api, "@MAYA", types=["USER"]) == ["@maya", "@mayalou", "@dj_sam", "@kofi"]
    assert await found(api, "mäyá fa") == ["@dj_sam"]
    assert await found(api, "kofi may") == ["@kofi"]
    assert await found(api, "maya bay", types=["POSTCARD"]) == ['"swim"']
    # a place whose name is the query, then the moment whose place begins with it
    where = ["PLACE", "POSTCARD"]  # (on PostgreSQL the track "Maya" is close enough too)
    assert await found(api, "maya bay", types=where) == ["⌖ Maya Bay", '"swim"']
    assert await found(api, "aya") == []  # not the beginning of a word


async def test_types_choose_the_kinds_and_an_empty_query_finds_nothing(api: Api) -> None:
    maya = await named_member(api, "maya", "Maya")
    await share(api, maya, "Maya Song", caption="maya moment")
    assert await found(api, "maya", types=["TRACK", "POSTCARD"]) == [
        "♪ Maya Song",
        '"maya moment"',
    ]
    assert await found(api, "maya", types=["POSTCARD", "POSTCARD"]) == ['"maya moment"']
    for nothing in ("", "   ", "***", "🎸"):
        assert await found(api, nothing) == []
    body = await api.raw(SEARCH, {"q": "maya", "types": []})
    assert body["data"] is None
    assert body["errors"][0]["message"] == "Give at least one type in `types`, or leave it out."
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_never_gonna_finds_the_song_on_both_databases(api: Api) -> None:
    rick = await api.sign_up("rick")
    await share(api, rick, "Never Gonna Give You Up", artist="Rick Astley", caption="classic")
    await share(api, rick, "Never Again", artist="Nobody", caption="other")
    assert await found(api, "never gonna", types=["TRACK"]) == ["♪ Never Gonna Give You Up"]
    assert await found(api, "astley", types=["TRACK"]) == ["♪ Never Gonna Give You Up"]


async def test_a_typo_finds_the_song_on_postgresql(api: Api, is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("typo tolerance is pg_trgm's: SQLite's FTS5 matches word prefixes only")
    rick = await named_member(api, "rick_astley", "Rick Astley")
    await share(api, rick, "Never Gonna Give You Up", artist="Rick Astley")
    await share(api, rick, "Together Forever", artist="Rick Astley")
    # below every exact match: the member "rick" matches, the title only by similarity
    assert await found(api, "never gona") == ["♪ Never Gonna Give You Up"]
    assert await found(api, "rick astly") == [
        "@rick_astley",
        "♪ Together Forever",
        "♪ Never Gonna Give You Up",
    ]
    assert await found(api, "rick astley", types=["USER"]) == ["@rick_astley"]


# --- paging -------------------------------------------------------------------------------


async def test_paging_walks_the_ranking_without_duplicates_or_gaps(api: Api) -> None:
    # given: members, tracks, moments and places, several in each tier
    members = [await named_member(api, f"sun{n}", f"Sun {n}") for n in range(4)]
    for n, member in enumerate(members):
        await share(api, member, f"Sunny {n}", caption=f"sun day {n}", place=f"Sunset {n}")
    everything = await found(api, "sun", first=100)
    assert len(everything) == 4 + 4 + 4 + 4

    # when: three at a time
    walked: list[str] = []
    after = None
    pages = 0
    while True:
        data = await api.ok(SEARCH, {"q": "sun", "first": 3, "after": after})
        page = data["search"]
        walked += [named(edge["node"]) for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    # then
    assert pages == 6
    assert walked == everything
    assert len(set(walked)) == len(walked)


async def test_a_page_after_a_cursor_is_unmoved_by_new_matches_above_it(api: Api) -> None:
    # a row's rank comes from the query and the row alone: new rows never shift a cursor
    maya = await api.sign_up("maya")
    for n in range(3):
        await share(api, maya, f"Song {n}", caption=f"beach {n}")
    first = (await api.ok(SEARCH, {"q": "beach", "first": 2}))["search"]
    assert [named(e["node"]) for e in first["edges"]] == ['"beach 2"', '"beach 1"']
    await share(api, maya, "Song 9", caption="beach 9")  # newer: before the cursor
    rest = await found(api, "beach", first=10, after=first["pageInfo"]["endCursor"])
    assert rest == ['"beach 0"']


async def test_a_kind_ranks_only_its_newest_matches(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the bound of a broad query's cost (2,000 in production): the oldest match would rank
    # first (its place begins with the query) but is past the newest CANDIDATES
    from resolvers import search

    maya = await api.sign_up("maya")
    await share(api, maya, "Song", caption="old", place="Beach Club")
    for n in range(2):
        await share(api, maya, "Song", caption=f"beach {n}")
    moments = ["POSTCARD"]
    assert await found(api, "beach", types=moments) == ['"old"', '"beach 1"', '"beach 0"']
    monkeypatch.setattr(search, "CANDIDATES", 2)
    assert await found(api, "beach", types=moments) == ['"beach 1"', '"beach 0"']


async def test_bad_cursors_and_page_sizes_are_bad_user_input(api: Api) -> None:
    from resolvers.pagination import encode_cursor

    for after in (
        "garbage",
        encode_cursor("2026-01-01T00:00:00+00:00", 1),
        encode_cursor(10**9, 1),
        encode_cursor(7, 0),
    ):
        body = await api.raw(SEARCH, {"q": "x", "after": after})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", after
        body = await api.raw(USERS, {"q": "x", "after": after})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", after
    body = await api.raw(SEARCH, {"q": "x", "first": 101})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# --- searchUsers and searchTracks, on the same engine -------------------------------------


async def test_search_users_and_tracks_rank_as_search_does(api: Api) -> None:
    for name in ("bea_dj", "bea", "maya", "beatrix"):
        await api.sign_up(name)
    data = await api.ok(USERS, {"q": "BEA", "first": 2})
    assert [e["node"]["username"] for e in data["searchUsers"]["edges"]] == ["bea", "beatrix"]
    after = data["searchUsers"]["pageInfo"]["endCursor"]
    data = await api.ok(USERS, {"q": "bea", "first": 2, "after": after})
    assert [e["node"]["username"] for e in data["searchUsers"]["edges"]] == ["bea_dj"]
    assert data["searchUsers"]["pageInfo"]["hasNextPage"] is False
    # an empty query lists every member, newest first
    data = await api.ok(USERS, {"q": ""})
    assert [e["node"]["username"] for e in data["searchUsers"]["edges"]] == [
        "beatrix",
        "maya",
        "bea",
        "bea_dj",
    ]

    maya = await api.sign_up("maya2")
    await share(api, maya, "Harvest", artist="Neil Young")
    await share(api, maya, "Harvest Moon", artist="Neil Young")
    await share(api, maya, "Old Man", artist="Neil Young", album="Harvest")
    data = await api.ok(TRACKS, {"q": "harvest"})
    assert [e["node"]["title"] for e in data["searchTracks"]["edges"]] == [
        "Harvest",
        "Harvest Moon",
        "Old Man",
    ]
    data = await api.ok(TRACKS, {"q": ""})
    assert [e["node"]["title"] for e in data["searchTracks"]["edges"]] == [
        "Old Man",
        "Harvest Moon",
        "Harvest",
    ]


# --- the index follows every write --------------------------------------------------------


async def test_every_write_path_keeps_the_index_in_step(api: Api) -> None:
    # sign-up
    maya = await api.sign_up("maya")
    assert await found(api, "maya") == ["@maya"]
    # updateProfile: the old display name is forgotten, the new one found
    await api.mutate("updateProfile", PROFILE, {"displayName": "Flamingo"}, maya.token)
    assert await found(api, "flamingo") == ["@maya"]
    await api.mutate("updateProfile", PROFILE, {"displayName": "Pelican"}, maya.token)
    assert await found(api, "flamingo") == []
    assert await found(api, "pelican") == ["@maya"]
    # createPostcard: a new track, the caption and the place; the same song again is one track
    card = await share(api, maya, "Harvest Moon", "Neil Young", "porch light", "Old Barn")
    await share(api, maya, "Harvest Moon", "Neil Young", "again")
    assert await found(api, "harvest") == ["♪ Harvest Moon"]
    assert await found(api, "porch") == ['"porch light"']
    assert await found(api, "barn") == ["⌖ Old Barn", '"porch light"']
    # updatePostcard: caption and place replaced, then the place removed (a place with no
    # moment left is found by nobody)
    input = {"postcardId": card, "caption": "attic", "place": {"name": "Lighthouse"}}
    await api.mutate("updatePostcard", UPDATE, input, maya.token)
    assert await found(api, "porch") == []
    assert await found(api, "barn") == []
    assert await found(api, "attic") == ['"attic"']
    assert await found(api, "lighthouse") == ["⌖ Lighthouse", '"attic"']
    await api.mutate("updatePostcard", UPDATE, {"postcardId": card, "place": None}, maya.token)
    assert await found(api, "lighthouse") == []
    # deletePostcard
    body = await api.ok(DELETE_POSTCARD, {"input": {"postcardId": card}}, maya.token)
    assert body["deletePostcard"]["errors"] == []
    assert await found(api, "attic") == []
    assert await found(api, "again") == ['"again"']
    # a counter update leaves the index as it is
    kofi = await api.sign_up("kofi")
    await api.mutate("follow", FOLLOW, {"userId": maya.id}, kofi.token)
    assert await found(api, "pelican") == ["@maya"]
    # deleteAccount: the member and their moments (their track stays: it is everyone's)
    body = await api.ok(DELETE_ACCOUNT, {"input": {"password": "correct horse"}}, maya.token)
    assert body["deleteAccount"] == {"deleted": True, "errors": []}
    assert await found(api, "pelican") == []
    assert await found(api, "again") == []
    assert await found(api, "harvest") == ["♪ Harvest Moon"]
    await _index_matches_its_tables()


async def test_a_moment_removed_by_a_moderator_is_no_longer_found(api: Api) -> None:
    tom, rita, mona = [await api.sign_up(name) for name in ("tom", "rita", "mona")]
    await models.User.filter(username="mona").update(role=models.Role.MODERATOR)
    card = await share(api, tom, "Song", caption="offensive words")
    body = await api.ok(REPORT, {"input": {"subjectId": card, "reason": "SPAM"}}, rita.token)
    report_id = body["report"]["report"]["id"]
    assert await found(api, "offensive") == ['"offensive words"']
    action = {"reportId": report_id, "action": "REMOVE_CONTENT"}
    body = await api.ok(RESOLVE, {"input": action}, mona.token)
    assert body["resolveReport"]["errors"] == []
    assert await found(api, "offensive") == []
    # a suspension hides the member and their moments (the rows stay indexed)
    await share(api, tom, "Song", caption="second words")
    body = await api.ok(REPORT, {"input": {"subjectId": tom.id, "reason": "SPAM"}}, rita.token)
    action = {"reportId": body["report"]["report"]["id"], "action": "SUSPEND_ACCOUNT"}
    assert (await api.ok(RESOLVE, {"input": action}, mona.token))["resolveReport"]["errors"] == []
    assert await found(api, "second") == []
    assert await found(api, "tom") == []
    assert await found(api, "tom", rita.token) == []
    await _index_matches_its_tables()


async def _index_matches_its_tables() -> None:
    """On SQLite, FTS5's own check that each external-content index holds exactly its
    table's rows (PostgreSQL's generated columns cannot drift)."""
    from resolvers.sql.hydrate import connection, is_postgres

    if is_postgres(models.User):
        return
    for table in ("users", "tracks", "postcards", "places"):
        await connection(models.User).execute_query(
            f"INSERT INTO {table}_search({table}_search, rank) VALUES ('integrity-check', 1)"
        )


# --- whatever is typed ----------------------------------------------------------------------

HOSTILE = [
    '"',
    "*",
    "NEAR(",
    "NEAR(a b, 2)",
    "-",
    "-maya",
    "OR",
    "maya OR",
    "AND NOT",
    "^maya",
    "username:maya",
    "{username}: maya",
    "'",
    "''",
    "\\",
    "maya:*",
    "a & b | !c",
    "<->",
    "(",
    ")",
    "%",
    "_",
    "🎸🔥",
    "m" * 500,
    "maya " * 100,
    "\x00maya",
    "ﷺ ½ ² Ⅻ",
]


@pytest.mark.parametrize("query", HOSTILE)
async def test_no_query_breaks_the_engine(api: Api, query: str) -> None:
    maya = await named_member(api, "maya", "Maya")
    await share(api, maya, "Song", caption="maya")
    for document, field in ((SEARCH, "search"), (USERS, "searchUsers"), (TRACKS, "searchTracks")):
        data = await api.ok(document, {"q": query})
        assert isinstance(data[field]["edges"], list)
    if query in ("-maya", "^maya", "maya:*"):
        assert await found(api, query, types=["USER"]) == ["@maya"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=120))
async def test_any_text_is_answered(api: Api, query: str) -> None:
    body = await api.raw(SEARCH, {"q": query, "first": 5})
    assert "errors" not in body, body["errors"]
    assert body["data"]["search"]["pageInfo"]["hasPreviousPage"] is False


# --- visibility -----------------------------------------------------------------------------


HIDDEN_FROM_ME = ['"jam by blocker"', '"jam by mutey"']


async def test_moments_are_hidden_as_explore_hides_them(api: Api) -> None:
    # given: a public author, a private one with a follower, a muted one, a blocker
    pia, priv, mute, blocker = [
        await api.sign_up(name) for name in ("pia", "priv", "mutey", "blocker")
    ]
    fan, me = await api.sign_up("fan"), await api.sign_up("moi")
    await api.mutate("follow", FOLLOW, {"userId": priv.id}, fan.token)
    await api.mutate("updateProfile", PROFILE, {"isPrivate": True}, priv.token)
    for who in (pia, priv, mute, blocker):
        await share(api, who, "Song", caption=f"jam by {who.username}")
    await share(api, me, "Song", caption="jam by moi")
    await api.mutate("mute", MUTE, {"userId": mute.id}, me.token)
    await api.mutate("block", BLOCK, {"userId": me.id}, blocker.token)

    # then: the same moments explore shows each of them
    async def explored(token: str | None) -> list[str]:
        data = await api.ok("{ explore { edges { node { caption } } } }", token=token)
        return [f'"{e["node"]["caption"]}"' for e in data["explore"]["edges"]]

    for token, expected in (
        (None, ['"jam by moi"', '"jam by blocker"', '"jam by mutey"', '"jam by pia"']),
        (me.token, ['"jam by moi"', '"jam by pia"']),
        (fan.token, ['"jam by moi"', *HIDDEN_FROM_ME, '"jam by priv"', '"jam by pia"']),
        (priv.token, ['"jam by moi"', *HIDDEN_FROM_ME, '"jam by priv"', '"jam by pia"']),
    ):
        assert await found(api, "jam", token) == expected
        assert sorted(await found(api, "jam", token)) == sorted(await explored(token))
    # profiles: a private member is found; a muted one too; a blocker is not
    assert await found(api, "priv", me.token, types=["USER"]) == ["@priv"]
    assert await found(api, "mutey", me.token, types=["USER"]) == ["@mutey"]
    assert await found(api, "blocker", me.token, types=["USER"]) == []
    assert await found(api, "moi", blocker.token, types=["USER"]) == []


async def test_a_place_is_found_only_by_whoever_may_see_one_of_its_moments(api: Api) -> None:
    """As nearbyPlaces: a place where only a private member shared is theirs and their
    approved followers' to find; once a public moment is there, anyone finds it."""
    priv, fan, sam = [await api.sign_up(name) for name in ("priv", "fan", "sam")]
    await api.mutate("follow", FOLLOW, {"userId": priv.id}, fan.token)
    await api.mutate("updateProfile", PROFILE, {"isPrivate": True}, priv.token)
    await share(api, priv, "Song", caption="home", place="Willow Cottage")
    for token, expected in (
        (None, []),
        (sam.token, []),
        (fan.token, ["⌖ Willow Cottage"]),
        (priv.token, ["⌖ Willow Cottage"]),
    ):
        assert await found(api, "willow", token, types=["PLACE"]) == expected
    await share(api, sam, "Song", caption="visiting", place="Willow Cottage")
    assert await found(api, "willow cottage", None, types=["PLACE"]) == ["⌖ Willow Cottage"]


# --- cost --------------------------------------------------------------------------------


async def test_a_page_is_one_statement_whatever_its_size(api: Api) -> None:
    # given: members, tracks and moments that all match
    members = [await named_member(api, f"wave{n}", f"Wave {n}") for n in range(6)]
    for n, member in enumerate(members):
        await share(api, member, f"Wave Song {n}", caption=f"wave {n}", place="Wave Rock")
    viewer = await api.sign_up("viewer")
    await api.ok(SEARCH, {"q": "wave"}, viewer.token)  # the token is known from here on

    # when
    counts = {}
    for size in (2, 18):
        with count_sql() as sql:
            data = await api.ok(SEARCH, {"q": "wave", "first": size}, viewer.token)
        assert len(data["search"]["edges"]) == size
        counts[size] = sql.texts

    # then: the page's one statement, authors and tracks of its moments included
    assert len(counts[2]) == len(counts[18]) == 1
    assert counts[2] == counts[18]
    # and so for searchUsers and searchTracks
    for document, field in ((USERS, "searchUsers"), (TRACKS, "searchTracks")):
        for size in (2, 6):
            with count_sql() as sql:
                data = await api.ok(document, {"q": "wave", "first": size}, viewer.token)
            assert len(data[field]["edges"]) == size
            assert len(sql.texts) == 1, field


async def test_the_page_statement_uses_the_full_text_indexes(
    app: object, is_postgres: bool
) -> None:
    # the page reads each kind's index (table scans off, as on a big table), never a table
    from resolvers import search
    from resolvers.sql.hydrate import query_rows
    from resolvers.sql.params import Params

    q = search.Statement(Params(models.User), search.terms("never gona"), 1)
    sql = search.page_sql(q, list(search.Kind), 21, (400, 10))
    if is_postgres:
        await query_rows(models.User, "SET enable_seqscan = off", [])
        try:
            rows = await query_rows(models.User, f"EXPLAIN {sql}", q.params.values)
        finally:
            await query_rows(models.User, "SET enable_seqscan = on", [])
        indexes = {f"on {t}_search s" for t in ("users", "tracks", "postcards")}
        indexes |= {"users_search_trigram", "tracks_search_trigram"}
    else:
        rows = await query_rows(models.User, f"EXPLAIN QUERY PLAN {sql}", q.params.values)
        indexes = {f"SCAN {t}_search VIRTUAL TABLE INDEX" for t in ("users", "tracks", "postcards")}
    plan = "\n".join(str(tuple(row)) for row in rows)
    assert {index for index in indexes if index not in plan} == set(), plan
    assert "Seq Scan" not in plan, plan
