"""The peer (issue 16): PostGraphile v4 serving the bench's PostgreSQL database, timed in the
same rounds as Soundpost on the same shapes, each server pinned to core 0 and wrk on core 1.

PostGraphile comes from the npm registry (`bench/peer/package.json`, its lock file), runs
in production mode (no GraphiQL, no query log, one process) with the objects of
`bench/peer/peer.sql`: functions mirroring Soundpost's explore and feed page selections, a
member's latest moments and `viewerHasLiked` as computed columns, and the viewer from a
JWT (claim `user_id`) signed with a key of the run. Before anything is timed, both answer
every shape for the same viewers and the data must be the same: ids, captions, counters,
authors, songs, comments (bodies and authors), likers.

`python -m bench.peer` (DATABASE_URL names a prepared bench database) checks and times it
alone; `make bench` runs it per PostgreSQL database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.load import Load, median, pin, run_wrk
from bench.servers import OUT, TOKENS, VIEWERS
from graph.relay import decode_id

HERE = Path(__file__).parent / "peer"
NO_TOKEN = "-"  # bench/feed.lua sends no Authorization header for it

# One node of a moment, as each server spells it.
APP_MOMENT = """id caption createdAt likeCount commentCount
  author { username displayName avatarUrl } track { title artist album spotifyUrl artworkUrl }
  photo { url source } place { name latitude longitude }
  comments(first: 2) { edges { node { body author { username } } } }"""
PEER_MOMENT = """id caption createdAt likeCount commentCount
  author: userByAuthorId { username displayName avatarUrl }
  track: trackByTrackId { title artist album spotifyId artworkUrl }
  photo photoUrl photoSource placeName placeLatitude placeLongitude
  comments: commentsByPostcardId(first: 2, orderBy: [CREATED_AT_ASC, ID_ASC]) {
    nodes { body author: userByAuthorId { username } } }"""


@dataclass(frozen=True)
class Shape:
    """One response shape: each server's document, its variables per request, whether it
    is asked signed in, and how to read the data both must agree on."""

    name: str
    app: str
    peer: str
    signed_in: bool
    app_data: Callable[[dict[str, Any]], Any]
    peer_data: Callable[[dict[str, Any]], Any]


def _pk(global_id: str) -> int:
    for kind in ("Postcard", "User"):
        number = decode_id(global_id, kind)
        if number is not None:
            return number
    raise ValueError(global_id)


def _app_moment(node: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _pk(node["id"]),
        "caption": node["caption"],
        "counts": (node["likeCount"], node["commentCount"]),
        "author": node["author"]["username"],
        "track": (node["track"]["title"], node["track"]["artist"]),
        "comments": [
            (e["node"]["body"], e["node"]["author"]["username"]) for e in node["comments"]["edges"]
        ],
        **({"liked": node["viewerHasLiked"]} if "viewerHasLiked" in node else {}),
    }


def _peer_moment(node: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": int(node["id"]),
        "caption": node["caption"],
        "counts": (node["likeCount"], node["commentCount"]),
        "author": node["author"]["username"],
        "track": (node["track"]["title"], node["track"]["artist"]),
        "comments": [(n["body"], n["author"]["username"]) for n in node["comments"]["nodes"]],
        **({"liked": node["viewerHasLiked"]} if "viewerHasLiked" in node else {}),
    }


def _app_page(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [_app_moment(edge["node"]) for edge in connection["edges"]]


def _peer_page(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_peer_moment(node) for node in nodes]


SHAPES = [
    Shape(
        "explore",
        f"query Explore {{ explore(first: 20) {{ edges {{ node {{ {APP_MOMENT} }} }} }} }}",
        f"query Explore {{ explore(pageSize: 20) {{ nodes {{ {PEER_MOMENT} }} }} }}",
        False,
        lambda d: _app_page(d["explore"]),
        lambda d: _peer_page(d["explore"]["nodes"]),
    ),
    Shape(
        "feed",
        "query Feed { feed(first: 20) { edges { node { viewerHasLiked "
        f"{APP_MOMENT} }} }} }} }}",
        f"query Feed {{ feed(pageSize: 20) {{ nodes {{ viewerHasLiked {PEER_MOMENT} }} }} }}",
        True,
        lambda d: _app_page(d["feed"]),
        lambda d: _peer_page(d["feed"]["nodes"]),
    ),
    Shape(
        "profile",
        "query Profile($username: String!) { user(username: $username) { username "
        "displayName followerCount followingCount postcards(first: 20) { edges { node { "
        f"{APP_MOMENT} }} }} }} }} }}",
        "query Profile($username: String!) { user: userByUsername(username: $username) { "
        "username displayName followerCount followingCount latestMoments(pageSize: 20) { "
        f"nodes {{ {PEER_MOMENT} }} }} }} }}",
        False,
        lambda d: (d["user"]["followerCount"], _app_page(d["user"]["postcards"])),
        lambda d: (d["user"]["followerCount"], _peer_page(d["user"]["latestMoments"]["nodes"])),
    ),
    Shape(
        "postcard detail",
        "query Detail($id: ID!) { postcard(id: $id) { id caption likeCount commentCount "
        "viewerHasLiked author { username } track { title artist } "
        "comments(first: 20) { edges { node { body author { username } } } } "
        "likedBy(first: 20) { edges { node { username } } } } }",
        "query Detail($pk: BigInt!) { postcard: postcardById(id: $pk) { id caption likeCount "
        "commentCount viewerHasLiked author: userByAuthorId { username } "
        "track: trackByTrackId { title artist } "
        "comments: commentsByPostcardId(first: 20, orderBy: [CREATED_AT_ASC, ID_ASC]) { "
        "nodes { body author: userByAuthorId { username } } } "
        "likes: likesByPostcardId(first: 20, orderBy: [CREATED_AT_DESC, ID_DESC]) { "
        "nodes { user: userByUserId { username } } } } }",
        True,
        lambda d: (
            _pk(d["postcard"]["id"]),
            d["postcard"]["caption"],
            (d["postcard"]["likeCount"], d["postcard"]["commentCount"]),
            d["postcard"]["viewerHasLiked"],
            [(e["node"]["body"], e["node"]["author"]["username"])
             for e in d["postcard"]["comments"]["edges"]],
            [e["node"]["username"] for e in d["postcard"]["likedBy"]["edges"]],
        ),
        lambda d: (
            int(d["postcard"]["id"]),
            d["postcard"]["caption"],
            (d["postcard"]["likeCount"], d["postcard"]["commentCount"]),
            d["postcard"]["viewerHasLiked"],
            [(n["body"], n["author"]["username"]) for n in d["postcard"]["comments"]["nodes"]],
            [n["user"]["username"] for n in d["postcard"]["likes"]["nodes"]],
        ),
    ),
    Shape("floor", "{ __typename }", "{ __typename }", False, lambda d: d, lambda d: d),
]  # fmt: skip


def ensure_installed() -> Path:
    """PostGraphile as its lock file pins it (npm ci), once; the path of its CLI."""
    cli = HERE / "node_modules" / ".bin" / "postgraphile"
    stamp = HERE / "node_modules" / ".lock-sha256"
    lock = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()
    if not cli.exists() or not stamp.exists() or stamp.read_text() != lock:
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("the peer needs Node.js and npm (PostGraphile from npm)")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True
        )
        stamp.write_text(lock)
    return cli


def jwt(user_id: int, key: str) -> str:
    """An HS256 JWT PostGraphile accepts (audience `postgraphile`): the viewer, for a day."""

    def part(value: dict[str, Any] | bytes) -> str:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    claims = {"user_id": user_id, "aud": "postgraphile", "exp": int(time.time()) + 86_400}
    signing_input = part({"alg": "HS256", "typ": "JWT"}) + "." + part(claims)
    signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + part(signature)


def install_sql(database_url: str) -> None:
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", database_url, "-f", str(HERE / "peer.sql")],
        check=True,
        capture_output=True,
    )


@contextmanager
def peer_server(
    database_url: str, port: int, key: str, sql_log: Path | None = None
) -> Iterator[tuple[str, int]]:
    """PostGraphile pinned to core 0, once it answers: (url, pid). With `sql_log`, it
    writes every statement it sends there (its `postgraphile:postgres` debug log: for
    counting, never while timed)."""
    cli = ensure_installed()
    install_sql(database_url)
    command = [
        *pin(0),
        str(cli),
        "--connection", database_url,
        "--schema", "public,peer",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--disable-graphiql",
        "--disable-query-log",
        "--no-setof-functions-contain-nulls",
        "--jwt-secret", key,
    ]  # fmt: skip
    env = {**os.environ, "NODE_ENV": "production"}
    log = open(sql_log, "w") if sql_log else subprocess.DEVNULL
    if sql_log:
        env["DEBUG"] = "postgraphile:postgres"
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.post(url + "/graphql", json={"query": "{ __typename }"}, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("PostGraphile did not start") from None
                time.sleep(0.2)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)
        if sql_log:
            log.close()  # type: ignore[union-attr]


def peer_statements(database_url: str, key: str, asked: list[tuple[Shape, Case]]) -> dict[str, int]:
    """The statements the peer sends PostgreSQL for one request of each shape, transaction
    control (begin, commit) and the JWT's set_config included, from its debug log."""
    log = OUT / "peer-sql.log"
    counts: dict[str, int] = {}
    with peer_server(database_url, _free_port(), key, sql_log=log) as (url, _pid):
        for shape, case in asked:
            seen = log.read_text(errors="replace").count("postgraphile:postgres")
            token = jwt(case.viewer, key) if case.viewer is not None else None
            ask(url, shape.peer, case.peer_variables, token)
            time.sleep(0.3)  # the log is written after the answer
            counts[shape.name] = (
                log.read_text(errors="replace").count("postgraphile:postgres") - seen
            )
    return counts


def ask(url: str, document: str, variables: dict[str, Any], token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        url + "/graphql", json={"query": document, "variables": variables}, headers=headers
    )
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise AssertionError(f"{url}: {response.status_code} {response.text[:500]}")
    return body["data"]


@dataclass(frozen=True)
class Case:
    """One request of a shape: its variables for each server, and who asks."""

    app_variables: dict[str, Any]
    peer_variables: dict[str, Any]
    viewer: int | None


def cases(shape: Shape, viewers: list[int], usernames: list[str], cards: list[str]) -> list[Case]:
    if shape.name == "profile":
        return [Case({"username": u}, {"username": u}, None) for u in usernames]
    if shape.name == "postcard detail":
        return [
            Case({"id": card}, {"pk": _pk(card)}, viewers[n % len(viewers)])
            for n, card in enumerate(cards)
        ]
    if shape.signed_in:
        return [Case({}, {}, viewer) for viewer in viewers]
    return [Case({}, {}, None)]


def app_statements(
    database_url: str, asked: list[tuple[Shape, Case]], tokens: dict[int, str]
) -> dict[str, int]:
    """The SQL statements Soundpost sends for one request of each shape, its token known
    (as under load), counted in a process of its own (tortoise keeps one database per
    process): `python -m bench.peer --app-statements` reads the requests on stdin."""
    requests = [
        {
            "name": shape.name,
            "body": {"query": shape.app, "variables": case.app_variables},
            "token": tokens[case.viewer] if case.viewer is not None and shape.signed_in else None,
        }
        for shape, case in asked
    ]
    out = subprocess.run(
        [sys.executable, "-m", "bench.peer", "--app-statements"],
        input=json.dumps(requests),
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


async def _count_app_statements(requests: list[dict[str, Any]]) -> dict[str, int]:
    from server.app import create_app
    from server.settings import Settings
    from tests.support import count_sql

    settings = Settings(database_url=os.environ["DATABASE_URL"], broadcast_url="memory://")
    app = create_app(settings)
    counts = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for request in requests:
                token = request["token"]
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                first = await http.post("/graphql", json=request["body"], headers=headers)
                assert "errors" not in first.json(), first.text
                with count_sql() as sql:
                    await http.post("/graphql", json=request["body"], headers=headers)
                counts[request["name"]] = len(sql.statements)
    return counts


def check_same_answers(
    app_url: str,
    peer_url: str,
    shape: Shape,
    shape_cases: list[Case],
    tokens: dict[int, str],
    key: str,
) -> int:
    """Every case asked of both; the data must be the same. The number of cases checked."""
    for case in shape_cases:
        app_token = tokens[case.viewer] if case.viewer is not None else None
        peer_token = jwt(case.viewer, key) if case.viewer is not None else None
        ours = shape.app_data(ask(app_url, shape.app, case.app_variables, app_token))
        theirs = shape.peer_data(ask(peer_url, shape.peer, case.peer_variables, peer_token))
        if ours != theirs:
            raise AssertionError(
                f"{shape.name}: Soundpost and the peer disagree for {case}:\n"
                f"  Soundpost: {str(ours)[:600]}\n  peer:      {str(theirs)[:600]}"
            )
    return len(shape_cases)


def write_load_files(
    shape: Shape, shape_cases: list[Case], tokens: dict[int, str], key: str
) -> dict[str, tuple[Path, Path]]:
    """Per server, the request bodies and the tokens wrk draws from (each at random: any
    viewer may ask for any of the bodies)."""
    slug = shape.name.replace(" ", "-")
    files: dict[str, tuple[Path, Path]] = {}
    for server, document in (("app", shape.app), ("peer", shape.peer)):
        variables = [c.app_variables if server == "app" else c.peer_variables for c in shape_cases]
        bodies = OUT / f"peer-{slug}-{server}-bodies.txt"
        bodies.write_text(
            "\n".join(json.dumps({"query": document, "variables": v}) for v in variables) + "\n"
        )
        viewers = sorted({c.viewer for c in shape_cases if c.viewer is not None})
        if server == "app":
            lines = [tokens[v] for v in viewers] or [NO_TOKEN]
        else:
            lines = [jwt(v, key) for v in viewers] or [NO_TOKEN]
        token_file = OUT / f"peer-{slug}-{server}-tokens.txt"
        token_file.write_text("\n".join(lines) + "\n")
        files[server] = (bodies, token_file)
    return files


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def timed(url: str, pid: int, files: tuple[Path, Path], seconds: int) -> tuple[Load, float]:
    """A wrk run and the server's CPU milliseconds per request during it."""
    before = cpu_seconds(pid)
    load = run_wrk(url + "/graphql", *files, seconds=seconds, connections=4)
    used = cpu_seconds(pid) - before
    return load, used * 1000 / max(1.0, load.rps * seconds)


def compare(
    app_url: str, app_pid: int, database_url: str, *, seconds: int, rounds: int
) -> dict[str, Any]:
    """Both servers on every shape: same data first, then interleaved rounds (app, peer,
    app, peer, ...); medians, ratios app / peer."""
    key = secrets.token_hex(32)
    viewers = [int(line) for line in VIEWERS.read_text().split()]
    tokens = dict(zip(viewers, TOKENS.read_text().split(), strict=True))
    usernames, cards = _subjects(app_url)
    result: dict[str, Any] = {}
    every = [(shape, cases(shape, viewers, usernames, cards)) for shape in SHAPES]
    statements = peer_statements(database_url, key, [(s, c[0]) for s, c in every])
    ours = app_statements(database_url, [(s, c[0]) for s, c in every], tokens)
    port = _free_port()
    with peer_server(database_url, port, key) as (peer_url, peer_pid):
        for shape, shape_cases in every:
            checked = check_same_answers(app_url, peer_url, shape, shape_cases, tokens, key)
            files = write_load_files(shape, shape_cases, tokens, key)
            runs: dict[str, list[Load]] = {"app": [], "peer": []}
            cpu: dict[str, list[float]] = {"app": [], "peer": []}
            for round_ in range(rounds):
                for server, url, pid in (("app", app_url, app_pid), ("peer", peer_url, peer_pid)):
                    load, ms = timed(url, pid, files[server], seconds)
                    runs[server].append(load)
                    cpu[server].append(ms)
                    print(
                        f"   peer round {round_ + 1} {shape.name} {server}: {load}, {ms:.2f} ms CPU"
                    )
            app, peer = median(runs["app"]), median(runs["peer"])
            result[shape.name] = {
                "checked_cases": checked,
                "peer_statements": statements[shape.name],
                "app_statements": ours[shape.name],
                "app": {**app, "cpu_ms": statistics.median(cpu["app"])},
                "peer": {**peer, "cpu_ms": statistics.median(cpu["peer"])},
                "rps_ratio": app["rps"] / peer["rps"],
                "p99_ratio": app["p99_ms"] / peer["p99_ms"],
            }
    return result


def _subjects(app_url: str) -> tuple[list[str], list[str]]:
    """Members to open the profiles of (the most followed, who post) and moments to open."""
    data = ask(
        app_url,
        "{ explore(first: 50) { edges { node { id author { username } } } } }",
        {},
        None,
    )
    edges = data["explore"]["edges"]
    usernames = sorted({e["node"]["author"]["username"] for e in edges})[:8]
    cards = [e["node"]["id"] for e in edges][:40]
    return usernames, cards


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    import argparse
    import asyncio

    if sys.argv[1:2] == ["--app-statements"]:
        print(json.dumps(asyncio.run(_count_app_statements(json.loads(sys.stdin.read())))))
        return

    from bench import run

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--postcards", type=int, default=100_000)
    args = parser.parse_args()
    database_url = os.environ["DATABASE_URL"]
    run.prepare_in_subprocess(database_url, args.users, args.postcards)
    with run.server("app", database_url) as app_url:
        result = compare(
            app_url, run.PIDS[app_url], database_url, seconds=args.seconds, rounds=args.rounds
        )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
