"""Share pages (/m/<id>, /m/<id>/embed, /u/<username>): their cards' tags, the moment as
text whatever its caption holds, 404s that tell nothing, the CSP, the SQL they cost; and
Postcard.shareUrl, User.profileUrl."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote, urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from media.store import FileStore
from server.settings import Settings
from tests.support.api import Api
from tests.support.html import Page
from tests.support.photos import jpeg, picture, uploaded
from tests.support.share import (
    SONG,
    SPOTIFY_ID,
    absolute,
    delete,
    fetched,
    go_private,
    shared,
    suspend,
    update_profile,
)
from tests.support.sql import count_sql

PLAYER = f"https://open.spotify.com/embed/track/{SPOTIFY_ID}"


@pytest.fixture
def public_url(settings: Settings) -> str:
    return settings.public_url


def policy(app: Starlette, page: Page, *, embed: bool) -> str:
    """The CSP a page must have: its own photos (the bucket's origin when they are in S3),
    exactly its one <style>, Spotify's player frame, nothing else."""
    style = page.one("style").text  # exactly, as the browser hashes it
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    store = app.state.media
    images = "'self'"
    if not isinstance(store, FileStore):
        bucket = urlsplit(store.public_url)
        images += f" {bucket.scheme}://{bucket.netloc}"
    ancestors = "*" if embed else "'none'"
    return (
        f"default-src 'none'; img-src {images}; style-src 'sha256-{digest}'; "
        f"frame-src https://open.spotify.com; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {ancestors}"
    )


def pk(global_id: str) -> int:
    return int(base64.urlsafe_b64decode(global_id + "==").decode().partition(":")[2])


# --- a moment's page ----------------------------------------------------------------------


async def test_a_moment_with_a_photo_a_place_and_a_spotify_song_has_its_card(
    app: Starlette, api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    # given
    maya = await api.sign_up("maya")
    moment = await shared(
        api,
        maya,
        public_url,
        caption="Sunset on the pier",
        song=SONG,
        photo=True,
        alt="The pier at dusk",
        place="Santa Monica Pier",
    )
    assert moment.photo is not None
    image = absolute(public_url, moment.photo["url"])

    # when
    response = await http.get(moment.path)

    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=60"
    page = Page(response.text)
    url = f"{public_url}/m/{pk(moment.id)}"
    assert moment.url == url
    assert page.cards() == [
        ("og:site_name", "Soundpost"),
        ("og:type", "music.song"),
        ("og:title", "Never Gonna Give You Up by Rick Astley"),
        ("og:description", "Sunset on the pier"),
        ("og:url", url),
        ("og:image", image),
        ("og:image:type", "image/jpeg"),
        ("og:image:width", "1080"),
        ("og:image:height", "810"),
        ("og:image:alt", "The pier at dusk"),
        ("music:musician", "Rick Astley"),
        ("music:duration", "214"),
        ("twitter:card", "summary_large_image"),
        ("twitter:title", "Never Gonna Give You Up by Rick Astley"),
        ("twitter:description", "Sunset on the pier"),
        ("twitter:image", image),
        ("twitter:image:alt", "The pier at dusk"),
    ]
    assert page.text("title") == "Never Gonna Give You Up by Rick Astley · Soundpost"
    [alternate] = [link.attrs for link in page.all("link") if link.attrs["rel"] == "alternate"]
    assert alternate == {
        "rel": "alternate",
        "type": "application/json+oembed",
        "href": f"{public_url}/oembed?url={quote(url, safe='')}&format=json",
        "title": "Never Gonna Give You Up by Rick Astley",
    }
    photo = page.one("img", "photo").attrs
    assert (photo["src"], photo["width"], photo["height"], photo["alt"]) == (
        moment.photo["url"],
        "1080",
        "810",
        "The pier at dusk",
    )
    assert page.one("a", "author").attrs["href"] == f"{public_url}/u/maya"
    assert page.text("a", "author") == "@maya"
    assert page.text("span", "place") == "at Santa Monica Pier"
    assert page.text("p", "caption") == "Sunset on the pier"
    player = page.one("iframe").attrs
    assert (player["src"], player["height"]) == (PLAYER, "152")
    links = [(a.text, a.attrs["href"]) for a in page.one("ul", "links").children[0].children]
    assert links == [("Open in Spotify", f"https://open.spotify.com/track/{SPOTIFY_ID}")]
    assert page.all("script") == []
    # the card's picture is where the photo really is (this app's /media/, or the bucket)
    assert picture(await fetched(app, http, public_url, image)).size == (1080, 810)
    # and the page says so in its policy
    assert response.headers["content-security-policy"] == policy(app, page, embed=False)
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"


ADD_LINK = """mutation ($input: AddTrackLinkInput!) { addTrackLink(input: $input) {
  errors { code } } }"""
TRACK_OF = "query ($id: ID!) { postcard(id: $id) { track { id } } }"


async def test_a_moments_page_lists_every_service_its_song_plays_on(
    api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    maya = await api.sign_up("maya")
    moment = await shared(api, maya, public_url, song=SONG)
    track = (await api.ok(TRACK_OF, {"id": moment.id}))["postcard"]["track"]["id"]
    for url in (
        "https://rickastley.bandcamp.com/track/never-gonna-give-you-up?from=x",
        "https://music.apple.com/gb/album/whenever-you-need-somebody/1558533900?i=1558534271",
    ):
        payload = await api.mutate(
            "addTrackLink", ADD_LINK, {"trackId": track, "url": url}, maya.token
        )
        assert payload["errors"] == []
    page = Page((await http.get(moment.path)).text)
    items = page.one("ul", "links").children
    links = [(a.text, a.attrs["href"]) for item in items for a in item.children]
    assert links == [
        ("Open in Spotify", f"https://open.spotify.com/track/{SPOTIFY_ID}"),
        ("Open in Apple Music", "https://music.apple.com/gb/song/1558534271"),
        ("Open in Bandcamp", "https://rickastley.bandcamp.com/track/never-gonna-give-you-up"),
    ]


async def test_a_bare_moment_has_a_summary_card_without_picture_player_or_links(
    api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    ben = await api.sign_up("ben")
    moment = await shared(api, ben, public_url)

    page = Page((await http.get(moment.path)).text)

    assert page.cards() == [
        ("og:site_name", "Soundpost"),
        ("og:type", "music.song"),
        ("og:title", "Harvest Moon by Neil Young"),
        ("og:description", "A moment shared by @ben"),
        ("og:url", moment.url),
        ("music:musician", "Neil Young"),
        ("twitter:card", "summary"),
        ("twitter:title", "Harvest Moon by Neil Young"),
        ("twitter:description", "A moment shared by @ben"),
    ]
    assert page.all("img") == page.all("iframe") == page.all("ul") == []
    assert page.all("p", "caption") == page.all("span", "place") == []
    assert page.text("p", "song") == "Harvest Moon · Neil Young"


async def test_a_caption_of_markup_is_text(
    api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    caption = "<script>alert(\"x\")</script><img src=x onerror=alert(1)> & 'quoted'"
    place = '"><script>alert(2)</script>'
    eve = await api.sign_up("eve")
    moment = await shared(api, eve, public_url, caption=caption, place=place)

    for path in (moment.path, f"{moment.path}/embed"):
        body = (await http.get(path)).text
        page = Page(body)
        assert page.all("script") == []
        assert page.all("img") == []
        assert page.text("p", "caption") == caption
        assert page.text("span", "place") == f"at {place}"
        assert (
            "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
            " &amp; &#39;quoted&#39;"
        ) in body
    meta = dict(Page((await http.get(moment.path)).text).cards())
    assert meta["og:description"] == meta["twitter:description"] == caption


# --- what anyone may not see ---------------------------------------------------------------


async def test_every_page_nobody_may_see_is_the_same_404_naming_nothing(
    api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    # given: a private member's moment, a deleted one, a suspended member's, and none
    pia, dan, sal = [await api.sign_up(name) for name in ("pia", "dan", "sal")]
    private = await shared(api, pia, public_url, caption="pia's secret", photo=True)
    await go_private(api, pia)
    deleted = await shared(api, dan, public_url, caption="dan's regret")
    await delete(api, dan, deleted)
    suspended = await shared(api, sal, public_url, caption="sal's spam")
    await suspend(api, sal, suspended)
    unknown = f"/m/{pk(suspended.id) + 1000}"
    malformed = ["/m/0", f"/m/0{pk(suspended.id)}", "/m/abc", "/m/99999999999999999999"]

    # when
    pages = [private.path, deleted.path, suspended.path, unknown, *malformed]
    answers = [await http.get(path) for path in pages]
    embeds = [await http.get(f"{path}/embed") for path in pages]
    profiles = [await http.get(path) for path in ("/u/sal", "/u/nobody", "/u/NO%20ONE")]

    # then: one 404, byte for byte, whatever the reason
    for response in answers + embeds + profiles:
        assert response.status_code == 404
        assert response.headers["cache-control"] == "public, max-age=60"
    assert len({response.content for response in answers + embeds + profiles}) == 1
    assert len({response.headers["content-security-policy"] for response in answers}) == 1
    body = answers[0].text
    for word in ("pia", "dan", "sal", "secret", "regret", "spam", "/media/", "og:"):
        assert word not in body
    assert Page(body).text("h1") == "Not found"


async def test_a_private_members_profile_shows_the_profile_without_moments(
    api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    pia = await api.sign_up("pia")
    await shared(api, pia, public_url, caption="pia's secret", song=SONG, photo=True)
    await go_private(api, pia)

    response = await http.get("/u/pia")

    assert response.status_code == 200
    page = Page(response.text)
    assert page.text("h1") == "pia"
    assert page.text("p", "private") == (
        "This account is private: only the people it approved see its moments."
    )
    assert page.all("ul") == page.all("img") == []
    for word in ("secret", "Never Gonna", "/m/"):
        assert word not in response.text
    assert dict(page.cards())["og:url"] == f"{public_url}/u/pia"


async def test_a_profile_shows_the_latest_public_moments_newest_first(
    api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    # given: 25 moments, the last with a photo
    ray = await api.sign_up("ray")
    avatar = await uploaded(http, ray, jpeg((1600, 1200)), alt="Ray at the piano")
    await update_profile(
        api, ray, displayName="Ray <Charles>", bio="Songs & places", avatarUploadId=avatar["id"]
    )
    shown_avatar = await api.ok(
        '{ user(username: "ray") { avatarUrl avatar { card: url(width: 400) } } }'
    )
    avatar_url = shown_avatar["user"]["avatarUrl"]
    card_avatar = absolute(public_url, shown_avatar["user"]["avatar"]["card"])
    moments = [await shared(api, ray, public_url, caption=f"#{n}") for n in range(24)]
    moments.append(await shared(api, ray, public_url, song=SONG, photo=True, alt="A pier"))

    # when
    with count_sql() as sql:
        response = await http.get("/u/RAY")

    # then: the 24 latest, newest first, in two statements
    assert len(sql.statements) == 2
    assert response.status_code == 200
    page = Page(response.text)
    shown = [item.children[0].attrs["href"] for item in page.one("ul", "grid").children]
    assert shown == [moment.url for moment in reversed(moments[1:])]
    pictures = [
        [image.attrs for image in item.children[0].children if image.tag == "img"]
        for item in page.one("ul", "grid").children
    ]
    assert pictures[0] == [
        {
            "src": pictures[0][0]["src"],
            "width": "320",
            "height": "240",
            "alt": "A pier",
            "loading": "lazy",
        }
    ]
    assert pictures[1:] == [[]] * 23
    assert page.one("section", "profile").children[0].attrs == {
        "src": avatar_url,
        "width": "96",
        "height": "96",
        "alt": "Ray at the piano",
    }
    assert page.text("h1") == "Ray <Charles>"
    assert page.text("p", "handle") == "@ray"
    assert page.text("p", "counts") == "25 moments · 0 followers · 0 following"
    assert page.cards() == [
        ("og:site_name", "Soundpost"),
        ("og:type", "profile"),
        ("og:title", "Ray <Charles> (@ray)"),
        ("og:description", "Songs & places"),
        ("og:url", f"{public_url}/u/ray"),
        ("og:image", card_avatar),
        ("og:image:type", "image/jpeg"),
        ("og:image:width", "400"),
        ("og:image:height", "400"),
        ("og:image:alt", "Ray at the piano"),
        ("profile:username", "ray"),
        ("twitter:card", "summary"),
        ("twitter:title", "Ray <Charles> (@ray)"),
        ("twitter:description", "Songs & places"),
        ("twitter:image", card_avatar),
        ("twitter:image:alt", "Ray at the piano"),
    ]


# --- the rest of HTTP ----------------------------------------------------------------------


async def test_head_answers_as_get_without_a_body(
    api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    ana = await api.sign_up("ana")
    moment = await shared(api, ana, public_url, caption="hi")
    for path in (moment.path, f"{moment.path}/embed", "/u/ana"):
        got, head = await http.get(path), await http.head(path)
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-length"] == str(len(got.content))
        for name in ("content-type", "content-security-policy", "cache-control"):
            assert head.headers[name] == got.headers[name]
    missing = await http.head("/m/424242")
    assert (missing.status_code, missing.content) == (404, b"")


async def test_the_embed_may_be_framed_by_anyone_and_the_page_by_nobody(
    app: Starlette, api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    ana = await api.sign_up("ana")
    moment = await shared(api, ana, public_url, song=SONG, photo=True)

    embed = await http.get(f"{moment.path}/embed")
    page = await http.get(moment.path)

    embedded = Page(embed.text)
    assert embed.headers["content-security-policy"] == policy(app, embedded, embed=True)
    assert "x-frame-options" not in embed.headers
    assert embedded.one("iframe").attrs["src"] == PLAYER
    assert embedded.one("iframe").attrs["height"] == "80"
    assert moment.photo is not None
    assert embedded.one("img", "photo").attrs["src"] == moment.photo["thumb"]  # the 640
    assert embedded.cards() == []
    assert page.headers["x-frame-options"] == "DENY"
    # and the API's own headers are as they were
    api_headers = (await http.post("/graphql", json={"query": "{ __typename }"})).headers
    assert api_headers["x-frame-options"] == "DENY"
    assert api_headers["content-security-policy"].startswith("default-src 'self'; ")
    assert api_headers["content-security-policy"].endswith("frame-ancestors 'none'")


async def test_a_page_costs_one_statement_whatever_it_shows(
    api: Api, http: httpx.AsyncClient, public_url: str
) -> None:
    ana = await api.sign_up("ana")
    bare = await shared(api, ana, public_url)
    full = await shared(api, ana, public_url, caption="x", song=SONG, photo=True, place="Pier")
    # a moment's page also lists its song's links: one statement more
    for path, statements in (
        (bare.path, 2),
        (full.path, 2),
        (f"{full.path}/embed", 1),
        ("/m/999999", 1),
    ):
        with count_sql() as sql:
            await http.get(path)
        assert len(sql.statements) == statements, (path, sql.statements)
    with count_sql() as sql:
        await http.get("/m/abc")
    assert sql.statements == []


# --- the URLs in the API -------------------------------------------------------------------


async def test_share_and_profile_urls_are_absolute(api: Api, public_url: str) -> None:
    ana = await api.sign_up("ana")
    moment = await shared(api, ana, public_url)
    data = await api.ok(
        "query ($id: ID!) { postcard(id: $id) { shareUrl author { profileUrl } } }",
        {"id": moment.id},
    )
    assert data["postcard"] == {
        "shareUrl": f"{public_url}/m/{pk(moment.id)}",
        "author": {"profileUrl": f"{public_url}/u/ana"},
    }
