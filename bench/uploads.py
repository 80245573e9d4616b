"""Upload throughput: photos a second, and each photo's latency, for 12 MP JPEGs (4000x3000,
photo-like: gradients under noise, with EXIF; tests/support/photos.py makes them, one per
client, the same bytes every run) sent as uploadPhoto multipart requests over real HTTP.

The server is the app as `make bench` runs it (bench/servers.py: production settings, one
uvicorn process pinned to core 0, so its event loop and its two pipeline threads share that
core); the clients run here, pinned to core 1 like wrk. CLIENTS members (4, as the other HTTP
rounds' connections) upload at once, each its next photo as soon as the last is answered;
one photo each first, untimed (the warm-up). A latency is the whole request as the client
sees it: sending ~2.8 MB, the multipart parsing, the pipeline, storing three renditions and
the row. Photos a second = timed uploads / the time from the first sent to the last answered.

Its own phase on its own database: a fresh SQLite file, its media folder beside it, in a
temporary directory removed afterwards, and a server of its own started after the feed
servers stopped; the feed datasets and their figures never see an upload. The bench server
lifts the upload limit (RATE_LIMIT_UPLOADS, 50 an hour per account by default) and the
sign-up limit (RATE_LIMIT_SIGN_UP, 5 per 30 minutes per address): the bench server only.

`python -m bench.uploads [--upload-clients 4] [--uploads 64]` runs this part alone: it
prints the figures and merges them into out/results.json and RESULTS.md (its section
only); `make bench` runs it after the throughput part."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.servers import OUT, server_env
from tests.support.api import Api
from tests.support.photos import photo, send

HERE = Path(__file__).parent
SIZE = (4000, 3000)
# The bench server's only: no member, and no address, runs out of uploads or sign-ups.
LIMITS = {"RATE_LIMIT_UPLOADS": "1000000 per hour", "RATE_LIMIT_SIGN_UP": "1000 per minute"}
WAIT = 120.0  # for one answer


@contextmanager
def pinned(core: int) -> Iterator[None]:
    """This thread on one core (the bench servers have core 0), as wrk is: a client that
    wanders onto the server's core would slow the server down."""
    cores = os.cpu_count() or 1
    if cores < 2 or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core % cores})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def answered(response: httpx.Response) -> bool:
    """An upload stored at the photo's size."""
    if response.status_code != 200:
        return False
    payload = (response.json().get("data") or {}).get("uploadPhoto") or {}
    upload = payload.get("upload") or {}
    return (upload.get("width"), upload.get("height")) == SIZE


async def upload_load(base: str, clients: int, per_client: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=WAIT) as http:
        api = Api(http)
        tokens = [(await api.sign_up(f"benchuploader{n}")).token for n in range(clients)]
    photos = [photo(SIZE, seed=n) for n in range(clients)]
    latencies: list[float] = []
    starts: list[float] = []
    errors = 0
    warm = asyncio.Barrier(clients)

    async def member(n: int) -> float:
        """Uploads one photo untimed, then `per_client` timed ones: when the last answered."""
        nonlocal errors
        # a connection of its own, as a phone has
        async with httpx.AsyncClient(base_url=base, timeout=WAIT) as own:
            try:
                first = await send(own, tokens[n], photos[n], f"IMG_{n}_warm.jpg")
                assert answered(first), first.text[:500]
            except BaseException:
                await warm.abort()  # the others stop waiting for this one
                raise
            await warm.wait()
            starts.append(time.perf_counter())
            for k in range(per_client):
                sent = time.perf_counter()
                response = await send(own, tokens[n], photos[n], f"IMG_{n}_{k}.jpg")
                latencies.append(time.perf_counter() - sent)
                errors += not answered(response)
        return time.perf_counter()

    finished = await asyncio.gather(*(member(n) for n in range(clients)))
    seconds = max(finished) - min(starts)
    timed = clients * per_client
    return {
        "clients": clients,
        "uploads": timed,
        "photo": {"width": SIZE[0], "height": SIZE[1], "bytes": len(photos[0])},
        "seconds": round(seconds, 2),
        "photos_per_s": timed / seconds,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * statistics.quantiles(latencies, n=100, method="inclusive")[98],
        "errors": errors,
    }


def measure(clients: int, uploads: int, command: str = "make bench") -> dict[str, Any]:
    """The upload phase, on a database and a server of its own; `uploads` are timed
    uploads in all (rounded up to a multiple of `clients`)."""
    from bench.run import server

    per_client = max(1, -(-uploads // clients))
    print(f"== uploads: {clients} clients, {clients * per_client} timed 12 MP photos", flush=True)
    with tempfile.TemporaryDirectory(prefix="soundpost-bench-uploads-") as folder:
        url = f"sqlite://{Path(folder) / 'uploads.sqlite3'}"
        subprocess.run(
            [sys.executable, "-m", "server.cli", "migrate"], env=server_env(url), check=True
        )
        with server("app", url, **LIMITS) as base, pinned(1):
            result = asyncio.run(upload_load(base, clients, per_client))
    result["when"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["command"] = command
    print(
        f"   {result['photos_per_s']:.2f} photos/s, p50 {result['p50_ms']:.0f} ms,"
        f" p99 {result['p99_ms']:.0f} ms, errors {result['errors']}",
        flush=True,
    )
    return result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--upload-clients", dest="upload_clients", type=int, default=4)
    parser.add_argument("--uploads", type=int, default=64, help="timed uploads in all")


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.uploads", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args()
    command = " ".join(["python -m bench.uploads", *sys.argv[1:]])
    uploads = measure(args.upload_clients, args.uploads, command)
    OUT.mkdir(exist_ok=True)
    path = OUT / "results.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results["uploads"] = uploads
    path.write_text(json.dumps(results, indent=2) + "\n")
    from bench.report import merge_uploads

    print("\n".join(merge_uploads(uploads, HERE / "RESULTS.md")))


if __name__ == "__main__":
    main()
