"""Several server processes sharing PostgreSQL and Redis, and a Redis that goes away.

These run real `soundpost serve` processes. The multi-process ones need the at-scale setup,
PostgreSQL in DATABASE_URL and Redis in BROADCAST_URL (the CI's second pass); on SQLite
there is one process by design, and they are skipped there."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal

import httpx
import pytest

from resolvers import tokens
from tests.support.api import Api
from tests.support.documents import CREATE, FOLLOW
from tests.support.servers import Served, private_redis
from tests.support.servers import soundpost_serve as server
from tests.support.ws import WAIT, Subscriber

pytestmark = pytest.mark.system

at_scale = pytest.mark.skipif(
    not (
        os.environ.get("DATABASE_URL", "").startswith("postgres")
        and os.environ.get("BROADCAST_URL", "").startswith("redis")
    ),
    reason="needs PostgreSQL (DATABASE_URL) and Redis (BROADCAST_URL)",
)
FRIEND_MOMENTS = """
subscription ($after: String) {
  friendMoments(after: $after) { ... on PostcardPosted { cursor postcard { caption } } }
}
"""


async def wait_ready(served: Served, broker: str) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http, asyncio.timeout(20):
        while (await http.get("/readyz")).json().get("broker") != broker:
            await asyncio.sleep(0.1)


async def post(http: httpx.AsyncClient, token: str, caption: str) -> None:
    response = await http.post(
        "/graphql",
        json={
            "query": CREATE,
            "variables": {"input": {"track": {"title": "S", "artist": "B"}, "caption": caption}},
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["data"]["createPostcard"]["errors"] == []


async def friends(api: Api) -> tuple[str, str]:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    await api.mutate("follow", FOLLOW, {"userId": kofi.id}, maya.token)
    return maya.token, kofi.token


async def next_caption(subscriber: Subscriber, timeout: float = 5.0) -> str:
    data = await subscriber.next(timeout)
    return data["friendMoments"]["postcard"]["caption"]


async def until_live(live: Subscriber, http: httpx.AsyncClient, token: str) -> None:
    """Until `live`'s subscription is registered on its server: probe moments (by `token`,
    a friend, through `http`) until one arrives, then read up to the last one posted, so
    that the next thing `live` receives is what the test posts next."""
    async with asyncio.timeout(WAIT):
        for n in itertools.count():
            await post(http, token, f"probe {n}")
            try:
                caption = await next_caption(live, timeout=0.1)
            except TimeoutError:
                continue  # posted before the subscription was registered: never delivered
            while caption != f"probe {n}":
                caption = await next_caption(live)
            return


@at_scale
async def test_a_moment_posted_through_one_process_reaches_a_subscriber_on_another(
    api: Api,
) -> None:
    maya, kofi = await friends(api)
    redis_url = os.environ["BROADCAST_URL"]
    async with server(redis_url) as a, server(redis_url) as b:
        async with (
            Subscriber.open(b.ws_url, FRIEND_MOMENTS, token=maya) as live,
            httpx.AsyncClient(base_url=a.base) as http,
        ):
            await until_live(live, http, kofi)  # the subscription registers on b
            await post(http, kofi, "through a")
            assert await next_caption(live, timeout=1.0) == "through a"


@at_scale
async def test_redis_restarted_mid_stream_loses_nothing(api: Api) -> None:
    maya, kofi = await friends(api)
    with private_redis() as redis:
        async with (
            server(redis.url) as a,
            server(redis.url) as b,
            httpx.AsyncClient(base_url=a.base) as http,
        ):
            await wait_ready(b, "up")
            async with Subscriber.open(b.ws_url, FRIEND_MOMENTS, token=maya) as live:
                await until_live(live, http, kofi)
                await post(http, kofi, "before")
                assert await next_caption(live) == "before"
                # when: Redis goes away; mutations keep working, the feed keeps flowing
                redis.stop()
                await wait_ready(b, "down")
                await post(http, kofi, "during 1")
                await post(http, kofi, "during 2")
                assert await next_caption(live) == "during 1"
                data = await live.next()
                assert data["friendMoments"]["postcard"]["caption"] == "during 2"
                cursor = data["friendMoments"]["cursor"]
            # the client is away while more moments are posted and Redis comes back
            await post(http, kofi, "missed 1")
            with private_redis(redis.port):
                await wait_ready(a, "up")
                await wait_ready(b, "up")
                await post(http, kofi, "missed 2")
                # then: resuming with the last cursor loses nothing and repeats nothing
                async with Subscriber.open(
                    b.ws_url, FRIEND_MOMENTS, {"after": cursor}, token=maya
                ) as again:
                    assert [await next_caption(again), await next_caption(again)] == [
                        "missed 1",
                        "missed 2",
                    ]
                    # registered: a subscription with a cursor registers before it
                    # replays (subscriptions/hub.py, Hub.listen), and it has replayed
                    await post(http, kofi, "after")
                    assert await next_caption(again) == "after"


@at_scale
async def test_a_token_logged_out_through_one_process_is_refused_by_another_at_once(
    api: Api,
) -> None:
    """Each process remembers tokens it has just seen (resolvers.tokens.TokenCache); the
    revocation's message reaches the others well before that memory would lapse."""
    maya = await api.sign_up("maya")
    redis_url = os.environ["BROADCAST_URL"]
    viewer = {"query": "{ feed(first: 1) { edges { node { id } } } }"}
    bearer = {"Authorization": f"Bearer {maya.token}"}
    loop = asyncio.get_running_loop()
    async with (
        server(redis_url) as a,
        server(redis_url) as b,
        httpx.AsyncClient(base_url=a.base) as on_a,
        httpx.AsyncClient(base_url=b.base) as on_b,
    ):
        await wait_ready(b, "up")
        # given: b knows the token from a moment ago, and remembers it until
        # TOKEN_CACHE_SECONDS after its first lookup, which is after `known`
        known = loop.time()
        for _ in range(2):
            assert "errors" not in (await on_b.post("/graphql", json=viewer, headers=bearer)).json()

        # when
        out = await on_a.post(
            "/graphql", json={"query": "mutation { logOut { revoked } }"}, headers=bearer
        )
        assert out.json()["data"] == {"logOut": {"revoked": True}}

        # then: refused on b before its memory of the token lapses (an answer b gave by
        # then came while it still remembered the token: the revocation's message did it)
        async with asyncio.timeout(WAIT + tokens.TOKEN_CACHE_SECONDS):
            while "errors" not in (
                body := (await on_b.post("/graphql", json=viewer, headers=bearer)).json()
            ):
                await asyncio.sleep(0.02)
        answered = loop.time()
        assert answered < known + tokens.TOKEN_CACHE_SECONDS, (
            "refused only when b's memory of the token lapsed, not by the revocation's message"
        )
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_shutdown_closes_websockets_with_a_restart_code(api: Api, database_url: str) -> None:
    maya, kofi = await friends(api)
    broadcast = os.environ.get("BROADCAST_URL", "memory://")
    async with (
        server(broadcast, database_url) as served,
        Subscriber.open(served.ws_url, FRIEND_MOMENTS, token=maya) as live,
        httpx.AsyncClient(base_url=served.base) as http,
    ):
        await until_live(live, http, kofi)
        served.process.send_signal(signal.SIGTERM)
        assert await live.close_code() == 1012
