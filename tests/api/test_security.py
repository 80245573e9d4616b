"""Security headers, CORS preflights, and bearer tokens only: no response sets a cookie."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from server.app import create_app
from server.http.security_headers import CONTENT_SECURITY_POLICY
from server.settings import Settings
from tests.support.api import Api
from tests.support.documents import LOG_IN

ALLOWED_ORIGIN = "https://app.soundpost.example"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": CONTENT_SECURITY_POLICY,
}
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a fresh app with these settings (no lifespan: enough for headers)."""
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def assert_security_headers(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.url, name)


async def test_every_kind_of_response_carries_the_security_headers(
    http: httpx.AsyncClient,
) -> None:
    responses = [
        await http.get("/healthz"),
        await http.get("/readyz"),
        await http.post("/graphql", json={"query": "{ __typename }"}),
        await http.post("/graphql", json={"query": "{ nope }"}),
        await http.get("/graphql", headers={"Accept": "text/html"}),
        await http.get("/nowhere"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 404]
    for response in responses:
        assert_security_headers(response)
        assert "strict-transport-security" not in response.headers


async def test_the_policy_lets_the_graphiql_page_load_its_own_assets(
    http: httpx.AsyncClient,
) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    # Scripts and stylesheets come from this server ('self'), never from elsewhere ...
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith(("/graphiql-assets/", "data:")) for s in sources)
    for source in sources:
        if source.startswith("/"):
            asset = await http.get(source)
            assert asset.status_code == 200, source
            assert_security_headers(asset)
    # ... and what the page does inline is what the policy allows inline.
    policy = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert re.search(r"<script>\s*\S", html) and "'unsafe-inline'" in policy["script-src"]
    assert "<style>" in html and "'unsafe-inline'" in policy["style-src"]
    assert 'href="data:' in html and "data:" in policy["img-src"]
    assert "data:" in policy["font-src"]  # graphiql.min.css embeds its fonts
    assert policy["connect-src"] == "'self'"  # fetch and the websocket: this server only
    assert policy["frame-ancestors"] == "'none'"


async def test_strict_transport_security_in_production_only(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production"})
    async with client_for(production) as client:
        response = await client.get("/healthz")
    assert_security_headers(response)
    assert response.headers["strict-transport-security"].startswith("max-age=")
    async with client_for(settings) as client:
        assert "strict-transport-security" not in (await client.get("/healthz")).headers


async def test_cors_preflight_from_an_allowed_origin_only(settings: Settings) -> None:
    with_origins = settings.model_copy(update={"cors_origins": [ALLOWED_ORIGIN]})
    async with client_for(with_origins) as client:
        allowed = await client.options("/graphql", headers={"Origin": ALLOWED_ORIGIN, **PREFLIGHT})
        foreign = await client.options(
            "/graphql", headers={"Origin": "https://evil.example", **PREFLIGHT}
        )
        simple = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": ALLOWED_ORIGIN}
        )
        foreign_simple = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://evil.example"}
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    allowed_headers = allowed.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "access-control-allow-credentials" not in allowed.headers  # no cookies to send
    assert_security_headers(allowed)

    assert foreign.status_code == 400
    assert "access-control-allow-origin" not in foreign.headers
    assert simple.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "access-control-allow-origin" not in foreign_simple.headers


async def test_without_cors_origins_no_cors_headers(http: httpx.AsyncClient) -> None:
    preflight = await http.options("/graphql", headers={"Origin": ALLOWED_ORIGIN, **PREFLIGHT})
    assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize("password", ["correct horse", "wrong"])
async def test_no_response_sets_a_cookie(http: httpx.AsyncClient, api: Api, password: str) -> None:
    maya = await api.sign_up("maya")
    bearer = {"Authorization": f"Bearer {maya.token}"}
    login = {"query": LOG_IN, "variables": {"input": {"username": "maya", "password": password}}}
    responses = [
        await http.post("/graphql", json=login),
        await http.post("/graphql", json={"query": "{ viewer { username } }"}, headers=bearer),
        await http.post(
            "/graphql", json={"query": "mutation { logOut { revoked } }"}, headers=bearer
        ),
        await http.post("/graphql", json={"query": "{ viewer { username } }"}, headers=bearer),
        await http.get("/graphql", params={"query": "{ __typename }"}),
        await http.get("/graphql", headers={"Accept": "text/html"}),
        await http.get("/healthz"),
        await http.get("/readyz"),
        await http.post(
            "/graphql", content=b"not json", headers={"Content-Type": "application/json"}
        ),
    ]
    for response in responses:
        assert "set-cookie" not in response.headers, (response.request.url, response.headers)
    assert len(http.cookies.jar) == 0
