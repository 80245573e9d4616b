"""The compiled plans (graph/plan/, issue 16): the hot documents run on their plan, with no
field resolved by graphql-core, and what a plan cannot answer is graphql-core's answer,
errors included. (Every query and live event of the suite is also compared with
graphql-core's answer: tests/conftest.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from starlette.applications import Starlette

from bench.peer import SHAPES
from graph import compat, plan
from tests.support.api import Api
from tests.support.documents import COMMENT, CREATE, FOLLOW, FRIEND_MOMENTS, LIKE
from tests.support.servers import serve
from tests.support.ws import Subscriber, post, until


async def create(api: Api, token: str, caption: str) -> str:
    track = {"title": "Song", "artist": "Band"}
    payload = await api.mutate(
        "createPostcard", CREATE, {"track": track, "caption": caption}, token
    )
    assert payload["errors"] == [], caption
    return str(payload["postcard"]["id"])


@contextmanager
def graphql_core_fields(of: str | None = None) -> Iterator[list[str]]:
    """The fields graphql-core resolves while the block runs (its `execute_field`), but
    for the suite's second opinion on every plan (tests/conftest.py), paused here."""
    resolved: list[str] = []
    original = compat.Executor.execute_field

    def counted(self: Any, parent_type: Any, source: Any, details: Any, *rest: Any) -> Any:
        if of is None or self.operation.operation.value == of:
            resolved.append(f"{parent_type.name}.{details[0].node.name.value}")
        return original(self, parent_type, source, details, *rest)

    compat.Executor.execute_field = counted  # type: ignore[method-assign]
    try:
        with plan.unchecked():
            yield resolved
    finally:
        compat.Executor.execute_field = original  # type: ignore[method-assign]


@contextmanager
def executors_built() -> Iterator[list[str]]:
    """The operations graphql-core builds an executor for while the block runs (its
    `Executor.build`): none for a document executed before, whose executor is copied."""
    built: list[str] = []
    build = compat.Executor.build.__func__  # type: ignore[attr-defined]

    def counting(cls: Any, schema: Any, document: Any, *args: Any, **kwargs: Any) -> Any:
        built.append(document.loc.source.body if document.loc else "")
        return build(cls, schema, document, *args, **kwargs)

    compat.Executor.build = classmethod(counting)  # type: ignore[method-assign, assignment]
    try:
        with plan.unchecked():
            yield built
    finally:
        del compat.Executor.build  # graphql-core's, inherited, again


@contextmanager
def without_plans() -> Iterator[None]:
    """Every operation on graphql-core while the block runs."""
    original = plan.plans.get
    plan.plans.get = lambda executor: "switched off"  # type: ignore[method-assign]
    try:
        yield
    finally:
        plan.plans.get = original  # type: ignore[method-assign]


@pytest.fixture
async def moments(api: Api) -> dict[str, Any]:
    """A member with three moments, followed by a reader who likes and comments on them."""
    author, reader = await api.sign_up("author"), await api.sign_up("reader")
    await api.mutate("follow", FOLLOW, {"userId": author.id}, reader.token)
    ids = [await create(api, author.token, f"moment {n}") for n in range(3)]
    for card in ids:
        await api.mutate("likePostcard", LIKE, {"postcardId": card}, reader.token)
        for body in ("first!", "second"):
            await api.mutate(
                "addComment", COMMENT, {"postcardId": card, "body": body}, reader.token
            )
    return {"author": author, "reader": reader, "ids": ids}


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
async def test_a_hot_document_resolves_no_field_on_graphql_core(
    api: Api, moments: dict[str, Any], shape: Any
) -> None:
    variables = {"username": "author", "id": moments["ids"][0]}
    used = {name: value for name, value in variables.items() if f"${name}" in shape.app}
    token = moments["reader"].token if shape.signed_in else None
    expected = await api.ok(shape.app, used, token)  # planned once already: the plan is made
    planned = plan.stats.planned

    with graphql_core_fields() as resolved, executors_built() as built:
        data = await api.ok(shape.app, used, token)

    assert resolved == []
    assert built == []  # its executor copied from the operation's (graph/execution.py)
    assert plan.stats.planned == planned + 1
    assert data == expected
    with without_plans(), graphql_core_fields() as resolved:
        assert await api.ok(shape.app, used, token) == expected
    assert resolved  # the check above would see graphql-core's execution


async def test_the_hot_documents_answer_what_the_peer_compares(
    api: Api, moments: dict[str, Any]
) -> None:
    reader = moments["reader"].token
    explore = await api.ok(SHAPES[0].app)
    nodes = [edge["node"] for edge in explore["explore"]["edges"]]
    assert [node["caption"] for node in nodes] == ["moment 2", "moment 1", "moment 0"]
    assert [node["likeCount"] for node in nodes] == [1, 1, 1]
    assert [[edge["node"]["body"] for edge in node["comments"]["edges"]] for node in nodes] == [
        ["first!", "second"]
    ] * 3
    feed = await api.ok(SHAPES[1].app, {}, reader)
    assert [edge["node"]["viewerHasLiked"] for edge in feed["feed"]["edges"]] == [True] * 3


async def test_a_field_that_fails_gets_graphql_cores_error_and_data(
    api: Api, moments: dict[str, Any]
) -> None:
    # a bad page size in one moment's comments: an error at that field, the rest answered
    document = """query ($id: ID!) { postcard(id: $id) { caption
      comments(first: -1) { edges { cursor } } } explore(first: 1) { edges { cursor } } }"""
    variables = {"id": moments["ids"][0]}
    fallbacks = plan.stats.unplanned["BadPageSize raised"]

    body = await api.raw(document, variables)

    with without_plans():
        assert await api.raw(document, variables) == body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["path"] == ["postcard", "comments"]
    assert body["data"]["postcard"] is None and body["data"]["explore"]["edges"]
    assert plan.stats.unplanned["BadPageSize raised"] == fallbacks + 1


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("{ __schema { queryType { name } } }", "Query.__schema"),
        ("{ explore(first: 1) @skip(if: false) { edges { cursor } } }", None),
        (
            "query ($no: Boolean!) { explore(first: 1) @skip(if: $no) { edges { cursor } } }",
            "@skip with a variable in operation",
        ),
    ],
)
async def test_what_a_plan_does_not_express_runs_on_graphql_core(
    api: Api, document: str, reason: str | None
) -> None:
    before = plan.stats.unplanned[reason] if reason else plan.stats.planned
    body = await api.raw(document, {"no": False} if "$no" in document else None)
    assert "errors" not in body
    with without_plans():
        assert await api.raw(document, {"no": False} if "$no" in document else None) == body
    if reason:
        assert plan.stats.unplanned[reason] == before + 1
    else:
        assert plan.stats.planned == before + 1


@pytest.fixture(scope="module")
async def url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as ws_url:
        yield ws_url


async def test_a_live_event_resolves_no_field_on_graphql_core(
    url: str, api: Api, app: Starlette
) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    await api.mutate("follow", FOLLOW, {"userId": kofi.id}, maya.token)
    async with Subscriber.open(url, FRIEND_MOMENTS, token=maya.token) as follower:
        await until(lambda: app.state.hub.count("feed") == 1)
        await post(api, kofi.token, "warm up")  # the selection's plan is made
        await follower.next()
        planned = plan.stats.planned
        with graphql_core_fields(of="subscription") as resolved:
            await post(api, kofi.token, "kofi live")
            data = await follower.next()
    assert data["friendMoments"]["postcard"]["caption"] == "kofi live"
    assert resolved == []
    assert plan.stats.planned > planned
