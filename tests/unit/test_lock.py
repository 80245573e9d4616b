"""The lock file holds every dependency, transitive ones included, at the version pyproject
pins, and the environment the tests run in is exactly the locked one (`make setup`
installs the lock; `make lock` writes it)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)(?:\s*;\s*([^\\]+))?")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    """Name -> version of every package the lock installs here (the lock is universal:
    some pins hold for other Pythons or platforms only)."""
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if (match := PIN.match(line)) and (match[3] is None or Marker(match[3]).evaluate()):
            pins[normal(match[1])] = match[2]
    return pins


def test_the_lock_pins_what_pyproject_pins() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = locked()
    stale = [
        requirement
        for requirement in wanted
        if (match := PIN.match(requirement)) is None or pins.get(normal(match[1])) != match[2]
    ]
    assert stale == [], "pin exactly (==) in pyproject.toml, then `make lock`"


def test_the_environment_is_the_locked_one() -> None:
    pins = locked()
    installed = {normal(d.metadata["Name"]): d.version for d in metadata.distributions()}
    different = {
        name: (version, installed[name])
        for name, version in pins.items()
        if name in installed and installed[name] != version
    }
    assert different == {}, "run `make setup` (it installs requirements.lock)"
    assert {"strawberry-graphql", "tortoise-orm", "pytest"} <= installed.keys() & pins.keys()
