"""`/media/{key}`: the files of a FileStore (media/store.py), served by the app itself.

Only a well-formed key (`<sha256 hex>.jpg` or `.webp`) is looked up, as a name in the one
directory: anything else is a 404 before the disk is touched, so no path leaves it. A key's
bytes never change, so the response may be cached for a year (`immutable`), its ETag is the
digest itself, and its content type is the one its extension says (never sniffed). Range
requests are answered by starlette's FileResponse (206 with the slice)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from media.store import CACHE_CONTROL, content_type, is_key

__all__ = ["media_routes"]


def media_routes(directory: Path, prefix: str = "/media") -> list[BaseRoute]:
    """The route serving `directory`'s files under `prefix` (GET and HEAD)."""
    return [
        Route(
            f"{prefix.rstrip('/')}/{{key}}",
            _media_endpoint(Path(directory)),
            methods=["GET", "HEAD"],
            name="media",
        )
    ]


def _not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404)


def _media_endpoint(directory: Path) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        key = request.path_params["key"]
        if not is_key(key):
            return _not_found()
        path = directory / key
        try:
            stat = await asyncio.to_thread(os.stat, path)
        except (FileNotFoundError, NotADirectoryError):
            return _not_found()
        etag = f'"{key.partition(".")[0]}"'
        headers = {
            "Cache-Control": CACHE_CONTROL,
            "ETag": etag,
            "X-Content-Type-Options": "nosniff",
        }
        if _matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=headers)
        return FileResponse(path, media_type=content_type(key), headers=headers, stat_result=stat)

    return endpoint


def _matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (a weak tag compares equal, as RFC 9110
    asks of If-None-Match) or is `*`."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in tags or "*" in tags
