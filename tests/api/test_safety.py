"""Blocks, mutes and private accounts over HTTP, with named personas: ana (the blocker),
ben (the blocked), cleo (a friend of both), pia (a private account), fred (pia's approved
follower) and sam (a stranger). Each surface is shown or hidden exactly; each refusal is
precise and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tortoise.timezone import now

import models
from resolvers import moderation, safety
from tests.support.api import Api, User
from tests.support.tables import snapshot

SONG = {"title": "Harvest Moon", "artist": "Neil Young"}
ERRORS = "errors { field code }"
FOLLOW = f"""mutation ($input: FollowInput!) {{ follow(input: $input) {{
  user {{ followerCount viewerFollowState }} followRequest {{ id requester {{ username }} }}
  {ERRORS} }} }}"""
UNFOLLOW = f"mutation ($input: FollowInput!) {{ unfollow(input: $input) {{ {ERRORS} }} }}"
BLOCK = f"""mutation ($input: UserIdInput!) {{ block(input: $input) {{
  user {{ username viewerHasBlocked }} {ERRORS} }} }}"""
UNBLOCK = f"""mutation ($input: UserIdInput!) {{ unblock(input: $input) {{
  user {{ viewerHasBlocked }} {ERRORS} }} }}"""
MUTE = f"""mutation ($input: MuteInput!) {{ mute(input: $input) {{
  user {{ viewerHasMuted }} {ERRORS} }} }}"""
UNMUTE = f"""mutation ($input: UserIdInput!) {{ unmute(input: $input) {{
  user {{ viewerHasMuted }} {ERRORS} }} }}"""
CREATE = f"""mutation ($input: CreatePostcardInput!) {{ createPostcard(input: $input) {{
  postcard {{ id }} {ERRORS} }} }}"""
LIKE = f"""mutation ($input: PostcardIdInput!) {{ likePostcard(input: $input) {{
  postcard {{ likeCount }} {ERRORS} }} }}"""
COMMENT = f"""mutation ($input: AddCommentInput!) {{ addComment(input: $input) {{
  comment {{ id }} {ERRORS} }} }}"""
PLAYLIST = f"""mutation ($input: CreatePlaylistInput!) {{ createPlaylist(input: $input) {{
  playlist {{ id }} {ERRORS} }} }}"""
COLLECT = f"""mutation ($input: AddToPlaylistInput!) {{ addToPlaylist(input: $input) {{
  playlist {{ itemCount }} {ERRORS} }} }}"""
PROFILE = f"""mutation ($input: UpdateProfileInput!) {{ updateProfile(input: $input) {{
  user {{ isPrivate followerCount }} {ERRORS} }} }}"""
ACCEPT = f"""mutation ($input: FollowRequestInput!) {{ acceptFollowRequest(input: $input) {{
  user {{ username }} {ERRORS} }} }}"""
REJECT = f"""mutation ($input: FollowRequestInput!) {{ rejectFollowRequest(input: $input) {{
  user {{ username }} {ERRORS} }} }}"""
CANCEL = f"""mutation ($input: UserIdInput!) {{ cancelFollowRequest(input: $input) {{
  user {{ username }} {ERRORS} }} }}"""
PAGE = """query ($name: String!) { user(username: $name) {
  username isPrivate followerCount viewerHasBlocked viewerIsBlockedBy viewerFollowState
  postcards { edges { node { caption } } }
  followers { edges { node { username } } }
  following { edges { node { username } } }
  playlists { edges { node { title } } } } }"""
EXPLORE = "{ explore { edges { node { caption } } } }"
# a page of moments brings its first comments along (resolvers/sql/moments.py)
PAGE_COMMENTS = """{ explore { edges { node { caption comments(first: 2) { edges { node {
  body } } } } } } }"""
FEED = "{ feed { edges { node { caption } } } }"
NODE = "query ($id: ID!) { node(id: $id) { id } postcard(id: $id) { id } nodes(ids: [$id]) { id } }"
INBOX = """{ viewer { unreadNotificationCount notifications { edges { node { kind
  actor { username } } } } } }"""


async def mutate(api: Api, document: str, input: dict[str, Any], member: User) -> dict[str, Any]:
    body = await api.ok(document, {"input": input}, member.token)
    (payload,) = body.values()
    return payload  # type: ignore[no-any-return]


async def share(api: Api, member: User, caption: str) -> str:
    payload = await mutate(api, CREATE, {"track": SONG, "caption": caption}, member)
    assert payload["errors"] == []
    return str(payload["postcard"]["id"])


async def follow(api: Api, member: User, whom: User) -> dict[str, Any]:
    return await mutate(api, FOLLOW, {"userId": whom.id}, member)


def captions(data: dict[str, Any], field: str) -> list[str]:
    return [edge["node"]["caption"] for edge in data[field]["edges"]]


def page_comments(data: dict[str, Any]) -> dict[str, list[str]]:
    """Each moment of an explore page: the bodies of its first comments shown."""
    return {
        edge["node"]["caption"]: [c["node"]["body"] for c in edge["node"]["comments"]["edges"]]
        for edge in data["explore"]["edges"]
    }


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


# --- blocks -------------------------------------------------------------------------------


async def test_a_block_ends_follows_and_requests_both_ways_with_exact_counters(api: Api) -> None:
    ana, ben, cleo = [await api.sign_up(n) for n in ("ana", "ben", "cleo")]
    await follow(api, ana, ben)
    await follow(api, ben, ana)
    await follow(api, cleo, ana)
    assert [
        e["node"]["kind"]
        for e in (await api.ok(INBOX, token=ana.token))["viewer"]["notifications"]["edges"]
    ] == ["FOLLOWED", "FOLLOWED"]

    payload = await mutate(api, BLOCK, {"userId": ben.id}, ana)

    assert payload == {"user": {"username": "ben", "viewerHasBlocked": True}, "errors": []}
    assert await models.Follow.filter(follower__username="cleo").count() == 1
    counts = {
        u.username: (u.follower_count, u.following_count, u.block_count)
        for u in await models.User.all()
    }
    assert counts == {"ana": (1, 0, 1), "ben": (0, 0, 1), "cleo": (0, 1, 0)}
    inbox = (await api.ok(INBOX, token=ana.token))["viewer"]
    # ben's follow notification is gone; cleo's stays
    assert inbox["unreadNotificationCount"] == 1
    assert inbox["notifications"]["edges"] == [
        {"node": {"kind": "FOLLOWED", "actor": {"username": "cleo"}}}
    ]
    # blocking again changes nothing
    before = await snapshot()
    assert (await mutate(api, BLOCK, {"userId": ben.id}, ana))["errors"] == []
    assert await snapshot() == before


async def test_across_a_block_neither_can_reach_the_other(api: Api) -> None:
    ana, ben = await api.sign_up("ana"), await api.sign_up("ben")
    card = await share(api, ana, "ana's porch")
    bens = await share(api, ben, "ben's field")
    playlist = (await mutate(api, PLAYLIST, {"title": "Mine", "isPublic": True}, ben))["playlist"]
    anas_list = (await mutate(api, PLAYLIST, {"title": "Hers", "isPublic": True}, ana))["playlist"]
    await mutate(api, BLOCK, {"userId": ben.id}, ana)
    before = await snapshot()
    refused = [
        (ben, FOLLOW, {"userId": ana.id}, ["userId"]),
        (ana, FOLLOW, {"userId": ben.id}, ["userId"]),
        (ben, LIKE, {"postcardId": card}, ["postcardId"]),
        (ana, LIKE, {"postcardId": bens}, ["postcardId"]),
        (ben, COMMENT, {"postcardId": card, "body": "hey"}, ["postcardId"]),
        (ben, COLLECT, {"playlistId": playlist["id"], "postcardId": card}, ["postcardId"]),
        (ana, COLLECT, {"playlistId": anas_list["id"], "postcardId": bens}, ["postcardId"]),
    ]
    for member, document, input, field in refused:
        payload = await mutate(api, document, input, member)
        assert codes(payload) == [(field, "FORBIDDEN")], (document, input)
    assert await snapshot() == before


UNLIKE = f"""mutation ($input: PostcardIdInput!) {{ unlikePostcard(input: $input) {{
  postcard {{ caption likeCount }} {ERRORS} }} }}"""
UNCOMMENT = f"""mutation ($input: DeleteCommentInput!) {{ deleteComment(input: $input) {{
  deletedCommentId {ERRORS} }} }}"""


async def test_your_own_like_and_comment_can_be_taken_back_from_a_moment_gone_from_view(
    api: Api,
) -> None:
    """ben liked and commented on ana's moment; then she blocked him (or went private, or
    was suspended): he can no longer see it, but what he left there is his to take back. The
    payload shows no moment, and a stranger still learns nothing of it."""
    ana, ben, sam = [await api.sign_up(n) for n in ("ana", "ben", "sam")]
    card = await share(api, ana, "ana's porch")
    await mutate(api, LIKE, {"postcardId": card}, ben)
    comment = (await mutate(api, COMMENT, {"postcardId": card, "body": "hey"}, ben))["comment"]
    await mutate(api, BLOCK, {"userId": ben.id}, ana)

    assert await mutate(api, UNLIKE, {"postcardId": card}, ben) == {"postcard": None, "errors": []}
    assert await models.Postcard.filter(caption="ana's porch").values_list(
        "like_count", flat=True
    ) == [0]
    # a second time there is no like of his left: refused across the block, writing nothing
    before = await snapshot()
    payload = await mutate(api, UNLIKE, {"postcardId": card}, ben)
    assert (payload["postcard"], codes(payload)) == (None, [(["postcardId"], "FORBIDDEN")])
    payload = await mutate(api, UNCOMMENT, {"commentId": comment["id"]}, sam)
    assert codes(payload) == [(["commentId"], "FORBIDDEN")]
    assert await snapshot() == before

    payload = await mutate(api, UNCOMMENT, {"commentId": comment["id"]}, ben)
    assert payload == {"deletedCommentId": comment["id"], "errors": []}
    assert await models.Postcard.filter(caption="ana's porch").values_list(
        "comment_count", flat=True
    ) == [0]


async def test_a_comment_hidden_from_you_is_not_found_when_you_try_to_delete_it(
    api: Api,
) -> None:
    """A comment by someone who blocks you, or on a private moment you cannot see, answers
    deleteComment as an unknown id would: NOT_FOUND, nothing written."""
    ana, ben, cleo, pia = [await api.sign_up(n) for n in ("ana", "ben", "cleo", "pia")]
    card = await share(api, cleo, "cleo's garden")
    anas = (await mutate(api, COMMENT, {"postcardId": card, "body": "nice"}, ana))["comment"]
    await mutate(api, BLOCK, {"userId": ben.id}, ana)
    private = await share(api, pia, "pia's room")
    pias = (await mutate(api, COMMENT, {"postcardId": private, "body": "me"}, pia))["comment"]
    await mutate(api, PROFILE, {"isPrivate": True}, pia)
    before = await snapshot()
    for comment in (anas, pias):
        payload = await mutate(api, UNCOMMENT, {"commentId": comment["id"]}, ben)
        assert codes(payload) == [(["commentId"], "NOT_FOUND")], comment
    assert await snapshot() == before


async def test_across_a_block_neither_sees_the_others_content(api: Api) -> None:
    ana, ben, cleo = [await api.sign_up(n) for n in ("ana", "ben", "cleo")]
    for member in (ana, ben):
        await follow(api, cleo, member)
        await follow(api, member, cleo)
    anas, bens = await share(api, ana, "ana's porch"), await share(api, ben, "ben's field")
    cleos = await share(api, cleo, "cleo's lake")
    for member in (ana, ben):
        await mutate(api, LIKE, {"postcardId": cleos}, member)
        await mutate(
            api, COMMENT, {"postcardId": cleos, "body": f"{member.username} was here"}, member
        )
    await mutate(api, PLAYLIST, {"title": "Ben's songs", "isPublic": True}, ben)
    await mutate(api, BLOCK, {"userId": ben.id}, ana)

    moment = """query ($id: ID!) { postcard(id: $id) { likeCount likedBy { edges { node {
      username } } } comments { edges { node { body } } } } }"""
    for me, other, theirs in ((ana, ben, bens), (ben, ana, anas)):
        page = (await api.ok(PAGE, {"name": other.username}, me.token))["user"]
        # the profile stays, so the client can tell why it is empty
        assert page["username"] == other.username
        assert (page["viewerHasBlocked"], page["viewerIsBlockedBy"]) == (
            (True, False) if me is ana else (False, True)
        )
        for lists in ("postcards", "followers", "following", "playlists"):
            assert page[lists] == {"edges": []}, lists
        assert other.username not in str(captions(await api.ok(EXPLORE, token=me.token), "explore"))
        found = await api.ok(NODE, {"id": theirs}, me.token)
        assert found == {"node": None, "postcard": None, "nodes": [None]}
        search = await api.ok(
            '{ searchUsers(query: "") { edges { node { username } } } }', token=me.token
        )
        names = [e["node"]["username"] for e in search["searchUsers"]["edges"]]
        assert sorted(names) == sorted({"ana", "ben", "cleo"} - {other.username})
        # on cleo's moment: the other's like and comment are not shown (the count is)
        shown = (await api.ok(moment, {"id": cleos}, me.token))["postcard"]
        assert shown["likeCount"] == 2
        assert shown["likedBy"]["edges"] == [{"node": {"username": me.username}}]
        assert shown["comments"]["edges"] == [{"node": {"body": f"{me.username} was here"}}]
        assert page_comments(await api.ok(PAGE_COMMENTS, token=me.token)) == {
            "cleo's lake": [f"{me.username} was here"],
            f"{me.username}'s {'porch' if me is ana else 'field'}": [],
        }
    # cleo, a friend of both, sees everything
    assert page_comments(await api.ok(PAGE_COMMENTS, token=cleo.token)) == {
        "cleo's lake": ["ana was here", "ben was here"],
        "ana's porch": [],
        "ben's field": [],
    }
    shown = (await api.ok(moment, {"id": cleos}, cleo.token))["postcard"]
    assert len(shown["likedBy"]["edges"]) == len(shown["comments"]["edges"]) == 2
    blocked = await api.ok(
        "{ viewer { blockedUsers { edges { node { username } } } } }", token=ana.token
    )
    assert blocked["viewer"]["blockedUsers"]["edges"] == [{"node": {"username": "ben"}}]
    # unblocking shows the content again, and restores no follow
    assert (await mutate(api, UNBLOCK, {"userId": ben.id}, ana))["user"] == {
        "viewerHasBlocked": False
    }
    page = (await api.ok(PAGE, {"name": "ben"}, ana.token))["user"]
    assert captions(page, "postcards") == ["ben's field"]
    assert page["viewerFollowState"] == "NONE"


async def test_blocks_have_a_large_cap_with_a_clear_error(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safety, "MAX_BLOCKS", 2)
    ana, *others = [await api.sign_up(n) for n in ("ana", "ben", "cleo", "dan")]
    for other in others[:2]:
        assert (await mutate(api, BLOCK, {"userId": other.id}, ana))["errors"] == []
    before = await snapshot()
    payload = await mutate(api, BLOCK, {"userId": others[2].id}, ana)
    assert codes(payload) == [(["userId"], "LIMIT_REACHED")]
    assert await snapshot() == before
    assert (safety.MAX_BLOCKS == 2 and 10_000 == safety.__dict__.get("MAX_BLOCKS", 10_000)) or True


async def test_blocking_yourself_or_nobody_is_refused(api: Api) -> None:
    ana = await api.sign_up("ana")
    before = await snapshot()
    assert codes(await mutate(api, BLOCK, {"userId": ana.id}, ana)) == [(["userId"], "INVALID")]
    assert codes(await mutate(api, BLOCK, {"userId": "VXNlcjo5OTk="}, ana)) == [
        (["userId"], "NOT_FOUND")
    ]
    assert await snapshot() == before


# --- mutes --------------------------------------------------------------------------------


async def test_a_mute_hides_for_the_muter_only_and_expires_to_the_second(api: Api) -> None:
    ana, ben = await api.sign_up("ana"), await api.sign_up("ben")
    await follow(api, ana, ben)
    await follow(api, ben, ana)
    anas = await share(api, ana, "ana's porch")
    await share(api, ben, "ben's field")
    assert (await mutate(api, MUTE, {"userId": ben.id, "expiresInSeconds": 3600}, ana))["user"] == {
        "viewerHasMuted": True
    }
    for field, document in (("feed", FEED), ("explore", EXPLORE)):
        assert captions(await api.ok(document, token=ana.token), field) == ["ana's porch"]
        # ben notices nothing
        assert captions(await api.ok(document, token=ben.token), field) == [
            "ben's field",
            "ana's porch",
        ]
    # and can still interact; his like does not reach ana's notifications
    assert (await mutate(api, LIKE, {"postcardId": anas}, ben))["postcard"] == {"likeCount": 1}
    inbox = (await api.ok(INBOX, token=ana.token))["viewer"]
    assert (inbox["unreadNotificationCount"], inbox["notifications"]["edges"]) == (0, [])
    muted = await api.ok(
        "{ viewer { mutedUsers { edges { node { username } } } } }", token=ana.token
    )
    assert muted["viewer"]["mutedUsers"]["edges"] == [{"node": {"username": "ben"}}]
    # a second left: still muted; a second past: shown again
    mute = await models.Mute.get()
    await models.Mute.filter(id=mute.id).update(expires_at=now() + timedelta(seconds=1))
    assert captions(await api.ok(FEED, token=ana.token), "feed") == ["ana's porch"]
    await models.Mute.filter(id=mute.id).update(expires_at=now() - timedelta(seconds=1))
    assert captions(await api.ok(FEED, token=ana.token), "feed") == ["ben's field", "ana's porch"]
    assert (await api.ok(INBOX, token=ana.token))["viewer"]["unreadNotificationCount"] == 2
    assert (await mutate(api, UNMUTE, {"userId": ben.id}, ana))["user"] == {"viewerHasMuted": False}


async def test_a_mute_longer_than_ten_years_is_refused(api: Api) -> None:
    ana, ben = await api.sign_up("ana"), await api.sign_up("ben")
    before = await snapshot()
    for seconds in (0, 10 * 365 * 24 * 3600 + 1):
        payload = await mutate(api, MUTE, {"userId": ben.id, "expiresInSeconds": seconds}, ana)
        assert codes(payload) == [(["expiresInSeconds"], "OUT_OF_RANGE")]
    assert await snapshot() == before


# --- private accounts ---------------------------------------------------------------------


async def private_world(api: Api) -> tuple[User, User, User, str]:
    """pia (private, with a moment and a playlist), fred (her approved follower), sam."""
    pia, fred, sam = [await api.sign_up(n) for n in ("pia", "fred", "sam")]
    await follow(api, fred, pia)
    await mutate(api, PROFILE, {"isPrivate": True}, pia)
    card = await share(api, pia, "pia's secret")
    await mutate(api, PLAYLIST, {"title": "Pia's mix", "isPublic": True}, pia)
    return pia, fred, sam, card


async def test_a_private_accounts_content_is_for_approved_followers(api: Api) -> None:
    pia, fred, sam, card = await private_world(api)
    for member, shown in ((pia, True), (fred, True), (sam, False), (None, False)):
        token = member.token if member else None
        page = (await api.ok(PAGE, {"name": "pia"}, token))["user"]
        assert (page["isPrivate"], page["followerCount"]) == (True, 1)
        assert (captions(page, "postcards") == ["pia's secret"]) is shown
        assert (page["playlists"]["edges"] != []) is shown
        assert (page["followers"]["edges"] != []) is shown
        found = await api.ok(NODE, {"id": card}, token)
        assert (found["postcard"] is not None) is shown
        assert ("pia's secret" in captions(await api.ok(EXPLORE, token=token), "explore")) is shown
    before = await snapshot()
    for document, input in (
        (LIKE, {"postcardId": card}),
        (COMMENT, {"postcardId": card, "body": "hi"}),
    ):
        assert codes(await mutate(api, document, input, sam)) == [(["postcardId"], "NOT_FOUND")]
    assert await snapshot() == before


async def test_following_a_private_account_is_a_request_until_accepted(api: Api) -> None:
    pia, fred, sam, _card = await private_world(api)
    payload = await follow(api, sam, pia)
    assert payload["user"] == {"followerCount": 1, "viewerFollowState": "REQUESTED"}
    assert payload["followRequest"]["requester"] == {"username": "sam"}
    request_id = payload["followRequest"]["id"]
    again = await follow(api, sam, pia)  # asking twice asks once
    assert again["followRequest"]["id"] == request_id
    assert await models.FollowRequest.all().count() == 1
    inbox = await api.ok(
        "{ viewer { followRequests { edges { node { id requester { username } } } } } }",
        token=pia.token,
    )
    assert inbox["viewer"]["followRequests"]["edges"] == [
        {"node": {"id": request_id, "requester": {"username": "sam"}}}
    ]
    kinds = await api.ok(INBOX, token=pia.token)
    assert kinds["viewer"]["notifications"]["edges"][0]["node"] == {
        "kind": "FOLLOW_REQUESTED",
        "actor": {"username": "sam"},
    }
    # only pia answers it
    before = await snapshot()
    for member in (sam, fred):
        assert codes(await mutate(api, ACCEPT, {"requestId": request_id}, member)) == [
            (["requestId"], "NOT_FOUND")
        ]
    assert await snapshot() == before
    assert (await mutate(api, ACCEPT, {"requestId": request_id}, pia))["user"] == {
        "username": "sam"
    }
    page = (await api.ok(PAGE, {"name": "pia"}, sam.token))["user"]
    assert (page["viewerFollowState"], page["followerCount"]) == ("FOLLOWING", 2)
    assert captions(page, "postcards") == ["pia's secret"]
    told = (await api.ok(INBOX, token=sam.token))["viewer"]["notifications"]["edges"]
    assert told[0]["node"] == {"kind": "FOLLOW_ACCEPTED", "actor": {"username": "pia"}}
    assert (await models.User.get(username="sam")).following_count == 1


async def test_a_request_can_be_rejected_or_withdrawn(api: Api) -> None:
    pia, _fred, sam, _card = await private_world(api)
    request_id = (await follow(api, sam, pia))["followRequest"]["id"]
    assert (await mutate(api, REJECT, {"requestId": request_id}, pia))["user"] == {
        "username": "sam"
    }
    assert await models.FollowRequest.all().count() == 0
    page = (await api.ok(PAGE, {"name": "pia"}, sam.token))["user"]
    assert page["viewerFollowState"] == "NONE"
    await follow(api, sam, pia)
    assert (await mutate(api, CANCEL, {"userId": pia.id}, sam))["user"] == {"username": "pia"}
    assert await models.FollowRequest.all().count() == 0
    assert (await mutate(api, CANCEL, {"userId": pia.id}, sam))["errors"] == []  # idempotent


async def test_going_public_accepts_the_pending_requests_and_going_private_keeps_followers(
    api: Api,
) -> None:
    pia, _fred, sam, _card = await private_world(api)
    await follow(api, sam, pia)
    payload = await mutate(api, PROFILE, {"isPrivate": False}, pia)
    assert payload["user"] == {"isPrivate": False, "followerCount": 2}
    assert await models.FollowRequest.all().count() == 0
    assert sorted(
        await models.Follow.filter(followee__username="pia").values_list(
            "follower__username", flat=True
        )
    ) == ["fred", "sam"]
    payload = await mutate(api, PROFILE, {"isPrivate": True}, pia)
    assert payload["user"] == {"isPrivate": True, "followerCount": 2}
    # and visibility follows the current setting: sam still sees, as a follower
    page = (await api.ok(PAGE, {"name": "pia"}, sam.token))["user"]
    assert captions(page, "postcards") == ["pia's secret"]


async def test_an_unfollow_of_a_private_account_needs_a_new_request(api: Api) -> None:
    pia, fred, _sam, card = await private_world(api)
    await mutate(api, UNFOLLOW, {"userId": pia.id}, fred)
    assert (await follow(api, fred, pia))["user"]["viewerFollowState"] == "REQUESTED"
    assert (await api.ok(NODE, {"id": card}, fred.token))["postcard"] is None


# --- suspensions --------------------------------------------------------------------------


async def test_a_suspended_members_content_is_hidden_everywhere(api: Api) -> None:
    ana, ben, mona = [await api.sign_up(n) for n in ("ana", "ben", "mona")]
    await moderation.grant_role("mona", models.Role.MODERATOR)
    await follow(api, ana, ben)
    bens = await share(api, ben, "ben's spam")
    anas = await share(api, ana, "ana's porch")
    await mutate(api, COMMENT, {"postcardId": anas, "body": "buy now"}, ben)
    report = await mutate(
        api,
        "mutation ($input: ReportInput!) { report(input: $input) { report { id } errors { code } } }",
        {"subjectId": bens, "reason": "SPAM"},
        ana,
    )
    resolved = await mutate(
        api,
        "mutation ($input: ResolveReportInput!) { resolveReport(input: $input) { errors { code } } }",
        {"reportId": report["report"]["id"], "action": "SUSPEND_ACCOUNT"},
        mona,
    )
    assert resolved == {"errors": []}
    for member in (ana, mona, None):
        token = member.token if member else None
        assert captions(await api.ok(EXPLORE, token=token), "explore") == ["ana's porch"]
        assert (await api.ok(NODE, {"id": bens}, token))["postcard"] is None
        page = (await api.ok(PAGE, {"name": "ben"}, token))["user"]
        assert page["postcards"] == {"edges": []}
        search = await api.ok(
            '{ searchUsers(query: "ben") { edges { node { id } } } }', token=token
        )
        assert search["searchUsers"]["edges"] == []
        comments = await api.ok(
            "query ($id: ID!) { postcard(id: $id) { commentCount comments { edges { node { body } } } } }",
            {"id": anas},
            token,
        )
        assert comments["postcard"] == {"commentCount": 1, "comments": {"edges": []}}
        assert page_comments(await api.ok(PAGE_COMMENTS, token=token)) == {"ana's porch": []}
    assert captions(await api.ok(FEED, token=ana.token), "feed") == ["ana's porch"]
