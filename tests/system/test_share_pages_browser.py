"""A moment's share page in a real browser: headless Chromium loads it from a real uvicorn,
and what it rendered has the card's tags, the photo and the player, and nothing its CSP
refused; its screenshot is a PNG of the window's size.

Debian's `chromium` at /usr/bin/chromium (.ci/run installs it); skipped, saying so, without
it. No network is needed: Spotify's player frame may fail to load, the page does not."""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
from pathlib import Path

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette

from media.store import FileStore
from server.settings import Settings
from tests.support.api import Api
from tests.support.html import Page
from tests.support.servers import serve_http
from tests.support.share import SONG, SPOTIFY_ID, shared

pytestmark = pytest.mark.system

CHROMIUM = Path("/usr/bin/chromium")
WINDOW = (1200, 900)
BROWSER_WAIT = 60.0
# The test photo's colour (tests/support/photos.py `jpeg`: blue, a yellow top-left corner).
BLUE = (30, 120, 200)


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"headless Chromium is needed: no {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


async def browse(chromium: Path, *args: str) -> tuple[bytes, str]:
    """Chromium's stdout and log for one headless run, in a profile of its own."""
    with tempfile.TemporaryDirectory(prefix="soundpost-chromium-") as profile:
        process = await asyncio.create_subprocess_exec(
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            f"--user-data-dir={profile}",
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), BROWSER_WAIT)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
    log = stderr.decode(errors="replace")
    assert process.returncode == 0, log
    return stdout, log


def share_of_blue(screenshot: Image.Image) -> float:
    """How much of the screenshot is the test photo's blue (JPEG's error allowed)."""
    data = screenshot.convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    near = sum(
        1 for pixel in pixels if all(abs(a - b) < 12 for a, b in zip(pixel, BLUE, strict=True))
    )
    return near / (screenshot.width * screenshot.height)


async def test_chromium_renders_the_share_page_with_its_card_photo_and_player(
    chromium: Path, app: Starlette, api: Api, http: httpx.AsyncClient, settings: Settings
) -> None:
    # given: a moment with a photo, a place and a Spotify song, served by a real uvicorn
    maya = await api.sign_up("maya")
    moment = await shared(
        api,
        maya,
        settings.public_url,
        caption="Sunset on the pier <script>alert(1)</script>",
        song=SONG,
        photo=True,
        alt="The pier at dusk",
        place="Santa Monica Pier",
    )
    served = Page((await http.get(moment.path)).text)
    async with serve_http(app) as base:
        url = base + moment.path

        # when: Chromium renders it, then takes its picture
        dom, log = await browse(chromium, "--dump-dom", url)
        with tempfile.TemporaryDirectory() as folder:
            shot = Path(folder) / "page.png"
            await browse(
                chromium, f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}", url
            )
            png = shot.read_bytes()

    # then: the rendered page has the card the server sent, and ran no script
    rendered = Page(dom.decode())
    assert rendered.cards() == served.cards()
    assert dict(rendered.cards())["og:type"] == "music.song"
    assert dict(rendered.cards())["og:url"] == moment.url
    assert rendered.all("script") == []
    assert rendered.text("p", "caption") == "Sunset on the pier <script>alert(1)</script>"
    [player] = rendered.all("iframe")
    assert player.attrs["src"] == f"https://open.spotify.com/embed/track/{SPOTIFY_ID}"
    assert rendered.one("img", "photo").attrs["alt"] == "The pier at dusk"
    assert "Content Security Policy" not in log, log  # nothing of the page was refused
    # and the screenshot is a PNG of the window, showing the photo when this app serves it
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    screenshot = Image.open(io.BytesIO(png))
    assert (screenshot.format, screenshot.size) == ("PNG", WINDOW)
    if isinstance(app.state.media, FileStore):  # (the tests' S3 bucket is not public)
        assert share_of_blue(screenshot) > 0.2
