"""The token cache (resolvers.tokens.TokenCache): a token used a moment ago costs no
statement, and it still stops working at once when revoked, at its expiry, and never shows
a stale profile; nothing is trusted while revocations might be lost (broker down)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from starlette.applications import Starlette

from models import AccessToken, User
from resolvers import tokens
from subscriptions.events import RevokeMessage, encode
from tests.support.api import Api
from tests.support.api import User as User_
from tests.support.documents import CREATE, FOLLOW
from tests.support.sql import count_sql

FEED = "{ feed(first: 5) { edges { node { caption comments(first: 2) { edges { node { body } } } } } } }"
UPDATE = """mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) {
  user { displayName followerCount } errors { code } } }"""
# the token, and the page (its first comments in it)
COLD, KNOWN = 2, 1


async def member(api: Api, username: str) -> User_:
    """A member with a moment in their feed."""
    user = await api.sign_up(username)
    track = {"title": "Song", "artist": "Band"}
    await api.mutate("createPostcard", CREATE, {"track": track}, user.token)
    return user


async def statements(api: Api, token: str) -> int:
    with count_sql() as sql:
        await api.ok(FEED, {}, token)
    return len(sql.statements)


async def refused(api: Api, token: str) -> bool:
    body = await api.raw(FEED, token=token)
    return body["data"] is None and body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_a_token_used_a_moment_ago_costs_no_statement(api: Api) -> None:
    maya = await member(api, "maya")
    tokens.known_tokens.clear()
    assert [await statements(api, maya.token) for _ in range(3)] == [COLD, KNOWN, KNOWN]


async def test_log_out_refuses_the_token_on_the_next_request(api: Api) -> None:
    # given: a token the cache knows
    maya = await member(api, "maya")
    await api.ok(FEED, {}, maya.token)
    assert await statements(api, maya.token) == KNOWN

    # when
    await api.ok("mutation { logOut { revoked } }", {}, maya.token)

    # then
    assert await refused(api, maya.token)


async def test_a_revocation_from_another_process_refuses_the_token_when_it_arrives(
    api: Api, app: Starlette
) -> None:
    # given: a token the cache knows, revoked by another process (its row and its message)
    maya = await member(api, "maya")
    await api.ok(FEED, {}, maya.token)
    token_hash = tokens.hash_token(maya.token)
    await AccessToken.filter(token_hash=token_hash).update(revoked_at=datetime.now(UTC))
    assert await statements(api, maya.token) == KNOWN  # until its message comes

    # when
    await app.state.hub._on_raw(encode(RevokeMessage(token_hash=token_hash), "another"))

    # then
    assert await refused(api, maya.token)


async def test_a_known_token_stops_working_at_its_expiry(api: Api) -> None:
    # given: a token expiring well within the cache's time
    maya = await member(api, "maya")
    expiry = datetime.now(UTC) + timedelta(seconds=0.6)
    await AccessToken.filter(token_hash=tokens.hash_token(maya.token)).update(expires_at=expiry)
    tokens.known_tokens.clear()  # it knew the expiry it was issued with, which never changes
    await api.ok(FEED, {}, maya.token)
    assert await statements(api, maya.token) == KNOWN

    # when
    await asyncio.sleep((expiry - datetime.now(UTC)).total_seconds() + 0.05)

    # then
    assert tokens.TOKEN_CACHE_SECONDS > 0.7
    assert await refused(api, maya.token)


async def test_the_viewer_is_shown_afresh_whatever_the_cache_holds(api: Api) -> None:
    # given: a known token; then the profile changes elsewhere (another process) and a
    # follower comes
    maya, kofi = await member(api, "maya"), await api.sign_up("kofi")
    await api.ok(FEED, {}, maya.token)
    await User.filter(username="maya").update(display_name="Maya elsewhere")
    await api.mutate("follow", FOLLOW, {"userId": maya.id}, kofi.token)

    # when
    seen = await api.ok("{ viewer { displayName followerCount } }", {}, maya.token)
    updated = await api.mutate("updateProfile", UPDATE, {"bio": "hi"}, maya.token)

    # then
    assert seen == {"viewer": {"displayName": "Maya elsewhere", "followerCount": 1}}
    assert updated["user"] == {"displayName": "Maya elsewhere", "followerCount": 1}
    changed = await api.mutate("updateProfile", UPDATE, {"displayName": "Maya"}, maya.token)
    assert changed["user"] == {"displayName": "Maya", "followerCount": 1}
    assert await api.ok("{ viewer { displayName } }", {}, maya.token) == {
        "viewer": {"displayName": "Maya"}
    }


async def test_nothing_is_cached_while_the_broker_is_down_nor_trusted_after(
    api: Api, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker = app.state.hub.broker
    maya = await member(api, "maya")
    await api.ok(FEED, {}, maya.token)
    assert await statements(api, maya.token) == KNOWN

    # when the broker is down, revocations from other processes may be lost: every request
    # reads its token
    monkeypatch.setattr(broker, "state", "down")
    assert [await statements(api, maya.token) for _ in range(2)] == [COLD, COLD]

    # and what was cached before the outage is not trusted after it
    monkeypatch.setattr(broker, "state", "up")
    monkeypatch.setattr(broker, "reconnects", broker.reconnects + 1)
    assert [await statements(api, maya.token) for _ in range(2)] == [COLD, KNOWN]


async def test_a_lookup_that_began_before_a_revocation_does_not_store_it(api: Api) -> None:
    maya = await member(api, "maya")
    tokens.known_tokens.clear()
    real = AccessToken._meta.db.execute_query

    async def revoked_meanwhile(*args: object) -> object:
        found = await real(*args)  # type: ignore[arg-type]
        tokens.known_tokens.forget(tokens.hash_token(maya.token))  # a logOut lands here
        return found

    AccessToken._meta.db.execute_query = revoked_meanwhile  # type: ignore[method-assign]
    try:
        assert await tokens.viewer_for_token(maya.token, "generation") is not None
    finally:
        AccessToken._meta.db.execute_query = real  # type: ignore[method-assign]
    assert tokens.cached_viewer(maya.token, "generation") is None
