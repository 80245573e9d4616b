"""uploadPhoto over the GraphQL multipart request spec, as apollo-upload-client sends it: the
photo is checked from its bytes, turned upright, stripped of every metadata and stored as
renditions the app serves; every refusal is a precise UserError and stores and writes nothing."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from models import Upload
from server.app import MULTIPART_MARGIN
from server.settings import Settings
from tests.support.api import Api
from tests.support.limits import own_client
from tests.support.photos import (
    UPLOAD,
    heic,
    jpeg,
    picture,
    png_header_bomb,
    send,
    served,
    stored,
    upload,
)


async def test_a_phone_photo_is_stored_upright_and_without_metadata(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    maya = await api.sign_up("maya")
    body = await upload(http, maya.token, jpeg(orientation=6), alt="Sunset on the pier")
    assert "errors" not in body, body
    payload = body["data"]["uploadPhoto"]
    assert payload["errors"] == []
    photo = payload["upload"]
    # Orientation 6: the 1600x1200 sensor image is a 1200x1600 portrait, upright
    assert (photo["width"], photo["height"]) == (1200, 1600)
    assert len(photo["blurhash"]) == 36 and photo["dominantColor"].startswith("#")
    assert photo["alt"] == "Sunset on the pier"
    row = await Upload.get()
    # stored, content-addressed (an earlier test may have stored the same picture)
    assert {r["key"] for r in row.renditions} <= set(await stored(app))
    for url, width in ((photo["url"], 1080), (photo["small"], 320)):
        assert url.endswith(".jpg")
        image = picture(await served(app, http, url))
        assert image.width == width
        assert dict(image.getexif()) == {}
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
        # the yellow corner of the sensor's top-left is at the top right once upright
        assert image.convert("RGB").getpixel((image.width - 5, 5))[2] < 100
    assert [r["width"] for r in row.renditions] == [1080, 640, 320]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"just some text, named like a photo", "UNSUPPORTED_MEDIA"),
        (b"GIF89a" + b"\x00" * 40, "UNSUPPORTED_MEDIA"),
        (jpeg()[:2000], "INVALID"),
    ],
    ids=["text-named-jpg", "gif", "truncated-jpeg"],
)
async def test_a_refused_file_stores_and_writes_nothing(
    api: Api, http: httpx.AsyncClient, app: Starlette, content: bytes, code: str
) -> None:
    maya = await api.sign_up("maya")
    before = await stored(app)
    body = await upload(http, maya.token, content)
    payload = body["data"]["uploadPhoto"]
    assert payload["upload"] is None
    [error] = payload["errors"]
    assert error["field"] == ["file"] and error["code"] == code
    assert await Upload.all().count() == 0
    assert await stored(app) == before


async def test_a_file_that_is_not_a_file_is_refused(api: Api) -> None:
    # the Upload scalar takes any JSON value: a plain request sends a string instead
    maya = await api.sign_up("maya")
    payload = (await api.ok(UPLOAD, {"input": {"file": "not a file"}}, maya.token))["uploadPhoto"]
    assert payload["upload"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["file"], "INVALID")]
    assert await Upload.all().count() == 0


async def test_uploading_needs_a_viewer(http: httpx.AsyncClient, app: Starlette) -> None:
    before = await stored(app)
    body = await upload(http, None, jpeg())
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await Upload.all().count() == 0 and await stored(app) == before


async def test_an_upload_is_its_owners_only(api: Api, http: httpx.AsyncClient) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    body = await upload(http, maya.token, jpeg((400, 300)))
    photo = body["data"]["uploadPhoto"]["upload"]
    # never upscaled: a 400 px photo has a 400 px and a 320 px rendition
    assert (photo["width"], photo["height"]) == (400, 300)
    assert photo["url"] != photo["small"]
    node = "query ($id: ID!) { node(id: $id) { ... on PhotoUpload { width } } }"
    assert await api.ok(node, {"id": photo["id"]}, maya.token) == {"node": {"width": 400}}
    assert await api.ok(node, {"id": photo["id"]}, kofi.token) == {"node": None}
    assert await api.ok(node, {"id": photo["id"]}) == {"node": None}


async def test_a_multipart_body_over_the_photo_limit_is_cut_off(
    api: Api, settings: Settings
) -> None:
    maya = await api.sign_up("maya")
    async with own_client(settings, media_max_bytes=20_000) as http:
        response = await send(http, maya.token, b"\xff" * 200_000)
        # a JSON body keeps its own, smaller limit
        json_body = await http.post("/graphql", json={"query": "{ viewer { id } }" + " " * 150_000})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {
        "code": "PAYLOAD_TOO_LARGE",
        "maxBytes": 20_000 + MULTIPART_MARGIN,
    }
    assert json_body.status_code == 413
    assert json_body.json()["errors"][0]["extensions"]["maxBytes"] == settings.max_body_bytes
    assert await Upload.all().count() == 0


async def test_uploads_are_limited_per_account(api: Api, settings: Settings) -> None:
    maya = await api.sign_up("maya")
    codes = []
    async with own_client(settings, rate_limit_uploads="2 per hour") as http:
        for _ in range(3):
            response = await send(http, maya.token, jpeg((200, 150)))
            errors = response.json().get("errors") or [{}]
            codes.append((response.status_code, errors[0].get("extensions", {}).get("code")))
    assert codes == [(200, None), (200, None), (429, "RATE_LIMITED")]
    assert await Upload.all().count() == 2


async def test_an_iphone_heic_is_accepted_and_shown_as_jpeg(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    maya = await api.sign_up("maya")
    body = await upload(http, maya.token, heic((1200, 900)), name="IMG_0001.HEIC")
    photo = body["data"]["uploadPhoto"]["upload"]
    assert (photo["width"], photo["height"]) == (1200, 900)
    image = picture(await served(app, http, photo["url"]))
    assert (image.format, image.width, dict(image.getexif())) == ("JPEG", 1080, {})


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (png_header_bomb(20_000), "TOO_LARGE"),  # 400 MP in a few kB
        (b"\xff\xd8\xff" + b"\0" * 15_000_000, "TOO_LARGE"),  # a byte over MEDIA_MAX_BYTES
    ],
    ids=["20000x20000-png-bomb", "over-the-byte-limit"],
)
async def test_too_large_is_refused_before_decoding(
    api: Api, http: httpx.AsyncClient, app: Starlette, content: bytes, code: str
) -> None:
    maya = await api.sign_up("maya")
    before = await stored(app)
    payload = (await upload(http, maya.token, content))["data"]["uploadPhoto"]
    assert payload["upload"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["file"], code)]
    assert await Upload.all().count() == 0 and await stored(app) == before


async def test_a_20_mb_file_is_cut_off_by_the_body_limit(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    maya = await api.sign_up("maya")
    before = await stored(app)
    response = await send(http, maya.token, b"\xff\xd8\xff" + b"\0" * 20_000_000)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert await Upload.all().count() == 0 and await stored(app) == before
