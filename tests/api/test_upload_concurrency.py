"""A 40 MP photo in the pipeline does not stop the server: over real HTTP to a real uvicorn,
queries are answered while the upload is held half-way through its processing (decoded,
not yet encoded), and the upload then succeeds.

No timing thresholds. The pipeline waits on a `threading.Event` once the photo is decoded;
the client (its own event loop, in a thread of its own) sees it is held, sends its queries,
and only then lets it go: the upload cannot answer before it is released, so when every
query has been answered first, they were answered while it was in progress. Were the
pipeline run on the server's event loop, the held photo would block the loop, no query
would be answered, and the client would fail after `QUERY_WAIT` (a deadline for a broken
server only: a working one answers at once, however slow the machine)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette

from media import images
from models import Upload
from tests.support.api import Api
from tests.support.photos import photo, send
from tests.support.servers import serve
from tests.support.ws import post

SIZE = (7000, 5700)  # 39.9 MP, within MEDIA_MAX_PIXELS (40 MP); ~9 MB, within MEDIA_MAX_BYTES
QUERIES = 5
EXPLORE = "{ explore(first: 5) { edges { node { caption } } } }"
QUERY_WAIT = 15.0  # for one query's answer; only reached when the server is blocked
HOLD = 60.0  # the most the pipeline is held, should the client never release it


@dataclass
class Seen:
    order: list[str]  # what completed, in order
    answers: list[httpx.Response]
    upload: httpx.Response
    held_meanwhile: bool  # the upload was still waiting after every answer


@pytest.fixture(scope="module")
def big_photo() -> bytes:
    return photo(SIZE)


def held_after_decoding(
    monkeypatch: pytest.MonkeyPatch, decoded: threading.Event, release: threading.Event
) -> None:
    """The pipeline stops, its photo decoded, until `release` (the step after decoding is
    the conversion to sRGB; it runs wherever the pipeline runs)."""
    to_srgb: Callable[[Image.Image], Image.Image] = images._to_srgb

    def held(image: Image.Image) -> Image.Image:
        decoded.set()
        release.wait(HOLD)
        return to_srgb(image)

    monkeypatch.setattr(images, "_to_srgb", held)


async def client(
    base: str, token: str, picture: bytes, decoded: threading.Event, release: threading.Event
) -> Seen:
    """Starts the upload; once the photo is held in the pipeline, sends the queries one
    after another; then releases the photo and waits for the upload's answer."""
    order: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=HOLD) as http:

        async def upload() -> httpx.Response:
            response = await send(http, token, picture, "IMG_40MP.jpg")
            order.append("upload")
            return response

        uploading = asyncio.create_task(upload())
        answers = []
        try:
            async with asyncio.timeout(HOLD):
                while not decoded.is_set():
                    if uploading.done():
                        pytest.fail(f"answered before its pipeline held: {uploading.result().text}")
                    await asyncio.sleep(0.01)
            for n in range(QUERIES):
                try:
                    answer = await http.post(
                        "/graphql", json={"query": EXPLORE}, headers=headers, timeout=QUERY_WAIT
                    )
                except httpx.TimeoutException:
                    pytest.fail(
                        f"no answer to query {n} in {QUERY_WAIT} s while the photo was held in"
                        " the pipeline: the processing blocks the event loop"
                    )
                answers.append(answer)
                order.append(f"query {n}")
            held_meanwhile = not uploading.done()
        finally:
            release.set()
        return Seen(order, answers, await uploading, held_meanwhile)


async def test_queries_are_answered_while_a_40_mp_photo_is_processed(
    api: Api, app: Starlette, big_photo: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a member with a moment on explore, and a pipeline that holds a decoded photo
    maya = await api.sign_up("maya")
    await post(api, maya.token, "Pier at dusk")
    decoded, release = threading.Event(), threading.Event()
    held_after_decoding(monkeypatch, decoded, release)

    # when: she uploads a 40 MP photo and, while it is held, queries explore
    async with serve(app) as ws_url:
        base = ws_url.replace("ws://", "http://").removesuffix("/graphql")
        seen = await asyncio.to_thread(
            asyncio.run, client(base, maya.token, big_photo, decoded, release)
        )

    # then: every query was answered before the upload, which was still in progress
    assert seen.order == [*(f"query {n}" for n in range(QUERIES)), "upload"]
    assert seen.held_meanwhile
    for answer in seen.answers:
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "data": {"explore": {"edges": [{"node": {"caption": "Pier at dusk"}}]}}
        }
    # and the upload, released, succeeded at the photo's own size
    assert seen.upload.status_code == 200, seen.upload.text
    payload = seen.upload.json()["data"]["uploadPhoto"]
    assert payload["errors"] == []
    assert (payload["upload"]["width"], payload["upload"]["height"]) == SIZE
    assert await Upload.all().count() == 1
