"""`GET /m/{id}`, `/m/{id}/embed` and `/u/{username}`: a moment's page, its compact player
for other sites' iframes, and a member's profile, rendered here (Jinja2, autoescaped: a
caption is text, whatever it holds).

A moment's id in the URL is its primary key, in decimal without leading zeros: short, and
stable for as long as the moment lives. Whoever asks, the pages show what an anonymous
viewer may see (resolvers/share.py); anything else — no such moment or member, a malformed
id, a private account's moment, a deleted or removed one, a suspended author — is the same
404 page, byte for byte, which names nobody."""

from __future__ import annotations

import re
from importlib.resources import files
from urllib.parse import quote

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from media.store import Store
from resolvers import share
from server.share import policy
from server.share.cards import SITE, Cards

TEMPLATES = files("server.share") / "templates"
# A primary key as its page's URL writes it (resolvers/share.py bounds its value).
ID = re.compile(r"[1-9][0-9]{0,18}")


def environment() -> jinja2.Environment:
    """Every template autoescaped (not only *.html), and a missing variable an error."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def moment_id(text: str) -> int | None:
    """The primary key a URL's id names, or None when it is not one."""
    return int(text) if ID.fullmatch(text) else None


def oembed_url(public_url: str, page_url: str) -> str:
    return f"{public_url}/oembed?url={quote(page_url, safe='')}&format=json"


class Pages:
    """The pages' endpoints, for one public URL and media store."""

    def __init__(self, public_url: str, store: Store) -> None:
        self.public_url = public_url
        self.cards = Cards(public_url, store)
        self.templates = Jinja2Templates(env=environment())
        self.css = (TEMPLATES / "share.css").read_text(encoding="utf-8")
        self.headers = policy.headers(self.css, store, embeddable=False)
        self.embed_headers = policy.headers(self.css, store, embeddable=True)
        self.missing = self.templates.get_template("not_found.html").render(self._common())

    def _common(self) -> dict[str, object]:
        return {"site": SITE, "css": self.css}

    def not_found(self, headers: dict[str, str]) -> Response:
        return HTMLResponse(self.missing, status_code=404, headers=headers)

    async def _shared(self, request: Request) -> share.Shared:
        pk = moment_id(request.path_params["postcard_id"])
        return await share.moment(pk) if pk is not None else share.NOT_SHARED

    async def moment(self, request: Request) -> Response:
        row = (await self._shared(request)).postcard
        if row is None:
            return self.not_found(self.headers)
        links = await share.song_links(row.track)
        card = self.cards.moment(row, row.author, row.track, links)
        context = {
            **self._common(),
            "card": card,
            "moment": card,
            "oembed_url": oembed_url(self.public_url, card.url),
        }
        return self.templates.TemplateResponse(
            request, "moment.html", context, headers=self.headers
        )

    async def embed(self, request: Request) -> Response:
        row = (await self._shared(request)).postcard
        if row is None:
            return self.not_found(self.embed_headers)
        context = {**self._common(), "moment": self.cards.moment(row, row.author, row.track)}
        return self.templates.TemplateResponse(
            request, "embed.html", context, headers=self.embed_headers
        )

    async def profile(self, request: Request) -> Response:
        found = await share.profile(request.path_params["username"])
        if found is None:
            return self.not_found(self.headers)
        card = self.cards.profile(found)
        context = {**self._common(), "card": card}
        return self.templates.TemplateResponse(
            request, "profile.html", context, headers=self.headers
        )
