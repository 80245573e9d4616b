"""Fan-out: one author, N subscribed followers on real websockets. Time from the mutation's
commit (the server publishes right after it) to the last delivery, against a raw
`websockets` broadcast of the same payload to the same number of clients in the same run,
the two interleaved; and server memory per idle subscribed connection."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.load import pin
from bench.servers import OUT, server_env
from graph.relay import decode_id

EVENTS = 100  # p99 of 100 is the second worst, not the worst
BLOCKS = 4  # of EVENTS / BLOCKS events each, Soundpost's and raw's interleaved
SUBSCRIPTION = """subscription { friendMoments { ... on PostcardPosted { cursor postcard {
  id caption author { username } track { title artist } } } } }"""
CREATE = """mutation ($input: CreatePostcardInput!) { createPostcard(input: $input) {
  postcard { id } errors { code } } }"""


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def make_database(url: str, followers: int) -> tuple[str, list[str]]:
    """A fresh database: one author and `followers` members following them, with tokens."""
    from tortoise import Tortoise
    from tortoise.contrib.test import truncate_all_models
    from tortoise.migrations.api import migrate

    from models import AccessToken, Follow, User
    from resolvers.tokens import hash_token
    from server.database import tortoise_config

    config = tortoise_config(url)
    await migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    try:
        await truncate_all_models()
        await User.bulk_create(
            [User(id=n, username=f"member{n}", password_hash="x") for n in range(1, followers + 2)]
        )
        author = followers + 1
        await Follow.bulk_create(
            [Follow(follower_id=n, followee_id=author) for n in range(1, followers + 1)]
        )
        tokens = [secrets.token_urlsafe(16) for _ in range(followers + 1)]
        expires = datetime.now(UTC) + timedelta(days=1)
        await AccessToken.bulk_create(
            [
                AccessToken(user_id=n + 1, token_hash=hash_token(t), expires_at=expires)
                for n, t in enumerate(tokens)
            ]
        )
        return tokens[-1], tokens[:-1]
    finally:
        await Tortoise.close_connections()


@asynccontextmanager
async def process(args: list[str], env: dict[str, str], ready_url: str) -> AsyncIterator[int]:
    proc = subprocess.Popen([*pin(0), sys.executable, *args], env=env)
    try:
        async with httpx.AsyncClient() as http, asyncio.timeout(60):
            while True:
                try:
                    await http.get(ready_url)
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
        yield proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


class Clients:
    """N websocket clients recording when each message arrives."""

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = {}
        self.sockets: list[ClientConnection] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.size = 0

    async def reader(self, ws: ClientConnection, key: Any) -> None:
        async for raw in ws:
            now = time.monotonic()
            self.size = max(self.size, len(raw))
            self.arrivals.setdefault(key(raw), []).append(now)

    def start(self, ws: ClientConnection, key: Any) -> None:
        self.sockets.append(ws)
        self.tasks.append(asyncio.create_task(self.reader(ws, key)))

    async def all_arrived(self, key: str, count: int) -> list[float]:
        """The arrival times of message `key` once `count` clients have it."""
        async with asyncio.timeout(30):
            while len(self.arrivals.get(key, [])) < count:
                await asyncio.sleep(0.001)
        return self.arrivals[key]

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


def caption_key(raw: str | bytes) -> str:
    message = json.loads(raw)
    if message.get("type") != "next":
        return message.get("type", "?")
    return message["payload"]["data"]["friendMoments"]["postcard"]["caption"]


class Soundpost:
    """The app as users run it, `subscribers` followers subscribed to friendMoments."""

    def __init__(self, subscribers: int) -> None:
        self.subscribers = subscribers
        self.clients = Clients()
        self.from_start: list[float] = []
        self.mutation: list[float] = []
        self.captions: dict[str, int] = {}
        self.events = 0

    async def start(self, stack: AsyncExitStack) -> None:
        url = f"sqlite://{OUT / 'fanout.sqlite3'}"
        self.author_token, tokens = await make_database(url, self.subscribers)
        port = _port()
        env = server_env(url, SUBSCRIBER_QUEUE_SIZE="1000", WS_MAX_CONNECTIONS_PER_USER="100")
        self.base = f"http://127.0.0.1:{port}"
        pid = await stack.enter_async_context(
            process(["-m", "bench.servers", "app", str(port)], env, self.base + "/healthz")
        )
        await asyncio.sleep(1)
        before = rss_kb(pid)
        for token in tokens:
            ws = await connect(
                self.base.replace("http", "ws") + "/graphql",
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                max_size=None,
            )
            auth = {"authorization": f"Bearer {token}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": auth}))
            await ws.recv()
            subscribe = {"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIPTION}}
            await ws.send(json.dumps(subscribe))
            self.clients.start(ws, caption_key)
        stack.push_async_callback(self.clients.close)
        await asyncio.sleep(2)
        self.rss_per_connection_kb = (rss_kb(pid) - before) / self.subscribers
        self.http = await stack.enter_async_context(httpx.AsyncClient(base_url=self.base))

    async def event(self) -> None:
        caption = f"fan-out {self.events}"
        self.events += 1
        t0 = time.monotonic()
        response = await self.http.post(
            "/graphql",
            json={
                "query": CREATE,
                "variables": {
                    "input": {"track": {"title": "Song", "artist": "Band"}, "caption": caption}
                },
            },
            headers={"Authorization": f"Bearer {self.author_token}"},
        )
        self.mutation.append(time.monotonic() - t0)
        postcard = response.json()["data"]["createPostcard"]["postcard"]["id"]
        self.captions[caption] = decode_id(postcard, "Postcard")
        arrivals = await self.clients.all_arrived(caption, self.subscribers)
        self.from_start.append(max(arrivals) - t0)

    async def results(self) -> dict[str, Any]:
        # from the commit: the server's publish, on the machine's shared monotonic clock
        published = (await self.http.get("/bench/published")).json()
        latencies = [
            max(self.clients.arrivals[caption]) - published[str(pk)]
            for caption, pk in self.captions.items()
        ]
        return {
            "subscribers": self.subscribers,
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": _p99(latencies) * 1000,
            "each_ms": [round(x * 1000, 1) for x in latencies],
            "from_mutation_start_p50_ms": statistics.median(self.from_start) * 1000,
            "from_mutation_start_p99_ms": _p99(self.from_start) * 1000,
            "mutation_p50_ms": statistics.median(self.mutation) * 1000,
            "rss_per_idle_connection_kb": self.rss_per_connection_kb,
            "message_bytes": self.clients.size,
        }


RAW_SERVER = """
import asyncio, sys
from websockets.asyncio.server import serve, broadcast
clients = set()
async def handler(ws):
    if ws.request.path == "/go":
        async for message in ws:
            broadcast(clients, message)
        return
    clients.add(ws)
    try:
        await ws.wait_closed()
    finally:
        clients.discard(ws)
async def health(connection, request):
    if request.path == "/healthz":
        return connection.respond(200, "ok")
async def main():
    async with serve(handler, "127.0.0.1", int(sys.argv[1]), process_request=health, compression=None):
        await asyncio.Future()
asyncio.run(main())
"""


class Raw:
    """The same number of clients of a bare `websockets` server broadcasting a message of
    the same size."""

    def __init__(self, subscribers: int) -> None:
        self.subscribers = subscribers
        self.clients = Clients()
        self.latencies: list[float] = []
        self.events = 0

    async def start(self, stack: AsyncExitStack) -> None:
        port = _port()
        base = f"http://127.0.0.1:{port}"
        pid = await stack.enter_async_context(
            process(["-c", RAW_SERVER, str(port)], dict(os.environ), base + "/healthz")
        )
        await asyncio.sleep(1)
        before = rss_kb(pid)
        for _ in range(self.subscribers):
            ws = await connect(f"ws://127.0.0.1:{port}/", compression=None, max_size=None)
            self.clients.start(ws, lambda raw: json.loads(raw)["payload"]["data"]["caption"])
        stack.push_async_callback(self.clients.close)
        await asyncio.sleep(2)
        self.rss_per_connection_kb = (rss_kb(pid) - before) / self.subscribers
        self.go = await stack.enter_async_context(
            connect(f"ws://127.0.0.1:{port}/go", compression=None)
        )

    async def event(self, size: int) -> None:
        caption = f"raw {self.events}"
        self.events += 1
        message = json.dumps(
            {"id": "1", "type": "next", "payload": {"data": {"caption": caption, "pad": ""}}}
        )
        message = message.replace('"pad": ""', '"pad": "' + "x" * max(0, size - len(message)) + '"')
        t0 = time.monotonic()
        await self.go.send(message)
        arrivals = await self.clients.all_arrived(caption, self.subscribers)
        self.latencies.append(max(arrivals) - t0)

    def results(self) -> dict[str, Any]:
        return {
            "subscribers": self.subscribers,
            "p50_ms": statistics.median(self.latencies) * 1000,
            "p99_ms": _p99(self.latencies) * 1000,
            "rss_per_idle_connection_kb": self.rss_per_connection_kb,
        }


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def measure(subscribers: int) -> dict[str, Any]:
    """Both servers up with their clients at once; events in interleaved blocks
    (Soundpost, raw, Soundpost, raw, …), so a noisy spell of the machine falls on both."""
    raise_file_limit()
    with_affinity = hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1
    if with_affinity:
        os.sched_setaffinity(0, {1})
    print(f"== fan-out to {subscribers} subscribers")
    soundpost, raw = Soundpost(subscribers), Raw(subscribers)
    async with AsyncExitStack() as stack:
        await soundpost.start(stack)
        await raw.start(stack)
        for _ in range(BLOCKS):
            for _ in range(EVENTS // BLOCKS):
                await soundpost.event()
            for _ in range(EVENTS // BLOCKS):
                await raw.event(soundpost.clients.size)
        ours = await soundpost.results()
    theirs = raw.results()
    print(f"   soundpost: {ours}")
    print(f"   raw websockets: {theirs}")
    return {"soundpost": ours, "raw": theirs, "p99_ratio": ours["p99_ms"] / theirs["p99_ms"]}
