"""The HTTP surface: health, readiness, GET queries, GraphiQL, and error masking."""

from __future__ import annotations

import logging

import httpx
import pytest

from resolvers import postcards
from tests.support.api import Api


async def test_health_and_readiness(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "up", "broker": "up"}


async def test_queries_over_get_but_not_mutations(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql", params={"query": "{ explore(first: 1) { edges { cursor } } }"}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"explore": {"edges": []}}}
    refused = await http.get("/graphql", params={"query": "mutation { logOut { revoked } }"})
    assert refused.status_code == 400
    assert refused.text == "mutations are not allowed when using GET"


async def test_graphiql_is_served_to_browsers(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert "unpkg.com" not in page.text and "cdn" not in page.text.lower()


async def test_validation_errors_are_not_masked(api: Api) -> None:
    body = await api.raw("{ explore { edges { nope } } }")
    assert body["errors"][0]["message"] == (
        "Cannot query field 'nope' on type 'PostcardEdge'. Did you mean 'node'?"
    )


async def test_unexpected_errors_are_masked_and_logged(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(viewer: object, first: int | None, after: str | None, comments: int) -> None:
        raise RuntimeError('relation "postcards" exploded: SELECT secret FROM users')

    monkeypatch.setattr(postcards, "explore", broken)
    with caplog.at_level(logging.ERROR):
        body = await api.raw("{ explore { edges { cursor } } }")
    assert body["data"] is None
    request_id = body["errors"][0]["extensions"].get("requestId")
    assert body["errors"] == [
        {
            "message": "Internal server error.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["explore"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        }
    ]
    assert "SELECT secret" in caplog.text and "Traceback" in caplog.text
    # graphql-core answered (the plan left on the error): its traceback alone is logged
    assert "graph/plan" not in caplog.text
    assert request_id and f"requestId={request_id}" in caplog.text
