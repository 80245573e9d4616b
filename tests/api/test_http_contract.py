"""GraphQL over HTTP: `application/graphql-response+json` for a client whose Accept header
prefers it (a request that did not execute then has no `data` and a 4xx status, as the spec
asks), `application/json` and HTTP 200 for everyone else, as before."""

from __future__ import annotations

import httpx
import pytest

from server.http.accept import GRAPHQL_RESPONSE_JSON, JSON, preferred
from server.settings import Settings
from tests.support.limits import own_client

VIEWER = "{ viewer { username } }"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        ("application/*", JSON),
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"application/json, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"application/json, {GRAPHQL_RESPONSE_JSON};q=0.5", JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0", JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=nope, */*", JSON),
        ("text/html, */*;q=0.8", JSON),
    ],
)
def test_the_preferred_media_type(accept: str | None, expected: str) -> None:
    assert preferred(accept) == expected


async def post(http: httpx.AsyncClient, query: str, accept: str | None) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return await http.post("/graphql", json={"query": query}, headers=headers)


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, "application/json", None])
async def test_a_query_that_runs_is_200_with_its_data(
    http: httpx.AsyncClient, accept: str | None
) -> None:
    response = await post(http, VIEWER, accept)
    assert response.status_code == 200
    expected = GRAPHQL_RESPONSE_JSON if accept == GRAPHQL_RESPONSE_JSON else JSON
    assert response.headers["content-type"] == expected
    assert response.json() == {"data": {"viewer": None}}


async def test_a_field_error_keeps_the_data_and_200(http: httpx.AsyncClient) -> None:
    response = await post(http, "{ feed { edges { cursor } } }", GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ viewer { username }", "Syntax Error"),
        ("{ nope }", "Cannot query field 'nope'"),
    ],
    ids=["does-not-parse", "does-not-validate"],
)
async def test_a_request_that_did_not_execute(
    http: httpx.AsyncClient, query: str, message: str
) -> None:
    # with the spec's media type: 400, and no data entry
    response = await post(http, query, GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    body = response.json()
    assert "data" not in body and message in body["errors"][0]["message"]
    # with application/json, as before: 200 and data null
    response = await post(http, query, "application/json")
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON
    body = response.json()
    assert body["data"] is None and message in body["errors"][0]["message"]


async def test_a_refused_budget_keeps_its_429(settings: Settings) -> None:
    async with own_client(settings, rate_limit_anonymous_points=5) as http:
        costly = "{ explore(first: 3) { edges { cursor } } }"  # 1 + 3 x 2 + 1 = 8 points
        response = await post(http, costly, GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 429
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
