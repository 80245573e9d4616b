"""Search latency on the bench's dataset (issue 15 item 4), in-process: the app answers
`search` for a few realistic queries and `explore` (the same 20-item page size, its viewer
signed in) in interleaved rounds over httpx's ASGI transport, and each query's p50/p99 is
quoted as a ratio to explore's in the same run (the machine is shared: only ratios
compare). The queries are picked from the data with a fixed seed, so two runs on one
dataset ask the same; `EXPLAIN` of one page statement shows the index it uses.

    python -m bench.search DATABASE_URL [--rounds 60]

prints the results as JSON on its last line (`make bench` runs it per database, after
seeding: bench/run.py)."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from typing import Any

import httpx

from bench.servers import TOKENS

SEARCH = """query Search($q: String!) { search(query: $q, first: 20) { edges { node {
  __typename ... on User { username displayName avatarUrl }
  ... on Track { title artist album }
  ... on Postcard { id caption createdAt likeCount author { username } track { title artist } }
} } pageInfo { hasNextPage endCursor } } }"""
EXPLORE = """query Explore { explore(first: 20) { edges { node {
  id caption createdAt likeCount author { username } track { title artist } } }
  pageInfo { hasNextPage endCursor } } }"""


async def queries() -> dict[str, str]:
    """What people type, taken from the data (the same on every run of one dataset)."""
    from models import Postcard, Track, User

    pick = random.Random(15)
    user = await User.filter(id=pick.randint(1, await User.all().count())).first()
    tracks = await Track.all().order_by("id").limit(500)
    track = pick.choice(tracks)
    placed = await Postcard.exclude(place_name=None).order_by("id").limit(500)
    place = pick.choice(placed).place_name or "park"
    title = max(track.title.split(), key=len)
    typo = title[:-2] + title[-1] if len(title) > 3 else title + "x"
    return {
        "one letter (a first keystroke)": (user.username if user else "m")[:1],
        "username prefix (3 letters)": (user.username if user else "mar")[:3],
        "artist": track.artist,
        "title, two words": " ".join(track.title.split()[:2]),
        "place": place.split()[0],
        "a common word": "the",
        "title with a typo": typo,
        "no match": "zqxjv",
    }


async def measure(url: str, rounds: int) -> dict[str, Any]:
    from tortoise import Tortoise

    from models import User
    from resolvers import search
    from resolvers.sql.hydrate import query_rows
    from resolvers.sql.params import Params
    from server.app import create_app
    from server.settings import Settings

    unmetered = {"rate_limit_points": 10**9, "rate_limit_anonymous_points": 10**9}
    app = create_app(Settings(database_url=url, broadcast_url="memory://", **unmetered))
    token = TOKENS.read_text().split()[-1]  # an ordinary viewer (bench/run.py `prepare`)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with app.router.lifespan_context(app):
        asked = await queries()
        bodies = {"explore": json.dumps({"query": EXPLORE})}
        bodies |= {
            name: json.dumps({"query": SEARCH, "variables": {"q": q}}) for name, q in asked.items()
        }
        found: dict[str, int] = {}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            times: dict[str, list[float]] = {name: [] for name in bodies}
            for round_ in range(rounds + 5):  # 5 to warm up
                for name, payload in bodies.items():
                    started = time.perf_counter()
                    response = await http.post("/graphql", content=payload, headers=headers)
                    elapsed = (time.perf_counter() - started) * 1000
                    answer = response.json()
                    assert "errors" not in answer, answer
                    if round_ >= 5:
                        times[name].append(elapsed)
                    field = "explore" if name == "explore" else "search"
                    found[name] = len(answer["data"][field]["edges"])
        # the plan of one page statement: the full-text index, not a scan
        q = search.Statement(Params(User), search.terms(asked["artist"]), None)
        sql = search.page_sql(q, list(search.Kind), 21, None)
        plan = await query_rows(
            User, f"EXPLAIN {'' if q.postgres else 'QUERY PLAN '}{sql}", q.params.values
        )
        plan_text = [
            " ".join(str(v) for v in (row.values() if hasattr(row, "values") else row))
            for row in plan
        ]
    await Tortoise.close_connections()

    def stats(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {
            "p50_ms": statistics.median(ordered),
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        }

    results = {name: stats(values) for name, values in times.items()}
    base = results["explore"]
    return {
        "rounds": rounds,
        "queries": asked,
        "results_per_page": found,
        "latency": results,
        "ratio_to_explore": {
            name: {
                "p50": r["p50_ms"] / base["p50_ms"],
                "p99": r["p99_ms"] / base["p99_ms"],
            }
            for name, r in results.items()
            if name != "explore"
        },
        "plan": plan_text,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    result = asyncio.run(measure(args.url, args.rounds))
    for name, r in result["latency"].items():
        ratio = result["ratio_to_explore"].get(name)
        vs = f" = {ratio['p50']:.2f} / {ratio['p99']:.2f} x explore" if ratio else ""
        print(f"   {name}: p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms{vs}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
