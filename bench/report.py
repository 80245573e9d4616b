"""bench/RESULTS.md from a run's results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TARGETS = """Targets (issue "Fast at scale"): feed throughput >= 0.8 x B; feed p99 at 4 clients
<= 1.5 x B's p99; SQL statements per feed page constant and <= 5; fan-out p99 <= 2 x the raw
broadcast; idle subscribed connection <= 32 KB; feed latency at 1M moments <= 1.3 x that at
10k.

Since issue 16, B runs on the same compiled plans as the app (graph/plan/): answering from
memory, it now measures the plans alone, several times faster than before, so feed / B is
the share of the feed's time that is not its SQL statement and rows; the app's own req/s
and the peer's (PostGraphile, below) are the measures of speed."""
SCALE_TARGET = 1.3


def _scale(scale: dict[str, Any]) -> list[str]:
    lines = [
        f"### Feed latency at {scale['small']:,} vs {scale['large']:,} moments",
        "",
        f"{scale['users']:,} users, the same follow graph in both; {scale['dataset_note']}."
        f" One client (`wrk -c1`, sequential requests, {scale['seconds_per_run']} s per run),"
        f" small/large interleaved, medians of {scale['rounds']} rounds; the page query alone is"
        " timed in-process (the `feed` resolver, one SQL statement).",
        "",
        "| database | viewers | FEED p50 ms small / large | ratio | p99 ms small / large |"
        " ratio | page query p50 ms small / large | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    seeds = []
    for name, label in (("postgres", "PostgreSQL"), ("sqlite", "SQLite")):
        if name not in scale:
            continue
        data = scale[name]
        wrk, ratios = data["feed_wrk_c1"], data["ratios"]
        for viewers in ("heavy", "ordinary"):
            small, large = wrk["small"][viewers], wrk["large"][viewers]
            ps, pl = data["small"]["page_query"][viewers], data["large"]["page_query"][viewers]
            r = ratios["feed_wrk_c1"][viewers]
            page = ratios["page_query"][viewers]
            lines.append(
                f"| {label} | {viewers} | {small['p50_ms']:.1f} / {large['p50_ms']:.1f} |"
                f" **{r['p50_ms']:.2f}** | {small['p99_ms']:.1f} / {large['p99_ms']:.1f} |"
                f" {r['p99_ms']:.2f} | {ps['p50_ms']:.1f} / {pl['p50_ms']:.1f} |"
                f" {page['p50_ms']:.2f} |"
            )
        big = data["large"]
        if big.get("extend_seconds") is not None:
            seeds.append(
                f"{label}: 1M-moment dataset written in {big['seed_seconds']} s (seed)"
                f" + {big['extend_seconds']} s (SQL copy) + {big.get('analyze_seconds')} s"
                " (VACUUM ANALYZE)"
            )
    worst = max(
        (
            scale[n]["ratios"]["feed_wrk_c1"][v]["p50_ms"]
            for n in ("postgres", "sqlite")
            if n in scale
            for v in ("heavy", "ordinary")
        ),
        default=0.0,
    )
    lines += [
        "",
        f"- worst FEED p50 ratio large / small: **{worst:.2f}** (target <= {SCALE_TARGET})",
        *(f"- {s}" for s in seeds),
        "",
    ]
    return lines


def _database(name: str, data: dict[str, Any]) -> list[str]:
    c, r = data["ceilings"], data["ratios"]
    lines = [
        f"### {name}",
        "",
        "| target (4 connections, wrk pinned to its own core) | req/s | p50 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    labels = {
        "R": "R: raw Starlette endpoint, same JSON",
        "B": "B: same schema and query, in-memory rows",
        "feed": "Soundpost feed (20 moments, nested)",
    }
    for key, label in labels.items():
        x = c[key]
        lines.append(
            f"| {label} | {x['rps']:.0f} | {x['p50_ms']:.2f} | {x['p99_ms']:.2f} | {x['errors']} |"
        )
    for op, x in data["operations"].items():
        lines.append(
            f"| {op} | {x['rps']:.0f} | {x['p50_ms']:.2f} | {x['p99_ms']:.2f} | {x['errors']} |"
        )
    lines += [
        "",
        f"- feed / B throughput: **{r['feed_rps_over_B']:.2f}** (target >= 0.8); "
        f"feed p99 / B p99: **{r['feed_p99_over_B_p99']:.2f}** (target <= 1.5)",
        f"- B / R: {r['B_rps_over_R']:.4f}; feed / R: {r['feed_rps_over_R']:.4f}; "
        f"feed response {data['feed_response_bytes']:,} bytes",
        "- SQL statements per request: "
        + ", ".join(f"{op} {n}" for op, n in data["sql_statements"].items()),
        "",
    ]
    if "search" in data:
        lines += _search(data["search"])
    if "nearby" in data:
        lines += _nearby(data["nearby"])
    if "trending" in data:
        t = data["trending"]
        lines += [
            f"- trending (in-process, 20 moments): p50 / explore's "
            f"**{t['ratios']['trending_p50_over_explore_p50']:.2f}**, p99 / explore's "
            f"**{t['ratios']['trending_p99_over_explore_p99']:.2f}**; a snapshot recomputed in "
            f"{t['recompute_ms']:.0f} ms ({t['window_moments']:,} moments in the window, "
            f"{t['snapshot_entries']:,} trending)",
            "",
        ]
    return lines


def _nearby(n: dict[str, Any]) -> list[str]:
    """nearby and nearbyPlaces at the dataset's places (bench/nearby.py), and their plans."""
    lines = [
        f"Nearby, in-process (bench/nearby.py, {n['placed_moments']:,} moments at places, radii"
        " of 0.5, 2 and 10 km around the busiest places, interleaved with explore):",
        "",
        "| list | p50 ms | p99 ms | p50 / explore | p99 / explore |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in ("nearby", "nearbyPlaces"):
        f = n[name]
        lines.append(
            f"| {name} | {f['p50_ms']:.2f} | {f['p99_ms']:.2f} | **{f['p50_over_explore']:.2f}**"
            f" | {f['p99_over_explore']:.2f} |"
        )
    for name, plan in n["plans"].items():
        lines += ["", f"Plan of {name}:", "", "```", *plan.splitlines(), "```"]
    return [*lines, ""]


def _search(s: dict[str, Any]) -> list[str]:
    explore = s["latency"]["explore"]
    lines = [
        f"Search, in-process (bench/search.py, {s['rounds']} interleaved rounds, 20 results a"
        f" page): explore p50 {explore['p50_ms']:.2f} ms, p99 {explore['p99_ms']:.2f} ms.",
        "",
        "| query | typed | results | p50 ms | p99 ms | p50 / explore | p99 / explore |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, typed in s["queries"].items():
        r, ratio = s["latency"][name], s["ratio_to_explore"][name]
        lines.append(
            f"| {name} | `{typed}` | {s['results_per_page'][name]} | {r['p50_ms']:.2f} |"
            f" {r['p99_ms']:.2f} | **{ratio['p50']:.2f}** | {ratio['p99']:.2f} |"
        )
    return [*lines, ""]


def write_report(results: dict[str, Any], path: Path) -> None:
    machine, versions = results["machine"], results["versions"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {results['when']} by `make bench` in {results['seconds']} s on {machine['cpus']} "
        f"cores, {machine['platform']}, Python {machine['python']}; "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + ".",
        f"Dataset: {results['dataset']['users']:,} users, {results['dataset']['postcards']:,} "
        "moments (skewed follow graph, likes, comments). Medians of interleaved runs; every "
        "figure that matters is a ratio within this run, because the machine is shared.",
        "",
        TARGETS,
        "",
    ]
    if "sqlite" in results:
        lines += _database("SQLite", results["sqlite"])
    if "postgres" in results:
        lines += _database("PostgreSQL", results["postgres"])
        if "peer" in results["postgres"]:
            lines += _peer(results["postgres"]["peer"])
    if "scale" in results:
        lines += _scale(results["scale"])
    if "fanout" in results:
        lines += _fanout(results["fanout"])
    if "uploads" in results:
        lines += _uploads(results["uploads"])
    path.write_text("\n".join(lines))


PEER_TARGETS = (
    "explore, feed, profile, postcard detail and floor >= 1.0 x the peer's req/s; p99 <= the "
    "peer's; SQL statements per request <= the peer's + 1"
)


def _peer(shapes: dict[str, Any]) -> list[str]:
    lines = [
        "### Against the peer: PostGraphile v4 on the same PostgreSQL database",
        "",
        "Each server pinned to core 0, wrk (4 connections) on core 1, rounds interleaved; "
        "both answered every case the same first (ids, captions, counters, authors, songs, "
        f"comments, likers). Targets (issue 16): {PEER_TARGETS}.",
        "",
        "| shape | cases checked | Soundpost req/s | p99 ms | CPU ms/req | SQL statements "
        "| PostGraphile req/s | p99 ms | CPU ms/req | its SQL statements | req/s ratio "
        "| p99 ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, s in shapes.items():
        a, p = s["app"], s["peer"]
        lines.append(
            f"| {name} | {s['checked_cases']} | {a['rps']:.0f} | {a['p99_ms']:.1f} | "
            f"{a['cpu_ms']:.2f} | {s.get('app_statements', '?')} | {p['rps']:.0f} | "
            f"{p['p99_ms']:.1f} | {p['cpu_ms']:.2f} | "
            f"{s['peer_statements']} | **{s['rps_ratio']:.2f}** | {s['p99_ratio']:.2f} |"
        )
    return [*lines, ""]


def _fanout(f: dict[str, Any]) -> list[str]:
    s, raw = f["soundpost"], f["raw"]
    start = s.get("from_mutation_start_p50_ms"), s.get("from_mutation_start_p99_ms")
    rss = s["rss_per_idle_connection_kb"]
    return [
        f"### Fan-out: one moment to {s['subscribers']:,} subscribed followers",
        "",
        "| | p50 ms | p99 ms | idle RSS per connection |",
        "| --- | ---: | ---: | ---: |",
        f"| Soundpost friendMoments, commit to last delivery | {s['p50_ms']:.1f} | {s['p99_ms']:.1f} | {rss:.1f} KB |",
        f"| raw `websockets` broadcast, same size ({s['message_bytes']} bytes), send to last delivery | {raw['p50_ms']:.1f} | {raw['p99_ms']:.1f} | {raw['rss_per_idle_connection_kb']:.1f} KB |",
        "",
        f"- p99 ratio: **{f['p99_ratio']:.2f}** (target <= 2); p50 ratio "
        f"{s['p50_ms'] / raw['p50_ms']:.2f}; idle subscribed connection **{rss:.1f} KB** "
        "(target <= 32 KB)",
        *(
            [
                f"- from the mutation's start instead of its commit: p50 {start[0]:.1f} ms, "
                f"p99 {start[1]:.1f} ms; the mutation alone p50 {s['mutation_p50_ms']:.1f} ms"
            ]
            if start[0] is not None and start[1] is not None
            else []
        ),
        "",
    ]


UPLOADS = "### Uploads"


def _uploads(u: dict[str, Any]) -> list[str]:
    photo = u["photo"]
    return [
        f"{UPLOADS}: {photo['width']}x{photo['height']} JPEGs over HTTP multipart",
        "",
        f"Run {u['when']} by `{u['command']}`: {u['clients']} members uploading at once, each"
        f" its next photo when the last is answered; {u['uploads']} timed uploads of a"
        f" photo-like {photo['width'] * photo['height'] / 1e6:.0f} MP JPEG with EXIF"
        f" ({photo['bytes']:,} bytes) after one each untimed. The app as the feed rounds run it (one uvicorn"
        " pinned to core 0: its event loop and its two pipeline threads share that core),"
        " clients on core 1, a fresh SQLite database and media folder of its own, upload and"
        " sign-up limits lifted for this server only (bench/uploads.py).",
        "",
        "| uploadPhoto | photos/s | p50 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| {u['clients']} clients, {photo['width'] * photo['height'] / 1e6:.0f} MP"
        f" | {u['photos_per_s']:.2f} | {u['p50_ms']:.0f} | {u['p99_ms']:.0f} | {u['errors']} |",
        "",
    ]


def merge_uploads(uploads: dict[str, Any], path: Path) -> list[str]:
    """The uploads section written in place of the one in `path` (or after its last one),
    the other sections as the last full run left them; the section's lines."""
    section = _uploads(uploads)
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    head, found, rest = text.partition(f"\n{UPLOADS}")
    tail = rest.partition("\n### ")[2] if found else ""
    kept = head.rstrip("\n") + "\n\n" + "\n".join(section)
    path.write_text(kept + (f"\n### {tail}" if tail else ""))
    return section
