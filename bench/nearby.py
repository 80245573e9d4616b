"""Nearby at 100k moments (issue 15 item 3): on the bench's seeded dataset (bench/run.py
`prepare`: 100,000 moments, 72% of them at places clustered around 15 cities), the plans of
the nearby statements (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) and the
latency of whole GraphQL requests answered in-process (httpx's ASGI transport, no server,
no network): `nearby` and `nearbyPlaces` around seeded places, against `explore` with the
same selection, interleaved in blocks in the same run, p50 and p99 and their ratios.

    python -m bench.nearby DATABASE_URL [--requests 400]

`make bench` runs it for each database after the throughput part (bench/run.py)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx

from bench.servers import TOKENS, server_env

SELECTION = "edges { node { id caption createdAt likeCount author { username avatarUrl }"
SELECTION += " track { title artist } place { name latitude longitude } } }"
NEARBY = (
    "query Nearby($lat: Float!, $lng: Float!, $r: Float!) {"
    f" nearby(latitude: $lat, longitude: $lng, radiusMeters: $r, first: 20) {{ {SELECTION} }} }}"
)
NEARBY_PLACES = (
    "query NearbyPlaces($lat: Float!, $lng: Float!, $r: Float!) {"
    " nearbyPlaces(latitude: $lat, longitude: $lng, radiusMeters: $r, first: 20) {"
    " edges { distanceMeters node { id name latitude longitude postcardCount } } } }"
)
EXPLORE = f"query Explore {{ explore(first: 20) {{ {SELECTION} }} }}"
RADII = (500.0, 2_000.0, 10_000.0)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def plans(points: list[tuple[float, float]]) -> dict[str, str]:
    """Each statement's plan around the busiest place, as a signed-in viewer sees it."""
    from tortoise import Tortoise

    from models import User
    from resolvers import places, tokens

    viewer = await tokens.viewer_for_token(TOKENS.read_text().split()[4])
    assert isinstance(viewer, User)
    conn = Tortoise.get_connection("default")
    postgres = conn.capabilities.dialect == "postgres"
    where = places.circle(*points[0], 2_000)
    found = {}
    for name, (sql, params) in (
        ("nearby", places.nearby_sql(viewer, where, 21, None)),
        ("nearbyPlaces", places.nearby_places_sql(viewer, where, 21, None)),
    ):
        prefix = "EXPLAIN (ANALYZE, COSTS OFF) " if postgres else "EXPLAIN QUERY PLAN "
        _, rows = await conn.execute_query(prefix + sql, params.values)
        lines = [str(row[0]) if postgres else str(row["detail"]) for row in rows]
        found[name] = "\n".join(lines)
    return found


async def measure(url: str, requests: int) -> dict[str, Any]:
    from tortoise import Tortoise

    from models import Place
    from server.app import create_app
    from server.settings import Settings

    os.environ.update(server_env(url))
    app = create_app(Settings())
    token = TOKENS.read_text().split()[4]  # an ordinary bench viewer
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with app.router.lifespan_context(app):
        busiest = (
            await Place.filter(latitude__not_isnull=True).order_by("-postcard_count").limit(60)
        )
        points = [(p.latitude, p.longitude) for p in busiest]
        assert points, "no places in the bench dataset: delete bench/out and reseed"
        placed = await Tortoise.get_connection("default").execute_query_dict(
            "SELECT count(*) AS n FROM postcards WHERE place_id IS NOT NULL"
        )
        rng = random.Random(5)
        bodies = {
            "nearby": [
                json.dumps(
                    {
                        "query": NEARBY,
                        "variables": {"lat": lat, "lng": lng, "r": rng.choice(RADII)},
                    }
                )
                for lat, lng in (rng.choice(points) for _ in range(requests))
            ],
            "nearbyPlaces": [
                json.dumps(
                    {
                        "query": NEARBY_PLACES,
                        "variables": {"lat": lat, "lng": lng, "r": rng.choice(RADII)},
                    }
                )
                for lat, lng in (rng.choice(points) for _ in range(requests))
            ],
            "explore": [json.dumps({"query": EXPLORE})] * requests,
        }
        timings: dict[str, list[float]] = {name: [] for name in bodies}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def once(body: str) -> float:
                started = time.perf_counter()
                response = await client.post("/graphql", content=body, headers=headers)
                took = (time.perf_counter() - started) * 1000
                answer = response.json()
                assert response.status_code == 200 and "errors" not in answer, answer
                return took

            for listed in bodies.values():  # warm up
                for body in listed[:20]:
                    await once(body)
            block = 20
            for start in range(0, requests, block):  # interleaved blocks
                for name, listed in bodies.items():
                    for body in listed[start : start + block]:
                        timings[name].append(await once(body))
        found_plans = await plans(points)
    result: dict[str, Any] = {
        "placed_moments": int(placed[0]["n"]),
        "requests": requests,
        "radii_m": list(RADII),
        "plans": found_plans,
    }
    for name, values in timings.items():
        result[name] = {
            "p50_ms": round(statistics.median(values), 3),
            "p99_ms": round(percentile(values, 0.99), 3),
        }
    explore = result["explore"]
    for name in ("nearby", "nearbyPlaces"):
        result[name]["p50_over_explore"] = round(result[name]["p50_ms"] / explore["p50_ms"], 3)
        result[name]["p99_over_explore"] = round(result[name]["p99_ms"] / explore["p99_ms"], 3)
    return result


def measure_in_subprocess(url: str, requests: int = 400) -> dict[str, Any]:
    """In a process of its own: tortoise caches compiled statements per model, so one
    process cannot switch from SQLite to PostgreSQL (as bench/run.py's preparation)."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.nearby", url, "--requests", str(requests), "--json"],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def report(result: dict[str, Any]) -> str:
    lines = [f"   nearby at {result['placed_moments']:,} placed moments:"]
    for name in ("nearby", "nearbyPlaces", "explore"):
        figures = result[name]
        ratio = ""
        if "p50_over_explore" in figures:
            ratio = (
                f" ({figures['p50_over_explore']:.2f}x / {figures['p99_over_explore']:.2f}x"
                " explore's)"
            )
        lines.append(
            f"     {name}: p50 {figures['p50_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms{ratio}"
        )
    for name, plan in result["plans"].items():
        lines.append(f"     plan of {name}:")
        lines += [f"       {line}" for line in plan.splitlines()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.nearby", description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--requests", type=int, default=400, help="per query")
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    args = parser.parse_args()
    result = asyncio.run(measure(args.database_url, args.requests))
    print(json.dumps(result) if args.json else report(result))


if __name__ == "__main__":
    main()
