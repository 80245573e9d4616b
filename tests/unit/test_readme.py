"""The README names files that exist: a moved module leaves no stale path behind (but
`make bench`'s output, which it makes)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATH = re.compile(r"`((?:server|graph|resolvers|models|subscriptions|media|tests|bench)/[\w./-]*)`")


def test_every_path_the_readme_names_exists() -> None:
    named = set(PATH.findall((ROOT / "README.md").read_text()))
    named = {path for path in named if not path.startswith("bench/out/")}  # made by the bench
    assert len(named) > 20
    missing = sorted(path for path in named if not (ROOT / path.rstrip("/")).exists())
    assert missing == []
