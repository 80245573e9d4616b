"""`soundpost media sweep` by hand, as an operator runs it: a process of its own on a
database and a media folder of its own."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from media.store import key_for

pytestmark = pytest.mark.system
SOUNDPOST = str(Path(sys.executable).with_name("soundpost"))


def soundpost(*args: str, environment: dict[str, str]) -> str:
    done = subprocess.run(
        [SOUNDPOST, *args],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_sweep_by_hand_marks_then_deletes_a_file_nothing_names(tmp_path: Path) -> None:
    database, media = tmp_path / "db.sqlite3", tmp_path / "media"
    environment = {
        "DATABASE_URL": f"sqlite://{database}",
        "MEDIA_URL": f"file://{media}",
        "LOG_LEVEL": "warning",
    }
    soundpost("migrate", environment=environment)
    media.mkdir()
    orphan = b"\xff\xd8\xff a file no photo names"
    key = key_for(orphan, "jpg")
    (media / key).write_bytes(orphan)
    first = soundpost("media", "sweep", environment=environment)
    assert first.startswith("swept: 0 uploads deleted, 0 files deleted, 1 newly unused")
    assert (media / key).exists()
    # found unused a while ago (as a sweep an hour back would have left it)
    found = (datetime.now(UTC) - timedelta(hours=1)).isoformat(" ")
    with sqlite3.connect(database) as db:
        db.execute("UPDATE unused_files SET found_at = ? WHERE key = ?", (found, key))
    second = soundpost("media", "sweep", environment=environment)
    assert second.startswith("swept: 0 uploads deleted, 1 files deleted, 0 newly unused")
    assert not (media / key).exists()
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM unused_files").fetchone() == (0,)
