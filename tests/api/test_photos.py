"""A moment's photo and a member's avatar from their own uploads: attached once, by their
owner only, shown everywhere with sizes, placeholder and renditions a browser loads; every
refusal is a precise UserError that writes and stores nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from models import Postcard, Upload
from models import User as UserRow
from tests.support.api import Api, User
from tests.support.photos import jpeg, picture, served, stored, uploaded

SONG = {"title": "Harvest Moon", "artist": "Neil Young"}
PHOTO = """photo { url source width height blurhash dominantColor alt importedFrom
  large: url(width: 1000) medium: url(width: 640) small: url(width: 100) }"""
CREATE = f"""mutation ($input: CreatePostcardInput!) {{ createPostcard(input: $input) {{
  postcard {{ id {PHOTO} }} errors {{ field message code }} }} }}"""
UPDATE = f"""mutation ($input: UpdatePostcardInput!) {{ updatePostcard(input: $input) {{
  postcard {{ id {PHOTO} }} errors {{ field message code }} }} }}"""
FEED = f"{{ feed(first: 5) {{ edges {{ node {{ id {PHOTO} }} }} }} }}"
PROFILE = """mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) {
  user { avatarUrl avatar { url source width height blurhash alt importedFrom
    large: url(width: 400) medium: url(width: 150) small: url(width: 50) } }
  errors { field message code } } }"""


async def share(api: Api, member: User, photo: dict[str, Any] | None) -> dict[str, Any]:
    body = await api.ok(CREATE, {"input": {"track": SONG, "photo": photo}}, member.token)
    return body["createPostcard"]  # type: ignore[no-any-return]


async def written(app: Starlette) -> tuple[int, list[Any], list[str]]:
    """What a refusal must leave as it was: moments, uploads (and whether used), files."""
    uploads = await Upload.all().order_by("id").values_list("id", "attached_at")
    return await Postcard.all().count(), uploads, await stored(app)


async def test_an_uploaded_photo_shows_on_the_moment_and_in_the_feed(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    maya = await api.sign_up("maya")
    upload = await uploaded(http, maya, jpeg((2000, 1500)), alt="The pier at dusk")
    payload = await share(api, maya, {"uploadId": upload["id"]})
    assert payload["errors"] == []
    photo = payload["postcard"]["photo"]
    assert {k: photo[k] for k in ("source", "width", "height", "alt", "importedFrom")} == {
        "source": "UPLOAD",
        "width": 2000,
        "height": 1500,
        "alt": "The pier at dusk",
        "importedFrom": None,
    }
    assert (photo["blurhash"], photo["dominantColor"]) == (
        upload["blurhash"],
        upload["dominantColor"],
    )
    # url(width:) is the smallest rendition at least that wide, the largest when none is
    assert photo["url"] == photo["large"] == upload["url"]
    widths = {}
    for name in ("large", "medium", "small"):
        image = picture(await served(app, http, photo[name]))
        widths[name] = image.size
        assert dict(image.getexif()) == {}, "the phone's GPS position must not be served"
    assert widths == {"large": (1080, 810), "medium": (640, 480), "small": (320, 240)}
    feed = await api.ok(FEED, token=maya.token)
    assert feed["feed"]["edges"] == [{"node": payload["postcard"]}]
    assert (await Upload.get()).attached_at is not None


async def test_the_uploads_alt_can_be_replaced_when_attaching(
    api: Api, http: httpx.AsyncClient
) -> None:
    maya = await api.sign_up("maya")
    upload = await uploaded(http, maya, jpeg((300, 200)), alt="first words")
    payload = await share(api, maya, {"uploadId": upload["id"], "alt": "better words"})
    assert payload["postcard"]["photo"]["alt"] == "better words"
    # never upscaled: a 300 px photo keeps 300 and has no other rendition wider than 320
    assert payload["postcard"]["photo"]["width"] == 300


async def refused(
    api: Api, app: Starlette, member: User, photo: dict[str, Any]
) -> list[tuple[list[str] | None, str]]:
    before = await written(app)
    payload = await share(api, member, photo)
    assert payload["postcard"] is None
    assert await written(app) == before
    return [(error["field"], error["code"]) for error in payload["errors"]]


async def test_someone_elses_upload_is_not_found(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    upload = await uploaded(http, maya)
    assert await refused(api, app, kofi, {"uploadId": upload["id"]}) == [
        (["photo", "uploadId"], "NOT_FOUND")
    ]


@pytest.mark.parametrize(
    "upload_id",
    ["UGhvdG9VcGxvYWQ6OTk5OTk5", "UG9zdGNhcmQ6MQ==", "not an id"],
    ids=["no-such-upload", "a-postcard-id", "garbage"],
)
async def test_an_id_that_names_no_upload_of_yours_is_not_found(
    api: Api, http: httpx.AsyncClient, app: Starlette, upload_id: str
) -> None:
    maya = await api.sign_up("maya")
    await uploaded(http, maya)
    assert await refused(api, app, maya, {"uploadId": upload_id}) == [
        (["photo", "uploadId"], "NOT_FOUND")
    ]


async def test_an_upload_is_used_once(api: Api, http: httpx.AsyncClient, app: Starlette) -> None:
    maya = await api.sign_up("maya")
    upload = await uploaded(http, maya)
    assert (await share(api, maya, {"uploadId": upload["id"]}))["errors"] == []
    assert await refused(api, app, maya, {"uploadId": upload["id"]}) == [
        (["photo", "uploadId"], "INVALID")
    ]


async def test_two_moments_racing_for_one_upload_get_it_once(
    api: Api, http: httpx.AsyncClient
) -> None:
    maya = await api.sign_up("maya")
    upload = await uploaded(http, maya)
    results = await asyncio.gather(
        *(share(api, maya, {"uploadId": upload["id"]}) for _ in range(4))
    )
    won = [r for r in results if r["errors"] == []]
    lost = [r["errors"] for r in results if r["errors"]]
    assert len(won) == 1
    assert (
        lost
        == [[{"field": ["photo", "uploadId"], "message": lost[0][0]["message"], "code": "INVALID"}]]
        * 3
    )
    assert await Postcard.all().count() == 1


async def test_an_upload_older_than_a_day_has_expired(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    maya = await api.sign_up("maya")
    upload = await uploaded(http, maya)
    row = await Upload.get()
    await Upload.filter(id=row.id).update(
        created_at=row.created_at - timedelta(hours=24, seconds=1)
    )
    assert await refused(api, app, maya, {"uploadId": upload["id"]}) == [
        (["photo", "uploadId"], "NOT_FOUND")
    ]


@pytest.mark.parametrize(
    ("photo", "errors"),
    [
        ({}, [(["photo"], "INVALID")]),
        ({"uploadId": "X", "url": "https://example.com/a.jpg"}, [(["photo"], "INVALID")]),
        ({"uploadId": "X", "source": "WEB"}, [(["photo", "source"], "INVALID")]),
        (
            {"url": "https://example.com/a.jpg", "source": "UPLOAD"},
            [(["photo", "source"], "INVALID")],
        ),
        ({"uploadId": "X", "alt": "x" * 1001}, [(["photo", "alt"], "TOO_LONG")]),
        ({"url": "file:///etc/passwd", "source": "WEB"}, [(["photo", "url"], "INVALID")]),
        (
            {"url": "https://imgur.com/a.png", "source": "INSTAGRAM"},
            [(["photo", "url"], "UNSUPPORTED_LINK")],
        ),
    ],
    ids=[
        "neither",
        "both",
        "upload-from-the-web",
        "url-as-upload",
        "alt-too-long",
        "file-url",
        "not-instagram",
    ],
)
async def test_a_malformed_photo_is_refused_before_anything_is_looked_at(
    api: Api, http: httpx.AsyncClient, app: Starlette, photo: dict[str, Any], errors: list[Any]
) -> None:
    maya = await api.sign_up("maya")
    upload = await uploaded(http, maya)
    if photo.get("uploadId") == "X":
        photo = {**photo, "uploadId": upload["id"]}
    assert await refused(api, app, maya, photo) == errors
    assert (await Upload.get()).attached_at is None


async def test_editing_a_moment_attaches_replaces_and_removes_its_photo(
    api: Api, http: httpx.AsyncClient
) -> None:
    maya = await api.sign_up("maya")
    card = (await share(api, maya, None))["postcard"]
    assert card["photo"] is None
    first, second = (
        await uploaded(http, maya, jpeg((800, 600))),
        await uploaded(http, maya, jpeg((600, 800))),
    )
    for upload, size in ((first, (800, 600)), (second, (600, 800))):
        edit = {"postcardId": card["id"], "photo": {"uploadId": upload["id"]}}
        payload = (await api.ok(UPDATE, {"input": edit}, maya.token))["updatePostcard"]
        assert payload["errors"] == []
        assert (
            payload["postcard"]["photo"]["width"],
            payload["postcard"]["photo"]["height"],
        ) == size
    payload = (
        await api.ok(UPDATE, {"input": {"postcardId": card["id"], "photo": None}}, maya.token)
    )["updatePostcard"]
    assert payload["postcard"]["photo"] is None
    assert (await Postcard.get()).photo is None


async def test_only_the_author_attaches_a_photo_to_a_moment(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    card = (await share(api, maya, None))["postcard"]
    upload = await uploaded(http, kofi)
    before = await written(app)
    edit = {"postcardId": card["id"], "photo": {"uploadId": upload["id"]}}
    payload = (await api.ok(UPDATE, {"input": edit}, kofi.token))["updatePostcard"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["postcardId"], "FORBIDDEN")]
    assert await written(app) == before
    assert (await Postcard.get()).photo is None


async def test_an_uploaded_avatar_is_a_square_in_three_sizes(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    maya = await api.sign_up("maya")
    upload = await uploaded(http, maya, jpeg((1600, 1200)), alt="Maya, smiling")
    payload = (await api.ok(PROFILE, {"input": {"avatarUploadId": upload["id"]}}, maya.token))[
        "updateProfile"
    ]
    assert payload["errors"] == []
    avatar = payload["user"]["avatar"]
    assert (avatar["source"], avatar["alt"], avatar["importedFrom"]) == (
        "UPLOAD",
        "Maya, smiling",
        None,
    )
    sizes = {}
    for name in ("large", "medium", "small"):
        sizes[name] = picture(await served(app, http, avatar[name])).size
    assert sizes == {"large": (400, 400), "medium": (200, 200), "small": (80, 80)}
    assert (avatar["width"], avatar["height"]) == (400, 400)
    assert payload["user"]["avatarUrl"] == avatar["medium"]
    assert (await Upload.get()).attached_at is not None
    # the upload is used up: not a second time, not as a moment's photo either
    again = (await api.ok(PROFILE, {"input": {"avatarUploadId": upload["id"]}}, maya.token))[
        "updateProfile"
    ]
    assert [(e["field"], e["code"]) for e in again["errors"]] == [(["avatarUploadId"], "INVALID")]
    removed = (await api.ok(PROFILE, {"input": {"avatarUploadId": None}}, maya.token))[
        "updateProfile"
    ]
    assert removed["user"] == {"avatarUrl": None, "avatar": None}


async def test_a_linked_avatar_is_a_photo_with_its_link_only(api: Api) -> None:
    maya = await api.sign_up("maya")
    link = "https://images.example/maya.png"
    payload = (await api.ok(PROFILE, {"input": {"avatarUrl": link}}, maya.token))["updateProfile"]
    assert payload["user"]["avatarUrl"] == link
    assert payload["user"]["avatar"] == {
        "url": link,
        "source": "WEB",
        "width": None,
        "height": None,
        "blurhash": None,
        "alt": None,
        "importedFrom": None,
        "large": link,
        "medium": link,
        "small": link,
    }


async def test_avatar_refusals_write_and_store_nothing(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    upload = await uploaded(http, maya)
    cases = [
        (kofi, {"avatarUploadId": upload["id"]}, [(["avatarUploadId"], "NOT_FOUND")]),
        (maya, {"avatarUploadId": "garbage"}, [(["avatarUploadId"], "NOT_FOUND")]),
        (
            maya,
            {"avatarUploadId": upload["id"], "avatarUrl": "https://images.example/a.png"},
            [(None, "INVALID")],
        ),
    ]
    for member, change, errors in cases:
        before = (
            await written(app),
            await UserRow.all().order_by("id").values_list("avatar", "avatar_url"),
        )
        payload = (await api.ok(PROFILE, {"input": change}, member.token))["updateProfile"]
        assert [(e["field"], e["code"]) for e in payload["errors"]] == errors
        after = (
            await written(app),
            await UserRow.all().order_by("id").values_list("avatar", "avatar_url"),
        )
        assert after == before
