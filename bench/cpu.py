"""The feed's CPU beyond ceiling B, in one process: the app and B answer the same FEED
query in alternating blocks of requests (B is the app with the lookups patched to memory,
so switching is swapping those functions back and forth), over httpx's ASGI transport.
Steadier than two servers under wrk when looking for where the difference goes:

    DATABASE_URL=... python -m bench.cpu [--blocks 40] [--per-block 40] [--real feed]

after `make bench` has prepared that database (its viewers' tokens are in bench/out/).
`--real NAME` keeps only that lookup real in the app's blocks (`feed`, `first_comments`,
`viewer_for_token`, …), to price one part. Not part of `make bench`: a profiling aid
(`py-spy record -- python -m bench.cpu` shows the parts)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from typing import Any

import httpx

from bench.run import FEED
from bench.servers import TOKENS, memory_app, server_env
from server.cli import tune_gc
from server.settings import Settings


async def measure(blocks: int, per_block: int, real_only: list[str]) -> dict[str, float]:
    app = memory_app(Settings(host="127.0.0.1", port=1))
    patches = app.state.memory_patches
    memory = {(module, name): fake for module, name, _, fake in patches}
    real = {
        (module, name): function if not real_only or name in real_only else fake
        for module, name, function, fake in patches
    }

    def use(functions: dict[tuple[Any, str], Any]) -> None:
        for (module, name), function in functions.items():
            setattr(module, name, function)

    tokens = TOKENS.read_text().split()
    body = json.dumps({"query": FEED, "variables": {}})
    tune_gc()  # as `soundpost serve` does
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def feed(n: int) -> dict[str, Any]:
                response = await client.post(
                    "/graphql",
                    content=body,
                    headers={
                        "content-type": "application/json",
                        "authorization": f"Bearer {tokens[n % len(tokens)]}",
                    },
                )
                answer = response.json()
                assert response.status_code == 200 and "errors" not in answer, answer
                return answer["data"]  # type: ignore[no-any-return]

            use(real)
            ours = await feed(0)
            use(memory)
            assert await feed(0) == ours, "B answers differently"
            for n in range(100):  # warm both
                use(real)
                await feed(n)
                use(memory)
                await feed(n)
            cpu = {"B": 0.0, "app": 0.0}
            for block in range(blocks):
                order = [("B", memory), ("app", real)]
                for label, functions in order if block % 2 == 0 else order[::-1]:
                    use(functions)
                    started = time.process_time()
                    for n in range(per_block):
                        await feed(block * per_block + n)
                    cpu[label] += time.process_time() - started
    requests = blocks * per_block
    b_ms, app_ms = 1000 * cpu["B"] / requests, 1000 * cpu["app"] / requests
    return {"B_ms": b_ms, "app_ms": app_ms, "beyond_B_ms": app_ms - b_ms, "ratio": b_ms / app_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=40)
    parser.add_argument("--per-block", type=int, default=40)
    parser.add_argument("--real", action="append", default=[], help="keep only this real")
    args = parser.parse_args()
    os.environ.update(server_env(os.environ["DATABASE_URL"]))  # as the bench's servers run
    result = asyncio.run(measure(args.blocks, args.per_block, args.real))
    print(
        f"CPU per feed request: B {result['B_ms']:.3f} ms, app {result['app_ms']:.3f} ms,"
        f" beyond B {result['beyond_B_ms']:.3f} ms, B / app {result['ratio']:.3f}"
    )


if __name__ == "__main__":
    main()
