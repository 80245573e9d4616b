"""A GraphiQL page that works offline: every asset is served by Soundpost itself.

Strawberry's own page loads React and GraphiQL from a CDN and hangs on "Loading…" without
internet, so we serve the files shipped in the ``graphene-django-graphiql-static`` wheel
(GraphiQL 2, React 17, the explorer plugin). Only its files are read; Django is never imported.
"""

from __future__ import annotations

import functools
import html
import importlib.metadata
import json
from collections.abc import Awaitable, Callable
from importlib.resources import files
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

__all__ = ["graphiql_asset_routes", "graphiql_html"]

_ASSETS_PACKAGE = "graphene_django_graphiql_static"
_TEMPLATE = files("server.http") / "static" / "graphiql.html"

_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}
# Asset names carry no version, so the page adds the wheel's version as a query string:
# upgrading the pinned wheel changes every URL, which makes a year of caching safe.
_CACHE_CONTROL = "public, max-age=31536000, immutable"


@functools.cache
def _assets_dir() -> Path:
    # FileResponse needs a real path, and the wheel is always installed unzipped.
    return Path(str(files(_ASSETS_PACKAGE) / "static" / _ASSETS_PACKAGE))


@functools.cache
def _template() -> str:
    return _TEMPLATE.read_text(encoding="utf-8")


@functools.cache
def graphiql_html(endpoint_path: str = "/graphql", assets_prefix: str = "/graphiql-assets") -> str:
    """The GraphiQL page for the GraphQL endpoint at `endpoint_path`."""
    version = importlib.metadata.version("graphene-django-graphiql-static")
    # "<" is escaped so the endpoint can never close the inline <script>.
    endpoint = json.dumps(endpoint_path).replace("<", "\\u003c")
    return (
        _template()
        .replace("{{ASSETS}}", html.escape(assets_prefix.rstrip("/")))
        .replace("{{VERSION}}", html.escape(f"?v={version}"))
        .replace("{{ENDPOINT}}", endpoint)
    )


def graphiql_asset_routes(prefix: str = "/graphiql-assets") -> list[BaseRoute]:
    """One route per JavaScript/CSS file the page may load, under `prefix`."""
    prefix = prefix.rstrip("/")
    # An explicit list of files, rather than StaticFiles over the directory, so only these
    # files are reachable and their content types do not depend on the host's mime.types.
    return [
        Route(
            f"{prefix}/{path.name}",
            _asset_endpoint(path),
            methods=["GET"],
            name=f"graphiql-asset:{path.name}",
        )
        for path in sorted(_assets_dir().iterdir())
        if path.suffix in _MEDIA_TYPES
    ]


def _asset_endpoint(path: Path) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return FileResponse(
            path,
            media_type=_MEDIA_TYPES[path.suffix],
            headers={"Cache-Control": _CACHE_CONTROL},
        )

    return endpoint
