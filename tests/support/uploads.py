"""Photo uploads as clients send them: the uploadPhoto document, one multipart request over
any httpx client (the ASGI app or a real server), and photo-like pictures made here."""

from __future__ import annotations

import io
import json
import random

import httpx
from PIL import Image

UPLOAD = """mutation ($input: UploadPhotoInput!) { uploadPhoto(input: $input) {
  upload { id width height blurhash dominantColor alt url small: url(width: 300) createdAt }
  errors { field message code } } }"""


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
