"""A link resolver of the test's own, answering as song.link's API does
(`GET /v1-alpha.1/links?url=<link>` -> `linksByPlatform`, `entitiesByUniqueId`), or
misbehaving as the test says: `slow` (answers nothing until the client leaves), `garbage`
(HTML, not JSON), `failing` (HTTP 500). It notes every link it is asked about (`asked`),
and answers nothing while `open` is clear (so a test knows what a mutation answered before
the resolver's links arrived)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal
from urllib.parse import parse_qs

import orjson
from starlette.types import Receive, Scope, Send

from tests.support.servers import free_port, serve_http

PATH = "/v1-alpha.1/links"
Mode = Literal["ok", "slow", "garbage", "failing"]


def answer(links: dict[str, str], isrc: str | None = None) -> dict[str, Any]:
    """song.link's answer naming `links` ({platform: url}), and an entity with `isrc`."""
    entity: dict[str, Any] = {"id": "1", "type": "song", "title": "Never Gonna Give You Up"}
    if isrc:
        entity["isrc"] = isrc
    return {
        "entityUniqueId": "ITUNES_SONG::1",
        "userCountry": "US",
        "pageUrl": "https://song.link/s/1",
        "entitiesByUniqueId": {"ITUNES_SONG::1": entity},
        "linksByPlatform": {
            platform: {"url": url, "entityUniqueId": f"{platform}::1"}
            for platform, url in links.items()
        },
    }


class Odesli:
    """The stub's ASGI app; `base` is the URL to configure (LINK_RESOLVER_URL) once served."""

    def __init__(self) -> None:
        self.base = ""
        self.mode: Mode = "ok"
        self.answers: dict[str, dict[str, Any]] = {}  # by the link asked about
        self.asked: list[str] = []
        self.open = asyncio.Event()
        self.open.set()
        self.in_flight = 0
        self.most = 0  # requests in flight at once, at the most

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        query = parse_qs(scope["query_string"].decode())
        self.asked += query.get("url", [])
        await receive()
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            await self._answer(scope, query, receive, send)
        finally:
            self.in_flight -= 1

    async def _answer(
        self, scope: Scope, query: dict[str, list[str]], receive: Receive, send: Send
    ) -> None:
        await self.open.wait()
        if self.mode == "slow":
            await receive()  # http.disconnect: the client gave up
            return
        status, body, kind = 200, b"", b"application/json"
        if scope["path"] != PATH:
            status, body = 404, b'{"statusCode": 404, "code": "NOT_FOUND"}'
        elif self.mode == "garbage":
            body, kind = b"<html><body>502 Bad Gateway</body></html>", b"text/html"
        elif self.mode == "failing":
            status, body = 500, b'{"statusCode": 500}'
        else:
            found = self.answers.get(query.get("url", [""])[0])
            status, body = (200, orjson.dumps(found)) if found else (404, b'{"statusCode": 404}')
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@asynccontextmanager
async def odesli_on() -> AsyncIterator[Odesli]:
    stub = Odesli()
    async with serve_http(stub) as base:
        stub.base = base + PATH
        yield stub


def nobody_listening() -> str:
    """A resolver URL on a port nobody listens on: connections are refused."""
    return f"http://127.0.0.1:{free_port()}{PATH}"
