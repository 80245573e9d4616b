"""A request leaves no reference cycles behind: its executor, context, loaders and rows are
freed when the response is sent, not when the cyclic collector next runs. Collecting that
garbage was ~15% of a profile page's time (issue 16); a cycle that comes back fails here
with the types it holds."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette

from tests.support.api import Api
from tests.support.asgi import http_scope
from tests.support.documents import COMMENT, FOLLOW

MOMENT = """id caption likeCount commentCount viewerHasLiked
  author { username displayName avatarUrl } track { title artist } photo { url } place { name }
  comments(first: 2) { edges { cursor node { body author { username } } } }"""
PROFILE = f"""query ($username: String!) {{ user(username: $username) {{ username followerCount
  postcards(first: 20) {{ edges {{ node {{ {MOMENT} }} }} pageInfo {{ hasNextPage }} }} }} }}"""
PROFILE_TWICE = f"""query ($username: String!) {{ user(username: $username) {{
  a: postcards(first: 20) {{ edges {{ node {{ {MOMENT} }} }} }}
  b: postcards(first: 20) {{ edges {{ node {{ {MOMENT} }} }} }} }} }}"""
EXPLORE = f"{{ explore(first: 20) {{ edges {{ node {{ {MOMENT} }} }} }} }}"
FEED = f"{{ feed(first: 20) {{ edges {{ node {{ {MOMENT} }} }} }} }}"
DETAIL = """query ($id: ID!) { postcard(id: $id) { id caption viewerHasLiked
  comments(first: 20) { edges { node { body author { username } } } }
  likedBy(first: 20) { edges { node { username } } } } }"""
CREATE = """mutation ($input: CreatePostcardInput!) {
  createPostcard(input: $input) { postcard { id } errors { code } } }"""


@contextmanager
def cyclic_garbage() -> Iterator[Counter[str]]:
    """The types of what became cyclic garbage inside the block (collected at its end)."""
    found: Counter[str] = Counter()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield found
        gc.collect()
        found.update(type(thing).__qualname__ for thing in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


async def posted(app: Starlette, document: str, variables: dict[str, Any], token: str) -> Any:
    """The data of a POST to /graphql, sent to the app as raw ASGI messages: no HTTP client
    whose own objects would land in the garbage."""
    body = orjson.dumps({"query": document, "variables": variables})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"authorization", f"Bearer {token}".encode()),
    ]
    scope = http_scope("POST", "/graphql", headers)
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop() if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert sent[0]["status"] == 200
    answer = orjson.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    assert "errors" not in answer, answer
    return answer["data"]


async def shared_moments(api: Api) -> tuple[str, str, list[str]]:
    author, fan = await api.sign_up("author"), await api.sign_up("fan")
    await api.mutate("follow", FOLLOW, {"userId": author.id}, fan.token)
    ids = []
    for n in range(3):
        variables = {"caption": f"moment {n}", "track": {"title": f"Song {n}", "artist": "Band"}}
        payload = await api.mutate("createPostcard", CREATE, variables, author.token)
        assert payload["errors"] == []
        ids.append(payload["postcard"]["id"])
        for body in ("first", "second", "third"):
            variables = {"postcardId": payload["postcard"]["id"], "body": body}
            await api.mutate("addComment", COMMENT, variables, fan.token)
    return author.username, fan.token, ids


@pytest.mark.parametrize(
    "name", ["profile", "profile asked twice", "explore", "feed", "postcard detail"]
)
async def test_a_request_leaves_no_cyclic_garbage(app: Starlette, api: Api, name: str) -> None:
    # given: a member with three moments of three comments each, and a follower
    username, token, ids = await shared_moments(api)
    document, variables = {
        "profile": (PROFILE, {"username": username}),
        "profile asked twice": (PROFILE_TWICE, {"username": username}),
        "explore": (EXPLORE, {}),
        "feed": (FEED, {}),
        "postcard detail": (DETAIL, {"id": ids[0]}),
    }[name]
    data = await posted(app, document, variables, token)  # warm: plans, caches

    # when
    with cyclic_garbage() as garbage:
        again = await posted(app, document, variables, token)

    # then: the whole answer, and nothing left to the collector
    assert again == data
    assert garbage == Counter()
