"""A small web site of the test's own, for media/fetch.py: pictures, pages that name them,
redirects, and servers that misbehave (slow, dripping, endless, lying about their size).

It notes what it was asked (`paths`, with query strings, and `hosts`) and how many body bytes its
streams handed to the server (`sent`), so a test can prove that a request was never made or
that the client stopped reading."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpcore
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from tests.support.servers import serve_http

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(100))
WEBP = b"RIFF\x00\x10\x00\x00WEBPVP8 " + bytes(range(100))
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(range(100))
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(range(100))
PICTURES = {
    "photo.jpg": JPEG,
    "photo.png": PNG,
    "photo.webp": WEBP,
    "photo.heic": HEIC,
    "anim.gif": GIF,
}

# What /endless would send if nobody stopped reading: a gigabyte.
ENDLESS_BYTES = 1 << 30
CHUNK = JPEG[:16] + bytes(64 * 1024 - 16)


def page(*metas: tuple[str, str, str]) -> str:
    """An HTML page with `<meta {attribute}="{name}" content="{content}">` in its head."""
    tags = "".join(
        f'<meta {attribute}="{name}" content="{content}">' for attribute, name, content in metas
    )
    return f"<!DOCTYPE html><html><head><title>A post</title>{tags}</head><body>Hi</body></html>"


class Site:
    """The site's ASGI app; `base` is its URL once served."""

    def __init__(self) -> None:
        self.base = ""
        self.paths: list[str] = []
        self.hosts: list[str] = []  # each request's Host header
        self.sent = 0
        self.gone = asyncio.Event()  # set when a stream's client went away
        self._pages = Starlette(routes=self._routes())

    def forget(self) -> None:
        self.paths.clear()
        self.hosts.clear()
        self.sent = 0
        self.gone.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        query = scope["query_string"].decode()
        self.paths.append(scope["path"] + (f"?{query}" if query else ""))
        self.hosts += [value.decode() for name, value in scope["headers"] if name == b"host"]
        streams = {
            "/endless": (CHUNK, 0.0, ENDLESS_BYTES, {}),
            "/drip": (b"\xff", 0.1, 1000, {}),
            "/huge": (b"", 0.01, 0, {"content-length": str(10**12)}),
        }
        if scope["path"] in streams:
            chunk, every, total, headers = streams[scope["path"]]
            await self._stream(receive, send, chunk, every, total, headers)
        elif scope["path"] == "/slow":
            await self._slow(receive, send)
        else:
            await self._pages(scope, receive, send)

    async def _stream(
        self,
        receive: Receive,
        send: Send,
        chunk: bytes,
        every: float,
        total: int,
        headers: dict[str, str],
    ) -> None:
        """`chunk` after `chunk`, every `every` seconds, until `total` or the client is gone."""
        await receive()  # the request
        raw = [(b"content-type", b"image/jpeg")]
        raw += [(name.encode(), value.encode()) for name, value in headers.items()]
        await send({"type": "http.response.start", "status": 200, "headers": raw})
        gone = asyncio.ensure_future(receive())  # answers http.disconnect
        while not gone.done():
            if chunk and self.sent < total:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                self.sent += len(chunk)
            await asyncio.sleep(every)  # and lets `gone` see the client leave
        self.gone.set()

    async def _slow(self, receive: Receive, send: Send) -> None:
        """A picture after two seconds, unless the client leaves first."""
        await receive()
        try:
            async with asyncio.timeout(2):
                await receive()  # http.disconnect
            return
        except TimeoutError:
            pass
        headers = [(b"content-type", b"image/jpeg")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": JPEG})

    def _routes(self) -> list[Route]:
        async def picture(request: Request) -> Response:
            data = PICTURES[request.path_params["name"]]
            # The type is whatever the query says: the bytes, not the header, must decide.
            return Response(data, media_type=request.query_params.get("type", "image/jpeg"))

        async def text(request: Request) -> Response:
            return Response(b"plain words, in an image's clothes", media_type="image/jpeg")

        async def post(request: Request) -> Response:
            # Instagram's pages name absolute URLs, their ampersands escaped.
            code = request.path_params["code"]
            link = (
                "/pictures/photo.jpg"
                if code == "RELATIVE"
                else f"{self.base}/pictures/photo.jpg?size=l&amp;sig=ab"
            )
            return HTMLResponse(page(("property", "og:image", link)))

        async def named(request: Request) -> Response:
            metas = {
                "og": [("property", "og:image", "../../pictures/photo.jpg")],
                "secure": [("property", "og:image:secure_url", "/pictures/photo.png")],
                "twitter": [("name", "twitter:image", f"{self.base}/pictures/photo.webp")],
                "first": [
                    ("name", "twitter:image", "/pictures/photo.png"),
                    ("property", "og:image", "/pictures/photo.jpg"),
                ],
                "none": [("property", "og:title", "A post")],
                "text": [("property", "og:image", "/text")],
                "ftp": [("property", "og:image", "ftp://example.com/photo.jpg")],
            }[request.path_params["kind"]]
            return HTMLResponse(page(*metas))

        async def redirect(request: Request) -> Response:
            hops = request.path_params["hops"]
            return RedirectResponse(
                f"/redirect/{hops - 1}" if hops > 1 else "/pictures/photo.jpg", status_code=302
            )

        async def to(request: Request) -> Response:
            return RedirectResponse(request.query_params["location"], status_code=307)

        return [
            Route("/pictures/{name}", picture),
            Route("/text", text),
            Route("/p/{code}/", post),
            Route("/reel/{code}/", post),
            Route("/pages/{kind}/", named),
            Route("/redirect/{hops:int}", redirect),
            Route("/to", to),
        ]


class Recording(httpcore.AsyncNetworkBackend):
    """The real network, noting every (host, port) it is asked to connect to; with `to`,
    every connection goes there instead (to stand in for a public address)."""

    def __init__(self, to: tuple[str, int] | None = None) -> None:
        self.asked: list[tuple[str, int]] = []
        self.to = to
        self.real = httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, **options: Any
    ) -> httpcore.AsyncNetworkStream:
        self.asked.append((host, port))
        host, port = self.to or (host, port)
        return await self.real.connect_tcp(host, port, timeout=timeout, **options)

    async def sleep(self, seconds: float) -> None:
        await self.real.sleep(seconds)


class Resolver:
    """A name server whose answers a test writes: one list of addresses per lookup, in
    order (the last again after that)."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@asynccontextmanager
async def site_on(host: str) -> AsyncIterator[Site]:
    site = Site()
    async with serve_http(site, host) as base:
        site.base = base
        yield site
