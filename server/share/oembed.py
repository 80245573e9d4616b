"""`GET /oembed?url=<a moment's page>&format=json&maxwidth=&maxheight=`, as oembed.com
asks of a provider: a `rich` answer whose `html` is an iframe of the moment's
`/m/<id>/embed` player, at most `maxwidth` by `maxheight`.

Refusals, as the spec lists them: 400 without `url` (or with a `maxwidth`/`maxheight` that
is not a positive integer); 501 for a `format` other than json; 404 for a URL that is not
one of this app's moment pages (a profile's included), or a moment nobody may see
(deleted, removed, a suspended author); 401 for a moment of a private account."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from resolvers import share
from server.share import policy
from server.share.cards import SITE, Cards, MomentCard, Picture
from server.share.pages import moment_id

# The player's natural size: 400 wide; its height grows with what it shows.
WIDTH = 400
BASE_HEIGHT = 190  # byline, caption (at most 3 lines), song
PHOTO_HEIGHT = 220  # the photo, cropped to this height (share.css, body.embed)
PLAYER_HEIGHT = 90  # Spotify's compact player and its margin
THUMBNAIL_MAX_WIDTH = 640
CACHE_AGE = 60  # seconds, as the response's Cache-Control says
HEADERS = {"Cache-Control": policy.CACHE_CONTROL}


def refused(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status, headers=HEADERS)


def dimension(value: str | None) -> int | None:
    """A maxwidth/maxheight: a positive integer, or None when absent; ValueError else."""
    if value is None or value == "":
        return None
    number = int(value) if value.isascii() and value.isdigit() else 0
    if not 0 < number < 100_000:
        raise ValueError(value)
    return number


class OEmbed:
    def __init__(self, public_url: str, cards: Cards) -> None:
        self.public_url = public_url
        self.cards = cards
        base = urlsplit(public_url)
        self.origin = (base.scheme, base.netloc.lower())
        self.prefix = base.path  # PUBLIC_URL's path, without its trailing slash

    def postcard_id(self, url: str) -> int | None:
        """The moment a URL is the page of: PUBLIC_URL/m/<id> (a trailing slash, a query
        or a fragment allowed); None for any other URL."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if (parts.scheme, parts.netloc.lower()) != self.origin:
            return None
        path = parts.path.rstrip("/")
        head, _, tail = path.rpartition("/")
        return moment_id(tail) if head == f"{self.prefix}/m" else None

    async def endpoint(self, request: Request) -> Response:
        query = request.query_params
        url = query.get("url")
        if not url:
            return refused(400, "Bad Request: the url parameter is required")
        if query.get("format", "json") != "json":
            return refused(501, "Not Implemented: only format=json is served")
        try:
            max_width = dimension(query.get("maxwidth"))
            max_height = dimension(query.get("maxheight"))
        except ValueError:
            return refused(400, "Bad Request: maxwidth and maxheight are positive integers")
        pk = self.postcard_id(url)
        found = await share.moment(pk) if pk is not None else share.NOT_SHARED
        if found.private:
            return refused(401, "Unauthorized")
        if (row := found.postcard) is None:
            return refused(404, "Not Found")
        card = self.cards.moment(row, row.author, row.track)
        return JSONResponse(self.answer(card, max_width, max_height), headers=HEADERS)

    def answer(
        self, card: MomentCard, max_width: int | None, max_height: int | None
    ) -> dict[str, Any]:
        width, height = size(card, max_width, max_height)
        frame = (
            f'<iframe src="{escape(card.embed_url)}" width="{width}" height="{height}"'
            f' title="{escape(card.title)} on {SITE}" style="border:0" loading="lazy"'
            ' allow="encrypted-media; clipboard-write"></iframe>'
        )
        body: dict[str, Any] = {
            "type": "rich",
            "version": "1.0",
            "title": card.title,
            "author_name": card.author.name,
            "author_url": card.author.url,
            "provider_name": SITE,
            "provider_url": f"{self.public_url}/",
            "cache_age": CACHE_AGE,
            "html": frame,
            "width": width,
            "height": height,
        }
        if thumbnail := thumbnail_of(card.renditions, max_width, max_height):
            body.update(
                thumbnail_url=thumbnail.absolute,
                thumbnail_width=thumbnail.width,
                thumbnail_height=thumbnail.height,
            )
        return body


def size(card: MomentCard, max_width: int | None, max_height: int | None) -> tuple[int, int]:
    """The iframe's size: the player's natural one, within the consumer's maximums."""
    height = BASE_HEIGHT
    height += PHOTO_HEIGHT if card.embed_picture else 0
    height += PLAYER_HEIGHT if card.song.spotify_id else 0
    return min(WIDTH, max_width or WIDTH), min(height, max_height or height)


def thumbnail_of(
    renditions: list[Picture], max_width: int | None, max_height: int | None
) -> Picture | None:
    """The widest rendition within THUMBNAIL_MAX_WIDTH and the consumer's maximums (the spec:
    a thumbnail respects them too); None when none fits."""
    widest = min(THUMBNAIL_MAX_WIDTH, max_width or THUMBNAIL_MAX_WIDTH)
    for rendition in renditions:  # widest first
        if rendition.width <= widest and (max_height is None or rendition.height <= max_height):
            return rendition
    return None
