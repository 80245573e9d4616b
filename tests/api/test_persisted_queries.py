"""Automatic persisted queries (Apollo's protocol) over HTTP: POST and GET, a hash alone, a
hash with its query, a hash that is not the query's (nothing stored), a store that forgets
the least recently used once full."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from server.http.accept import GRAPHQL_RESPONSE_JSON
from server.settings import Settings
from tests.support.limits import own_client

TYPENAME = "{ __typename }"
VIEWER = "query Viewer { viewer { username } }"
NOT_FOUND = {
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
}


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}


@pytest.fixture
async def http(app: Starlette, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    # a store of its own, of 100,000 characters
    async with own_client(
        settings, cost_in_response=False, persisted_query_cache_chars=100_000
    ) as client:
        yield client


async def post(http: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await http.post("/graphql", json=body)


async def get(http: httpx.AsyncClient, **params: Any) -> httpx.Response:
    encoded = {k: v if isinstance(v, str) else orjson.dumps(v).decode() for k, v in params.items()}
    return await http.get("/graphql", params=encoded)


async def test_an_unknown_hash_is_not_found_then_the_query_is_stored(
    http: httpx.AsyncClient,
) -> None:
    # when a client sends the hash alone
    response = await post(http, extensions=persisted(VIEWER))
    # then, as Apollo answers: 200, PERSISTED_QUERY_NOT_FOUND, nothing executed
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == NOT_FOUND
    assert "x-ratelimit-limit" not in response.headers
    # when it sends the hash and the query
    response = await post(http, query=VIEWER, extensions=persisted(VIEWER))
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": None}}
    # then the hash alone runs it, by POST and by GET, with variables and operationName
    for response in (
        await post(http, extensions=persisted(VIEWER), operationName="Viewer", variables={}),
        await get(http, extensions=persisted(VIEWER), operationName="Viewer"),
    ):
        assert response.status_code == 200
        assert response.json() == {"data": {"viewer": None}}
        assert "x-ratelimit-limit" in response.headers


async def test_get_works_like_post(http: httpx.AsyncClient) -> None:
    response = await get(http, extensions=persisted(TYPENAME))
    assert (response.status_code, response.json()) == (200, NOT_FOUND)
    response = await get(http, query=TYPENAME, extensions=persisted(TYPENAME))
    assert response.json() == {"data": {"__typename": "Query"}}
    response = await post(http, extensions=persisted(TYPENAME))
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_hash_that_is_not_the_querys_stores_nothing(http: httpx.AsyncClient) -> None:
    # when a client sends the viewer query under the hash of another document
    response = await post(http, query=VIEWER, extensions=persisted(TYPENAME))
    # then it is refused, nothing runs...
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "The persisted query's sha256Hash is not the SHA-256 of its query "
                "text: nothing was stored.",
                "extensions": {"code": "PERSISTED_QUERY_HASH_MISMATCH"},
            }
        ]
    }
    # ...and nothing is stored under either hash
    assert (await post(http, extensions=persisted(TYPENAME))).json() == NOT_FOUND
    assert (await post(http, extensions=persisted(VIEWER))).json() == NOT_FOUND


async def test_the_hash_is_read_in_any_case(http: httpx.AsyncClient) -> None:
    upper = {"persistedQuery": {"version": 1, "sha256Hash": sha(TYPENAME).upper()}}
    assert (await post(http, query=TYPENAME, extensions=upper)).status_code == 200
    assert (await post(http, extensions=persisted(TYPENAME))).json() == {
        "data": {"__typename": "Query"}
    }


@pytest.mark.parametrize(
    "extension",
    [
        {"version": 2, "sha256Hash": sha(TYPENAME)},
        {"sha256Hash": sha(TYPENAME)},
        {"version": 1},
        {"version": 1, "sha256Hash": "abc"},
        {"version": 1, "sha256Hash": 12},
        "yes",
    ],
)
async def test_a_malformed_persisted_query_is_refused(
    http: httpx.AsyncClient, extension: object
) -> None:
    response = await post(http, query=TYPENAME, extensions={"persistedQuery": extension})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_SUPPORTED"}
    assert (await post(http, extensions=persisted(TYPENAME))).json() == NOT_FOUND


async def test_under_graphql_response_json_the_answers_are_the_same(
    http: httpx.AsyncClient,
) -> None:
    headers = {"Accept": GRAPHQL_RESPONSE_JSON}
    response = await http.post("/graphql", json={"extensions": persisted(VIEWER)}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert response.json() == NOT_FOUND
    body = {"query": VIEWER, "extensions": persisted(TYPENAME)}
    response = await http.post("/graphql", json=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_a_stored_query_still_meets_the_limits(http: httpx.AsyncClient) -> None:
    bad = "{ nope }"
    response = await post(http, query=bad, extensions=persisted(bad))
    assert response.json()["errors"][0]["message"].startswith("Cannot query field 'nope'")
    response = await post(http, extensions=persisted(bad))
    assert response.json()["errors"][0]["message"].startswith("Cannot query field 'nope'")


async def test_the_store_forgets_the_least_recently_used(http: httpx.AsyncClient) -> None:
    # given three documents of ~40,000 characters, in a store of 100,000
    def padded(n: int) -> str:
        return "{ __typename " + f"#{n}" + "x" * 40_000 + "\n}"

    one, two, three = padded(1), padded(2), padded(3)
    for query in (one, two):
        assert (await post(http, query=query, extensions=persisted(query))).status_code == 200
    assert (await post(http, extensions=persisted(one))).status_code == 200  # used: kept
    # when a third is stored, then the least recently used (two) is forgotten
    assert (await post(http, query=three, extensions=persisted(three))).status_code == 200
    assert (await post(http, extensions=persisted(two))).json() == NOT_FOUND
    for query in (one, three):
        assert (await post(http, extensions=persisted(query))).json() == {
            "data": {"__typename": "Query"}
        }
