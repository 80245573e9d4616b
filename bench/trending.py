"""Trending at the bench's dataset (README, "Trending"), in one process: the time to
recompute a snapshot, and the latency of a trending page against explore's on the same data
and the same viewers, in alternating blocks of requests over httpx's ASGI transport (a
ratio within one run, as the machine is shared and noisy).

    python -m bench.trending [--url DATABASE_URL] [--blocks 20] [--per-block 25]

after `make bench` (or `python -m bench.run --prepare-only`) has prepared that database
(its viewers' tokens are in bench/out/); `make bench` runs it on each database. The seeded
moments end when the dataset was seeded, so the snapshot is computed as of a minute after
the newest moment: its 48-hour window holds the dataset's last two days."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

import httpx

from bench.servers import OUT, TOKENS

PAGE = """edges { node { id caption createdAt likeCount viewerHasLiked commentCount
  author { username displayName avatarUrl } track { title artist album spotifyUrl artworkUrl }
  photo { url source } place { name latitude longitude } } }"""
QUERIES = {
    "trending": f"query Trending {{ trending(first: 20) {{ {PAGE} }} }}",
    "explore": f"query Explore {{ explore(first: 20) {{ {PAGE} }} }}",
}
RECOMPUTES = 5


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(url: str, blocks: int, per_block: int) -> dict[str, Any]:
    from models import Postcard, RankingEntry
    from resolvers import trending
    from server.app import create_app
    from server.cli import tune_gc
    from server.settings import Settings

    settings = Settings(
        database_url=url,
        trending_interval_seconds=0,
        media_sweep_interval_seconds=0,
        rate_limit_points=10**9,
        rate_limit_anonymous_points=10**9,
        cost_in_response=False,
    )
    app = create_app(settings)
    tokens = TOKENS.read_text().split()
    tune_gc()  # as `soundpost serve` does
    async with app.router.lifespan_context(app):
        newest = await Postcard.all().order_by("-created_at").first()
        assert newest is not None, "an empty database: prepare it first"
        at = newest.created_at + timedelta(minutes=1)
        window = await Postcard.filter(created_at__gt=at - trending.WINDOW).count()
        took = []
        for _ in range(RECOMPUTES):
            started = time.perf_counter()
            snapshot = await trending.recompute(at)
            took.append((time.perf_counter() - started) * 1000)
        entries = await RankingEntry.filter(snapshot_id=snapshot).count()

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def ask(name: str, n: int) -> float:
                started = time.perf_counter()
                response = await client.post(
                    "/graphql",
                    json={"query": QUERIES[name]},
                    headers={"authorization": f"Bearer {tokens[n % len(tokens)]}"},
                )
                elapsed = (time.perf_counter() - started) * 1000
                answer = response.json()
                assert response.status_code == 200 and "errors" not in answer, answer
                return elapsed

            for n in range(50):  # warm both
                await ask("trending", n)
                await ask("explore", n)
            times: dict[str, list[float]] = {name: [] for name in QUERIES}
            for block in range(blocks):
                order = list(QUERIES) if block % 2 == 0 else list(QUERIES)[::-1]
                for name in order:
                    for n in range(per_block):
                        times[name].append(await ask(name, block * per_block + n))
    latency = {
        name: {
            "p50_ms": round(statistics.median(values), 3),
            "p99_ms": round(percentile(values, 0.99), 3),
        }
        for name, values in times.items()
    }
    return {
        "window_moments": window,
        "snapshot_entries": entries,
        "recompute_ms": round(statistics.median(took), 1),
        "latency": latency,
        "ratios": {
            "trending_p50_over_explore_p50": round(
                latency["trending"]["p50_ms"] / latency["explore"]["p50_ms"], 3
            ),
            "trending_p99_over_explore_p99": round(
                latency["trending"]["p99_ms"] / latency["explore"]["p99_ms"], 3
            ),
        },
    }


def measure_in_subprocess(url: str, blocks: int = 20, per_block: int = 25) -> dict[str, Any]:
    """A process per database: tortoise caches compiled statements per model."""
    command = [sys.executable, "-m", "bench.trending", "--url", url, "--blocks", str(blocks)]
    out = subprocess.run(
        [*command, "--per-block", str(per_block)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.trending", description=__doc__)
    parser.add_argument("--url", default=f"sqlite://{OUT / 'bench-10000-100000.sqlite3'}")
    parser.add_argument("--blocks", type=int, default=20)
    parser.add_argument("--per-block", type=int, default=25)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.url, args.blocks, args.per_block))))


if __name__ == "__main__":
    main()
