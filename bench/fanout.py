"""Fan-out: one author, N subscribed followers on real websockets. Time from the mutation's
commit (the server publishes right after it) to the last delivery, against a raw `websockets` broadcast of the same payload to the same
number of clients in the same run; and server memory per idle subscribed connection."""

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
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.load import pin
from bench.servers import OUT, server_env
from graph.relay import decode_id

EVENTS = 100  # p99 of 100 is the second worst, not the worst
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

    from graph.settings import tortoise_config
    from models import AccessToken, Follow, User
    from resolvers.auth import hash_token

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

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


def caption_key(raw: str | bytes) -> str:
    message = json.loads(raw)
    if message.get("type") != "next":
        return message.get("type", "?")
    return message["payload"]["data"]["friendMoments"]["postcard"]["caption"]


async def measure_soundpost(subscribers: int) -> dict[str, Any]:
    url = f"sqlite://{OUT / 'fanout.sqlite3'}"
    author_token, tokens = await make_database(url, subscribers)
    port = _port()
    env = server_env(
        url,
        SUBSCRIBER_QUEUE_SIZE="1000",
        WS_MAX_CONNECTIONS_PER_USER="100",
    )
    base = f"http://127.0.0.1:{port}"
    async with process(["-m", "bench.servers", "app", str(port)], env, base + "/healthz") as pid:
        await asyncio.sleep(1)
        before = rss_kb(pid)
        clients = Clients()
        for token in tokens:
            ws = await connect(
                base.replace("http", "ws") + "/graphql",
                subprotocols=["graphql-transport-ws"],
                max_size=None,
            )  # type: ignore[list-item]
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
                )
            )
            await ws.recv()
            await ws.send(
                json.dumps({"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIPTION}})
            )
            clients.start(ws, caption_key)
        await asyncio.sleep(2)
        idle = rss_kb(pid)
        from_start, mutation, captions = [], [], {}
        async with httpx.AsyncClient(base_url=base) as http:
            for n in range(EVENTS):
                caption = f"fan-out {n}"
                t0 = time.monotonic()
                response = await http.post(
                    "/graphql",
                    json={
                        "query": CREATE,
                        "variables": {
                            "input": {
                                "track": {"title": "Song", "artist": "Band"},
                                "caption": caption,
                            }
                        },
                    },
                    headers={"Authorization": f"Bearer {author_token}"},
                )
                mutation.append(time.monotonic() - t0)
                postcard = response.json()["data"]["createPostcard"]["postcard"]["id"]
                captions[caption] = decode_id(postcard, "Postcard")
                async with asyncio.timeout(30):
                    while len(clients.arrivals.get(caption, [])) < subscribers:
                        await asyncio.sleep(0.001)
                from_start.append(max(clients.arrivals[caption]) - t0)
            published = (await http.get("/bench/published")).json()
        # from the commit (the server's publish, on the shared monotonic clock)
        latencies = [
            max(clients.arrivals[caption]) - published[str(pk)] for caption, pk in captions.items()
        ]
        payload_bytes = clients.size
        await clients.close()
    return {
        "subscribers": subscribers,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": _p99(latencies) * 1000,
        "each_ms": [round(x * 1000, 1) for x in latencies],
        "from_mutation_start_p50_ms": statistics.median(from_start) * 1000,
        "from_mutation_start_p99_ms": _p99(from_start) * 1000,
        "mutation_p50_ms": statistics.median(mutation) * 1000,
        "rss_per_idle_connection_kb": (idle - before) / subscribers,
        "message_bytes": payload_bytes,
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


async def measure_raw(subscribers: int, size: int) -> dict[str, Any]:
    """The same number of clients and a message of the same size, broadcast by a bare
    `websockets` server."""
    port = _port()
    base = f"http://127.0.0.1:{port}"
    async with process(["-c", RAW_SERVER, str(port)], dict(os.environ), base + "/healthz") as pid:
        await asyncio.sleep(1)
        before = rss_kb(pid)
        clients = Clients()
        for _ in range(subscribers):
            ws = await connect(f"ws://127.0.0.1:{port}/", compression=None, max_size=None)
            clients.start(ws, lambda raw: json.loads(raw)["payload"]["data"]["caption"])
        await asyncio.sleep(2)
        idle = rss_kb(pid)
        latencies = []
        async with connect(f"ws://127.0.0.1:{port}/go", compression=None) as go:
            for n in range(EVENTS):
                caption = f"raw {n}"
                message = json.dumps(
                    {
                        "id": "1",
                        "type": "next",
                        "payload": {"data": {"caption": caption, "pad": ""}},
                    }
                )
                message = message.replace(
                    '"pad": ""', '"pad": "' + "x" * max(0, size - len(message)) + '"'
                )
                t0 = time.monotonic()
                await go.send(message)
                async with asyncio.timeout(30):
                    while len(clients.arrivals.get(caption, [])) < subscribers:
                        await asyncio.sleep(0.001)
                latencies.append(max(clients.arrivals[caption]) - t0)
        await clients.close()
    return {
        "subscribers": subscribers,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": _p99(latencies) * 1000,
        "rss_per_idle_connection_kb": (idle - before) / subscribers,
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
    raise_file_limit()
    with_affinity = hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1
    if with_affinity:
        os.sched_setaffinity(0, {1})
    print(f"== fan-out to {subscribers} subscribers")
    soundpost = await measure_soundpost(subscribers)
    print(f"   soundpost: {soundpost}")
    raw = await measure_raw(subscribers, soundpost["message_bytes"])
    print(f"   raw websockets: {raw}")
    return {
        "soundpost": soundpost,
        "raw": raw,
        "p99_ratio": soundpost["p99_ms"] / raw["p99_ms"],
    }
