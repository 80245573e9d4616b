"""The optional link resolver (LINK_RESOLVER_URL, resolvers/link_resolver.py) against a
song.link-like stub of the test's own (tests/support/odesli.py): after a createPostcard or
addTrackLink commits, the track's other links are filled in the background, each through
the same normalizer; the resolver down, slow or answering garbage changes nothing of the
mutation's answer and nothing in the database; without the setting nothing calls out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from starlette.applications import Starlette

from resolvers.link_resolver import LinkResolver, discover_nothing
from server.settings import Settings
from tests.support.api import Api
from tests.support.limits import client_of, own_app
from tests.support.odesli import Odesli, answer, nobody_listening, odesli_on

TRACK = "track { id isrc links { provider url } }"
CREATE = f"""mutation ($input: CreatePostcardInput!) {{ createPostcard(input: $input) {{
  postcard {{ caption {TRACK} }} errors {{ field code }} }} }}"""
ADD_LINK = f"""mutation ($input: AddTrackLinkInput!) {{ addTrackLink(input: $input) {{
  {TRACK} errors {{ field code }} }} }}"""
LINKS = "query ($id: ID!) { node(id: $id) { ... on Track { isrc links { provider url } } } }"
SONG = {"title": "Never Gonna Give You Up", "artist": "Rick Astley"}
SPOTIFY = "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
APPLE = "https://music.apple.com/us/song/1440857781"
YOUTUBE = "https://youtube.com/watch?v=dQw4w9WgXcQ"
DEEZER = "https://deezer.com/track/3135556"
TIDAL = "https://tidal.com/track/77646170"
# what song.link answers about the song, in its own forms
ANSWER = answer(
    {
        "spotify": SPOTIFY,
        "appleMusic": "https://geo.music.apple.com/us/album/_/1440857777?i=1440857781&mt=1&app=music",
        "itunes": "https://geo.itunes.apple.com/us/album/_/1440857777?i=1440857781",
        "youtube": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "youtubeMusic": "https://music.youtube.com/watch?v=dQw4w9WgXcQ",
        "deezer": "https://www.deezer.com/track/3135556",
        "tidal": "https://listen.tidal.com/track/77646170",
        "amazonMusic": "https://music.amazon.com/albums/B0?trackAsin=B1",
        "soundcloud": "https://soundcloud.com/rick-astley-official/sets/greatest-hits",
        "bandcamp": "not a link",
    },
    isrc="GBAYE8700033",
)


def links(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"provider": provider, "url": url} for provider, url in pairs]


@asynccontextmanager
async def resolving(
    settings: Settings, url: str, timeout: float = 5
) -> AsyncIterator[tuple[Api, LinkResolver]]:
    """A client of an app whose link resolver is `url`, and that resolver."""
    async with own_app(
        settings, link_resolver_url=url, link_resolver_timeout_seconds=timeout
    ) as app:
        resolver = app.state.link_resolver
        assert isinstance(resolver, LinkResolver)
        async with client_of(app) as http:
            yield Api(http), resolver


@pytest.fixture
async def odesli() -> AsyncIterator[Odesli]:
    async with odesli_on() as stub:
        yield stub


async def share(api: Api, token: str, track: dict[str, Any]) -> dict[str, Any]:
    payload = await api.mutate("createPostcard", CREATE, {"caption": "hi", "track": track}, token)
    return payload["postcard"]  # type: ignore[no-any-return]


async def links_now(api: Api, track_id: str) -> dict[str, Any]:
    return (await api.ok(LINKS, {"id": track_id}))["node"]  # type: ignore[no-any-return]


async def test_a_shared_link_brings_the_other_services_links_after_the_answer(
    settings: Settings, odesli: Odesli
) -> None:
    odesli.answers[SPOTIFY] = ANSWER
    async with resolving(settings, odesli.base) as (api, resolver):
        maya = await api.sign_up("maya")
        # when: maya shares the song from Spotify (the resolver holding its answer)
        odesli.open.clear()
        card = await share(api, maya.token, {**SONG, "spotifyUrl": f"{SPOTIFY}?si=abc"})
        # then: the answer has what she gave; the resolver is asked about its canonical link
        assert card["track"]["links"] == links(("SPOTIFY", SPOTIFY))
        odesli.open.set()
        await resolver.drain()
        assert odesli.asked == [SPOTIFY]
        # and the track now has every link the answer names that we read, in canonical
        # form (YouTube Music's is YouTube's), and its ISRC; albums and others dropped
        assert await links_now(api, card["track"]["id"]) == {
            "isrc": "GBAYE8700033",
            "links": links(
                ("SPOTIFY", SPOTIFY), ("APPLE_MUSIC", APPLE), ("YOUTUBE", YOUTUBE),
                ("DEEZER", DEEZER), ("TIDAL", TIDAL),
            ),
        }  # fmt: skip
        # and a friend sharing it from Deezer gets the same track, asking nobody again
        kofi = await api.sign_up("kofi")
        deezer = await share(api, kofi.token, {"title": "x", "artist": "y", "link": DEEZER})
        await resolver.drain()
        assert deezer["track"]["id"] == card["track"]["id"]
        assert odesli.asked == [SPOTIFY]


async def test_add_track_link_asks_the_resolver_and_fills_only_missing_services(
    settings: Settings, odesli: Odesli
) -> None:
    odesli.answers[DEEZER] = answer(
        {
            "deezer": DEEZER,
            "youtube": "https://www.youtube.com/watch?v=aaaaaaaaaaa",  # it has one already
            "tidal": TIDAL,
        }
    )
    async with resolving(settings, odesli.base) as (api, resolver):
        maya = await api.sign_up("maya")
        card = await share(api, maya.token, {**SONG, "link": YOUTUBE})
        await resolver.drain()  # asked about YOUTUBE: the stub knows nothing (404)
        odesli.open.clear()
        added = await api.mutate(
            "addTrackLink", ADD_LINK, {"trackId": card["track"]["id"], "url": DEEZER}, maya.token
        )
        assert added["track"]["links"] == links(("YOUTUBE", YOUTUBE), ("DEEZER", DEEZER))
        odesli.open.set()
        await resolver.drain()
        assert odesli.asked == [YOUTUBE, DEEZER]
        assert (await links_now(api, card["track"]["id"]))["links"] == links(
            ("YOUTUBE", YOUTUBE), ("DEEZER", DEEZER), ("TIDAL", TIDAL)
        )


async def test_a_found_link_on_another_track_stays_there(
    settings: Settings, odesli: Odesli
) -> None:
    odesli.answers[SPOTIFY] = answer({"spotify": SPOTIFY, "deezer": DEEZER})
    async with resolving(settings, odesli.base) as (api, resolver):
        maya = await api.sign_up("maya")
        other = await share(api, maya.token, {"title": "Other", "artist": "B", "link": DEEZER})
        await resolver.drain()
        card = await share(api, maya.token, {**SONG, "spotifyUrl": SPOTIFY})
        await resolver.drain()
        assert (await links_now(api, card["track"]["id"]))["links"] == links(("SPOTIFY", SPOTIFY))
        assert (await links_now(api, other["track"]["id"]))["links"] == links(("DEEZER", DEEZER))


async def expect_nothing_filled(
    api: Api, resolver: LinkResolver, caplog: pytest.LogCaptureFixture
) -> list[str]:
    """Share a song from Spotify: the answer is as without a resolver, and once the
    resolver is done the track has only its own link. The warnings it logged."""
    maya = await api.sign_up("maya")
    with caplog.at_level(logging.WARNING, logger="soundpost.links"):
        card = await share(api, maya.token, {**SONG, "spotifyUrl": SPOTIFY})
        assert card == {
            "caption": "hi",
            "track": {
                "id": card["track"]["id"],
                "isrc": None,
                "links": links(("SPOTIFY", SPOTIFY)),
            },
        }
        await resolver.drain()
    assert await links_now(api, card["track"]["id"]) == {
        "isrc": None,
        "links": links(("SPOTIFY", SPOTIFY)),
    }
    return [record.getMessage() for record in caplog.records if record.name == "soundpost.links"]


async def test_a_resolver_down_changes_nothing(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async with resolving(settings, nobody_listening()) as (api, resolver):
        [warning] = await expect_nothing_filled(api, resolver, caplog)
    assert warning.startswith(f"link resolver: {SPOTIFY} of track ") and "ConnectError" in warning


async def test_a_slow_resolver_is_given_up_on(
    settings: Settings, odesli: Odesli, caplog: pytest.LogCaptureFixture
) -> None:
    odesli.mode = "slow"
    async with resolving(settings, odesli.base, timeout=0.2) as (api, resolver):
        [warning] = await expect_nothing_filled(api, resolver, caplog)
    assert "Timeout" in warning
    assert odesli.asked == [SPOTIFY]


@pytest.mark.parametrize(("mode", "error"), [("garbage", "not JSON"), ("failing", "500")])
async def test_a_resolver_answering_garbage_or_an_error_changes_nothing(
    settings: Settings, odesli: Odesli, caplog: pytest.LogCaptureFixture, mode: Any, error: str
) -> None:
    odesli.mode = mode
    async with resolving(settings, odesli.base) as (api, resolver):
        [warning] = await expect_nothing_filled(api, resolver, caplog)
    assert error in warning


async def test_without_the_setting_nothing_calls_out(app: Starlette, api: Api) -> None:
    # the session's app has no LINK_RESOLVER_URL: no resolver, nothing handed over
    assert Settings().link_resolver_url == ""
    assert app.state.link_resolver is None
    maya = await api.sign_up("maya")
    card = await share(api, maya.token, {**SONG, "spotifyUrl": SPOTIFY})
    assert card["track"]["links"] == links(("SPOTIFY", SPOTIFY))
    view = next(route.endpoint for route in app.routes if getattr(route, "path", "") == "/graphql")
    assert view.discover is discover_nothing


def test_the_setting_must_be_an_http_url() -> None:
    with pytest.raises(ValueError, match="LINK_RESOLVER_URL"):
        Settings(link_resolver_url="ftp://song.link/")
    assert Settings(
        link_resolver_url=" https://api.song.link/v1-alpha.1/links "
    ).link_resolver_url == ("https://api.song.link/v1-alpha.1/links")


async def test_the_resolver_keeps_the_query_of_its_url(odesli: Odesli) -> None:
    # LINK_RESOLVER_URL may carry song.link's own parameters (userCountry, key)
    resolver = LinkResolver(odesli.base + "?userCountry=GB&key=k")
    odesli.answers[DEEZER] = answer({"deezer": DEEZER})
    try:
        found = await resolver.ask(DEEZER)
    finally:
        await resolver.close()
    assert [link.url for link in found.links] == [DEEZER]
    assert odesli.asked == [DEEZER]


async def test_a_failing_resolver_client_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    resolver = LinkResolver(nobody_listening())
    with caplog.at_level(logging.WARNING, logger="soundpost.links"):
        resolver(1, DEEZER)
        resolver(1, DEEZER)  # one at a time per track: the second is not asked
        await resolver.drain()
    await resolver.close()
    assert len([r for r in caplog.records if r.name == "soundpost.links"]) == 1


async def test_at_most_concurrency_requests_run_at_once(odesli: Odesli) -> None:
    # given: a resolver of 2 at once, and a stub holding its answers
    resolver = LinkResolver(odesli.base, concurrency=2)
    odesli.open.clear()
    try:
        # when: six tracks' links are handed over at once
        for track_id in range(1, 7):
            resolver(track_id, f"https://deezer.com/track/{track_id}")
        async with asyncio.timeout(5):
            while len(odesli.asked) < 2:
                await asyncio.sleep(0.01)
        odesli.open.set()
        await resolver.drain()
    finally:
        await resolver.close()
    # then: every one was asked, never more than two at a time
    assert sorted(odesli.asked) == [f"https://deezer.com/track/{n}" for n in range(1, 7)]
    assert odesli.most == 2
