"""GET /oembed as oembed.com asks: a `rich` answer with an iframe of the moment's player,
within the consumer's maxwidth and maxheight; 400, 401, 404 and 501 where the spec says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette

from server.app import close_media, create_app
from server.settings import Settings
from tests.support.api import Api
from tests.support.html import Page
from tests.support.share import (
    SONG,
    absolute,
    delete,
    go_private,
    shared,
    suspend,
    update_profile,
)
from tests.support.sql import count_sql


@asynccontextmanager
async def closing_media(app: Starlette) -> AsyncIterator[None]:
    try:
        yield
    finally:
        close_media(app.state.media)


@pytest.fixture
def public_url(settings: Settings) -> str:
    return settings.public_url


def frame(src: str, width: int, height: int, title: str) -> str:
    return (
        f'<iframe src="{src}" width="{width}" height="{height}" title="{title} on Soundpost"'
        ' style="border:0" loading="lazy" allow="encrypted-media; clipboard-write"></iframe>'
    )


async def test_a_moment_is_a_rich_player_within_the_consumers_maximums(
    api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    # given
    maya = await api.sign_up("maya")
    await update_profile(api, maya, displayName="Maya & co")
    moment = await shared(api, maya, public_url, caption="Pier", song=SONG, photo=True)
    assert moment.photo is not None
    title = "Never Gonna Give You Up by Rick Astley"
    common = {
        "type": "rich",
        "version": "1.0",
        "title": title,
        "author_name": "Maya & co",
        "author_url": f"{public_url}/u/maya",
        "provider_name": "Soundpost",
        "provider_url": f"{public_url}/",
        "cache_age": 60,
    }
    embed = f"{moment.url}/embed"

    # when: at its natural size, then within 500 x 400, then 300 x 200
    with count_sql() as sql:
        natural = await http.get("/oembed", params={"url": moment.url, "format": "json"})
    within = await http.get(
        "/oembed", params={"url": moment.url, "maxwidth": "500", "maxheight": "400"}
    )
    small = await http.get(
        "/oembed", params={"url": f"{moment.url}?utm=x", "maxwidth": "300", "maxheight": "200"}
    )

    # then
    assert len(sql.statements) == 1
    assert natural.status_code == 200
    assert natural.headers["content-type"] == "application/json"
    assert natural.headers["cache-control"] == "public, max-age=60"
    assert natural.json() == {
        **common,
        "html": frame(embed, 400, 500, title),
        "width": 400,
        "height": 500,
        "thumbnail_url": absolute(public_url, moment.photo["thumb"]),
        "thumbnail_width": 640,
        "thumbnail_height": 480,
    }
    thumbnail = within.json()["thumbnail_url"]
    assert thumbnail != natural.json()["thumbnail_url"]
    assert within.json() == {
        **common,
        "html": frame(embed, 400, 400, title),
        "width": 400,
        "height": 400,
        "thumbnail_url": thumbnail,  # the 320 px rendition: the 640 is wider than 500
        "thumbnail_width": 320,
        "thumbnail_height": 240,
    }
    # no rendition fits 300 x 200: no thumbnail
    assert small.json() == {
        **common,
        "html": frame(embed, 300, 200, title),
        "width": 300,
        "height": 200,
    }


async def test_a_bare_moment_is_a_smaller_player_without_thumbnail(
    api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    ben = await api.sign_up("ben")
    moment = await shared(api, ben, public_url, caption='<b>"hi"</b>')

    answer = (await http.get("/oembed", params={"url": moment.url})).json()

    title = "Harvest Moon by Neil Young"
    assert answer == {
        "type": "rich",
        "version": "1.0",
        "title": title,
        "author_name": "ben",
        "author_url": f"{public_url}/u/ben",
        "provider_name": "Soundpost",
        "provider_url": f"{public_url}/",
        "cache_age": 60,
        "html": frame(f"{moment.url}/embed", 400, 190, title),
        "width": 400,
        "height": 190,
    }


async def test_refusals_say_what_the_spec_says_and_no_more(
    api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    # given
    pia, dan, sal, ana = [await api.sign_up(name) for name in ("pia", "dan", "sal", "ana")]
    private = await shared(api, pia, public_url, caption="pia's secret")
    await go_private(api, pia)
    deleted = await shared(api, dan, public_url)
    await delete(api, dan, deleted)
    suspended = await shared(api, sal, public_url)
    await suspend(api, sal, suspended)
    public = await shared(api, ana, public_url)

    async def status(**params: str) -> tuple[int, str]:
        response = await http.get("/oembed", params=params)
        return response.status_code, response.text

    # then
    assert await status() == (400, "Bad Request: the url parameter is required")
    assert await status(url="") == (400, "Bad Request: the url parameter is required")
    assert await status(url=public.url, format="xml") == (
        501,
        "Not Implemented: only format=json is served",
    )
    for wrong in ("0", "-3", "wide", "1e3"):
        assert await status(url=public.url, maxwidth=wrong) == (
            400,
            "Bad Request: maxwidth and maxheight are positive integers",
        )
    assert await status(url=public.url, maxheight="x") == (
        400,
        "Bad Request: maxwidth and maxheight are positive integers",
    )
    assert await status(url=private.url) == (401, "Unauthorized")
    not_found = (404, "Not Found")
    elsewhere = public.url.replace(public_url, "https://elsewhere.example")
    for url in (
        deleted.url,
        suspended.url,
        f"{public_url}/m/999999",
        f"{public_url}/m/abc",
        f"{public_url}/u/ana",
        f"{public.url}/embed",
        elsewhere,
        public.url.replace("/m/", "/x/m/"),
        "not a url at all",
        "http://[::1",
    ):
        assert await status(url=url) == not_found, url


async def test_a_public_url_with_a_path_is_where_pages_and_urls_live(
    api: Api, settings: Settings
) -> None:
    # given: the app behind a proxy at https://soundpost.example/sp
    ana = await api.sign_up("ana")
    moment = await shared(api, ana, settings.public_url)
    base = "https://soundpost.example/sp"
    behind = create_app(settings.model_copy(update={"public_url": base}))
    transport = httpx.ASGITransport(app=behind)
    async with (
        closing_media(behind),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
    ):
        # when
        urls = await Api(http).ok(
            "query ($id: ID!) { postcard(id: $id) { shareUrl author { profileUrl } } }",
            {"id": moment.id},
        )
        number = moment.path.removeprefix("/m/")
        answer = await http.get("/oembed", params={"url": f"{base}/m/{number}"})
        outside = await http.get("/oembed", params={"url": f"https://soundpost.example/m/{number}"})
        page = Page((await http.get(moment.path)).text)

    # then
    assert urls["postcard"] == {
        "shareUrl": f"{base}/m/{number}",
        "author": {"profileUrl": f"{base}/u/ana"},
    }
    assert answer.status_code == 200
    assert answer.json()["html"].startswith(f'<iframe src="{base}/m/{number}/embed" ')
    assert answer.json()["provider_url"] == f"{base}/"
    assert outside.status_code == 404
    assert dict(page.cards())["og:url"] == f"{base}/m/{number}"
