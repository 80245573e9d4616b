"""Faults: PostgreSQL restarted under load.

The test runs its OWN PostgreSQL (initdb in a temporary directory, a free port), never the
shared one the rest of the suite uses, and a real `soundpost serve` process on it. While
clients hammer the API, PostgreSQL is stopped, kept down, and started again. Every request
during the outage must fail cleanly and quickly (a masked GraphQL error; a plain 503 when
the bearer token cannot be checked; 503 from /readyz; never a hang, never a traceback), a
websocket's connection_init gets "try again later" (1013), and the same app process must
serve again within seconds once the database is back.

That test needs the at-scale setup (DATABASE_URL pointing at PostgreSQL: the CI's second
pass), where the PostgreSQL server binaries are installed. The last tests check the same
clean failures on any database, with a token lookup that raises as asyncpg does."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from resolvers import tokens
from server.ws import connection as ws
from tests.support.documents import CREATE
from tests.support.servers import private_postgres, serve, soundpost_serve
from tests.support.ws import until

pytestmark = pytest.mark.system

on_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL faults: needs DATABASE_URL pointing at PostgreSQL (the CI's 2nd pass)",
)

OUTAGE = 2.0  # seconds PostgreSQL stays down
RECOVERY = 15.0  # seconds allowed, after PostgreSQL is back, until every request succeeds
REQUEST_TIMEOUT = 5.0  # a request slower than this counts as a hang
WORKERS = 8
KINDS = {"query", "viewer", "readyz", "write"}  # what the load sends
VIEWER = "{ viewer { username } }"
EXPLORE = "{ explore(first: 5) { edges { node { id caption } } } }"
SIGN_UP = """
mutation ($input: SignUpInput!) { signUp(input: $input) { token errors { code } } }
"""
LEAKS = ("Traceback", "asyncpg", "postgres", "Connection refused", 'File "')


@asynccontextmanager
async def soundpost(database_url: str) -> AsyncIterator[tuple[str, subprocess.Popen[bytes]]]:
    """`soundpost migrate`, then a real `soundpost serve` on the private database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BROADCAST_URL": "memory://",
        "LOG_LEVEL": "warning",
        # The load is ~100 requests a second from one account and one address: keep the
        # query-point budgets out of the way (names unknown to Settings are ignored).
        "RATE_LIMIT_POINTS": "1000000000",
        "RATE_LIMIT_ANONYMOUS_POINTS": "1000000000",
    }
    await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server.cli", "migrate"],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    budgets = {name: env[name] for name in ("RATE_LIMIT_POINTS", "RATE_LIMIT_ANONYMOUS_POINTS")}
    # the server's tracebacks stay out of the test output
    async with soundpost_serve("memory://", database_url, env=budgets, quiet=True) as served:
        yield served.base, served.process


@dataclass
class Outcome:
    at: float
    kind: str  # "query", "viewer", "readyz", "write"
    result: str  # "ok", "masked", "unavailable", or what went wrong
    took: float
    detail: str = ""


@dataclass
class Load:
    base: str
    token: str
    outcomes: list[Outcome] = field(default_factory=list)
    stopping: bool = False

    async def worker(self, n: int) -> None:
        timeout = httpx.Timeout(REQUEST_TIMEOUT)
        async with httpx.AsyncClient(base_url=self.base, timeout=timeout) as http:
            kinds = ["query", "viewer", "readyz", "write"]
            i = n
            while not self.stopping:
                kind = kinds[i % len(kinds)]
                i += 1
                self.outcomes.append(await self.one(http, kind))
                await asyncio.sleep(0.01)

    async def one(self, http: httpx.AsyncClient, kind: str) -> Outcome:
        at = time.monotonic()
        try:
            if kind == "readyz":
                response = await http.get("/readyz")
            else:
                body = {
                    "query": {"query": EXPLORE, "viewer": VIEWER, "write": CREATE}[kind],
                    "variables": {"input": {"track": {"title": "S", "artist": "B"}}},
                }
                if kind != "write":
                    del body["variables"]
                headers = {"Authorization": f"Bearer {self.token}"} if kind != "query" else {}
                response = await http.post("/graphql", json=body, headers=headers)
        except httpx.TimeoutException:
            return Outcome(at, kind, "hang", time.monotonic() - at)
        except httpx.TransportError as error:
            return Outcome(at, kind, "transport error", time.monotonic() - at, repr(error))
        took = time.monotonic() - at
        return Outcome(at, kind, classify(kind, response), took, response.text[:300])


async def ws_init(base: str, token: str) -> object:
    """connection_init with the token: "connection_ack", or the server's close code and reason."""
    url = base.replace("http://", "ws://") + "/graphql"
    async with (
        asyncio.timeout(REQUEST_TIMEOUT),
        connect(url, subprotocols=["graphql-transport-ws"]) as socket,  # type: ignore[list-item]
    ):
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        await socket.send(json.dumps(init))
        try:
            return json.loads(await socket.recv())["type"]
        except ConnectionClosed:
            return socket.close_code, socket.close_reason


def classify(kind: str, response: httpx.Response) -> str:
    text = response.text
    if any(leak in text for leak in LEAKS):
        return "leak"
    if kind == "readyz":
        if response.status_code == 200 and response.json()["database"] == "up":
            return "ok"
        if response.status_code == 503 and response.json()["database"] == "down":
            return "unavailable"
        return f"readyz {response.status_code}"
    if response.status_code == 503 and text == "Service unavailable: try again shortly.":
        return "unavailable"  # the bearer token is checked before the GraphQL layer
    if response.status_code != 200:
        return f"http {response.status_code}"
    body = response.json()
    if not body.get("errors"):
        if kind == "write":
            payload = body["data"]["createPostcard"]
            return "ok" if payload["errors"] == [] and payload["postcard"] else "no data"
        expected = "explore" if kind == "query" else "viewer"
        return "ok" if body["data"] and body["data"].get(expected) is not None else "no data"
    codes = {error.get("extensions", {}).get("code") for error in body["errors"]}
    messages = {error["message"] for error in body["errors"]}
    if codes == {"INTERNAL_SERVER_ERROR"} and messages == {"Internal server error."}:
        return "masked"
    return f"errors {sorted(map(str, codes))}"


@on_postgres
async def test_postgres_restarted_under_load_fails_cleanly_then_recovers() -> None:
    if not shutil.which("runuser") and os.geteuid() == 0:
        pytest.fail("runuser is needed to run PostgreSQL's tools as root")
    with private_postgres() as pg:
        async with soundpost(pg.url) as (base, process):
            pid = process.pid
            async with httpx.AsyncClient(base_url=base) as http:
                response = await http.post(
                    "/graphql",
                    json={
                        "query": SIGN_UP,
                        "variables": {"input": {"username": "maya", "password": "correct horse"}},
                    },
                )
                token = response.json()["data"]["signUp"]["token"]
            load = Load(base, token)
            workers = [asyncio.create_task(load.worker(n)) for n in range(WORKERS)]
            try:
                async with asyncio.timeout(OUTAGE + RECOVERY + 60):
                    # the load runs: each kind of request has succeeded before the stop
                    await until(
                        lambda: {o.kind for o in load.outcomes if o.result == "ok"} == KINDS,
                        timeout=REQUEST_TIMEOUT * 2,
                    )
                    down_at = time.monotonic()
                    await asyncio.to_thread(pg.stop)
                    outage_ends = time.monotonic() + OUTAGE
                    # A websocket cannot have its token checked: "try again later", not
                    # "forbidden" (which would log the client out).
                    assert await ws_init(base, token) == (1013, ws.UNAVAILABLE_REASON)
                    await asyncio.sleep(outage_ends - time.monotonic())
                    await asyncio.to_thread(pg.start)
                    up_at = time.monotonic()
                    # Recovered: every kind of request succeeds, twice in a row.
                    streak = 0
                    while streak < 2 * WORKERS * 4:
                        await asyncio.sleep(0.05)
                        recent = [o for o in load.outcomes if o.at > up_at]
                        streak = 0
                        for outcome in reversed(recent):
                            if outcome.result != "ok":
                                break
                            streak += 1
                        assert time.monotonic() - up_at < RECOVERY, (
                            f"not recovered {RECOVERY} s after PostgreSQL came back: "
                            f"{Counter(o.result for o in recent)}"
                        )
                    recovered_at = max(
                        (o.at for o in load.outcomes if o.at > up_at and o.result != "ok"),
                        default=up_at,
                    )
                    await asyncio.sleep(1.0)
            finally:
                load.stopping = True
                async with asyncio.timeout(REQUEST_TIMEOUT + 5):
                    await asyncio.gather(*workers)

            async with httpx.AsyncClient(base_url=base) as http:
                ready = await http.get("/readyz")
            assert ready.status_code == 200 and ready.json()["database"] == "up"
            assert await ws_init(base, token) == "connection_ack"
            assert process.poll() is None and process.pid == pid  # never restarted

    before = [o for o in load.outcomes if o.at + o.took < down_at]  # done before the stop
    during = [o for o in load.outcomes if down_at <= o.at < up_at]
    after_recovery = [o for o in load.outcomes if o.at > recovered_at]
    figures = {
        "before": Counter(o.result for o in before),
        "during": Counter((o.kind, o.result) for o in during),
        "slowest during (s)": round(max((o.took for o in during), default=0), 3),
        "first success after restart (s)": round(
            min((o.at + o.took for o in load.outcomes if o.at > up_at), default=up_at) - up_at, 3
        ),
        "last failure after restart (s)": round(recovered_at - up_at, 3),
        "after": Counter(o.result for o in after_recovery),
    }
    print(f"\nPostgreSQL restart under load: {figures}")
    bad = [o for o in load.outcomes if o.result not in ("ok", "masked", "unavailable")]
    assert not bad, (bad[:5], figures)
    assert before and all(o.result == "ok" for o in before), figures
    # The outage was real: requests during it failed, cleanly.
    assert {o.result for o in during} >= {"masked", "unavailable"}, figures
    assert after_recovery and all(o.result == "ok" for o in after_recovery), figures


# The same failures on any database: the token lookup raises as asyncpg does when PostgreSQL
# is down.


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    async def unreachable(token: str, generation: object = None) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(tokens, "viewer_for_token", unreachable)


@pytest.mark.usefixtures("database_down")
async def test_http_with_a_token_gets_a_plain_503_when_the_token_cannot_be_checked(
    http: httpx.AsyncClient,
) -> None:
    for _ in range(3):  # the keep-alive connection survives each of them
        response = await http.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": "Bearer abc"}
        )
        assert (response.status_code, response.text) == (
            503,
            "Service unavailable: try again shortly.",
        )
    # Anonymous requests do not need the lookup.
    response = await http.post("/graphql", json={"query": VIEWER})
    assert response.json() == {"data": {"viewer": None}}


@pytest.mark.usefixtures("database_down")
@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_websocket_gets_try_again_later_when_the_token_cannot_be_checked(
    app: Starlette, protocol: str
) -> None:
    async with (
        serve(app) as url,
        connect(url, subprotocols=[protocol]) as socket,  # type: ignore[list-item]
        asyncio.timeout(REQUEST_TIMEOUT),
    ):
        init = {"type": "connection_init", "payload": {"authorization": "Bearer abc"}}
        await socket.send(json.dumps(init))
        if protocol == "graphql-ws":
            assert json.loads(await socket.recv()) == {
                "type": "connection_error",
                "payload": {
                    "message": "Service unavailable: try again shortly.",
                    "code": "SERVICE_UNAVAILABLE",
                },
            }
        with pytest.raises(ConnectionClosed):
            await socket.recv()
        assert (socket.close_code, socket.close_reason) == (
            ws.CLOSE_TRY_AGAIN_LATER,
            ws.UNAVAILABLE_REASON,
        )
