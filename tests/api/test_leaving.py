"""Leaving: deleteAccount takes the member and everything they made, keeps every other
member's counters exact, ends their live connections and holds their username; exportMyData
gives a signed, expiring link to a zip of everything they made.

The personas: dana leaves. fay and gus like and comment on her moments, she likes and
comments on theirs; dana follows fay and gus, fay and hal follow her, gus follows fay (a
follow that must stay). fay keeps a playlist holding one of dana's moments."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

import models
from graph.relay import decode_id, to_global_id
from models import ReportReason, ReportSubject
from resolvers import export, feedlog, leaving
from resolvers.sweep import GRACE, sweep
from tests.support.api import Api, User
from tests.support.documents import COMMENT, FOLLOW, FRIEND_MOMENTS, LIKE, LOG_IN
from tests.support.limits import own_client
from tests.support.photos import jpeg, stored, uploaded
from tests.support.servers import serve
from tests.support.tables import snapshot
from tests.support.ws import Subscriber, until

PASSWORD = "correct horse"
DELETE_ACCOUNT = """mutation ($input: DeleteAccountInput!) {
  deleteAccount(input: $input) { deleted errors { field message code } } }"""
EXPORT = "mutation { exportMyData { url expiresAt errors { code } } }"
ADD_LINK = """mutation ($input: AddTrackLinkInput!) { addTrackLink(input: $input) {
  errors { code } } }"""
DEEZER = "https://www.deezer.com/en/track/3135556"
CREATE = """mutation ($input: CreatePostcardInput!) {
  createPostcard(input: $input) { postcard { id } errors { code } } }"""
AVATAR = """mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) {
  errors { code } } }"""
CREATE_PLAYLIST = """mutation ($input: CreatePlaylistInput!) {
  createPlaylist(input: $input) { playlist { id } errors { code } } }"""
ADD = """mutation ($input: AddToPlaylistInput!) {
  addToPlaylist(input: $input) { playlist { itemCount } errors { code } } }"""
SIGN_UP = """mutation ($input: SignUpInput!) {
  signUp(input: $input) { token errors { field message code } } }"""
ME = "{ viewer { username } }"


@pytest.fixture(scope="module")
async def url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as ws_url:
        yield ws_url


def pk(global_id: str) -> int:
    number = decode_id(global_id, "User") or decode_id(global_id, "Postcard")
    assert number is not None
    return number


async def moment(api: Api, member: User, caption: str, **more: Any) -> str:
    track = {"title": f"{caption} song", "artist": "Band"}
    payload = await api.mutate(
        "createPostcard", CREATE, {"track": track, "caption": caption, **more}, member.token
    )
    return str(payload["postcard"]["id"])


async def playlist_of(api: Api, member: User, title: str, moments: list[str]) -> str:
    payload = await api.mutate("createPlaylist", CREATE_PLAYLIST, {"title": title}, member.token)
    playlist = str(payload["playlist"]["id"])
    for card in moments:
        await api.mutate(
            "addToPlaylist", ADD, {"playlistId": playlist, "postcardId": card}, member.token
        )
    return playlist


async def delete_account(api: Api, member: User, password: str = PASSWORD) -> dict[str, Any]:
    body = await api.ok(DELETE_ACCOUNT, {"input": {"password": password}}, member.token)
    return body["deleteAccount"]  # type: ignore[no-any-return]


# (counter's model, counter, the rows it counts, their column naming the counter's row)
COUNTERS = [
    (models.User, "follower_count", models.Follow, "followee_id"),
    (models.User, "following_count", models.Follow, "follower_id"),
    (models.User, "postcard_count", models.Postcard, "author_id"),
    (models.Postcard, "like_count", models.Like, "postcard_id"),
    (models.Postcard, "comment_count", models.Comment, "postcard_id"),
]


async def assert_counters_are_recounts() -> None:
    """Every denormalized counter of every remaining row equals a count of its rows."""
    wrong = []
    for model, counter, counted, column in COUNTERS:
        for row in await model.all():
            recount = await counted.filter(**{column: row.id}).count()
            if getattr(row, counter) != recount:
                wrong.append((model.__name__, row.id, counter, getattr(row, counter), recount))
    assert wrong == []
    for playlist in await models.Playlist.all():
        positions = await models.PlaylistItem.filter(playlist_id=playlist.id).values_list(
            "position", flat=True
        )
        assert sorted(positions) == list(range(playlist.item_count))  # type: ignore[type-var]


# --- deleteAccount ------------------------------------------------------------------------


async def test_deleting_an_account_takes_everything_of_the_member_and_only_that(
    api: Api, http: httpx.AsyncClient, app: Starlette, url: str
) -> None:
    # given: a rich world around dana
    dana, fay, gus, hal = [await api.sign_up(n) for n in ("dana", "fay", "gus", "hal")]
    second = (await api.ok(LOG_IN, {"input": {"username": "dana", "password": PASSWORD}}))["logIn"]
    avatar = await uploaded(http, dana, jpeg((800, 800)))
    await api.mutate("updateProfile", AVATAR, {"avatarUploadId": avatar["id"]}, dana.token)
    photo = await uploaded(http, dana, jpeg((1200, 900)))
    await uploaded(http, dana, jpeg((640, 480)))  # never used
    porch = await moment(api, dana, "porch", photo={"uploadId": photo["id"]})
    river = await moment(api, dana, "river")
    fields = await moment(api, fay, "fields")
    hills = await moment(api, gus, "hills")
    for liker, card in [
        (fay, porch), (gus, porch), (fay, river), (dana, porch),  # on dana's moments
        (dana, fields), (dana, hills), (gus, fields), (hal, hills),  # on theirs
    ]:  # fmt: skip
        await api.mutate("likePostcard", LIKE, {"postcardId": card}, liker.token)
    for author, card in [
        (fay, porch), (gus, river), (gus, river), (dana, porch),
        (dana, fields), (dana, fields), (dana, hills), (hal, fields),
    ]:  # fmt: skip
        await api.mutate("addComment", COMMENT, {"postcardId": card, "body": "hi"}, author.token)
    for follower, followee in [(dana, fay), (dana, gus), (fay, dana), (hal, dana), (gus, fay)]:
        await api.mutate("follow", FOLLOW, {"userId": followee.id}, follower.token)
    await playlist_of(api, dana, "Mine", [porch, fields])
    await playlist_of(api, fay, "Fay's", [fields, porch, hills])
    dana_id, fay_id, gus_id, hal_id = (pk(u.id) for u in (dana, fay, gus, hal))
    await models.Block.create(blocker_id=dana_id, blocked_id=hal_id)
    await models.Block.create(blocker_id=gus_id, blocked_id=dana_id)
    # as block() counts them: each member's blocks made and received
    await models.User.filter(id__in=[hal_id, gus_id]).update(block_count=1)
    await models.User.filter(id=dana_id).update(block_count=2)
    await models.Mute.create(muter_id=dana_id, muted_id=fay_id)
    await models.Mute.create(muter_id=hal_id, muted_id=dana_id)
    await models.FollowRequest.create(requester_id=dana_id, target_id=hal_id)
    await models.FollowRequest.create(requester_id=gus_id, target_id=dana_id)
    report = await models.Report.create(
        reporter_id=dana_id,
        subject_kind=ReportSubject.POSTCARD,
        subject_id=pk(hills),
        subject_owner_id=gus_id,
        reason=ReportReason.SPAM,
    )
    about_dana = await models.Report.create(
        reporter_id=fay_id,
        subject_kind=ReportSubject.USER,
        subject_id=dana_id,
        subject_owner_id=dana_id,
        reason=ReportReason.IMPERSONATION,
    )
    assert await models.Notification.filter(recipient_id=dana_id).count() > 0
    assert await models.Notification.filter(actor_id=dana_id).count() > 0
    dana_files = set(await stored(app))
    hold_from = datetime.now(UTC)

    async with (
        Subscriber.open(url, FRIEND_MOMENTS, token=fay.token) as fay_live,
        Subscriber.open(url, FRIEND_MOMENTS, token=hal.token) as hal_live,
        Subscriber.open(url, FRIEND_MOMENTS, token=dana.token) as dana_live,
    ):
        await until(lambda: app.state.hub.count("feed") == 3)
        # when
        payload = await delete_account(api, dana)
        # then: live, every former follower gets a tombstone per moment, in order
        assert payload == {"deleted": True, "errors": []}
        for live in (fay_live, hal_live):
            events = [(await live.next())["friendMoments"] for _ in range(2)]
            assert [(e["__typename"], e["postcardId"]) for e in events] == [
                ("PostcardDeleted", porch),
                ("PostcardDeleted", river),
            ]
        # dana's own socket is closed: her token is revoked
        assert await dana_live.close_code() == 4403

    # her tokens are refused, and she cannot log in
    for token in (dana.token, second["token"]):
        refused = await api.raw(ME, token=token)
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    login = await api.ok(LOG_IN, {"input": {"username": "dana", "password": PASSWORD}})
    assert login["logIn"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]

    # nothing of hers is left
    assert not await models.User.filter(id=dana_id).exists()
    for model, column in [
        (models.AccessToken, "user_id"),
        (models.Postcard, "author_id"),
        (models.Like, "user_id"),
        (models.Comment, "author_id"),
        (models.Follow, "follower_id"),
        (models.Follow, "followee_id"),
        (models.Playlist, "owner_id"),
        (models.PlaylistItem, "added_by_id"),
        (models.Notification, "recipient_id"),
        (models.Notification, "actor_id"),
        (models.Upload, "owner_id"),
        (models.Block, "blocker_id"),
        (models.Block, "blocked_id"),
        (models.Mute, "muter_id"),
        (models.Mute, "muted_id"),
        (models.FollowRequest, "requester_id"),
        (models.FollowRequest, "target_id"),
    ]:
        assert await model.filter(**{column: dana_id}).count() == 0, (model.__name__, column)
    assert not await models.Postcard.filter(id__in=[pk(porch), pk(river)]).exists()
    # ... but what others made stays, and the reports: without her name
    assert {c.caption for c in await models.Postcard.all()} == {"fields", "hills"}
    assert await models.Follow.filter(follower_id=gus_id, followee_id=fay_id).exists()
    assert (await models.Report.get(id=report.id)).reporter_id is None
    assert (await models.Report.get(id=about_dana.id)).subject_owner_id is None
    # fay's playlist keeps the song of dana's moment, no longer linked to it
    fays = await models.PlaylistItem.filter(playlist__owner_id=fay_id).order_by("position")
    assert [(i.position, i.postcard_id) for i in fays] == [
        (0, pk(fields)),
        (1, None),
        (2, pk(hills)),
    ]
    # every counter of every remaining member, moment and playlist is exact
    await assert_counters_are_recounts()
    # hal and gus are in no block any more
    assert await models.User.filter(block_count__gt=0).count() == 0
    assert [
        (u.username, u.follower_count, u.following_count)
        for u in await models.User.all().order_by("id")
    ] == [
        ("fay", 1, 0),
        ("gus", 0, 1),
        ("hal", 0, 0),
    ]
    cards = {c.caption: (c.like_count, c.comment_count) for c in await models.Postcard.all()}
    assert cards == {"fields": (1, 1), "hills": (1, 0)}

    # the feed log holds a tombstone per moment
    deleted = await models.FeedEvent.filter(kind="DELETED").values_list("postcard_id", flat=True)
    assert sorted(deleted) == sorted([pk(porch), pk(river)])  # type: ignore[type-var]

    # her files are left to the sweep, which frees them once nothing names them
    assert set(await stored(app)) == dana_files
    now = datetime.now(UTC)
    await sweep(app.state.media, now=now)
    await sweep(app.state.media, now=now + GRACE)
    assert await stored(app) == []

    # her username is held for 30 days, then free again
    retired = await models.RetiredUsername.get(username="dana")
    held = retired.free_at - hold_from
    assert timedelta(days=30) <= held < timedelta(days=30, minutes=1)
    taken = await api.ok(SIGN_UP, {"input": {"username": "Dana", "password": PASSWORD}})
    assert taken["signUp"]["token"] is None
    [error] = taken["signUp"]["errors"]
    assert (error["field"], error["code"]) == (["username"], "TAKEN")
    assert "deleted" in error["message"]
    await models.RetiredUsername.filter(username="dana").update(
        free_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    again = await api.ok(SIGN_UP, {"input": {"username": "dana", "password": PASSWORD}})
    assert again["signUp"]["errors"] == [] and again["signUp"]["token"]


async def test_many_members_liking_commenting_and_following_keep_exact_counters(
    api: Api,
) -> None:
    # given: dana and six others, each liking, commenting on and following each other
    members = [await api.sign_up(f"member{i}") for i in range(6)]
    dana = await api.sign_up("dana")
    everyone = [*members, dana]
    cards = {m.username: await moment(api, m, f"by {m.username}") for m in everyone}
    for i, member in enumerate(everyone):
        for j, other in enumerate(everyone):
            if i == j:
                continue
            if (i + j) % 2 == 0:
                await api.mutate("follow", FOLLOW, {"userId": other.id}, member.token)
            if (i * j) % 3 != 1:
                card = cards[other.username]
                await api.mutate("likePostcard", LIKE, {"postcardId": card}, member.token)
            for _ in range((i + j) % 3):
                card = cards[other.username]
                body = {"postcardId": card, "body": "hey"}
                await api.mutate("addComment", COMMENT, body, member.token)
    # when
    assert await delete_account(api, dana) == {"deleted": True, "errors": []}
    # then
    await assert_counters_are_recounts()
    assert await models.User.all().count() == 6


async def test_a_wrong_password_deletes_nothing(api: Api) -> None:
    dana, fay = await api.sign_up("dana"), await api.sign_up("fay")
    card = await moment(api, dana, "porch")
    await api.mutate("likePostcard", LIKE, {"postcardId": card}, fay.token)
    await api.mutate("follow", FOLLOW, {"userId": dana.id}, fay.token)
    before = await snapshot()
    payload = await delete_account(api, dana, "not my password")
    assert payload["deleted"] is False
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["password"], "INVALID_CREDENTIALS")
    ]
    assert await snapshot() == before
    assert (await api.ok(ME, token=dana.token)) == {"viewer": {"username": "dana"}}


async def test_deleting_an_account_needs_a_token(api: Api) -> None:
    body = await api.raw(DELETE_ACCOUNT, {"input": {"password": PASSWORD}})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_tombstones_read_from_the_log_reach_those_who_followed_the_deleted_account(
    api: Api, app: Starlette, url: str
) -> None:
    """Another process deleted dana's account (nothing was published here): this hub finds
    the tombstones in the log, and routes them to fay, who followed dana, though the follow
    went with the account; hal, who did not, gets none."""
    dana, fay, hal = [await api.sign_up(n) for n in ("dana", "fay", "hal")]
    porch = await moment(api, dana, "porch")
    await api.mutate("follow", FOLLOW, {"userId": dana.id}, fay.token)
    hub = app.state.hub
    async with (
        Subscriber.open(url, FRIEND_MOMENTS, token=fay.token) as fay_live,
        Subscriber.open(url, FRIEND_MOMENTS, token=hal.token) as hal_live,
    ):
        await until(lambda: hub.count("feed") == 2)
        gone = await models.User.get(username="dana")
        await leaving.delete_account(gone, PASSWORD, timedelta(days=30))  # publishes nothing
        await hub.catch_up()
        tombstone = (await fay_live.next())["friendMoments"]
        assert (tombstone["__typename"], tombstone["postcardId"]) == ("PostcardDeleted", porch)
        await moment(api, hal, "hal's own")
        assert (await hal_live.next())["friendMoments"]["__typename"] == "PostcardPosted"


async def test_a_subscription_resuming_after_the_deletion_gets_the_tombstones(
    api: Api, url: str
) -> None:
    """fay saw dana's moment live and went offline; dana deleted her account; fay comes
    back with her cursor and gets the tombstone first."""
    dana, fay = await api.sign_up("dana"), await api.sign_up("fay")
    await api.mutate("follow", FOLLOW, {"userId": dana.id}, fay.token)
    async with Subscriber.open(url, FRIEND_MOMENTS, token=fay.token) as fay_live:
        porch = await moment(api, dana, "porch")
        cursor = (await fay_live.next())["friendMoments"]["cursor"]
    assert await delete_account(api, dana) == {"deleted": True, "errors": []}
    resumed = Subscriber.open(url, FRIEND_MOMENTS, {"after": cursor}, token=fay.token)
    async with resumed as fay_back:
        tombstone = (await fay_back.next())["friendMoments"]
        assert (tombstone["__typename"], tombstone["postcardId"]) == ("PostcardDeleted", porch)
    # the log's retention takes who followed her with it
    assert await models.DepartedFollower.all().count() == 1
    await feedlog.prune(timedelta(0))
    assert await models.DepartedFollower.all().count() == 0


# --- exportMyData -------------------------------------------------------------------------


async def export_link(api: Api, member: User) -> str:
    payload = (await api.ok(EXPORT, token=member.token))["exportMyData"]
    assert payload["errors"] == []
    return str(payload["url"])


def at(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


async def test_the_export_is_a_zip_of_everything_the_member_made(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    # given: a small world
    dana, fay = await api.sign_up("dana"), await api.sign_up("fay")
    photo = await uploaded(http, dana, jpeg((1200, 900)), alt="the porch")
    place = {"name": "Porch", "latitude": 1.5, "longitude": 2.5}
    porch = await moment(api, dana, "porch", photo={"uploadId": photo["id"]}, place=place)
    fields = await moment(api, fay, "fields")
    porch_track = await models.Postcard.get(id=pk(porch)).values_list("track_id", flat=True)
    link = {"trackId": to_global_id("Track", porch_track), "url": DEEZER}
    assert (await api.mutate("addTrackLink", ADD_LINK, link, dana.token))["errors"] == []
    await api.mutate("likePostcard", LIKE, {"postcardId": fields}, dana.token)
    await api.mutate("likePostcard", LIKE, {"postcardId": porch}, fay.token)
    await api.mutate("addComment", COMMENT, {"postcardId": fields, "body": "lovely"}, dana.token)
    await api.mutate("follow", FOLLOW, {"userId": fay.id}, dana.token)
    await api.mutate("follow", FOLLOW, {"userId": dana.id}, fay.token)
    playlist = await playlist_of(api, dana, "Mine", [fields])
    dana_id, fay_id = pk(dana.id), pk(fay.id)
    await models.Mute.create(muter_id=dana_id, muted_id=fay_id)
    # when
    before = await snapshot()
    link = await export_link(api, dana)
    assert await snapshot() == before  # asking for a link writes nothing
    response = await http.get(link)
    # then
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"] == 'attachment; filename="soundpost-dana.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    user = await models.User.get(id=dana_id)
    card = await models.Postcard.get(id=pk(porch)).select_related("track")
    comment = await models.Comment.get(author_id=dana_id)
    like = await models.Like.get(user_id=dana_id)
    follows = {f.follower_id: f for f in await models.Follow.all()}
    item = await models.PlaylistItem.get(playlist_id=decode_id(playlist, "Playlist"))
    mine = await models.Playlist.get(owner_id=dana_id)
    mute = await models.Mute.get(muter_id=dana_id)
    notifications = await models.Notification.filter(recipient_id=dana_id).order_by("id")
    upload = await models.Upload.get(owner_id=dana_id)
    keys = [r["key"] for r in card.photo["renditions"]]
    renditions = [
        {"width": r["width"], "height": r["height"], "file": f"photos/{r['key']}"}
        for r in card.photo["renditions"]
    ]
    data = orjson.loads(archive.read("data.json"))
    assert data.pop("exportedAt")
    assert data == {
        "format": "soundpost-export",
        "version": 1,
        "profile": {
            "id": dana.id,
            "username": "dana",
            "displayName": "dana",
            "bio": "",
            "avatarUrl": None,
            "avatar": None,
            "isPrivate": False,
            "createdAt": at(user.created_at),
        },
        "moments": [
            {
                "id": porch,
                "createdAt": at(card.created_at),
                "updatedAt": at(card.updated_at),
                "caption": "porch",
                "track": {
                    "title": "porch song",
                    "artist": "Band",
                    "album": None,
                    "durationMs": None,
                    "spotifyId": None,
                    "isrc": None,
                    "links": [{"provider": "DEEZER", "url": "https://deezer.com/track/3135556"}],
                    "artworkUrl": None,
                },
                "place": {
                    "id": to_global_id("Place", card.place_id),
                    "name": "Porch",
                    "latitude": 1.5,
                    "longitude": 2.5,
                    "foursquareVenueId": None,
                },
                "photoSource": "UPLOAD",
                "photoUrl": None,
                "photo": {
                    "width": 1200,
                    "height": 900,
                    "blurhash": card.photo["blurhash"],
                    "dominantColor": card.photo["dominant_color"],
                    "alt": "the porch",
                    "importedFrom": None,
                    "renditions": renditions,
                },
                "likeCount": 1,
                "commentCount": 0,
            }
        ],
        "comments": [
            {
                "id": to_global_id("Comment", comment.id),
                "momentId": fields,
                "body": "lovely",
                "createdAt": at(comment.created_at),
            }
        ],
        "likes": [{"momentId": fields, "createdAt": at(like.created_at)}],
        "following": [{"username": "fay", "since": at(follows[dana_id].created_at)}],
        "followers": [{"username": "fay", "since": at(follows[fay_id].created_at)}],
        "followRequests": [],
        "playlists": [
            {
                "id": playlist,
                "title": "Mine",
                "description": "",
                "isPublic": True,
                "createdAt": at(mine.created_at),
                "updatedAt": at(mine.updated_at),
                "items": [
                    {
                        "position": 0,
                        "track": {
                            "title": "fields song",
                            "artist": "Band",
                            "album": None,
                            "durationMs": None,
                            "spotifyId": None,
                            "isrc": None,
                            "links": [],
                            "artworkUrl": None,
                        },
                        "momentId": fields,
                        "addedAt": at(item.added_at),
                    }
                ],
            }
        ],
        "notifications": [
            {
                "id": to_global_id("Notification", n.id),
                "kind": kind,
                "actor": "fay",
                "momentId": moment_id,
                "commentId": None,
                "createdAt": at(n.created_at),
                "readAt": None,
            }
            for n, kind, moment_id in zip(
                notifications, ["LIKED", "FOLLOWED"], [porch, None], strict=True
            )
        ],
        "blocks": [],
        "mutes": [{"username": "fay", "since": at(mute.created_at), "until": None}],
        "reports": [],
        "uploads": [
            {
                "id": photo["id"],
                "createdAt": at(upload.created_at),
                "photo": {
                    "width": 1200,
                    "height": 900,
                    "blurhash": upload.blurhash,
                    "dominantColor": upload.dominant_color,
                    "alt": "the porch",
                    "importedFrom": None,
                    "renditions": renditions,
                },
            }
        ],
    }
    # the photos, byte for byte as stored
    assert sorted(archive.namelist()) == sorted(["data.json", *(f"photos/{k}" for k in keys)])
    for key in keys:
        assert archive.read(f"photos/{key}") == await app.state.media.get(key)


async def test_an_export_link_expires(
    api: Api, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    dana = await api.sign_up("dana")
    payload = (await api.ok(EXPORT, token=dana.token))["exportMyData"]
    expires = datetime.fromisoformat(payload["expiresAt"])
    ttl = timedelta(seconds=settings.export_url_ttl_seconds)
    assert timedelta(0) < expires - datetime.now(UTC) <= ttl
    assert (await http.get(payload["url"])).status_code == 200
    later = expires.timestamp() + 1
    monkeypatch.setattr(export, "_now", lambda: later)
    refused = await http.get(payload["url"])
    assert (refused.status_code, refused.text) == (404, "Not Found")


async def test_a_tampered_unsigned_or_another_members_link_is_refused_alike(
    api: Api, http: httpx.AsyncClient
) -> None:
    dana, fay = await api.sign_up("dana"), await api.sign_up("fay")
    link = await export_link(api, dana)
    base, _, token = link.rpartition("/")
    user_id, expires, mac = token.split(".")
    fays = (await export_link(api, fay)).rpartition("/")[2].split(".")
    refusals = [
        f"{base}/{pk(fay.id)}.{expires}.{mac}",  # dana's signature on fay's id
        f"{base}/{user_id}.{fays[1]}.{fays[2]}",  # fay's signature on dana's id
        f"{base}/{user_id}.{int(expires) + 3600}.{mac}",  # stretched
        f"{base}/{user_id}.{expires}.{mac[:-2]}",  # cut
        f"{base}/{user_id}.{expires}.{'A' * len(mac)}",  # forged
        f"{base}/{user_id}.{expires}.{mac[:-1]}\u00e9",  # not ASCII
        f"{base}/\u0663.{expires}.{mac}",  # a digit of another script
        f"{base}/{user_id}.{expires}.",  # an empty signature
        f"{base}/{user_id}.{expires}",  # no signature
        f"{base}/{user_id}",
        f"{base}/not-a-token",
        f"{base}/{'9' * 30}.{expires}.{mac}",
    ]
    for refused in refusals:
        response = await http.get(refused)
        assert (response.status_code, response.text) == (404, "Not Found"), refused
    assert (await http.get(link)).status_code == 200


async def test_export_downloads_are_limited_per_account(api: Api, settings: Any) -> None:
    """Each download builds a zip: two per window here, whatever the links; another member's
    budget is their own, and a refused download is a 429 that says when to come back."""
    dana, fay = await api.sign_up("dana"), await api.sign_up("fay")
    links = [await export_link(api, dana) for _ in range(2)]
    async with own_client(settings, rate_limit_exports="2 per hour") as http:
        statuses = [(await http.get(link)).status_code for link in (*links, links[0])]
        refused = await http.get(links[1])
        fays = await http.get(await export_link(api, fay))
    assert statuses == [200, 200, 429]
    assert refused.status_code == 429
    assert refused.text.startswith("Too many downloads of your data: try again in ")
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert refused.headers["Cache-Control"] == "no-store"
    assert fays.status_code == 200


async def test_an_export_link_dies_with_the_account(api: Api, http: httpx.AsyncClient) -> None:
    dana = await api.sign_up("dana")
    link = await export_link(api, dana)
    await delete_account(api, dana)
    assert (await http.get(link)).status_code == 404


async def test_exporting_needs_a_token(api: Api) -> None:
    body = await api.raw(EXPORT)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
