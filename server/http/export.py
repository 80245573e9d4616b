"""`GET /export/{token}`: a member's data export (resolvers/export.py), the zip downloaded
from the link `exportMyData` gave.

The link is the credential (a browser follows it without a bearer token), so it is signed
and short-lived. Every refusal is the same 404, whether the token is malformed, expired,
tampered with or signed for an account that is gone: nothing tells one from another, or
says whether an account exists. The answer is never cached. Each download builds a zip of
everything the member made, so an account has a budget of them (RATE_LIMIT_EXPORTS): past it,
429 with Retry-After."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import IO

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from graph.rate_limits import RateLimits
from graph.relay import to_global_id
from media.store import Store
from resolvers import export

__all__ = ["export_routes"]

CHUNK = 256 * 1024
# Never kept by a cache: the link is a credential. (Every response also carries
# `Referrer-Policy: no-referrer`, server/http/security_headers.py: the link leaks nowhere.)
HEADERS = {"Cache-Control": "no-store"}


def export_routes(key: bytes, store: Store, limits: RateLimits) -> list[BaseRoute]:
    """The download route, signing key, media store and budgets given."""
    endpoint = _endpoint(key, store, limits)
    return [Route("/export/{token}", endpoint, methods=["GET"], name="export")]


def _endpoint(
    key: bytes, store: Store, limits: RateLimits
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        user = await export.verify(request.path_params["token"], key)
        if user is None:
            return PlainTextResponse("Not Found", status_code=404, headers=HEADERS)
        verdict = await limits.charge(limits.exports, "exports", str(user.id))
        if not verdict.allowed:
            message = f"Too many downloads of your data: try again in {verdict.retry_after} s."
            headers = {**HEADERS, **verdict.headers()}
            return PlainTextResponse(message, status_code=429, headers=headers)
        archive = await export.write_zip(user, store, to_global_id)
        disposition = f'attachment; filename="soundpost-{user.username}.zip"'
        return StreamingResponse(
            _chunks(archive),
            media_type="application/zip",
            headers={**HEADERS, "Content-Disposition": disposition},
        )

    return endpoint


async def _chunks(archive: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(archive.read, CHUNK):
            yield chunk
    finally:
        archive.close()
