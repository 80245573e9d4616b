"""Moments and members for the share-page tests: shared through the API as a client would,
with the URLs the API gives for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from models import Role
from resolvers import moderation
from tests.support.api import Api, User
from tests.support.photos import jpeg, uploaded

SPOTIFY_ID = "4uLU6hMCjMI75M1A2tKUQC"
SONG = {
    "spotifyUrl": f"https://open.spotify.com/track/{SPOTIFY_ID}?si=x",
    "title": "Never Gonna Give You Up",
    "artist": "Rick Astley",
    "album": "Whenever You Need Somebody",
    "durationMs": 213_573,
}
BARE_SONG = {"title": "Harvest Moon", "artist": "Neil Young"}
SHARE = """mutation ($input: CreatePostcardInput!) { createPostcard(input: $input) {
  postcard { id shareUrl photo { url(width: 1080) thumb: url(width: 640) }
             author { profileUrl } }
  errors { field code } } }"""
PROFILE = (
    "mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { errors { code } } }"
)
DELETE = "mutation ($input: PostcardIdInput!) { deletePostcard(input: $input) { errors { code } } }"


@dataclass(frozen=True)
class Shared:
    id: str  # the global ID
    url: str  # shareUrl
    path: str  # /m/<id>
    photo: dict[str, str] | None  # url (1080) and thumb (640), as the API gives them


async def shared(
    api: Api,
    member: User,
    public_url: str,
    *,
    caption: str = "",
    song: dict[str, Any] | None = None,
    photo: bool = False,
    alt: str | None = None,
    place: str | None = None,
) -> Shared:
    """A moment of the member's, through createPostcard (a photo uploaded first)."""
    payload: dict[str, Any] = {"track": song or BARE_SONG, "caption": caption}
    if photo:
        upload = await uploaded(api.http, member, jpeg((1600, 1200)), alt=alt)
        payload["photo"] = {"uploadId": upload["id"]}
    if place:
        payload["place"] = {"name": place, "latitude": 34.0083, "longitude": -118.4988}
    made = await api.mutate("createPostcard", SHARE, payload, member.token)
    postcard = made["postcard"]
    assert postcard["shareUrl"].startswith(public_url + "/m/")
    return Shared(
        id=postcard["id"],
        url=postcard["shareUrl"],
        path=postcard["shareUrl"].removeprefix(public_url),
        photo=postcard["photo"],
    )


async def update_profile(api: Api, member: User, **changes: Any) -> None:
    await api.mutate("updateProfile", PROFILE, changes, member.token)


async def go_private(api: Api, member: User) -> None:
    await update_profile(api, member, isPrivate=True)


async def delete(api: Api, member: User, moment: Shared) -> None:
    await api.mutate("deletePostcard", DELETE, {"postcardId": moment.id}, member.token)


async def suspend(api: Api, member: User, moment: Shared) -> None:
    """A moderator suspends the member over a report of the moment."""
    moderator = await api.sign_up(f"mod{member.username}"[:30])
    await moderation.grant_role(moderator.username, Role.MODERATOR)
    reporter = await api.sign_up(f"rep{member.username}"[:30])
    report = await api.mutate(
        "report",
        "mutation ($input: ReportInput!) { report(input: $input) { report { id } errors { code } } }",
        {"subjectId": moment.id, "reason": "SPAM"},
        reporter.token,
    )
    await api.mutate(
        "resolveReport",
        "mutation ($input: ResolveReportInput!) { resolveReport(input: $input) { errors { code } } }",
        {"reportId": report["report"]["id"], "action": "SUSPEND_ACCOUNT"},
        moderator.token,
    )


def absolute(public_url: str, url: str) -> str:
    """A URL the API gave as a browser on the public site resolves it."""
    return public_url + url if url.startswith("/") else url


async def fetched(app: Starlette, http: httpx.AsyncClient, public_url: str, url: str) -> bytes:
    """The bytes at an absolute URL a card names: this app's (through the test's client), or
    the media bucket's (read through the store: the test's bucket is not public)."""
    if url.startswith(public_url + "/"):
        response = await http.get(url.removeprefix(public_url))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "image/jpeg"
        return response.content
    store = app.state.media
    assert url.startswith(store.public_url), url
    return await store.get(url.removeprefix(store.public_url))  # type: ignore[no-any-return]
