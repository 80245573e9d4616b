"""The authorization matrix: every mutation and every object-returning root field, asked by
three callers — anonymous, the owner of what is acted on, and a stranger — and what each may
do and see. Read a row as `(anonymous, owner, stranger)`.

The world: olivia (the owner) has a moment with a comment and a like from fay, follows
nobody, is followed by fay, has a public and a private playlist of two songs each, and three
notifications (fay's like, comment and follow). She also commented on fay's moment. sam (the
stranger) has nothing and follows nobody. Every refusal is checked to write nothing.

The moderation fields have a table of their own, with two more callers: mona (a moderator) and
ada (an admin), granted their roles as the command line does. fay reported olivia's moment
(an open report)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

import models
from graph.relay import to_global_id
from resolvers import (
    comments,
    likes,
    moderation,
    playlists,
    postcards,
    tracks,
    users,
)
from tests.support import matrix
from tests.support.api import Api
from tests.support.matrix import (
    FORBIDDEN,
    INVALID,
    INVALID_CREDENTIALS,
    NOOP,
    NOT_FOUND,
    OK,
    PASSWORD,
    SAFETY_MUTATIONS,
    SEARCH_READ,
    UNAUTHENTICATED,
    Mutation,
    Read,
    add_items,
    cases,
    check_mutation,
    check_read,
    member,
    open_report,
)

ANONYMOUS, OWNER, STRANGER = "anonymous", "owner", "stranger"
CALLERS = (ANONYMOUS, OWNER, STRANGER)
MODERATOR, ADMIN = "moderator", "admin"
STAFF_CALLERS = (*CALLERS, MODERATOR, ADMIN)


@dataclass
class World:
    ids: dict[str, str]
    tokens: dict[str, str | None]
    olivia: models.User


@pytest.fixture
async def world(app: object) -> World:
    olivia, olivia_token = await member("olivia")
    _sam, sam_token = await member("sam")
    fay, _ = await member("fay")
    song = tracks.TrackInput(title="Harvest Moon", artist="Neil Young")
    card, _ = await postcards.create(olivia, song, "porch", None, matrix.PIER)
    fay_card, _ = await postcards.create(fay, song, "fields", None, matrix.FIELDS)
    fay_comment = await comments.add(fay, card.id, "lovely")
    olivia_comment = await comments.add(olivia, fay_card.id, "thanks fay")
    await likes.like(fay, card.id)
    await users.follow(fay, olivia.id)
    public = await playlists.create(olivia, "Summer", None, True)
    private = await playlists.create(olivia, "Secret", None, False)
    await add_items(olivia, public, [card.id, fay_card.id])
    await add_items(olivia, private, [card.id, fay_card.id])
    public_item = await models.PlaylistItem.get(playlist_id=public.id, position=0)
    private_item = await models.PlaylistItem.get(playlist_id=private.id, position=0)
    notification = await models.Notification.filter(recipient_id=olivia.id).order_by("-id").first()
    assert notification is not None
    # rex asked to follow olivia (as if she had been private a moment ago)
    rex, _ = await member("rex")
    request = await models.FollowRequest.create(requester_id=rex.id, target_id=olivia.id)
    _mona, mona_token = await member("mona")
    _ada, ada_token = await member("ada")
    await moderation.grant_role("mona", models.Role.MODERATOR)
    await moderation.grant_role("ada", models.Role.ADMIN)
    report = await open_report(fay, card)
    ids = {
        "olivia": to_global_id("User", olivia.id),
        "card": to_global_id("Postcard", card.id),
        "fay_card": to_global_id("Postcard", fay_card.id),
        "track": to_global_id("Track", card.track_id),
        "fay_comment": to_global_id("Comment", fay_comment.id),
        "olivia_comment": to_global_id("Comment", olivia_comment.id),
        "public": to_global_id("Playlist", public.id),
        "private": to_global_id("Playlist", private.id),
        "public_item": to_global_id("PlaylistItem", public_item.id),
        "private_item": to_global_id("PlaylistItem", private_item.id),
        "notification": to_global_id("Notification", notification.id),
        "request": to_global_id("FollowRequest", request.id),
        "report": to_global_id("Report", report.id),
    }
    tokens = {
        ANONYMOUS: None,
        OWNER: olivia_token,
        STRANGER: sam_token,
        MODERATOR: mona_token,
        ADMIN: ada_token,
    }
    return World(ids=ids, tokens=tokens, olivia=olivia)


# ---------------------------------------------------------------------------------------
# Mutations


def playlist_ops(key: str) -> dict[str, Mutation]:
    """The five playlist edits, on the public or the private playlist."""
    item = f"{key}_item"
    return {
        f"updatePlaylist({key})": Mutation(
            "updatePlaylist",
            "UpdatePlaylistInput",
            "playlist { id title }",
            lambda w, c: {"playlistId": w.ids[key], "title": "Renamed"},
        ),
        f"deletePlaylist({key})": Mutation(
            "deletePlaylist",
            "DeletePlaylistInput",
            "deletedPlaylistId",
            lambda w, c: {"playlistId": w.ids[key]},
        ),
        f"addToPlaylist({key})": Mutation(
            "addToPlaylist",
            "AddToPlaylistInput",
            "playlist { itemCount }",
            lambda w, c: {"playlistId": w.ids[key], "trackId": w.ids["track"]},
        ),
        f"removeFromPlaylist({key})": Mutation(
            "removeFromPlaylist",
            "RemoveFromPlaylistInput",
            "playlist { itemCount }",
            lambda w, c: {"playlistId": w.ids[key], "itemId": w.ids[item]},
        ),
        f"movePlaylistItems({key})": Mutation(
            "movePlaylistItems",
            "MovePlaylistItemsInput",
            "playlist { version }",
            lambda w, c: {"playlistId": w.ids[key], "rangeStart": 0, "insertBefore": 2},
        ),
    }


TRACK = {"title": "Heart of Gold", "artist": "Neil Young"}
MUTATIONS: dict[str, Mutation] = {
    "signUp": Mutation(
        "signUp",
        "SignUpInput",
        "token user { username }",
        lambda w, c: {"username": f"new_{c}", "password": PASSWORD},
    ),
    "logIn(olivia)": Mutation(
        "logIn",
        "LogInInput",
        "token",
        lambda w, c: {
            "username": "olivia",
            "password": "wrong guess" if c == STRANGER else PASSWORD,
        },
    ),
    "updateProfile": Mutation(
        "updateProfile",
        "UpdateProfileInput",
        "user { username bio }",
        lambda w, c: {"bio": "changed"},
    ),
    "follow(olivia)": Mutation(
        "follow", "FollowInput", "user { followerCount }", lambda w, c: {"userId": w.ids["olivia"]}
    ),
    "unfollow(olivia)": Mutation(
        "unfollow",
        "FollowInput",
        "user { followerCount }",
        lambda w, c: {"userId": w.ids["olivia"]},
    ),
    "createPostcard": Mutation(
        "createPostcard", "CreatePostcardInput", "postcard { id }", lambda w, c: {"track": TRACK}
    ),
    "updatePostcard(card)": Mutation(
        "updatePostcard",
        "UpdatePostcardInput",
        "postcard { caption }",
        lambda w, c: {"postcardId": w.ids["card"], "caption": "defaced", "photo": None},
    ),
    "deletePostcard(card)": Mutation(
        "deletePostcard",
        "PostcardIdInput",
        "deletedPostcardId",
        lambda w, c: {"postcardId": w.ids["card"]},
    ),
    "likePostcard(card)": Mutation(
        "likePostcard",
        "PostcardIdInput",
        "postcard { likeCount }",
        lambda w, c: {"postcardId": w.ids["card"]},
    ),
    "unlikePostcard(card)": Mutation(
        "unlikePostcard",
        "PostcardIdInput",
        "postcard { likeCount }",
        lambda w, c: {"postcardId": w.ids["card"]},
    ),
    "addComment(card)": Mutation(
        "addComment",
        "AddCommentInput",
        "comment { id }",
        lambda w, c: {"postcardId": w.ids["card"], "body": "hi"},
    ),
    # fay's comment on olivia's moment: olivia may delete it as the moment's author
    "deleteComment(fay's, on olivia's card)": Mutation(
        "deleteComment",
        "DeleteCommentInput",
        "deletedCommentId",
        lambda w, c: {"commentId": w.ids["fay_comment"]},
    ),
    # olivia's comment on fay's moment: olivia may delete it as the comment's author
    "deleteComment(olivia's, on fay's card)": Mutation(
        "deleteComment",
        "DeleteCommentInput",
        "deletedCommentId",
        lambda w, c: {"commentId": w.ids["olivia_comment"]},
    ),
    "addTrackLink(track)": Mutation(
        "addTrackLink",
        "AddTrackLinkInput",
        "track { id }",
        lambda w, c: {"trackId": w.ids["track"], "url": "https://deezer.com/track/3135556"},
    ),
    "createPlaylist": Mutation(
        "createPlaylist",
        "CreatePlaylistInput",
        "playlist { id }",
        lambda w, c: {"title": "Mine", "isPublic": False},
    ),
    **playlist_ops("public"),
    **playlist_ops("private"),
    "markNotificationsRead(olivia's)": Mutation(
        "markNotificationsRead",
        "MarkNotificationsReadInput",
        "unreadNotificationCount",
        lambda w, c: {"upTo": w.ids["notification"]},
    ),
    # a plain JSON request (the multipart path is tests/api/test_uploads.py): `file` not a file
    "uploadPhoto(not a file)": Mutation(
        "uploadPhoto",
        "UploadPhotoInput",
        "upload { id }",
        lambda w, c: {"file": "not a file"},
    ),
    "logOut": Mutation("logOut", "", "revoked", lambda w, c: {}),
    **SAFETY_MUTATIONS,
    "resolveReport(fay's, REMOVE_CONTENT)": Mutation(
        "resolveReport",
        "ResolveReportInput",
        "report { status }",
        lambda w, c: {"reportId": w.ids["report"], "action": "REMOVE_CONTENT"},
    ),
    "deleteAccount(wrong password)": Mutation(
        "deleteAccount", "DeleteAccountInput", "deleted", lambda w, c: {"password": "guess!!!"}
    ),
}

MUTATION_MATRIX: list[tuple[str, str, str, str]] = [
    # mutation                                   anonymous        owner       stranger
    ("signUp",                                   OK,              OK,         OK),
    ("logIn(olivia)",                            OK,              OK,         INVALID_CREDENTIALS),
    ("logOut",                                   UNAUTHENTICATED, OK,         OK),
    ("updateProfile",                            UNAUTHENTICATED, OK,         OK),
    ("follow(olivia)",                           UNAUTHENTICATED, INVALID,    OK),
    ("unfollow(olivia)",                         UNAUTHENTICATED, INVALID,    NOOP),
    ("createPostcard",                           UNAUTHENTICATED, OK,         OK),
    ("updatePostcard(card)",                     UNAUTHENTICATED, OK,         FORBIDDEN),
    ("deletePostcard(card)",                     UNAUTHENTICATED, OK,         FORBIDDEN),
    ("likePostcard(card)",                       UNAUTHENTICATED, OK,         OK),
    ("unlikePostcard(card)",                     UNAUTHENTICATED, NOOP,       NOOP),
    ("addComment(card)",                         UNAUTHENTICATED, OK,         OK),
    ("deleteComment(fay's, on olivia's card)",   UNAUTHENTICATED, OK,         FORBIDDEN),
    ("deleteComment(olivia's, on fay's card)",   UNAUTHENTICATED, OK,         FORBIDDEN),
    # a song is everyone's: any member adds where it plays
    ("addTrackLink(track)",                      UNAUTHENTICATED, OK,         OK),
    ("createPlaylist",                           UNAUTHENTICATED, OK,         OK),
    ("updatePlaylist(public)",                   UNAUTHENTICATED, OK,         FORBIDDEN),
    ("deletePlaylist(public)",                   UNAUTHENTICATED, OK,         FORBIDDEN),
    ("addToPlaylist(public)",                    UNAUTHENTICATED, OK,         FORBIDDEN),
    ("removeFromPlaylist(public)",               UNAUTHENTICATED, OK,         FORBIDDEN),
    ("movePlaylistItems(public)",                UNAUTHENTICATED, OK,         FORBIDDEN),
    ("updatePlaylist(private)",                  UNAUTHENTICATED, OK,         NOT_FOUND),
    ("deletePlaylist(private)",                  UNAUTHENTICATED, OK,         NOT_FOUND),
    ("addToPlaylist(private)",                   UNAUTHENTICATED, OK,         NOT_FOUND),
    ("removeFromPlaylist(private)",              UNAUTHENTICATED, OK,         NOT_FOUND),
    ("movePlaylistItems(private)",               UNAUTHENTICATED, OK,         NOT_FOUND),
    ("markNotificationsRead(olivia's)",          UNAUTHENTICATED, OK,         NOT_FOUND),
    ("uploadPhoto(not a file)",                  UNAUTHENTICATED, INVALID,    INVALID),
    ("block(olivia)",                            UNAUTHENTICATED, INVALID,    OK),
    ("unblock(olivia)",                          UNAUTHENTICATED, INVALID,    NOOP),
    ("mute(olivia)",                             UNAUTHENTICATED, INVALID,    OK),
    ("unmute(olivia)",                           UNAUTHENTICATED, INVALID,    NOOP),
    ("cancelFollowRequest(olivia)",              UNAUTHENTICATED, INVALID,    NOOP),
    ("acceptFollowRequest(rex's)",               UNAUTHENTICATED, OK,         NOT_FOUND),
    ("rejectFollowRequest(rex's)",               UNAUTHENTICATED, OK,         NOT_FOUND),
    ("deleteAccount",                            UNAUTHENTICATED, OK,         OK),
    ("deleteAccount(wrong password)",            UNAUTHENTICATED, INVALID_CREDENTIALS,
                                                                              INVALID_CREDENTIALS),
    ("exportMyData",                             UNAUTHENTICATED, NOOP,       NOOP),
]  # fmt: skip
# The moderation mutations, with a moderator and an admin beside the three callers: olivia
# owns the reported moment, sam is a member who has not reported it.
MODERATION_MUTATION_MATRIX: list[tuple[str, str, str, str, str, str]] = [
    # mutation                              anonymous        owner      stranger   moderator  admin
    ("report(card)",                        UNAUTHENTICATED, INVALID,   OK,        OK,        OK),
    ("resolveReport(fay's, DISMISS)",       UNAUTHENTICATED, FORBIDDEN, FORBIDDEN, OK,        OK),
    ("resolveReport(fay's, REMOVE_CONTENT)", UNAUTHENTICATED, FORBIDDEN, FORBIDDEN, OK,       OK),
]  # fmt: skip
MUTATION_CASES = [
    *cases(MUTATION_MATRIX, CALLERS),
    *cases(MODERATION_MUTATION_MATRIX, STAFF_CALLERS),
]
ALL_MUTATION_ROWS = [name for name, *_ in (*MUTATION_MATRIX, *MODERATION_MUTATION_MATRIX)]


def test_the_matrix_covers_every_mutation() -> None:
    from graph.schema import schema

    mutation_type = schema._schema.mutation_type
    assert mutation_type is not None
    covered = {MUTATIONS[name].field for name in ALL_MUTATION_ROWS}
    assert covered == set(mutation_type.fields)
    assert set(MUTATIONS) == set(ALL_MUTATION_ROWS)


@pytest.mark.parametrize(("name", "caller", "expected"), MUTATION_CASES)
async def test_mutation_authorization(
    api: Api, world: World, name: str, caller: str, expected: str
) -> None:
    await check_mutation(api, MUTATIONS[name], world, caller, world.tokens[caller], expected)


# What an accepted mutation did, where the caller matters: the owner's things are changed
# only by the owner, whoever else is signed in.


async def test_a_strangers_profile_edit_changes_only_the_stranger(api: Api, world: World) -> None:
    await api.mutate(
        "updateProfile",
        MUTATIONS["updateProfile"].document,
        {"bio": "mine"},
        world.tokens[STRANGER],
    )
    assert (await models.User.get(username="olivia")).bio == ""
    assert (await models.User.get(username="sam")).bio == "mine"


async def test_logging_out_revokes_only_the_callers_token(api: Api, world: World) -> None:
    me = "{ viewer { username } }"
    await api.ok("mutation { logOut { revoked } }", token=world.tokens[STRANGER])
    assert (await api.ok(me, token=world.tokens[OWNER])) == {"viewer": {"username": "olivia"}}
    refused = await api.raw(me, token=world.tokens[STRANGER])
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_strangers_unlike_leaves_other_likes(api: Api, world: World) -> None:
    payload = await api.mutate(
        "unlikePostcard",
        MUTATIONS["unlikePostcard(card)"].document,
        {"postcardId": world.ids["card"]},
        world.tokens[STRANGER],
    )
    assert payload["postcard"] == {"likeCount": 1}
    assert await models.Like.all().count() == 1


# ---------------------------------------------------------------------------------------
# Queries: what each caller sees. A marker string is a top-level error code; anything else
# is the value `view` extracts from `data`.


def node_of(key: str, fragment: str) -> Read:
    """`node(id:)` of the world's object `key`, selecting `fragment`: its typename, or None."""
    return Read(
        f"query ($id: ID!) {{ node(id: $id) {{ __typename ... on {fragment} }} }}",
        lambda w: {"id": w.ids[key]},
        lambda d: d["node"] and d["node"]["__typename"],
    )


def titles(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in connection["edges"]]


def typenames(nodes: list[dict[str, Any] | None]) -> list[str | None]:
    return [node["__typename"] if node else None for node in nodes]


PLAYLIST_FIELDS = "title items { edges { node { position track { title } } } }"
READS: dict[str, Read] = {
    "viewer": Read(
        "{ viewer { username } }",
        lambda w: {},
        lambda d: d["viewer"] and d["viewer"]["username"],
    ),
    "viewer.notifications": Read(
        "{ viewer { notifications { edges { node { kind actor { username } } } } } }",
        lambda w: {},
        lambda d: (
            d["viewer"] and [e["node"]["kind"] for e in d["viewer"]["notifications"]["edges"]]
        ),
    ),
    "user(olivia)": Read(
        'query { user(username: "OLIVIA") { username followerCount } }',
        lambda w: {},
        lambda d: d["user"],
    ),
    "user(olivia).playlists": Read(
        'query { user(username: "olivia") { playlists { edges { node { title } } } } }',
        lambda w: {},
        lambda d: titles(d["user"]["playlists"]),
    ),
    "user(olivia).notifications": Read(
        'query { user(username: "olivia") { notifications { edges { node { kind } } } } }',
        lambda w: {},
        lambda d: (
            d["user"]["notifications"]
            and [e["node"]["kind"] for e in d["user"]["notifications"]["edges"]]
        ),
    ),
    "user(olivia).unreadNotificationCount": Read(
        'query { user(username: "olivia") { unreadNotificationCount } }',
        lambda w: {},
        lambda d: d["user"]["unreadNotificationCount"],
    ),
    "postcard(card)": Read(
        "query ($id: ID!) { postcard(id: $id) { caption likeCount"
        " likedBy { edges { node { username } } } comments { edges { node { body } } } } }",
        lambda w: {"id": w.ids["card"]},
        lambda d: (
            d["postcard"] and (d["postcard"]["caption"], len(d["postcard"]["comments"]["edges"]))
        ),
    ),
    "playlist(public)": Read(
        f"query ($id: ID!) {{ playlist(id: $id) {{ {PLAYLIST_FIELDS} }} }}",
        lambda w: {"id": w.ids["public"]},
        lambda d: d["playlist"] and len(d["playlist"]["items"]["edges"]),
    ),
    "playlist(private)": Read(
        f"query ($id: ID!) {{ playlist(id: $id) {{ {PLAYLIST_FIELDS} }} }}",
        lambda w: {"id": w.ids["private"]},
        lambda d: d["playlist"] and len(d["playlist"]["items"]["edges"]),
    ),
    "node(private playlist)": node_of("private", f"Playlist {{ {PLAYLIST_FIELDS} }}"),
    "node(private playlist item)": node_of("private_item", "PlaylistItem { position }"),
    "node(public playlist item)": node_of("public_item", "PlaylistItem { position }"),
    "node(olivia's notification)": node_of("notification", "Notification { kind }"),
    "node(comment)": node_of("fay_comment", "Comment { body }"),
    "nodes(card, private, notification)": Read(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename } }",
        lambda w: {"ids": [w.ids["card"], w.ids["private"], w.ids["notification"]]},
        lambda d: typenames(d["nodes"]),
    ),
    "feed": Read(
        "{ feed { edges { node { caption } } } }",
        lambda w: {},
        lambda d: [e["node"]["caption"] for e in d["feed"]["edges"]],
    ),
    "explore": Read(
        "{ explore { edges { node { caption } } } }",
        lambda w: {},
        lambda d: [e["node"]["caption"] for e in d["explore"]["edges"]],
    ),
    # nothing trends here: each moment has one member's interactions
    "trending": Read(
        "{ trending { edges { node { caption } } } }",
        lambda w: {},
        lambda d: [e["node"]["caption"] for e in d["trending"]["edges"]],
    ),
    **{
        name: Read(
            f"{{ topTracks{arguments} {{ edges {{ rank sharers node {{ title }} }} }} }}",
            lambda w: {},
            lambda d: [
                (e["rank"], e["node"]["title"], e["sharers"]) for e in d["topTracks"]["edges"]
            ],
        )
        for name, arguments in (("topTracks", ""), ("topTracks(FRIENDS)", "(scope: FRIENDS)"))
    },
    "searchUsers(oli)": Read(
        '{ searchUsers(query: "oli") { edges { node { username } } } }',
        lambda w: {},
        lambda d: [e["node"]["username"] for e in d["searchUsers"]["edges"]],
    ),
    "nearby(pier)": matrix.NEARBY,
    "nearbyPlaces(pier)": matrix.NEARBY_PLACES,
    "search(oli, porch)": SEARCH_READ,
    "rateLimit": Read(
        "{ rateLimit { limit cost } }",
        lambda w: {},
        lambda d: d["rateLimit"]["limit"] > 0 and d["rateLimit"]["cost"] > 0,
    ),
    "searchTracks(harvest)": Read(
        '{ searchTracks(query: "harvest") { edges { node { title } } } }',
        lambda w: {},
        lambda d: [e["node"]["title"] for e in d["searchTracks"]["edges"]],
    ),
    "reports": Read(
        "{ reports { edges { node { reason reporter { username } } } } }",
        lambda w: {},
        lambda d: [(e["node"]["reason"], e["node"]["reporter"]) for e in d["reports"]["edges"]],
    ),
    "node(fay's report)": node_of("report", "Report { reason }"),
    "moderationLog": Read(
        "{ moderationLog { edges { node { kind moderator { username } details } } } }",
        lambda w: {},
        lambda d: [
            (e["node"]["kind"], e["node"]["moderator"], e["node"]["details"]["role"])
            for e in d["moderationLog"]["edges"]
        ],
    ),
}

NOTIFIED = ["FOLLOWED", "LIKED", "COMMENTED"]
CARD_VIEW = ("porch", 1)
HARVEST = [(1, "Harvest Moon", 2)]  # olivia's and fay's, both public
BOTH = ["Secret", "Summer"]
FOUND = (["olivia"], ["porch"], ["Porch"])
READ_MATRIX: list[tuple[str, Any, Any, Any]] = [
    # root field                            anonymous        owner                 stranger
    ("viewer",                              None,            "olivia",             "sam"),
    ("viewer.notifications",                None,            NOTIFIED,             []),
    ("user(olivia)",                        {"username": "olivia", "followerCount": 1},
                                                             {"username": "olivia", "followerCount": 1},
                                                                                   {"username": "olivia", "followerCount": 1}),
    ("user(olivia).playlists",              ["Summer"],      BOTH,                 ["Summer"]),
    # viewer-only: null for anyone else, never an error that would take down a list
    ("user(olivia).notifications",          None,            NOTIFIED,             None),
    ("user(olivia).unreadNotificationCount", None,           3,                    None),
    ("postcard(card)",                      CARD_VIEW,       CARD_VIEW,            CARD_VIEW),
    ("playlist(public)",                    2,               2,                    2),
    ("playlist(private)",                   None,            2,                    None),
    ("node(private playlist)",              None,            "Playlist",           None),
    ("node(private playlist item)",         None,            "PlaylistItem",       None),
    ("node(public playlist item)",          "PlaylistItem",  "PlaylistItem",       "PlaylistItem"),
    ("node(olivia's notification)",         None,            "Notification",       None),
    ("node(comment)",                       "Comment",       "Comment",            "Comment"),
    ("nodes(card, private, notification)",  ["Postcard", None, None],
                                                             ["Postcard", "Playlist", "Notification"],
                                                                                   ["Postcard", None, None]),
    ("feed",                                UNAUTHENTICATED, ["porch"],            []),
    ("explore",                             ["fields", "porch"],
                                                             ["fields", "porch"],  ["fields", "porch"]),
    ("trending",                            [],              [],                   []),
    ("topTracks",                           HARVEST,         HARVEST,              HARVEST),
    ("topTracks(FRIENDS)",                  UNAUTHENTICATED, [],                   []),
    ("searchUsers(oli)",                    ["olivia"],      ["olivia"],           ["olivia"]),
    ("nearby(pier)",                        ["fields", "porch"],
                                                             ["fields", "porch"],  ["fields", "porch"]),
    ("nearbyPlaces(pier)",                  ["Porch", "Fields"],
                                                             ["Porch", "Fields"],  ["Porch", "Fields"]),
    ("search(oli, porch)",                  FOUND,           FOUND,                FOUND),
    ("rateLimit",                           True,            True,                 True),
    ("searchTracks(harvest)",               ["Harvest Moon"], ["Harvest Moon"],    ["Harvest Moon"]),
]  # fmt: skip
FAYS_REPORT = [("SPAM", {"username": "fay"})]
GRANTS = [("GRANT_ROLE", None, "ADMIN"), ("GRANT_ROLE", None, "MODERATOR")]
MODERATION_READ_MATRIX: list[tuple[str, Any, Any, Any, Any, Any]] = [
    # root field            anonymous        owner      stranger   moderator    admin
    ("reports",             UNAUTHENTICATED, FORBIDDEN, FORBIDDEN, FAYS_REPORT, FAYS_REPORT),
    ("node(fay's report)",  None,            None,      None,      "Report",    "Report"),
    ("moderationLog",       UNAUTHENTICATED, FORBIDDEN, FORBIDDEN, FORBIDDEN,   GRANTS),
]  # fmt: skip
READ_CASES = [*cases(READ_MATRIX, CALLERS), *cases(MODERATION_READ_MATRIX, STAFF_CALLERS)]
ALL_READ_ROWS = [name for name, *_ in (*READ_MATRIX, *MODERATION_READ_MATRIX)]
ERROR_CODES = {UNAUTHENTICATED, FORBIDDEN}


def test_the_matrix_covers_every_object_returning_root_field() -> None:
    from graph.schema import schema

    query_type = schema._schema.query_type
    covered = {name.split("(")[0].split(".")[0] for name in ALL_READ_ROWS}
    assert set(query_type.fields) <= covered, set(query_type.fields) - covered
    assert set(READS) == set(ALL_READ_ROWS)


@pytest.mark.parametrize(("name", "caller", "expected"), READ_CASES)
async def test_read_authorization(
    api: Api, world: World, name: str, caller: str, expected: Any
) -> None:
    await check_read(api, READS[name], world, world.tokens[caller], expected)
