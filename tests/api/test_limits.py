"""Query cost, depth/alias/token/body limits, batching, and rate limits.

Each test builds its own app with tight limits over the session's database (the session app
has initialised tortoise; these apps skip the lifespan, so they run without a live hub)."""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from models import User as UserRow
from server.settings import Settings
from tests.support.api import SIGN_UP
from tests.support.asgi import http_scope
from tests.support.documents import LOG_IN
from tests.support.limits import EXPLORE, FEED, own_client, post

RATE_LIMIT = "{ rateLimit { limit cost remaining resetAt } }"  # 5

Client = Callable[..., Any]


@pytest.fixture
def make_client(app: Starlette, settings: Settings) -> Client:
    """Apps of their own, over the session app's database (tortoise is initialised)."""
    return partial(own_client, settings)


async def sign_up(client: httpx.AsyncClient, username: str) -> str:
    response = await post(
        client, SIGN_UP, {"input": {"username": username, "password": "pw-12345678"}}
    )
    payload = response.json()["data"]["signUp"]
    assert payload["errors"] == [], payload
    return payload["token"]


# --- cost ---------------------------------------------------------------------------------


async def test_a_too_costly_query_is_refused_before_running(make_client: Client) -> None:
    # given
    async with make_client(max_query_cost=100) as client:
        # when
        response = await post(client, FEED, token=None)
        body = response.json()
        # then
        assert response.status_code == 200
        assert body["data"] is None
        assert body["errors"][0]["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "cost": 664,
            "maxCost": 100,
        }
        assert "664" in body["errors"][0]["message"]
        # a costly mutation writes nothing
        costly_sign_up = SIGN_UP.replace(
            "user { id username }",
            "user { id postcards(first: 100) { edges { node { id caption } } } }",
        )
        refused = await post(
            client, costly_sign_up, {"input": {"username": "maya", "password": "pw-12345678"}}
        )
        assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert not await UserRow.filter(username="maya").exists()


async def test_every_response_reports_its_cost_and_budget(make_client: Client) -> None:
    async with make_client(rate_limit_anonymous_points=100) as client:
        first = await post(client, EXPLORE)
        second = await post(client, EXPLORE)
    assert first.status_code == second.status_code == 200
    cost_report = second.json()["extensions"]["cost"]
    assert cost_report["requested"] == 7
    assert cost_report["remaining"] == 100 - 7 - 7
    reset = int(second.headers["X-RateLimit-Reset"])
    assert 0 < reset - time.time() <= 3601
    assert cost_report["resetAt"].startswith(time.strftime("%Y-", time.gmtime(reset)))
    assert second.headers["X-RateLimit-Limit"] == "100"
    assert second.headers["X-RateLimit-Remaining"] == "86"
    assert "Retry-After" not in second.headers


async def test_rate_limit_field_shows_the_budget(make_client: Client) -> None:
    async with make_client(rate_limit_points=1000, rate_limit_anonymous_points=50) as client:
        anonymous = (await post(client, RATE_LIMIT)).json()["data"]["rateLimit"]
        token = await sign_up(client, "maya")
        member = (await post(client, RATE_LIMIT, token=token)).json()["data"]["rateLimit"]
    assert anonymous["limit"] == 50 and anonymous["cost"] == 5 and anonymous["remaining"] == 45
    assert member["limit"] == 1000 and member["cost"] == 5 and member["remaining"] == 995
    assert member["resetAt"] is not None


# --- rate limits --------------------------------------------------------------------------


async def test_spent_budget_is_429_with_retry_after(make_client: Client) -> None:
    # given: 30 points for anonymous callers; signing up costs 9, exploring 7
    async with make_client(rate_limit_anonymous_points=30, rate_limit_points=50) as client:
        token = await sign_up(client, "maya")  # an account has its own budget
        assert (await post(client, EXPLORE)).status_code == 200
        assert (await post(client, EXPLORE)).status_code == 200
        # when: 7 points are left and the next query costs 7... plus one field
        refused = await post(client, "{ explore(first: 2) { edges { node { id } } } __typename }")
        # then
        assert refused.status_code == 429
        body = refused.json()
        assert body["data"] is None
        error = body["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert 0 < error["extensions"]["retryAfter"] <= 3600
        assert refused.headers["Retry-After"] == str(error["extensions"]["retryAfter"])
        assert refused.headers["X-RateLimit-Limit"] == "30"
        assert refused.headers["X-RateLimit-Remaining"] == "7"
        # a refused query costs nothing: a cheap one still fits
        assert (await post(client, EXPLORE)).headers["X-RateLimit-Remaining"] == "0"
        # the account's budget is separate from the IP's
        member = await post(client, EXPLORE, token=token)
        assert member.status_code == 200
        assert member.headers["X-RateLimit-Limit"] == "50"


async def test_sign_up_is_limited_per_ip(make_client: Client) -> None:
    async with make_client(rate_limit_sign_up="2 per 30 minutes") as client:
        await sign_up(client, "maya")
        await sign_up(client, "kofi")
        refused = await post(
            client, SIGN_UP, {"input": {"username": "lena", "password": "pw-12345678"}}
        )
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(refused.headers["Retry-After"]) > 0
    assert not await UserRow.filter(username="lena").exists()


async def test_log_in_is_limited_per_username_and_per_ip(make_client: Client) -> None:
    async with make_client(
        rate_limit_log_in_username="3 per 15 minutes", rate_limit_log_in_ip="5 per 15 minutes"
    ) as client:
        await sign_up(client, "maya")
        await sign_up(client, "kofi")
        wrong = {"input": {"username": "maya", "password": "wrong-password"}}
        for _ in range(3):
            attempt = await post(client, LOG_IN, wrong)
            assert attempt.json()["data"]["logIn"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
        # the right password no longer helps for this username (any case)
        right = {"input": {"username": "MAYA", "password": "pw-12345678"}}
        refused = await post(client, LOG_IN, right)
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        # another username still works, until the IP's limit (5 counted attempts)
        kofi = {"input": {"username": "kofi", "password": "pw-12345678"}}
        assert (await post(client, LOG_IN, kofi)).json()["data"]["logIn"]["token"]
        assert (await post(client, LOG_IN, kofi)).json()["data"]["logIn"]["token"]
        assert (await post(client, LOG_IN, kofi)).status_code == 429


async def test_aliased_log_ins_count_one_by_one(make_client: Client) -> None:
    async with make_client(rate_limit_log_in_username="3 per 15 minutes") as client:
        await sign_up(client, "maya")
        attempts = " ".join(
            f'a{i}: logIn(input: {{username: "maya", password: "guess-{i}xx"}}) {{ token }}'
            for i in range(4)
        )
        refused = await post(client, f"mutation {{ {attempts} }}")
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_any_username_text_makes_a_working_limit_key(make_client: Client) -> None:
    # a lone surrogate cannot be stored as a Redis key: it must not switch the limits off
    body = {"query": LOG_IN, "variables": {"input": {"username": "m\ud800/a", "password": "x"}}}
    headers = {"Content-Type": "application/json"}
    async with make_client(rate_limit_log_in_username="1 per 15 minutes") as client:
        first = await client.post("/graphql", content=json.dumps(body), headers=headers)
        second = await client.post("/graphql", content=json.dumps(body), headers=headers)
    assert first.status_code == 200 and "X-RateLimit-Remaining" in first.headers
    assert second.status_code == 429


async def test_rate_limits_fail_open_when_the_store_is_down(
    make_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a Redis nobody listens on
    async with make_client(
        broadcast_url="redis://127.0.0.1:1/0", rate_limit_anonymous_points=1
    ) as client:
        with caplog.at_level(logging.WARNING, logger="soundpost.limits"):
            # when
            response = await post(client, EXPLORE)
    # then: served, unmetered, and said so in the log
    assert response.status_code == 200
    assert response.json()["data"] == {"explore": {"edges": []}}
    assert response.json()["extensions"]["cost"] == {
        "requested": 7,
        "remaining": None,
        "resetAt": None,
    }
    assert "X-RateLimit-Remaining" not in response.headers
    assert "rate limits not enforced" in caplog.text


# --- depth, aliases, tokens, body size, batching --------------------------------------------


async def test_depth_alias_and_token_limits_have_codes(make_client: Client) -> None:
    async with make_client(max_query_depth=4, max_aliases=2, max_tokens=100) as client:
        deep = await post(
            client, "{ explore { edges { node { author { postcards { edges { cursor } } } } } } }"
        )
        aliases = await post(client, "{ a: __typename b: __typename c: __typename }")
        tokens = await post(client, "{ " + "__typename " * 120 + "}")
        fine = await post(client, "{ a: __typename b: __typename explore { edges { cursor } } }")
    assert deep.json()["errors"][0]["extensions"] == {"code": "QUERY_TOO_DEEP"}
    assert aliases.json()["errors"][0]["extensions"] == {"code": "TOO_MANY_ALIASES"}
    assert tokens.json()["errors"][0]["extensions"] == {"code": "TOO_MANY_TOKENS"}
    assert "errors" not in fine.json(), fine.json()


async def test_introspection_fits_the_default_limits(make_client: Client) -> None:
    from graphql import get_introspection_query

    async with make_client() as client:
        response = await post(client, get_introspection_query(descriptions=True))
    assert "errors" not in response.json()
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_a_large_body_is_refused_with_413(make_client: Client) -> None:
    async with make_client(max_body_bytes=2_000) as client:
        padding = "#" + "x" * 3_000 + "\n"
        declared = await post(client, padding + "{ __typename }")

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
            yield b'{"query": "{ __typename }", "variables": {"pad": "'
            for _ in range(10):
                yield b"y" * 500
            yield b'"}}'

        streamed = await client.post(
            "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
        )
        small = await post(client, "{ __typename }")
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json() == {
            "errors": [
                {
                    "message": "The request body is larger than 2000 bytes.",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE", "maxBytes": 2000},
                }
            ]
        }
    assert small.status_code == 200


async def test_batched_requests_are_refused(make_client: Client) -> None:
    async with make_client() as client:
        response = await client.post(
            "/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}]
        )
    assert response.status_code == 400
    assert response.text == "Batching is not enabled"


@pytest.mark.skipif(
    not os.environ.get("BROADCAST_URL", "").startswith("redis://"),
    reason="needs Redis (BROADCAST_URL)",
)
async def test_workers_share_one_budget_through_redis(make_client: Client) -> None:
    # given: two apps, as two workers would be, on one Redis
    shared = {"rate_limit_anonymous_points": 20, "rate_limit_key_prefix": uuid.uuid4().hex}
    async with make_client(**shared) as one, make_client(**shared) as other:
        # when
        first = await post(one, EXPLORE)
        second = await post(other, EXPLORE)
        third = await post(one, EXPLORE)
    # then
    assert first.headers["X-RateLimit-Remaining"] == "13"
    assert second.headers["X-RateLimit-Remaining"] == "6"
    assert third.status_code == 429


async def test_a_client_leaving_mid_body_ends_the_request_quietly(
    app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a POST whose client disconnects after half of its declared body
    body = json.dumps({"query": "mutation { logOut { revoked } }"}).encode()
    arrivals = [
        {"type": "http.request", "body": body[:10], "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return arrivals.pop(0) if arrivals else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = http_scope(
        "POST",
        "/graphql",
        [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    )

    # when
    with caplog.at_level(logging.WARNING):
        await app(scope, receive, send)

    # then: nothing answered (nobody is listening), nothing raised, nothing logged
    assert sent == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
