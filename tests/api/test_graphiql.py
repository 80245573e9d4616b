"""The offline GraphiQL page: served, self-contained, and every asset it names loads."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from server.http.graphiql import graphiql_asset_routes, graphiql_html

HOST = "testserver"
ABSOLUTE_URL = re.compile(r"(?i)\b(?:https?|wss?)://([^/\s\"'`<>:]+)")
ASSET_REF = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""")
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}


def make_app(endpoint: str = "/graphql", assets: str = "/graphiql-assets") -> Starlette:
    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql_html(endpoint, assets))

    return Starlette(routes=[Route(endpoint, page), *graphiql_asset_routes(assets)])


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=make_app())
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{HOST}") as c:
        yield c


def asset_refs(page: str) -> list[str]:
    return [ref for ref in ASSET_REF.findall(page) if not ref.startswith("data:")]


async def test_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Soundpost" in page
    assert "{ explore(first: 5) { edges { node { id caption author { username } track" in page
    assert "GraphiQL.createFetcher" in page
    assert "subscriptionUrl" in page
    assert "isHeadersEditorEnabled: true" in page
    assert "GraphiQLPluginExplorer.useExplorerPlugin" in page


async def test_page_points_at_no_other_host(client: httpx.AsyncClient) -> None:
    page = (await client.get("/graphql")).text

    off_host = [host for host in ABSOLUTE_URL.findall(page) if host != HOST]
    assert off_host == []
    # Protocol-relative "//host/..." would leave the server too.
    assert all(ref.startswith("/") and not ref.startswith("//") for ref in asset_refs(page))


async def test_every_referenced_asset_loads(client: httpx.AsyncClient) -> None:
    page = (await client.get("/graphql")).text
    refs = asset_refs(page)
    names = {ref.split("?")[0].rsplit("/", 1)[-1] for ref in refs}
    assert {
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql-plugin-explorer.umd.js",
    } <= names

    for ref in refs:
        response = await client.get(ref)
        assert response.status_code == 200, ref
        suffix = "." + ref.split("?")[0].rsplit(".", 1)[-1]
        assert response.headers["content-type"].startswith(CONTENT_TYPES[suffix]), ref
        assert response.content.strip(), ref
        assert "max-age=31536000" in response.headers["cache-control"], ref


async def test_only_shipped_assets_are_reachable(client: httpx.AsyncClient) -> None:
    for path in ("/graphiql-assets/__init__.py", "/graphiql-assets/../views.py"):
        assert (await client.get(path)).status_code == 404, path


async def test_custom_endpoint_and_prefix() -> None:
    transport = httpx.ASGITransport(app=make_app("/api/graphql", "/static/graphiql/"))
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{HOST}") as c:
        page = (await c.get("/api/graphql")).text
        refs = asset_refs(page)

        assert '"/api/graphql"' in page
        assert refs and all(ref.startswith("/static/graphiql/") for ref in refs)
        for ref in refs:
            assert (await c.get(ref)).status_code == 200, ref
