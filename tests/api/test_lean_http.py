"""The lean HTTP path (server/http/lean.py) answers exactly what strawberry's view answers:
every request below is sent to two apps over the same database, one with LEAN_HTTP on and
one with it off, and the two responses must have the same status, the same headers in the
same order and the same body (the clock's reset time and a masked error's random requestId
aside). The JSON POSTs that may take the lean path must take it (strawberry's `run` is not
called), and everything else must not."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from server.http.accept import GRAPHQL_RESPONSE_JSON
from server.settings import Settings
from server.view import SoundpostGraphQL
from tests.support.api import Api
from tests.support.documents import CREATE, LOG_IN
from tests.support.limits import client_of, own_app

TYPENAME = "{ __typename }"
VIEWER = "{ viewer { username } }"
FEED = "{ feed(first: 2) { edges { cursor } } }"
EXPENSIVE = (
    "{ explore(first: 100) { edges { node { comments(first: 100) { edges { cursor } } } } } }"
)
SUBSCRIPTION = "subscription { notifications { id } }"
TWO_OPERATIONS = "query A { __typename } query B { __typename }"
PAGE = "query ($n: Int) { explore(first: $n) { edges { node { caption } } } }"
NESTED = "query ($n: Int) { explore(first: $n) { edges { node { comments(first: $n) { edges { cursor } } } } } }"
SIGN_UP = "mutation ($input: SignUpInput!) { signUp(input: $input) { errors { code } } }"


@dataclass
class Pair:
    lean: httpx.AsyncClient
    long: httpx.AsyncClient
    runs: dict[str, int]  # strawberry `run` calls per app
    direct: dict[str, int]  # operations graph/execution.py answered, per app
    cors: bool  # CORS on: the lean path inside the wrappers, else in front of them


def view_of(app: Starlette) -> SoundpostGraphQL:
    route = next(r for r in app.routes if isinstance(r, Route) and r.path == "/graphql")
    view = route.endpoint
    assert isinstance(view, SoundpostGraphQL)
    return view


@pytest.fixture(params=[True, False], ids=["behind CORS", "in front"])
async def pair(
    app: Starlette, settings: Settings, request: pytest.FixtureRequest
) -> AsyncIterator[Pair]:
    cors = request.param
    limits: dict[str, Any] = {"rate_limit_anonymous_points": 60}
    if cors:
        limits["cors_origins"] = ["https://web.example"]
    runs = {"lean": 0, "long": 0}
    direct = {"lean": 0, "long": 0}
    async with AsyncExitStack() as stack:
        clients = {}
        for name, lean in (("lean", True), ("long", False)):
            own = await stack.enter_async_context(own_app(settings, lean_http=lean, **limits))
            view = view_of(own)
            run = view.run

            async def counted(*args: Any, _name: str = name, _run: Any = run, **kw: Any) -> Any:
                runs[_name] += 1
                return await _run(*args, **kw)

            view.run = counted  # type: ignore[method-assign]
            assert view.direct is not None
            execute = view.direct.execute

            async def took(*args: Any, _name: str = name, _execute: Any = execute) -> Any:
                result = await _execute(*args)
                direct[_name] += result is not None
                return result

            view.direct.execute = took  # type: ignore[method-assign]
            clients[name] = await stack.enter_async_context(client_of(own))
        yield Pair(clients["lean"], clients["long"], runs, direct, cors)


def normalized(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [
        (name, re.sub(r"^\d+$", "<epoch>", value) if name == "x-ratelimit-reset" else value)
        for name, value in response.headers.multi_items()
    ]
    body = re.sub(rb'"resetAt":"[^"]+"', b'"resetAt":"<time>"', response.content)
    body = re.sub(rb'"requestId":"[0-9a-f]+"', b'"requestId":"<id>"', body)
    return response.status_code, headers, body


async def same(pair: Pair, method: str, **request: Any) -> httpx.Response:
    """Sends the request to both apps; their responses must be the same. Returns the lean
    app's."""
    lean = await pair.lean.request(method, "/graphql", **request)
    long = await pair.long.request(method, "/graphql", **request)
    assert normalized(lean) == normalized(long)
    return lean


def apq(sha256: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


LEAN_BODIES: list[Any] = [
    {"query": TYPENAME},
    {"query": TYPENAME, "variables": None, "operationName": None, "extensions": None},
    {"query": VIEWER, "variables": {}},
    {"query": FEED},  # UNAUTHENTICATED, data null
    {"query": "{ viewer { username }"},  # does not parse
    {"query": "{ nope }"},  # does not validate
    {"query": EXPENSIVE},  # QUERY_TOO_COMPLEX
    {"query": "{ " + "__typename " * 6000 + "}"},  # TOO_MANY_TOKENS
    {"query": LOG_IN, "variables": {"input": {"username": "nobody", "password": "wrong"}}},
    {"query": LOG_IN, "variables": {"input": {"username": 7}}},  # bad variables
    {"query": TWO_OPERATIONS},  # no operationName: 400
    {"query": TWO_OPERATIONS, "operationName": "B"},
    {"query": TWO_OPERATIONS, "operationName": "C"},  # unknown operation: 400
    {"query": SUBSCRIPTION},
    {},  # no query: 400
    {"query": None},
    {"extensions": apq(sha(TYPENAME))},  # PERSISTED_QUERY_NOT_FOUND
    {"query": TYPENAME, "extensions": apq(sha(TYPENAME))},
    {"extensions": apq(sha(TYPENAME))},  # found now
    {"query": VIEWER, "extensions": apq(sha(TYPENAME))},  # mismatch
    {"query": TYPENAME, "extensions": {"persistedQuery": {"version": 2}}},
    {"query": TYPENAME, "extensions": {"persistedQuery": "yes"}},
]

# What graph/execution.py takes, and what it leaves to strawberry's way (a test of their
# own: the anonymous budget of 60 points would not last for both lists).
DIRECT_BODIES: list[Any] = [
    {"query": "query Named { __typename }"},  # the operation's name from the document
    {"query": '{ explore(first: 2, after: "nope") { edges { cursor } } }'},  # BAD_USER_INPUT
    {"query": PAGE, "variables": {"n": 3}},  # a cost that reads a variable
    {"query": PAGE, "variables": {"n": -1}},  # BAD_USER_INPUT from the resolver
    {"query": PAGE, "variables": {"n": 5000}},  # BAD_USER_INPUT (the cost counts 100)
    {"query": NESTED, "variables": {"n": 100}},  # QUERY_TOO_COMPLEX from a variable
    {"query": PAGE, "variables": {"n": "three"}},  # a variable that does not coerce
    {"query": PAGE},  # no variables: the resolver's default page
    {"query": "{ ...F } fragment F on Query { viewer { username } }"},
    {"query": "{ __schema { queryType { name } } }"},
    {"query": "{ feed(first: 1) { edges { cursor } } explore(first: 1) { edges { cursor } } }"},
    {"query": SIGN_UP, "variables": {"input": {"username": "a", "password": "x"}}},
    {"query": "mutation { __typename }"},
    {"query": "query A { __typename } mutation B { __typename }", "operationName": "B"},
]

LONG_BODIES: list[bytes] = [
    b"",
    b"{",
    b"[]",
    orjson.dumps([{"query": TYPENAME}]),  # a batch: not enabled
    orjson.dumps({"query": 12}),
    orjson.dumps({"query": TYPENAME, "variables": [1]}),
    orjson.dumps({"query": TYPENAME, "extensions": "x"}),
    orjson.dumps({"query": TYPENAME, "operationName": 3}),
    b'{"query": "{ __typename }", "variables": {"n": NaN}}',  # json.loads takes NaN
    b'{"query": "{ __typename }", "variables": {"n": 123456789012345678901234567890}}',
    b'{"query": "{ __typename }", "variables": {"n": [1.0, {"m": -9223372036854775809}]}}',
    b'{"query": "{ __typename }", "variables": {"n": 1e400}}',
    b'{"query": "{ __typename }", "variables": {"n": "\\ud800"}}',  # a lone surrogate
    '{"query": "{ __typename }"}'.encode("utf-16"),
]

HUGE = "123456789012345678901234567890"
HUGE_INT = '{"query": "query ($n: Int) { explore(first: $n) { edges { cursor } } }", "variables": {"n": %s}}'


@pytest.mark.parametrize(
    "n", [HUGE, "-" + HUGE, "18446744073709551615", "-1.5", "3.0", "1e3", "-0"]
)
async def test_numbers_read_as_json_loads_reads_them(pair: Pair, n: str) -> None:
    body = (HUGE_INT % n).encode()
    await same(pair, "POST", content=body, headers={"Content-Type": "application/json"})
    long_way = 1 if HUGE in n else 0
    assert pair.runs == {"lean": long_way, "long": 1}


@pytest.mark.parametrize("accept", [None, GRAPHQL_RESPONSE_JSON])
async def test_operations_executed_directly_answer_the_same(
    pair: Pair, api: Api, accept: str | None
) -> None:
    # given a member with a moment, and the two apps
    maya = await api.sign_up("maya")
    track = {"title": "Song", "artist": "Band"}
    await api.mutate(
        "createPostcard", CREATE, {"track": track, "caption": "first light"}, maya.token
    )
    headers = {"Accept": accept} if accept else {}
    # when every body is posted to both, anonymously and signed in
    statuses = set()
    for auth in ({}, {"Authorization": f"Bearer {maya.token}"}):
        for body in DIRECT_BODIES:
            response = await same(pair, "POST", json=body, headers={**headers, **auth})
            statuses.add(response.status_code)
    # then the answers were the same (refusals included), none went the long way, and all
    # but the one over the cost limit were executed directly
    assert pair.runs == {"lean": 0, "long": 2 * len(DIRECT_BODIES)}
    assert pair.direct == {"lean": 2 * (len(DIRECT_BODIES) - 1), "long": 0}
    assert {200} <= statuses
    page = {"query": PAGE, "variables": {"n": 1}}
    answer = (await same(pair, "POST", json=page, headers=headers)).json()
    assert answer["data"] == {"explore": {"edges": [{"node": {"caption": "first light"}}]}}


@pytest.mark.parametrize("accept", [None, "application/json", GRAPHQL_RESPONSE_JSON])
async def test_json_posts_take_the_lean_path_with_the_same_answers(
    pair: Pair, api: Api, accept: str | None
) -> None:
    # given a member, and the two apps
    maya = await api.sign_up("maya")
    headers = {"Accept": accept} if accept else {}
    # when every body is posted to both, anonymously, signed in, and with a bad token
    statuses = set()
    for auth in ({}, {"Authorization": f"Bearer {maya.token}"}, {"Authorization": "Bearer x"}):
        for body in LEAN_BODIES:
            response = await same(pair, "POST", json=body, headers={**headers, **auth})
            statuses.add(response.status_code)
    # then the answers were the same, only the long way ran strawberry's view
    assert pair.runs == {"lean": 0, "long": 3 * len(LEAN_BODIES)}
    assert {200, 400} <= statuses
    assert (await same(pair, "POST", json={"query": VIEWER}, headers=headers)).json()["data"] == {
        "viewer": None
    }


async def test_rate_limited_posts_are_the_same(pair: Pair) -> None:
    # given budgets of 60 points per IP: explore(first: 2) costs 7
    query = {"query": "{ explore(first: 2) { edges { node { id } } } }"}
    # when both apps are asked until the budget is spent
    statuses = [(await same(pair, "POST", json=query)).status_code for _ in range(10)]
    # then both refused the same requests, with the same headers (Retry-After included)
    assert statuses == [200] * 8 + [429] * 2
    response = await same(pair, "POST", json=query, headers={"Accept": GRAPHQL_RESPONSE_JSON})
    assert response.status_code == 429 and "retry-after" in response.headers
    assert pair.runs["lean"] == 0


@pytest.mark.parametrize("body", LONG_BODIES)
async def test_other_bodies_go_to_strawberry(pair: Pair, body: bytes) -> None:
    await same(pair, "POST", content=body, headers={"Content-Type": "application/json"})
    assert pair.runs == {"lean": 1, "long": 1}


async def test_a_repeated_key_reads_the_same(pair: Pair) -> None:
    # the last one counts, both ways
    body = b'{"query": "{ nope }", "query": "{ __typename }"}'
    response = await same(pair, "POST", content=body, headers={"Content-Type": "application/json"})
    assert response.json()["data"] == {"__typename": "Query"}
    assert pair.runs == {"lean": 0, "long": 1}


@pytest.mark.parametrize("body", [b'"a string"', b"12", b"null"])
async def test_a_json_scalar_fails_as_before(pair: Pair, body: bytes) -> None:
    # strawberry's view reads a field of the body before checking it is an object: an
    # error (500 under a server) both ways
    headers = {"Content-Type": "application/json"}
    for client in (pair.lean, pair.long):
        with pytest.raises(AttributeError):
            await client.post("/graphql", content=body, headers=headers)
    assert pair.runs == {"lean": 1, "long": 1}


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", " application/json ; x=y"],
)
async def test_json_with_parameters_takes_the_lean_path(pair: Pair, content_type: str) -> None:
    body = orjson.dumps({"query": TYPENAME})
    await same(pair, "POST", content=body, headers={"Content-Type": content_type})
    assert pair.runs == {"lean": 0, "long": 1}


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/graphql", "application/json-seq", "APPLICATION/JSON", None],
)
async def test_other_content_types_go_to_strawberry(pair: Pair, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    await same(pair, "POST", content=orjson.dumps({"query": TYPENAME}), headers=headers)
    assert pair.runs == {"lean": 1, "long": 1}


async def test_gets_go_to_strawberry(pair: Pair) -> None:
    await same(pair, "GET", params={"query": TYPENAME})
    await same(pair, "GET", headers={"Accept": "text/html"})  # GraphiQL
    await same(pair, "GET", params={"extensions": orjson.dumps(apq(sha(VIEWER))).decode()})
    assert pair.runs == {"lean": 3, "long": 3}


async def test_multipart_goes_to_strawberry(pair: Pair) -> None:
    operations = orjson.dumps({"query": TYPENAME}).decode()
    await same(pair, "POST", files={"operations": (None, operations), "map": (None, "{}")})
    assert pair.runs == {"lean": 1, "long": 1}


async def test_the_wrappers_apply_to_the_lean_path(pair: Pair) -> None:
    origin = {"Origin": "https://web.example"}
    response = await same(pair, "POST", json={"query": TYPENAME}, headers=origin)
    if pair.cors:  # a browser's simple request and its preflight
        assert response.headers["access-control-allow-origin"] == "https://web.example"
        assert "X-RateLimit-Limit" in response.headers["access-control-expose-headers"]
        preflight = {**origin, "Access-Control-Request-Method": "POST"}
        assert (await same(pair, "OPTIONS", headers=preflight)).status_code == 200
    else:
        assert "access-control-allow-origin" not in response.headers
    # security headers, and the body limit (413, judged before the body is read)
    assert response.headers["x-frame-options"] == "DENY"
    big = {"query": TYPENAME, "variables": {"pad": "x" * 200_000}}
    assert (await same(pair, "POST", json=big)).status_code == 413
    assert pair.runs == {"lean": 0, "long": 1}  # the 413 came before either view
