"""Real servers: the app on an in-process uvicorn (`serve`), `soundpost serve` processes
(`soundpost_serve`), and a redis-server and a PostgreSQL of the test's own.

No port races. `serve` hands uvicorn a socket bound here. A `soundpost serve` process is
given PORT=0: uvicorn binds a port nobody has and logs which. redis-server and PostgreSQL
cannot bind port 0 and say so: they are started on a port that was free a moment ago and,
if another process took it meanwhile (the child exits: "Address already in use"), on
another one (`on_a_free_port`). A restart on the port a stopped one had cannot move: it
fails loudly if that port was taken meanwhile."""

from __future__ import annotations

import asyncio
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import redis
import uvicorn
from redis.backoff import NoBackoff
from redis.retry import Retry
from starlette.types import ASGIApp

from server.cli import WEBSOCKETS

WAIT = 5.0
READY_WAIT = 20.0  # a `soundpost serve` process imports the app and opens the database
PORT_ATTEMPTS = 5
TAKEN = "Address already in use"

T = TypeVar("T")


# --- the app in this process --------------------------------------------------------------


@asynccontextmanager
async def serve(app: ASGIApp) -> AsyncIterator[str]:
    """Run `app` on a real uvicorn in this event loop; yields its websocket URL."""
    async with _uvicorn(app, "127.0.0.1", **WEBSOCKETS) as port:  # as `soundpost serve` runs
        yield f"ws://127.0.0.1:{port}/graphql"


@asynccontextmanager
async def serve_http(app: ASGIApp, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Run a plain HTTP `app` on a real uvicorn in this event loop, on `host` (an IPv4 or
    IPv6 address); yields its base URL, `http://127.0.0.1:PORT` or `http://[::1]:PORT`."""
    async with _uvicorn(app, host) as port:
        yield f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@asynccontextmanager
async def _uvicorn(app: ASGIApp, host: str, **options: Any) -> AsyncIterator[int]:
    """`app` on uvicorn in this event loop, on `host`, until the block ends; yields the port."""
    # A socket bound here, not a port number: no window for another process to take it.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.bind((host, 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="off",  # the session `app` fixture already opened the database
        log_level="warning",
        **options,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(WAIT):
            while not server.started:
                if task.done():
                    task.result()  # surfaces why the server could not start
                await asyncio.sleep(0.01)
        yield port
    finally:
        server.should_exit = True
        async with asyncio.timeout(WAIT):
            await task
        sock.close()


# --- ports for child processes ------------------------------------------------------------


class PortTaken(Exception):
    """A child process could not bind the port it was given: another process has it."""


def free_port() -> int:
    """A port nobody listened on a moment ago: a candidate only, see `on_a_free_port`."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def on_a_free_port(start: Callable[[int], T], attempts: int = PORT_ATTEMPTS) -> T:
    """`start(port)` on a port that was free a moment ago; on another one while it raises
    PortTaken (another process bound that port between our look and the child's bind)."""
    for _ in range(attempts - 1):
        try:
            return start(free_port())
        except PortTaken:
            continue
    return start(free_port())


# --- `soundpost serve` --------------------------------------------------------------------


@dataclass
class Served:
    """A running `soundpost serve` process."""

    base: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[bytes]

    @property
    def ws_url(self) -> str:
        return self.base.replace("http://", "ws://") + "/graphql"


RUNNING_ON = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


def _spawn_serve(environment: Mapping[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
    """`python -m server.cli serve`, its log in a file of its own (the child appends to it;
    we read it apart)."""
    fd, name = tempfile.mkstemp(prefix="soundpost-serve-", suffix=".log")
    os.close(fd)
    log = Path(name)
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve"],
            env=dict(environment),
            stdout=subprocess.DEVNULL,  # the access log
            stderr=output,
        )
    return process, log


def _text(log: Path) -> str:
    return log.read_text(errors="replace")


@asynccontextmanager
async def soundpost_serve(
    broadcast_url: str,
    database_url: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    quiet: bool = False,
) -> AsyncIterator[Served]:
    """A real `soundpost serve` process (this environment, `env` on top), once /readyz
    answers 200. Its log goes to a file, printed when it stops (pytest shows it for a
    failing test) unless `quiet`; uvicorn's access log is dropped."""
    environment = {
        **os.environ,
        "BROADCAST_URL": broadcast_url,
        # port 0: uvicorn binds one nobody has, and says which at level info
        "PORT": "0",
        "LOG_LEVEL": "info",
        **(env or {}),
    }
    if database_url:
        environment["DATABASE_URL"] = database_url
    process, log = _spawn_serve(environment)
    try:
        try:
            async with asyncio.timeout(READY_WAIT):
                while not (running := RUNNING_ON.search(_text(log))):
                    assert process.poll() is None, "soundpost serve exited"
                    await asyncio.sleep(0.05)
                base = f"http://127.0.0.1:{running.group(1)}"
                async with httpx.AsyncClient(base_url=base) as http:
                    while True:
                        try:
                            if (await http.get("/readyz")).status_code == 200:
                                break
                        except httpx.TransportError:
                            pass
                        assert process.poll() is None, "soundpost serve exited"
                        await asyncio.sleep(0.1)
        except (AssertionError, TimeoutError) as error:
            raise AssertionError(
                f"soundpost serve did not get ready: {error!r}\n{_text(log)}"
            ) from error
        yield Served(base, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if not quiet:
            print(f"--- soundpost serve's log ---\n{_text(log)}")
        os.unlink(log)


# --- a redis-server of the test's own -----------------------------------------------------


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=10)


def _owner(port: int) -> int | None:
    """The process id of the redis-server answering on `port`, if one does."""
    client = redis.Redis(
        host="127.0.0.1",
        port=port,
        socket_timeout=0.2,
        socket_connect_timeout=0.2,
        retry=Retry(NoBackoff(), 0),  # asked again by the caller, not by redis-py
    )
    try:
        return int(client.info("server")["process_id"])
    except redis.RedisError:
        return None
    finally:
        client.close()


def _start_redis(port: int) -> PrivateRedis:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed for the broker fault tests"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started = PrivateRedis(port, process)
        deadline = time.monotonic() + WAIT
        # accepting connections, and ours: not another redis-server that has the port
        while (owner := _owner(port)) != process.pid:
            if process.poll() is not None or owner is not None:
                started.stop()
                log.seek(0)
                output = log.read().decode(errors="replace")
                if TAKEN in output or owner is not None:
                    raise PortTaken(port)
                raise AssertionError(f"redis-server exited:\n{output}")
            if time.monotonic() > deadline:
                started.stop()
                raise TimeoutError(f"redis-server on port {port} did not answer")
            time.sleep(0.02)
    return started


@contextmanager
def private_redis(port: int | None = None) -> Iterator[PrivateRedis]:
    """A redis-server of the test's own, on a free port, or on `port` (to start one again
    where a stopped one was)."""
    started = _start_redis(port) if port else on_a_free_port(_start_redis)
    try:
        yield started
    finally:
        started.stop()


# --- a PostgreSQL of the test's own -------------------------------------------------------


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version)
    path = found[-1] if found else shutil.which(name)
    assert path, f"the PostgreSQL server binary {name!r} is needed for the fault test"
    return path


def _version(path: str) -> int:
    try:
        return int(Path(path).parts[-3])
    except ValueError:
        return 0


def as_postgres(command: list[str], **options: object) -> subprocess.CompletedProcess[bytes]:
    """PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, timeout=60, **options)  # type: ignore[call-overload, no-any-return]


@dataclass
class PrivatePostgres:
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/soundpost"

    def ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        as_postgres(
            [
                pg_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.data / "log"),
                "-w",
                "-t",
                "30",
                "-o",
                options,
                *args,
            ]
        )

    def start(self) -> None:
        log = self.data / "log"
        seen = log.stat().st_size if log.exists() else 0
        try:
            self.ctl("start")
        except subprocess.CalledProcessError:
            with log.open("rb") as lines:
                lines.seek(seen)
                if TAKEN in lines.read().decode(errors="replace"):
                    raise PortTaken(self.port) from None
            raise

    def stop(self) -> None:
        self.ctl("stop", "-m", "fast")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL of the test's own (initdb in a temporary directory, a free port), with
    an empty database `soundpost`."""
    root = Path(tempfile.mkdtemp(prefix="soundpost-pg-", dir="/tmp"))
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
    try:
        as_postgres(
            [
                pg_bin("initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ]
        )

        def start(port: int) -> PrivatePostgres:
            pg = PrivatePostgres(data, port)
            pg.start()
            return pg

        pg = on_a_free_port(start)
        as_postgres(
            [
                pg_bin("createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(pg.port),
                "-U",
                "postgres",
                "soundpost",
            ]
        )
        yield pg
    finally:
        # Always stopped, even when the test failed half-way; then its files go.
        subprocess.run(
            (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
            + [pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)
