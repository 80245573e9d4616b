"""The hardening switches: request ids on masked errors, no field suggestions in
production, introspection off by a setting."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest

from graph.schema import build_schema, schema
from resolvers import postcards
from server.settings import Settings
from tests.support.api import Api

# a production server refuses to start without a SECRET_KEY
PRODUCTION_KEY = "k" * 32
INTROSPECT = "{ __schema { queryType { name } } }"


async def test_introspection_can_be_switched_off() -> None:
    closed = build_schema(Settings(introspection=False))
    refused = await closed.execute(INTROSPECT)
    assert refused.errors is not None
    assert "introspection" in refused.errors[0].message.lower()
    assert (await closed.execute("{ __typename }")).data == {"__typename": "Query"}
    opened = await build_schema(Settings()).execute(INTROSPECT)
    assert opened.errors is None and opened.data == {"__schema": {"queryType": {"name": "Query"}}}


@pytest.mark.parametrize(
    "query",
    [
        "{ explore { edges { nod } } }",
        '{ usr(username: "maya") { id } }',
        '{ user(usernme: "maya") { id } }',
        '{ node(id: "x") { ... on Usr { id } } }',
        '{ node(id: "x") { username } }',
        'mutation { createPostcard(input: { track: { titl: "x" } }) { errors { code } } }',
        'mutation { createPostcard(input: { track: { title: "x" }, photo: { url: "u", '
        "source: UPLOD } }) { errors { code } } }",
    ],
)
async def test_no_field_suggestions_in_production(query: str) -> None:
    production = SimpleNamespace(
        settings=Settings(environment="production", secret_key=PRODUCTION_KEY)
    )
    development = SimpleNamespace(settings=Settings())
    shown = await schema.execute(query, context_value=development)
    hidden = await schema.execute(query, context_value=production)
    assert shown.errors and hidden.errors
    assert any("Did you mean" in e.message for e in shown.errors)
    assert not any("Did you mean" in e.message for e in hidden.errors)
    # the rest of the message stays, so a client can still tell what it got wrong
    assert hidden.errors[0].message == shown.errors[0].message.split(" Did you mean")[0]


async def test_suggestions_hidden_in_variable_errors_too() -> None:
    query = "mutation ($input: CreatePostcardInput!) { createPostcard(input: $input) { errors { code } } }"
    production = SimpleNamespace(
        settings=Settings(environment="production", secret_key=PRODUCTION_KEY)
    )
    variables = {"input": {"track": {"titl": "x"}}}
    hidden = await schema.execute(query, variables, context_value=production)
    assert hidden.errors and "Did you mean" not in hidden.errors[0].message
    assert "titl" in hidden.errors[0].message


async def test_masked_errors_carry_the_request_id_of_the_log_line(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(viewer: object, first: int | None, after: str | None, comments: int) -> None:
        raise RuntimeError("boom: SELECT secret FROM users")

    monkeypatch.setattr(postcards, "explore", broken)
    with caplog.at_level(logging.ERROR, logger="soundpost.errors"):
        bodies = [await api.raw("{ explore { edges { cursor } } }") for _ in range(2)]
    errors = [body["errors"][0] for body in bodies]
    assert [e["extensions"]["code"] for e in errors] == ["INTERNAL_SERVER_ERROR"] * 2
    request_ids = [e["extensions"]["requestId"] for e in errors]
    assert len(set(request_ids)) == 2 and all(len(r) == 32 for r in request_ids)
    assert "SELECT" not in json.dumps(bodies)
    records = [r for r in caplog.records if r.name == "soundpost.errors"]
    assert [r.getMessage().split()[0] for r in records] == [f"requestId={r}" for r in request_ids]
    assert all(r.exc_info for r in records)
    assert "Traceback" in caplog.text and "SELECT secret" in caplog.text
