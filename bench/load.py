"""Running wrk pinned to its own core and reading its figures."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def ensure_wrk() -> str:
    """wrk from Debian's packages; installed on first use (the bench machine is ours)."""
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


def pin(core: int) -> list[str]:
    cores = os.cpu_count() or 1
    return ["taskset", "-c", str(core % cores)] if shutil.which("taskset") and cores > 1 else []


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    assert match, text
    return float(match.group(1)) * UNITS[match.group(2)]


def run_wrk(url: str, bodies: Path, tokens: Path, *, seconds: int, connections: int) -> Load:
    command = [
        *pin(1),
        ensure_wrk(),
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(HERE / "feed.lua"),
        url,
    ]
    env = {**os.environ, "BODY_FILE": str(bodies), "TOKENS_FILE": str(tokens)}
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # the "Latency Distribution" lines, not the "+/- Stdev" column (which may end in 50%)
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)\s*$", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)\s*$", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(rps=rps, p50_ms=p50, p99_ms=p99, errors=errors)


def median(loads: list[Load]) -> dict[str, float]:
    """The medians of interleaved runs of one target (errors summed)."""
    return {
        "rps": statistics.median(x.rps for x in loads),
        "p50_ms": statistics.median(x.p50_ms for x in loads),
        "p99_ms": statistics.median(x.p99_ms for x in loads),
        "errors": sum(x.errors for x in loads),
    }
