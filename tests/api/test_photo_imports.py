"""A moment's photo imported from Instagram or the web: fetched once through the upload's
pipeline and kept here (upright, without metadata), so the moment never depends on the link
again; an address that is not public, a page without a picture, or something that is no
picture is a UserError on `photo.url` that stores and writes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from media import fetch
from media.network import GuardedNetwork
from models import Postcard, Upload
from server.settings import Settings
from tests.support.api import Api
from tests.support.limits import own_client
from tests.support.photos import jpeg, picture, served, stored
from tests.support.servers import serve_http
from tests.support.web import Recording, Resolver, page

CREATE = """mutation ($input: CreatePostcardInput!) { createPostcard(input: $input) {
  postcard { id photo { url source width height alt importedFrom small: url(width: 100) } }
  errors { field message code } } }"""
SONG = {"title": "Harvest Moon", "artist": "Neil Young"}
PHOTO = jpeg((1600, 1200), orientation=6)  # with a GPS position in its EXIF


class Web:
    """The outside web of these tests: a picture, a post page naming it, a redirect."""

    def __init__(self) -> None:
        self.base = ""
        self.asked: list[str] = []

    def app(self) -> Starlette:
        async def photo(request: Request) -> Response:
            self.asked.append(request.url.path)
            return Response(PHOTO, media_type="image/jpeg")

        async def post(request: Request) -> Response:
            self.asked.append(request.url.path)
            return HTMLResponse(page(("property", "og:image", f"{self.base}/photo.jpg")))

        async def text(request: Request) -> Response:
            self.asked.append(request.url.path)
            return Response(b"words", media_type="image/jpeg")

        async def away(request: Request) -> Response:
            self.asked.append(request.url.path)
            return RedirectResponse("http://169.254.169.254/latest/meta-data/", 302)

        return Starlette(
            routes=[
                Route("/photo.jpg", photo),
                Route("/p/{code}/", post),
                Route("/text", text),
                Route("/away", away),
            ]
        )


@pytest.fixture
async def web() -> AsyncIterator[Web]:
    site = Web()
    async with serve_http(site.app()) as base:
        site.base = base
        yield site


@pytest.fixture
async def importing(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app that may fetch from this machine (MEDIA_FETCH_ALLOW_HOSTS)."""
    async with own_client(settings, media_fetch_allow_hosts=["127.0.0.1"]) as http:
        yield http


async def share(http: httpx.AsyncClient, token: str, photo: dict[str, Any]) -> dict[str, Any]:
    response = await http.post(
        "/graphql",
        json={"query": CREATE, "variables": {"input": {"track": SONG, "photo": photo}}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["createPostcard"]  # type: ignore[no-any-return]


async def test_a_web_picture_is_fetched_once_and_kept_upright_without_metadata(
    api: Api, app: Starlette, importing: httpx.AsyncClient, web: Web
) -> None:
    maya = await api.sign_up("maya")
    link = f"{web.base}/photo.jpg"
    payload = await share(importing, maya.token, {"url": link, "alt": "The pier"})
    assert payload["errors"] == []
    photo = payload["postcard"]["photo"]
    assert {k: photo[k] for k in ("source", "width", "height", "alt", "importedFrom")} == {
        "source": "WEB",
        "width": 1200,  # upright: the phone held it sideways (orientation 6)
        "height": 1600,
        "alt": "The pier",
        "importedFrom": link,
    }
    assert web.asked == ["/photo.jpg"]
    for url in (photo["url"], photo["small"]):
        image = picture(await served(app, importing, url))
        assert dict(image.getexif()) == {}
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
    # shown from our copy: the link is not asked again, even when it is gone
    feed = await api.ok("{ feed(first: 1) { edges { node { photo { url } } } } }", token=maya.token)
    assert feed["feed"]["edges"][0]["node"]["photo"]["url"] == photo["url"]
    assert web.asked == ["/photo.jpg"]
    assert await Upload.all().count() == 0  # an import is no upload waiting to be used


async def test_an_instagram_post_gives_the_picture_its_page_names(
    api: Api, importing: httpx.AsyncClient, web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    # www.instagram.com is the web's: the name answers a public address, and the
    # connection to it lands on the test's own server
    port = int(web.base.rpartition(":")[2])

    def network(allow_hosts: frozenset[str]) -> GuardedNetwork:
        resolver = Resolver(["157.240.0.174"])
        return GuardedNetwork(allow_hosts, resolve=resolver, inner=Recording(("127.0.0.1", port)))

    monkeypatch.setattr(fetch, "GuardedNetwork", network)
    maya = await api.sign_up("maya")
    link = f"http://www.instagram.com:{port}/p/C0dEx4mPl3/"
    payload = await share(importing, maya.token, {"url": link})
    assert payload["errors"] == []
    photo = payload["postcard"]["photo"]
    assert (photo["source"], photo["importedFrom"]) == ("INSTAGRAM", link)
    assert (photo["width"], photo["height"]) == (1200, 1600)
    assert web.asked == ["/p/C0dEx4mPl3/", "/photo.jpg"]


async def refused(
    api: Api, app: Starlette, http: httpx.AsyncClient, url: str
) -> list[tuple[list[str], str]]:
    maya = await api.sign_up("maya")
    before = await stored(app)
    payload = await share(http, maya.token, {"url": url})
    assert payload["postcard"] is None
    assert await Postcard.all().count() == 0 and await stored(app) == before
    return [(error["field"], error["code"]) for error in payload["errors"]]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/photo.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/photo.jpg",
        "http://10.0.0.7/photo.jpg",
        "http://localhost/photo.jpg",
    ],
    ids=["loopback", "cloud-metadata", "ipv6-loopback", "private", "localhost"],
)
async def test_an_address_that_is_not_public_is_unreachable(
    api: Api, app: Starlette, http: httpx.AsyncClient, url: str
) -> None:
    # the session app has no MEDIA_FETCH_ALLOW_HOSTS
    assert await refused(api, app, http, url) == [(["photo", "url"], "UNREACHABLE")]


async def test_a_local_server_is_refused_without_the_allow_list(
    api: Api, app: Starlette, http: httpx.AsyncClient, web: Web
) -> None:
    assert await refused(api, app, http, f"{web.base}/photo.jpg") == [
        (["photo", "url"], "UNREACHABLE")
    ]
    assert web.asked == []  # refused before connecting


@pytest.mark.parametrize(
    ("path", "code", "asked"),
    [
        ("/away", "UNREACHABLE", ["/away"]),  # a redirect to the cloud's metadata address
        ("/text", "UNSUPPORTED_MEDIA", ["/text"]),
        ("/missing", "UNREACHABLE", []),
    ],
    ids=["redirect-to-metadata", "not-a-picture", "404"],
)
async def test_a_failed_import_stores_and_writes_nothing(
    api: Api,
    app: Starlette,
    importing: httpx.AsyncClient,
    web: Web,
    path: str,
    code: str,
    asked: list[str],
) -> None:
    assert await refused(api, app, importing, f"{web.base}{path}") == [(["photo", "url"], code)]
    assert web.asked == asked
