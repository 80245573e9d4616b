"""Sharing moments: links, photos and places, editing, deleting, comments and refetching."""

from __future__ import annotations

import httpx
import pytest

from models import Comment, FeedEvent, Postcard, Track, User
from tests.support.api import Api
from tests.support.photos import uploaded

SPOTIFY_ID = "4uLU6hMCjMI75M1A2tKUQC"
CREATE = """
mutation ($input: CreatePostcardInput!) {
  createPostcard(input: $input) {
    postcard {
      id caption createdAt likeCount commentCount viewerHasLiked
      author { username postcardCount }
      track { id title artist album spotifyUri spotifyUrl }
      photo { url source }
      place { name latitude longitude foursquareVenueId }
    }
    errors { field message code }
  }
}
"""
UPDATE = """
mutation ($input: UpdatePostcardInput!) {
  updatePostcard(input: $input) {
    postcard { caption photo { url source } place { name } } errors { field message code }
  }
}
"""
DELETE = """
mutation ($input: PostcardIdInput!) {
  deletePostcard(input: $input) { deletedPostcardId errors { field message code } }
}
"""
ADD_COMMENT = """
mutation ($input: AddCommentInput!) {
  addComment(input: $input) {
    comment { id body author { username } postcard { commentCount } }
    errors { field message code }
  }
}
"""
DELETE_COMMENT = """
mutation ($input: DeleteCommentInput!) {
  deleteComment(input: $input) {
    deletedCommentId postcard { commentCount } errors { field message code }
  }
}
"""
NODE = """
query ($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Postcard { caption track { title } }
    ... on User { username }
    ... on Track { title }
    ... on Comment { body }
  }
}
"""
EXPLORE = """
query ($first: Int, $after: String) {
  explore(first: $first, after: $after) {
    edges { cursor node { caption } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
SONG = {"title": "Never Gonna Give You Up", "artist": "Rick Astley"}


def spotify(url: str) -> dict[str, object]:
    return {"track": {**SONG, "spotifyUrl": url}}


async def create(api: Api, token: str, input: dict[str, object]) -> dict[str, object]:
    return await api.mutate("createPostcard", CREATE, input, token)


async def test_create_a_full_moment(api: Api, http: httpx.AsyncClient) -> None:
    maya = await api.sign_up("maya")
    upload = await uploaded(http, maya)
    payload = await create(
        api,
        maya.token,
        {
            "track": {
                **SONG,
                "album": "Whenever You Need Somebody",
                "spotifyUrl": f"https://open.spotify.com/track/{SPOTIFY_ID}?si=abc123",
            },
            "caption": "Sunset on the pier",
            "photo": {"uploadId": upload["id"]},
            "place": {
                "name": "Santa Monica Pier",
                "latitude": 34.0083,
                "longitude": -118.4988,
                "foursquareVenueId": "4b0588f7f964a52001d922e3",
            },
        },
    )
    card = payload["postcard"]
    assert card["caption"] == "Sunset on the pier"
    assert (card["likeCount"], card["commentCount"], card["viewerHasLiked"]) == (0, 0, False)
    assert card["author"] == {"username": "maya", "postcardCount": 1}
    assert card["track"]["spotifyUri"] == f"spotify:track:{SPOTIFY_ID}"
    assert card["track"]["spotifyUrl"] == f"https://open.spotify.com/track/{SPOTIFY_ID}"
    assert card["track"]["album"] == "Whenever You Need Somebody"
    assert card["photo"] == {"url": upload["url"], "source": "UPLOAD"}
    assert card["place"] == {
        "name": "Santa Monica Pier",
        "latitude": 34.0083,
        "longitude": -118.4988,
        "foursquareVenueId": "4b0588f7f964a52001d922e3",
    }
    events = await FeedEvent.all().values("kind", "author_id")
    assert events == [{"kind": "POSTED", "author_id": (await User.get(username="maya")).id}]


@pytest.mark.parametrize(
    "link",
    [
        f"https://open.spotify.com/track/{SPOTIFY_ID}",
        f"https://open.spotify.com/track/{SPOTIFY_ID}?si=1a2b3c",
        f"https://open.spotify.com/intl-de/track/{SPOTIFY_ID}",
        f"http://open.spotify.com/track/{SPOTIFY_ID}/",
        f"spotify:track:{SPOTIFY_ID}",
    ],
)
async def test_every_spotify_link_form_is_one_track(api: Api, link: str) -> None:
    maya = await api.sign_up("maya")
    key = "spotifyUri" if link.startswith("spotify:") else "spotifyUrl"
    first = await create(api, maya.token, {"track": {**SONG, key: link}})
    second = await create(api, maya.token, spotify(f"https://open.spotify.com/track/{SPOTIFY_ID}"))
    assert first["postcard"]["track"]["id"] == second["postcard"]["track"]["id"]
    assert await Track.all().count() == 1


@pytest.mark.parametrize(
    "link",
    [
        f"https://evil.example/track/{SPOTIFY_ID}",
        "https://open.spotify.com/track/tooShort",
        f"https://open.spotify.com/album/{SPOTIFY_ID}",
        f"ftp://open.spotify.com/track/{SPOTIFY_ID}",
        "spotify:track:abc",
    ],
)
async def test_bad_spotify_links_are_refused_and_nothing_is_written(api: Api, link: str) -> None:
    maya = await api.sign_up("maya")
    payload = (await api.ok(CREATE, {"input": spotify(link)}, maya.token))["createPostcard"]
    assert payload["postcard"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["track", "spotifyUrl"], "UNSUPPORTED_LINK")
    ]
    await assert_nothing_written()


async def assert_nothing_written() -> None:
    assert await Postcard.all().count() == 0
    assert await Track.all().count() == 0
    assert await FeedEvent.all().count() == 0
    assert set(await User.all().values_list("postcard_count", flat=True)) <= {0}


async def test_tracks_without_spotify_are_deduplicated_by_title_and_artist(api: Api) -> None:
    maya = await api.sign_up("maya")
    one = await create(api, maya.token, {"track": {"title": "Hey  Jude", "artist": "The Beatles"}})
    two = await create(api, maya.token, {"track": {"title": "hey jude ", "artist": "THE BEATLES"}})
    assert one["postcard"]["track"]["id"] == two["postcard"]["track"]["id"]
    three = await create(api, maya.token, {"track": {"trackId": one["postcard"]["track"]["id"]}})
    assert three["postcard"]["track"]["title"] == "Hey  Jude"
    assert await Track.all().count() == 1


@pytest.mark.parametrize(
    ("input", "errors"),
    [
        ({"track": {}}, [(["track"], "REQUIRED")]),
        ({"track": {"title": "Song"}}, [(["track", "artist"], "REQUIRED")]),
        ({"track": {"trackId": "VHJhY2s6OTk5"}}, [(["track", "trackId"], "NOT_FOUND")]),
        ({"track": {"trackId": "VHJhY2s6OTk5", "title": "x"}}, [(["track"], "INVALID")]),
        ({"track": {**SONG, "durationMs": -5}}, [(["track", "durationMs"], "OUT_OF_RANGE")]),
        ({"track": SONG, "caption": "x" * 501}, [(["caption"], "TOO_LONG")]),
        (
            {"track": SONG, "photo": {"url": "https://imgur.com/a.png", "source": "INSTAGRAM"}},
            [(["photo", "url"], "UNSUPPORTED_LINK")],
        ),
        (
            {"track": SONG, "photo": {"url": "file:///etc/passwd", "source": "WEB"}},
            [(["photo", "url"], "INVALID")],
        ),
        (
            {"track": SONG, "photo": {"url": " ", "source": "WEB"}},
            [(["photo", "url"], "REQUIRED")],
        ),
        (
            {"track": SONG, "place": {"name": "Pier", "latitude": 91, "longitude": 0}},
            [(["place", "latitude"], "OUT_OF_RANGE")],
        ),
        (
            {"track": SONG, "place": {"name": "Pier", "latitude": 0, "longitude": -180.5}},
            [(["place", "longitude"], "OUT_OF_RANGE")],
        ),
        ({"track": SONG, "place": {"name": "Pier", "latitude": 10}}, [(["place"], "INVALID")]),
        ({"track": SONG, "place": {"name": ""}}, [(["place", "name"], "REQUIRED")]),
        (
            {"track": {"title": "", "artist": ""}, "caption": "x" * 600},
            [
                (["track", "title"], "REQUIRED"),
                (["track", "artist"], "REQUIRED"),
                (["caption"], "TOO_LONG"),
            ],
        ),
    ],
)
async def test_bad_input_is_refused_precisely(
    api: Api, input: dict[str, object], errors: list[tuple[list[str], str]]
) -> None:
    maya = await api.sign_up("maya")
    payload = (await api.ok(CREATE, {"input": input}, maya.token))["createPostcard"]
    assert payload["postcard"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == errors
    await assert_nothing_written()


async def test_caption_keeps_newlines_and_drops_control_characters(api: Api) -> None:
    maya = await api.sign_up("maya")
    payload = await create(
        api, maya.token, {"track": SONG, "caption": "  line one\nline\u0000 two\u202e "}
    )
    assert payload["postcard"]["caption"] == "line one\nline two"


async def test_only_the_author_edits_and_deletes(api: Api) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    card = (await create(api, maya.token, {"track": SONG, "caption": "mine"}))["postcard"]
    forbidden = {
        "field": ["postcardId"],
        "message": "Only the author can change this postcard.",
        "code": "FORBIDDEN",
    }
    edit = await api.ok(
        UPDATE, {"input": {"postcardId": card["id"], "caption": "hijacked"}}, kofi.token
    )
    assert edit["updatePostcard"] == {"postcard": None, "errors": [forbidden]}
    delete = await api.ok(DELETE, {"input": {"postcardId": card["id"]}}, kofi.token)
    assert delete["deletePostcard"] == {"deletedPostcardId": None, "errors": [forbidden]}
    assert (await Postcard.get()).caption == "mine"
    assert await FeedEvent.all().count() == 1


async def test_update_changes_given_parts_and_null_removes(
    api: Api, http: httpx.AsyncClient
) -> None:
    maya = await api.sign_up("maya")
    upload = await uploaded(http, maya)
    card = (
        await create(
            api,
            maya.token,
            {
                "track": SONG,
                "caption": "before",
                "photo": {"uploadId": upload["id"]},
                "place": {"name": "Pier"},
            },
        )
    )["postcard"]
    payload = await api.mutate(
        "updatePostcard", UPDATE, {"postcardId": card["id"], "caption": "after"}, maya.token
    )
    assert payload["postcard"] == {
        "caption": "after",
        "photo": {"url": upload["url"], "source": "UPLOAD"},
        "place": {"name": "Pier"},
    }
    payload = await api.mutate(
        "updatePostcard",
        UPDATE,
        {"postcardId": card["id"], "photo": None, "place": None},
        maya.token,
    )
    assert payload["postcard"] == {"caption": "after", "photo": None, "place": None}
    bad = (
        await api.ok(
            UPDATE, {"input": {"postcardId": card["id"], "caption": "x" * 501}}, maya.token
        )
    )["updatePostcard"]
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [(["caption"], "TOO_LONG")]
    assert (await Postcard.get()).caption == "after"


async def test_delete_removes_the_moment_and_logs_the_event(api: Api) -> None:
    maya = await api.sign_up("maya")
    card = (await create(api, maya.token, {"track": SONG}))["postcard"]
    payload = await api.mutate("deletePostcard", DELETE, {"postcardId": card["id"]}, maya.token)
    assert payload == {"deletedPostcardId": card["id"], "errors": []}
    assert await Postcard.all().count() == 0
    assert await FeedEvent.all().order_by("id").values_list("kind", flat=True) == [
        "POSTED",
        "DELETED",
    ]
    assert (await User.get(username="maya")).postcard_count == 0
    again = (await api.ok(DELETE, {"input": {"postcardId": card["id"]}}, maya.token))[
        "deletePostcard"
    ]
    assert again["errors"][0]["code"] == "NOT_FOUND"
    assert await api.ok(NODE, {"id": card["id"]}) == {"node": None}


async def test_comments_and_who_may_delete_them(api: Api) -> None:
    maya, kofi, lena = [await api.sign_up(n) for n in ("maya", "kofi", "lena")]
    card = (await create(api, maya.token, {"track": SONG}))["postcard"]
    first = await api.mutate(
        "addComment", ADD_COMMENT, {"postcardId": card["id"], "body": " Great tune!\n"}, kofi.token
    )
    assert first["comment"]["body"] == "Great tune!"
    assert first["comment"]["author"] == {"username": "kofi"}
    assert first["comment"]["postcard"] == {"commentCount": 1}
    second = await api.mutate(
        "addComment", ADD_COMMENT, {"postcardId": card["id"], "body": "Agreed"}, lena.token
    )
    # a stranger may not delete kofi's comment
    denied = await api.ok(
        DELETE_COMMENT, {"input": {"commentId": first["comment"]["id"]}}, lena.token
    )
    assert denied["deleteComment"]["errors"][0]["code"] == "FORBIDDEN"
    # the comment's author and the postcard's author may
    ok = await api.mutate(
        "deleteComment", DELETE_COMMENT, {"commentId": first["comment"]["id"]}, kofi.token
    )
    assert ok == {
        "deletedCommentId": first["comment"]["id"],
        "postcard": {"commentCount": 1},
        "errors": [],
    }
    ok = await api.mutate(
        "deleteComment", DELETE_COMMENT, {"commentId": second["comment"]["id"]}, maya.token
    )
    assert ok["postcard"] == {"commentCount": 0}
    assert await Comment.all().count() == 0


async def test_comment_bad_input_writes_nothing(api: Api) -> None:
    maya = await api.sign_up("maya")
    card = (await create(api, maya.token, {"track": SONG}))["postcard"]
    for body, code in (("", "REQUIRED"), ("x" * 1001, "TOO_LONG"), ("\u0000\u0001", "REQUIRED")):
        payload = await api.ok(
            ADD_COMMENT, {"input": {"postcardId": card["id"], "body": body}}, maya.token
        )
        assert payload["addComment"]["errors"][0]["code"] == code
    missing = await api.ok(
        ADD_COMMENT, {"input": {"postcardId": "UG9zdGNhcmQ6OTk5", "body": "hi"}}, maya.token
    )
    assert missing["addComment"]["errors"] == [
        {"field": ["postcardId"], "message": "No postcard with this id.", "code": "NOT_FOUND"}
    ]
    assert await Comment.all().count() == 0
    assert (await Postcard.get()).comment_count == 0


async def test_every_object_refetches_by_node_id(api: Api) -> None:
    maya = await api.sign_up("maya")
    card = (await create(api, maya.token, {"track": SONG, "caption": "hello"}))["postcard"]
    comment = (
        await api.mutate(
            "addComment", ADD_COMMENT, {"postcardId": card["id"], "body": "hi"}, maya.token
        )
    )["comment"]
    assert await api.ok(NODE, {"id": card["id"]}) == {
        "node": {
            "__typename": "Postcard",
            "id": card["id"],
            "caption": "hello",
            "track": {"title": SONG["title"]},
        }
    }
    assert (await api.ok(NODE, {"id": maya.id}))["node"]["username"] == "maya"
    assert (await api.ok(NODE, {"id": card["track"]["id"]}))["node"]["title"] == SONG["title"]
    assert (await api.ok(NODE, {"id": comment["id"]}))["node"]["body"] == "hi"
    for junk in ("", "!!!", "VXNlcjphYmM", "Tm9wZToz"):  # empty, not base64, User:abc, Nope:3
        assert await api.ok(NODE, {"id": junk}) == {"node": None}
    nodes = await api.ok(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [maya.id, "bad", card["id"]]}
    )
    assert nodes == {"nodes": [{"id": maya.id}, None, {"id": card["id"]}]}


async def test_explore_pages_are_stable_under_inserts(api: Api) -> None:
    maya = await api.sign_up("maya")
    for n in range(5):
        await create(api, maya.token, {"track": SONG, "caption": f"m{n}"})
    page = (await api.ok(EXPLORE, {"first": 2}))["explore"]
    assert [e["node"]["caption"] for e in page["edges"]] == ["m4", "m3"]
    assert page["pageInfo"]["hasPreviousPage"] is False
    # new moments arrive before the next page is read: they must not shift it
    await create(api, maya.token, {"track": SONG, "caption": "new"})
    page = (await api.ok(EXPLORE, {"first": 2, "after": page["pageInfo"]["endCursor"]}))["explore"]
    assert [e["node"]["caption"] for e in page["edges"]] == ["m2", "m1"]
    assert page["pageInfo"]["hasPreviousPage"] is True
    page = (await api.ok(EXPLORE, {"first": 2, "after": page["pageInfo"]["endCursor"]}))["explore"]
    assert [e["node"]["caption"] for e in page["edges"]] == ["m0"]
    assert page["pageInfo"]["hasNextPage"] is False


async def test_page_size_and_cursor_errors_are_bad_user_input(api: Api) -> None:
    for variables in ({"first": 101}, {"first": -1}, {"first": 5, "after": "not-a-cursor"}):
        body = await api.raw(EXPLORE, variables)
        assert body["data"] is None
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert (await api.ok(EXPLORE, {"first": 0}))["explore"]["edges"] == []
