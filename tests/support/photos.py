"""Photos for the tests: pictures as phones make them, and uploadPhoto sent as
apollo-upload-client sends it (a GraphQL multipart request)."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
from PIL import Image
from starlette.applications import Starlette

from tests.support.api import User

UPLOAD = """mutation ($input: UploadPhotoInput!) { uploadPhoto(input: $input) {
  upload { id width height blurhash dominantColor alt url small: url(width: 300) createdAt }
  errors { field message code } } }"""
GPS = 0x8825


def jpeg(size: tuple[int, int] = (1600, 1200), orientation: int | None = None) -> bytes:
    """A photo as a phone makes it: EXIF with a GPS position (and an orientation)."""
    picture = Image.new("RGB", size, (30, 120, 200))
    picture.paste((250, 250, 0), (0, 0, size[0] // 4, size[1] // 4))  # a yellow top-left
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS)[2] = (48.0, 51.0, 24.0)  # latitude: someone's home
    if orientation is not None:
        exif[0x0112] = orientation
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


async def send(
    http: httpx.AsyncClient,
    token: str | None,
    content: bytes,
    name: str = "IMG_0001.jpg",
    alt: str | None = None,
) -> httpx.Response:
    """A multipart request as apollo-upload-client sends it: the operation, the map, the file."""
    operations = {"query": UPLOAD, "variables": {"input": {"file": None, "alt": alt}}}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": (name, content, "image/jpeg")},
        headers=headers,
    )


async def upload(
    http: httpx.AsyncClient,
    token: str | None,
    content: bytes,
    name: str = "IMG_0001.jpg",
    alt: str | None = None,
) -> dict[str, Any]:
    response = await send(http, token, content, name, alt)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def stored(app: Starlette) -> list[str]:
    return await app.state.media.keys()  # type: ignore[no-any-return]


async def uploaded(
    http: httpx.AsyncClient, member: User, content: bytes | None = None, **options: Any
) -> dict[str, Any]:
    """A PhotoUpload of the member's (asserting the upload succeeded)."""
    body = await upload(http, member.token, content or jpeg(), **options)
    assert "errors" not in body, body
    payload = body["data"]["uploadPhoto"]
    assert payload["errors"] == [], payload["errors"]
    return payload["upload"]  # type: ignore[no-any-return]


async def served(app: Starlette, http: httpx.AsyncClient, url: str) -> bytes:
    """The bytes a rendition URL gives a browser: from the app's /media route, or from the
    bucket (whose public URL the test does not serve)."""
    if url.startswith("/media/"):
        response = await http.get(url)
        assert response.status_code == 200, response.text
        return response.content
    return await app.state.media.get(url.rsplit("/", 1)[1])  # type: ignore[no-any-return]


def picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
