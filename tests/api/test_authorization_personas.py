"""The persona matrix (issue 14 item 7): every mutation and root field of blocks, mutes,
private accounts, reports and leaving, asked by eight callers about one private member and
her content. Read a row as `(anonymous, owner, stranger, blocked, muted, muted follower,
follower, moderator)`; the three-caller matrix of every other field is
tests/api/test_authorization.py.

The world: olivia (the owner) is a private account. Her moment "porch" has a comment
("lovely") and a like from fay, her approved follower; her public playlist "Summer" holds it.
fay and max follow her (approved before she went private); she follows paul, a public member,
and liked his moment "fields" (fay liked it after her). rex asked to follow her (pending), and
fay reported her moment (an open report). The callers:
- stranger: sam, no relation to her;
- blocked: ben, whom olivia blocks;
- muted: mo, whom olivia mutes and who does not follow her — a mute hides nothing from the
  muted member, so mo's column equals sam's;
- muted follower: max, an approved follower whom olivia mutes — his column equals fay's on
  her content (he sees it all), and only olivia's own inbox drops what max caused;
- follower: fay, approved;
- moderator: mona (role MODERATOR, as `soundpost grant-role` gives it), no relation to her:
  a role shows no private content.
Each caller also has a playlist "Mine" of their own, to collect her moment into. Every refusal
is checked to write nothing, and every read too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

import models
from graph.relay import to_global_id
from resolvers import comments, likes, moderation, playlists, postcards, safety, tracks
from resolvers import users as members
from tests.support import matrix
from tests.support.api import Api
from tests.support.matrix import (
    CONFLICT,
    INVALID,
    NOOP,
    OK,
    SAFETY_MUTATIONS,
    Mutation,
    Read,
    member,
    open_report,
)
from tests.support.matrix import FORBIDDEN as FB
from tests.support.matrix import NOT_FOUND as NF
from tests.support.matrix import UNAUTHENTICATED as UN

ANONYMOUS, OWNER, STRANGER, BLOCKED = "anonymous", "owner", "stranger", "blocked"
MUTED, MUTED_FOLLOWER, FOLLOWER, MODERATOR = "muted", "muted follower", "follower", "moderator"
CALLERS = (ANONYMOUS, OWNER, STRANGER, BLOCKED, MUTED, MUTED_FOLLOWER, FOLLOWER, MODERATOR)
USERNAMES = {
    OWNER: "olivia",
    STRANGER: "sam",
    BLOCKED: "ben",
    MUTED: "mo",
    MUTED_FOLLOWER: "max",
    FOLLOWER: "fay",
    MODERATOR: "mona",
}
# ok, and a FollowRequest was written (the follow of a private account), no Follow
REQUESTED = "ok, requested"


@dataclass
class World:
    ids: dict[str, str]
    tokens: dict[str, str | None]


@pytest.fixture
async def world(app: object) -> World:
    people = {caller: await member(name) for caller, name in USERNAMES.items()}
    await moderation.grant_role("mona", models.Role.MODERATOR)
    olivia, fay, max_ = people[OWNER][0], people[FOLLOWER][0], people[MUTED_FOLLOWER][0]
    paul, _ = await member("paul")
    rex, _ = await member("rex")
    song = tracks.TrackInput(title="Harvest Moon", artist="Neil Young")
    card, _ = await postcards.create(olivia, song, "porch", None, matrix.PIER)
    paul_card, _ = await postcards.create(paul, song, "fields", None, matrix.FIELDS)
    comment = await comments.add(fay, card.id, "lovely")
    await likes.like(fay, card.id)
    await likes.like(olivia, paul_card.id)
    await likes.like(fay, paul_card.id)
    for follower in (fay, max_):
        await members.follow(follower, olivia.id)
    await members.follow(olivia, paul.id)
    await models.User.filter(id=olivia.id).update(is_private=True)
    olivia = await models.User.get(id=olivia.id)
    _, request = await members.follow(rex, olivia.id)
    assert request is not None
    await safety.block(olivia, people[BLOCKED][0].id)
    for muted in (people[MUTED][0], max_):
        await safety.mute(olivia, muted.id, None)
    summer = await playlists.create(olivia, "Summer", None, True)
    await matrix.add_items(olivia, summer, [card.id])
    report = await open_report(fay, card)
    ids = {
        "olivia": to_global_id("User", olivia.id),
        "card": to_global_id("Postcard", card.id),
        "paul_card": to_global_id("Postcard", paul_card.id),
        "track": to_global_id("Track", card.track_id),
        "comment": to_global_id("Comment", comment.id),
        "summer": to_global_id("Playlist", summer.id),
        "request": to_global_id("FollowRequest", request.id),
        "report": to_global_id("Report", report.id),
        ANONYMOUS: to_global_id("Playlist", summer.id),  # refused before it matters
    }
    for caller, (user, _token) in people.items():
        mine = await playlists.create(user, "Mine", None, False)
        ids[caller] = to_global_id("Playlist", mine.id)
    tokens = {caller: token for caller, (_user, token) in people.items()}
    return World(ids=ids, tokens={ANONYMOUS: None, **tokens})


# ---------------------------------------------------------------------------------------
# Mutations


def on_olivia(field: str, input_type: str, selection: str = "user { id }") -> Mutation:
    return Mutation(field, input_type, selection, lambda w, c: {"userId": w.ids["olivia"]})


def on_card(field: str, selection: str) -> Mutation:
    return Mutation(field, "PostcardIdInput", selection, lambda w, c: {"postcardId": w.ids["card"]})


MUTATIONS: dict[str, Mutation] = {
    "follow(olivia)": on_olivia("follow", "FollowInput", "user { viewerFollowState }"),
    "unfollow(olivia)": on_olivia("unfollow", "FollowInput"),
    "likePostcard(card)": on_card("likePostcard", "postcard { likeCount }"),
    # the payload's moment, as a hidden one would leak it
    "unlikePostcard(card)": on_card("unlikePostcard", "postcard { caption likeCount }"),
    "addComment(card)": Mutation(
        "addComment",
        "AddCommentInput",
        "comment { id }",
        lambda w, c: {"postcardId": w.ids["card"], "body": "hi"},
    ),
    "addToPlaylist(own, postcardId: card)": Mutation(
        "addToPlaylist",
        "AddToPlaylistInput",
        "playlist { itemCount }",
        lambda w, c: {"playlistId": w.ids[c], "postcardId": w.ids["card"]},
    ),
    "deleteComment(fay's, on card)": Mutation(
        "deleteComment",
        "DeleteCommentInput",
        "deletedCommentId",
        lambda w, c: {"commentId": w.ids["comment"]},
    ),
    "addTrackLink(her moment's track)": Mutation(
        "addTrackLink",
        "AddTrackLinkInput",
        "track { id }",
        lambda w, c: {"trackId": w.ids["track"], "url": "https://deezer.com/track/3135556"},
    ),
    **SAFETY_MUTATIONS,
}

MUTATION_MATRIX: list[tuple[str, str, str, str, str, str, str, str, str]] = [
    # mutation                            anonymous owner    stranger   blocked   muted      muted follower follower moderator
    ("follow(olivia)",                    UN,       INVALID, REQUESTED, FB,       REQUESTED, NOOP,    NOOP,    REQUESTED),
    ("unfollow(olivia)",                  UN,       INVALID, NOOP,      NOOP,     NOOP,      OK,      OK,      NOOP),
    ("block(olivia)",                     UN,       INVALID, OK,        OK,       OK,        OK,      OK,      OK),
    ("unblock(olivia)",                   UN,       INVALID, NOOP,      NOOP,     NOOP,      NOOP,    NOOP,    NOOP),
    ("mute(olivia)",                      UN,       INVALID, OK,        OK,       OK,        OK,      OK,      OK),
    ("unmute(olivia)",                    UN,       INVALID, NOOP,      NOOP,     NOOP,      NOOP,    NOOP,    NOOP),
    ("cancelFollowRequest(olivia)",       UN,       INVALID, NOOP,      NOOP,     NOOP,      NOOP,    NOOP,    NOOP),
    ("likePostcard(card)",                UN,       OK,      NF,        FB,       NF,        OK,      NOOP,    NF),
    ("unlikePostcard(card)",              UN,       NOOP,    NF,        FB,       NF,        NOOP,    OK,      NF),
    ("addComment(card)",                  UN,       OK,      NF,        FB,       NF,        OK,      OK,      NF),
    ("addToPlaylist(own, postcardId: card)", UN,    OK,      NF,        FB,       NF,        OK,      OK,      NF),
    # a private moment is reported by those who see it (a block does not stop a report)
    ("report(card)",                      UN,       INVALID, NF,        NF,       NF,        OK,      CONFLICT, NF),
    ("acceptFollowRequest(rex's)",        UN,       OK,      NF,        NF,       NF,        NF,      NF,      NF),
    ("rejectFollowRequest(rex's)",        UN,       OK,      NF,        NF,       NF,        NF,      NF,      NF),
    # those who cannot see the moment learn nothing more of the comment than of an unknown id
    ("deleteComment(fay's, on card)",     UN,       OK,      NF,        FB,       NF,        FB,      OK,      NF),
    ("resolveReport(fay's, DISMISS)",     UN,       FB,      FB,        FB,       FB,        FB,      FB,      OK),
    ("deleteAccount",                     UN,       OK,      OK,        OK,       OK,        OK,      OK,      OK),
    ("exportMyData",                      UN,       NOOP,    NOOP,      NOOP,     NOOP,      NOOP,    NOOP,    NOOP),
    # a song is no member's: a private or blocking sharer hides her moment, not the track
    ("addTrackLink(her moment's track)",  UN,       OK,      OK,        OK,       OK,        OK,      OK,      OK),
]  # fmt: skip


@pytest.mark.parametrize(("name", "caller", "expected"), matrix.cases(MUTATION_MATRIX, CALLERS))
async def test_mutation_by_persona(
    api: Api, world: World, name: str, caller: str, expected: str
) -> None:
    mutation, token = MUTATIONS[name], world.tokens[caller]
    outcome = OK if expected == REQUESTED else expected
    before, after = await matrix.check_mutation(api, mutation, world, caller, token, outcome)
    if expected == REQUESTED:
        assert after["Follow"] == before["Follow"]
        (new,) = [row for row in after["FollowRequest"] if row not in before["FollowRequest"]]
        assert new["requester_id"] == (await models.User.get(username=USERNAMES[caller])).id


# ---------------------------------------------------------------------------------------
# Reads: the value `view` extracts from `data`, or a top-level error code.


def usernames(connection: dict[str, Any] | None) -> list[str] | None:
    if connection is None:
        return None
    return [edge["node"]["username"] for edge in connection["edges"]]


def nodes_of(connection: dict[str, Any], field: str) -> list[Any]:
    return [edge["node"][field] for edge in connection["edges"]]


def node_of(key: str, fragment: str) -> Read:
    return Read(
        f"query ($id: ID!) {{ node(id: $id) {{ __typename ... on {fragment} }} }}",
        lambda w: {"id": w.ids[key]},
        lambda d: d["node"] and d["node"]["__typename"],
    )


def of_olivia(selection: str, view: Any) -> Read:
    """A field of user(olivia)."""
    return Read(
        f'{{ user(username: "olivia") {{ {selection} }} }}', lambda w: {}, lambda d: view(d["user"])
    )


def captions(field: str) -> Read:
    return Read(
        f"{{ {field} {{ edges {{ node {{ caption }} }} }} }}",
        lambda w: {},
        lambda d: nodes_of(d[field], "caption"),
    )


def lists(user: dict[str, Any]) -> tuple[Any, ...]:
    return (
        nodes_of(user["postcards"], "caption"),
        usernames(user["followers"]),
        usernames(user["following"]),
        nodes_of(user["playlists"], "title"),
    )


EDGES = "edges { node { username } }"
READS: dict[str, Read] = {
    "user(olivia){postcards followers following playlists}": of_olivia(
        "postcards { edges { node { caption } } } followers { edges { node { username } } }"
        f" following {{ {EDGES} }} playlists {{ edges {{ node {{ title }} }} }}",
        lists,
    ),
    "user(olivia){isPrivate viewerHasBlocked viewerIsBlockedBy viewerFollowState}": of_olivia(
        "isPrivate viewerHasBlocked viewerIsBlockedBy viewerFollowState",
        lambda u: tuple(u.values()),
    ),
    "postcard(card){caption comments likedBy}": Read(
        "query ($id: ID!) { postcard(id: $id) { caption"
        f" comments {{ edges {{ node {{ body }} }} }} likedBy {{ {EDGES} }} }} }}",
        lambda w: {"id": w.ids["card"]},
        lambda d: (
            d["postcard"]
            and (
                d["postcard"]["caption"],
                nodes_of(d["postcard"]["comments"], "body"),
                usernames(d["postcard"]["likedBy"]),
            )
        ),
    ),
    "node(card)": node_of("card", "Postcard { caption }"),
    "node(comment)": node_of("comment", "Comment { body }"),
    "node(summer)": node_of("summer", "Playlist { title }"),
    "nodes(card, comment, summer)": Read(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename } }",
        lambda w: {"ids": [w.ids["card"], w.ids["comment"], w.ids["summer"]]},
        lambda d: [node and node["__typename"] for node in d["nodes"]],
    ),
    "explore": captions("explore"),
    "feed": captions("feed"),
    "nearby(pier)": matrix.NEARBY,
    "nearbyPlaces(pier)": matrix.NEARBY_PLACES,
    "trending": captions("trending"),
    "feed(order: RANKED)": Read(
        "{ feed(order: RANKED) { edges { node { caption } } } }",
        lambda w: {},
        lambda d: nodes_of(d["feed"], "caption"),
    ),
    **{
        name: Read(
            f"{{ topTracks{arguments} {{ edges {{ sharers }} }} }}",
            lambda w: {},
            lambda d: [edge["sharers"] for edge in d["topTracks"]["edges"]],
        )
        for name, arguments in (("topTracks", ""), ("topTracks(FRIENDS)", "(scope: FRIENDS)"))
    },
    "searchUsers(oli)": Read(
        f'{{ searchUsers(query: "oli") {{ {EDGES} }} }}',
        lambda w: {},
        lambda d: usernames(d["searchUsers"]),
    ),
    "search(oli, porch)": matrix.SEARCH_READ,
    "postcard(paul's card).likedBy": Read(
        f"query ($id: ID!) {{ postcard(id: $id) {{ likedBy {{ {EDGES} }} }} }}",
        lambda w: {"id": w.ids["paul_card"]},
        lambda d: usernames(d["postcard"]["likedBy"]),
    ),
    "user(olivia).notifications": of_olivia(
        "notifications { edges { node { kind actor { username } } } }",
        lambda u: (
            u["notifications"]
            and [
                (e["node"]["kind"], e["node"]["actor"]["username"])
                for e in u["notifications"]["edges"]
            ]
        ),
    ),
    "user(olivia).unreadNotificationCount": of_olivia(
        "unreadNotificationCount", lambda u: u["unreadNotificationCount"]
    ),
    "user(olivia).blockedUsers": of_olivia(
        f"blockedUsers {{ {EDGES} }}", lambda u: usernames(u["blockedUsers"])
    ),
    "user(olivia).mutedUsers": of_olivia(
        f"mutedUsers {{ {EDGES} }}", lambda u: usernames(u["mutedUsers"])
    ),
    "user(olivia).followRequests": of_olivia(
        "followRequests { edges { node { requester { username } } } }",
        lambda u: (
            u["followRequests"]
            and [e["node"]["requester"]["username"] for e in u["followRequests"]["edges"]]
        ),
    ),
    "reports": Read(
        "{ reports { edges { node { reason reporter { username } } } } }",
        lambda w: {},
        lambda d: [
            (e["node"]["reason"], e["node"]["reporter"]["username"]) for e in d["reports"]["edges"]
        ],
    ),
    "node(fay's report)": node_of("report", "Report { reason }"),
    "moderationLog": Read(
        "{ moderationLog { edges { node { kind } } } }",
        lambda w: {},
        lambda d: nodes_of(d["moderationLog"], "kind"),
    ),
}

# What olivia's followers see of her lists, and what everyone else sees
HER_LISTS = (["porch"], ["max", "fay"], ["paul"], ["Summer"])
MY_LISTS = (["porch"], ["max", "fay"], ["paul"], ["Mine", "Summer"])  # her private one too
HIDDEN = ([], [], [], [])
# (isPrivate, viewerHasBlocked, viewerIsBlockedBy, viewerFollowState)
NONE, BLOCKED_BY, FOLLOWING = (
    (True, False, False, "NONE"),
    (True, False, True, "NONE"),
    (True, False, False, "FOLLOWING"),
)
CARD = ("porch", ["lovely"], ["fay"])
PROFILE = (["olivia"], [], [])  # found: her profile, not her moment nor its place
ALL_OF_HER = (["olivia"], ["porch"], ["Porch"])
SEEN = ["Postcard", "Comment", "Playlist"]
BOTH, PAULS = ["fields", "porch"], ["fields"]
PLACES, FIELDS = ["Porch", "Fields"], ["Fields"]  # nearest first
# newest first; max's follow is not there: olivia mutes him
INBOX = [("FOLLOW_REQUESTED", "rex"), ("FOLLOWED", "fay"), ("LIKED", "fay"), ("COMMENTED", "fay")]
READ_MATRIX: list[tuple[str, Any, Any, Any, Any, Any, Any, Any, Any]] = [
    # read                                    anonymous  owner       stranger  blocked     muted     muted follower follower moderator
    ("user(olivia){postcards followers following playlists}",
                                              HIDDEN,    MY_LISTS,   HIDDEN,   HIDDEN,     HIDDEN,   HER_LISTS, HER_LISTS, HIDDEN),
    ("user(olivia){isPrivate viewerHasBlocked viewerIsBlockedBy viewerFollowState}",
                                              NONE,      NONE,       NONE,     BLOCKED_BY, NONE,     FOLLOWING, FOLLOWING, NONE),
    ("postcard(card){caption comments likedBy}",
                                              None,      CARD,       None,     None,       None,     CARD,      CARD,      None),
    ("node(card)",                            None,      "Postcard", None,     None,       None,     "Postcard", "Postcard", None),
    ("node(comment)",                         None,      "Comment",  None,     None,       None,     "Comment", "Comment", None),
    ("node(summer)",                          None,      "Playlist", None,     None,       None,     "Playlist", "Playlist", None),
    ("nodes(card, comment, summer)",          [None] * 3, SEEN,      [None] * 3, [None] * 3, [None] * 3, SEEN,    SEEN,      [None] * 3),
    ("explore",                               PAULS,     BOTH,       PAULS,    PAULS,      PAULS,    BOTH,      BOTH,      PAULS),
    ("feed",                                  UN,        BOTH,       [],       [],         [],       ["porch"], ["porch"], []),
    # as explore; a place is listed only through a moment the caller may see
    ("nearby(pier)",                          PAULS,     BOTH,       PAULS,    PAULS,      PAULS,    BOTH,      BOTH,      PAULS),
    ("nearbyPlaces(pier)",                    FIELDS,    PLACES,     FIELDS,   FIELDS,     FIELDS,   PLACES,    PLACES,    FIELDS),
    # olivia's: paul's (2 likes, and she liked paul's once: affinity 1 + ln 2) above hers
    ("feed(order: RANKED)",                   UN,        BOTH,       [],       [],         [],       ["porch"], ["porch"], []),
    # paul's moment has two members' likes (olivia's, fay's), hers one member's
    ("trending",                              PAULS,     PAULS,      PAULS,    PAULS,      PAULS,    PAULS,     PAULS,     PAULS),
    # Harvest Moon's sharers: paul, and olivia for those who see her moments
    ("topTracks",                             [1],       [2],        [1],      [1],        [1],      [2],       [2],       [1]),
    ("topTracks(FRIENDS)",                    UN,        [1],        [],       [],         [],       [1],       [1],       []),
    ("searchUsers(oli)",                      ["olivia"], ["olivia"], ["olivia"], [],       ["olivia"], ["olivia"], ["olivia"], ["olivia"]),
    # her profile is found by all but the blocked; her moment and its place by those who see it
    ("search(oli, porch)",                    PROFILE, ALL_OF_HER, PROFILE, ([], [], []), PROFILE, ALL_OF_HER, ALL_OF_HER, PROFILE),
    ("postcard(paul's card).likedBy",         ["fay"],   ["fay", "olivia"], ["fay"], ["fay"], ["fay"], ["fay", "olivia"], ["fay", "olivia"], ["fay"]),
    # viewer-only: null for all but the owner
    ("user(olivia).notifications",            None,      INBOX,      None,     None,       None,     None,      None,      None),
    ("user(olivia).unreadNotificationCount",  None,      4,          None,     None,       None,     None,      None,      None),
    ("user(olivia).blockedUsers",             None,      ["ben"],    None,     None,       None,     None,      None,      None),
    ("user(olivia).mutedUsers",               None,      ["max", "mo"], None,  None,       None,     None,      None,      None),
    ("user(olivia).followRequests",           None,      ["rex"],    None,     None,       None,     None,      None,      None),
    # moderators only
    ("reports",                               UN,        FB,         FB,       FB,         FB,       FB,        FB,        [("SPAM", "fay")]),
    ("node(fay's report)",                    None,      None,       None,     None,       None,     None,      None,      "Report"),
    ("moderationLog",                         UN,        FB,         FB,       FB,         FB,       FB,        FB,        FB),
]  # fmt: skip


@pytest.mark.parametrize(("name", "caller", "expected"), matrix.cases(READ_MATRIX, CALLERS))
async def test_read_by_persona(
    api: Api, world: World, name: str, caller: str, expected: Any
) -> None:
    await matrix.check_read(api, READS[name], world, world.tokens[caller], expected)


# ---------------------------------------------------------------------------------------
# Coverage: a field issue 14 added, or one added since, cannot be left out of this matrix.

ISSUE_14_MUTATIONS = {
    "block",
    "unblock",
    "mute",
    "unmute",
    "acceptFollowRequest",
    "rejectFollowRequest",
    "cancelFollowRequest",
    "report",
    "resolveReport",
    "deleteAccount",
    "exportMyData",
}
# Mutations older than issue 14, in tests/api/test_authorization.py only
EARLIER_MUTATIONS = {
    "signUp",
    "logIn",
    "logOut",
    "updateProfile",
    "createPostcard",
    "updatePostcard",
    "deletePostcard",
    "createPlaylist",
    "updatePlaylist",
    "deletePlaylist",
    "removeFromPlaylist",
    "movePlaylistItems",
    "markNotificationsRead",
    "uploadPhoto",
}
ISSUE_14_READS = {
    "user",
    "postcard",
    "node",
    "nodes",
    "explore",
    "feed",
    "searchUsers",
    "search",  # issue 15
    "reports",
    "moderationLog",
}
EARLIER_READS = {"viewer", "playlist", "rateLimit", "searchTracks"}
# Root fields added since issue 14 (issue 15's), each in this matrix too
LATER_READS = {"nearby", "nearbyPlaces", "trending", "topTracks"}
# The User fields issue 14 added (all but viewerHasMuted, which only the muter's own
# reads show: tests/api/test_safety.py)
ISSUE_14_USER_FIELDS = {
    "isPrivate",
    "viewerHasBlocked",
    "viewerIsBlockedBy",
    "viewerFollowState",
    "blockedUsers",
    "mutedUsers",
    "followRequests",
}


def test_the_persona_matrix_covers_every_field_of_issue_14_and_since() -> None:
    from graph.schema import schema

    mutation_type, query_type = schema._schema.mutation_type, schema._schema.query_type
    assert mutation_type is not None
    covered = {MUTATIONS[name].field for name, *_ in MUTATION_MATRIX}
    assert ISSUE_14_MUTATIONS <= covered
    assert set(mutation_type.fields) - EARLIER_MUTATIONS == covered
    assert set(MUTATIONS) == {name for name, *_ in MUTATION_MATRIX}
    roots = {name.split("(")[0].split(".")[0] for name, *_ in READ_MATRIX}
    assert set(query_type.fields) - EARLIER_READS == roots == ISSUE_14_READS | LATER_READS
    assert set(READS) == {name for name, *_ in READ_MATRIX}
    asked = " ".join(READS[name].query for name, *_ in READ_MATRIX if name.startswith("user"))
    assert {field for field in ISSUE_14_USER_FIELDS if field not in asked} == set()
