"""server/http/media.py: a FileStore's files over HTTP, on a small Starlette app of its own
(no database): the exact bytes, the caching and type headers, Range, and 404s for anything
that is not a stored key (traversal included)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Message

from media.store import FileStore, key_for
from server.http.media import media_routes
from tests.support.asgi import http_scope

JPEG = bytes(range(256)) * 4  # 1024 bytes, each offset recognisable
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(100)
JPEG_KEY = key_for(JPEG, "jpg")
WEBP_KEY = key_for(WEBP, "webp")
CACHE_CONTROL = "public, max-age=31536000, immutable"


@pytest.fixture
async def stored(tmp_path: Path) -> Path:
    store = FileStore(tmp_path / "media")
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    await store.put(WEBP_KEY, WEBP, "image/webp")
    (tmp_path / "secret.txt").write_text("outside the media directory")
    return store.directory


@pytest.fixture
async def http(stored: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=media_routes(stored))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_a_jpeg_is_served_exactly_with_its_headers(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/media/{JPEG_KEY}")
    assert response.status_code == 200
    assert response.content == JPEG
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["content-length"] == "1024"
    assert response.headers["cache-control"] == CACHE_CONTROL
    assert response.headers["etag"] == f'"{hashlib.sha256(JPEG).hexdigest()}"'
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["accept-ranges"] == "bytes"


async def test_a_webp_is_served_as_webp(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/media/{WEBP_KEY}")
    assert (response.status_code, response.content) == (200, WEBP)
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["etag"] == f'"{hashlib.sha256(WEBP).hexdigest()}"'


async def test_head_has_the_headers_and_no_body(http: httpx.AsyncClient) -> None:
    response = await http.head(f"/media/{JPEG_KEY}")
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["content-length"] == "1024"
    assert response.headers["content-type"] == "image/jpeg"


async def test_a_range_is_answered_with_the_exact_slice(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/media/{JPEG_KEY}", headers={"Range": "bytes=100-299"})
    assert response.status_code == 206
    assert response.content == JPEG[100:300]
    assert response.headers["content-range"] == "bytes 100-299/1024"
    assert response.headers["content-length"] == "200"
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == CACHE_CONTROL


async def test_a_suffix_range_is_the_last_bytes(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/media/{JPEG_KEY}", headers={"Range": "bytes=-10"})
    assert (response.status_code, response.content) == (206, JPEG[-10:])
    assert response.headers["content-range"] == "bytes 1014-1023/1024"


async def test_a_range_past_the_end_is_416(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/media/{JPEG_KEY}", headers={"Range": "bytes=5000-6000"})
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */1024"


async def test_a_matching_if_none_match_is_304(http: httpx.AsyncClient) -> None:
    etag = f'"{hashlib.sha256(JPEG).hexdigest()}"'
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = await http.get(f"/media/{JPEG_KEY}", headers={"If-None-Match": header})
        assert (response.status_code, response.content) == (304, b"")
        assert response.headers["etag"] == etag
        assert response.headers["cache-control"] == CACHE_CONTROL
    other = await http.get(f"/media/{JPEG_KEY}", headers={"If-None-Match": '"other"'})
    assert (other.status_code, other.content) == (200, JPEG)


@pytest.mark.parametrize(
    "path",
    [
        f"/media/{'0' * 64}.jpg",  # well-formed, absent
        f"/media/{JPEG_KEY[:-4]}.webp",  # the digest of a jpeg, as a webp
        f"/media/{JPEG_KEY[:-4]}",
        f"/media/{JPEG_KEY[:-4]}.png",
        f"/media/{JPEG_KEY.upper()}",
        "/media/secret.txt",
        "/media/..%2Fsecret.txt",
        "/media/%2e%2e%2fsecret.txt",
        "/media/%2E%2E/secret.txt",
        f"/media/{JPEG_KEY}%00",
        f"/media/x/{JPEG_KEY}",
        "/media/",
    ],
)
async def test_anything_but_a_stored_key_is_404(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)
    assert (response.status_code, response.text) == (404, "Not Found")


@pytest.mark.parametrize("path", ["/media/../secret.txt", "/media/../media/x", "/media/.."])
async def test_a_raw_traversal_is_404(stored: Path, path: str) -> None:
    """A path with `..` as sent by a client that does not normalise it (httpx would): the
    ASGI scope carries it as it is."""
    app = Starlette(routes=media_routes(stored))
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    scope = http_scope("GET", path, [], server="testserver")
    await app(scope, receive, send)
    assert messages[0]["status"] == 404
    assert messages[1]["body"] == b"Not Found"
