"""Attacks on the public endpoint, with the documented default limits: each is refused
with its code before any SQL runs, and normal queries keep being answered meanwhile."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from server.app import create_app
from server.settings import Settings
from tests.support.api import SIGN_UP
from tests.support.documents import LOG_IN
from tests.support.sql import count_sql

EXPLORE = "{ explore(first: 3) { edges { node { id } } } }"


def depth_bomb(levels: int = 40) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"followers(first: 1) {{ edges {{ node {{ {inner} }} }} }}"
    return f'{{ user(username: "x") {{ {inner} }} }}'


def alias_bomb(count: int = 3_000) -> str:
    return "{ " + " ".join(f"a{n}: rateLimit {{ cost }}" for n in range(count)) + " }"


FRAGMENT_CYCLE = """
query { viewer { ...A } }
fragment A on User { followers { edges { node { ...B } } } }
fragment B on User { following { edges { node { ...A } } } }
"""
WIDE = "{ explore(first: 100) { edges { node { likedBy(first: 100) { edges { node { followers(first: 100) { edges { cursor } } } } } } } } }"
HUGE_FIRST = "{ explore(first: 1000000) { edges { cursor } } }"


@pytest.fixture
async def client(app: Starlette, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An app with the default limits, over the session's database."""
    defaults = Settings(
        database_url=settings.database_url,
        broadcast_url=settings.broadcast_url,
        rate_limit_key_prefix=f"attack-{uuid.uuid4().hex}",
        password_hashing=settings.password_hashing,
    )
    own = create_app(defaults)
    transport = httpx.ASGITransport(app=own)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        await own.state.rate_limits.close()


async def gql(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    return await http.post("/graphql", json={"query": query, "variables": variables or {}})


def code_of(response: httpx.Response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


@pytest.mark.parametrize(
    ("attack", "status", "code"),
    [
        (depth_bomb(), 200, "QUERY_TOO_DEEP"),
        (alias_bomb(), 200, "TOO_MANY_TOKENS"),
        (alias_bomb(200), 200, "TOO_MANY_ALIASES"),
        (WIDE, 200, "QUERY_TOO_COMPLEX"),
    ],
    ids=["depth bomb", "alias bomb", "200 aliases", "wide connections"],
)
async def test_each_attack_is_refused_before_any_sql(
    client: httpx.AsyncClient, attack: str, status: int, code: str
) -> None:
    with count_sql() as sql:
        response = await gql(client, attack)
    assert response.status_code == status
    assert code_of(response) == code
    assert response.json().get("data") is None
    assert sql.statements == []


async def test_fragment_cycles_are_a_validation_error(client: httpx.AsyncClient) -> None:
    with count_sql() as sql:
        response = await gql(client, FRAGMENT_CYCLE)
    assert "Cannot spread fragment 'A' within itself" in response.json()["errors"][0]["message"]
    assert sql.statements == []


async def test_huge_first_is_refused(client: httpx.AsyncClient) -> None:
    response = await gql(client, HUGE_FIRST)
    assert response.json()["data"] is None
    assert code_of(response) == "BAD_USER_INPUT"
    assert "between 0 and 100" in response.json()["errors"][0]["message"]


async def test_an_oversize_body_is_refused_unread(client: httpx.AsyncClient) -> None:
    body = b'{"query": "{ __typename }", "pad": "' + b"x" * 5_000_000 + b'"}'
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert code_of(response) == "PAYLOAD_TOO_LARGE"


async def test_brute_force_log_in_is_stopped_per_username(client: httpx.AsyncClient) -> None:
    # given
    response = await gql(
        client, SIGN_UP, {"input": {"username": "target", "password": "right-password"}}
    )
    assert response.json()["data"]["signUp"]["errors"] == []
    # when: 10 wrong guesses, then the right one
    for n in range(10):
        guess = await gql(
            client, LOG_IN, {"input": {"username": "target", "password": f"wrong-{n:04d}"}}
        )
        assert guess.json()["data"]["logIn"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    blocked = await gql(
        client, LOG_IN, {"input": {"username": "TARGET", "password": "right-password"}}
    )
    # then
    assert blocked.status_code == 429
    assert code_of(blocked) == "RATE_LIMITED"
    assert blocked.json()["errors"][0]["extensions"]["retryAfter"] > 0
    assert int(blocked.headers["Retry-After"]) > 0


async def test_attacks_running_together_do_not_stop_normal_queries(
    client: httpx.AsyncClient,
) -> None:
    attacks = [depth_bomb(), alias_bomb(), WIDE, HUGE_FIRST, FRAGMENT_CYCLE] * 6
    normal = [EXPLORE] * 30
    responses = await asyncio.gather(*(gql(client, q) for q in [*attacks, *normal]))
    for response in responses[len(attacks) :]:
        assert response.status_code == 200
        assert "errors" not in response.json(), response.json()
    assert all("errors" in r.json() for r in responses[: len(attacks)])
