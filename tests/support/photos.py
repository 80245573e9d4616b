"""Photos for the tests and the bench: pictures as phones and cameras make them, and
uploadPhoto sent as apollo-upload-client sends it (a GraphQL multipart request) over any
httpx client (the ASGI app or a real server)."""

from __future__ import annotations

import io
import json
import random
import struct
import zlib
from typing import Any

import httpx
import pillow_heif
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
    http: httpx.AsyncClient, token: str | None, content: bytes, **options: Any
) -> dict[str, Any]:
    """The body of `send`'s answer (a 200)."""
    response = await send(http, token, content, **options)
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


def photo(size: tuple[int, int], seed: int = 1) -> bytes:
    """A JPEG a camera could have made, the same bytes for the same size and seed: smooth
    gradients under a sensor's grain (noise at half the resolution, so it compresses like a
    photo: 12 MP is ~2.8 MB, 40 MP ~9 MB), with EXIF (a maker and an orientation)."""
    width, height = size
    red = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    green = Image.linear_gradient("L").rotate(90).resize(size, Image.Resampling.BILINEAR)
    blue = Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR)
    half = (max(1, width // 2), max(1, height // 2))
    noise = random.Random(seed).randbytes(half[0] * half[1])
    grain = Image.frombytes("L", half, noise).resize(size, Image.Resampling.BILINEAR)
    picture = Image.blend(
        Image.merge("RGB", (red, green, blue)), Image.merge("RGB", (grain,) * 3), 0.2
    )
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"  # Make
    exif[0x0112] = 1  # Orientation: upright
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def png_header_bomb(side: int, *, body: bool = True) -> bytes:
    """A 1-bit greyscale PNG of side x side black pixels: a few KB that decode to
    side * side pixels. Without `body`, its pixel data stops short (decoding it fails)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    row = b"\0" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    if not body:
        pixels = pixels[:16]
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def heic(size: tuple[int, int] = (1200, 900)) -> bytes:
    """A HEIC as an iPhone makes it (pillow-heif's encoder), with EXIF."""
    pillow_heif.register_heif_opener()  # once is enough; again is harmless
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif.get_ifd(GPS)[2] = (48.0, 51.0, 24.0)
    out = io.BytesIO()
    Image.new("RGB", size, (200, 90, 40)).save(out, "HEIF", quality=80, exif=exif.tobytes())
    return out.getvalue()
