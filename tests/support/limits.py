"""Apps of their own with tight limits, for the tests of query cost and rate limits."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette

from server.app import create_app
from server.settings import Settings

EXPLORE = "{ explore(first: 2) { edges { node { id } } } }"  # 1 + 2 * 3 = 7
# a page of the feed as the app shows it: 664 points (tests/unit/test_query_cost.py)
FEED = """
{
  feed(first: 20) {
    edges {
      node {
        id caption createdAt likeCount viewerHasLiked commentCount
        author { username avatarUrl }
        track { title artist spotifyUrl }
        photo { url source }
        place { name latitude longitude }
        comments(first: 2) { edges { node { body author { username } } } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@asynccontextmanager
async def own_app(settings: Settings, **limits: Any) -> AsyncIterator[Starlette]:
    """An app of its own over the session's database (the session app has initialised
    tortoise; this app skips the lifespan, so it runs without a live hub): `settings` with
    generous budgets, a key prefix of its own, and `limits` on top. Its rate-limit store
    and link resolver are closed after."""
    tight = settings.model_copy(
        update={
            "rate_limit_points": 1_000_000,
            "rate_limit_anonymous_points": 1_000_000,
            "rate_limit_sign_up": "1000 per minute",
            "rate_limit_log_in_username": "1000 per minute",
            "rate_limit_log_in_ip": "1000 per minute",
            "rate_limit_exports": "1000 per minute",
            "rate_limit_key_prefix": f"test-{uuid.uuid4().hex}",
            "cost_in_response": True,
            **limits,
        }
    )
    own = create_app(Settings.model_validate(tight.model_dump()))
    try:
        yield own
    finally:
        await own.state.rate_limits.close()
        if own.state.link_resolver is not None:
            await own.state.link_resolver.close()


@asynccontextmanager
async def own_client(settings: Settings, **limits: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `own_app(settings, **limits)`."""
    async with own_app(settings, **limits) as own, client_of(own) as client:
        yield client


@asynccontextmanager
async def client_of(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app, through httpx's ASGI transport."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def post(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
