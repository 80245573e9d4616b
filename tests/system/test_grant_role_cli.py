"""`soundpost grant-role` as an operator runs it: a process of its own on a database of its
own; what it prints, its exit code, and the audit log's row."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.system
SOUNDPOST = str(Path(sys.executable).with_name("soundpost"))


def soundpost(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SOUNDPOST, *args],
        env={**os.environ, "DATABASE_URL": f"sqlite://{database}", "LOG_LEVEL": "warning"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_grant_role_changes_the_role_and_writes_the_log(tmp_path: Path) -> None:
    # given: a database with one member
    database = tmp_path / "db.sqlite3"
    assert soundpost("migrate", database=database).returncode == 0
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO users (username, display_name, bio, password_hash, created_at, "
            "follower_count, following_count, postcard_count, is_private, role) "
            "VALUES ('mona', 'Mona', '', 'x', '2026-01-01 00:00:00+00:00', 0, 0, 0, 0, 'MEMBER')"
        )
    # when
    done = soundpost("grant-role", "MONA", "MODERATOR", database=database)
    # then
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "mona is now MODERATOR (was MEMBER); written to the moderation log\n"
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT role FROM users").fetchall() == [("MODERATOR",)]
        [(moderator, kind, report, subject_kind, subject_id, details)] = db.execute(
            "SELECT moderator_id, kind, report_id, subject_kind, subject_id, details "
            "FROM moderation_actions"
        ).fetchall()
    assert (moderator, kind, report, subject_kind, subject_id) == (
        None,
        "GRANT_ROLE",
        None,
        "USER",
        1,
    )
    assert json.loads(details) == {
        "username": "mona",
        "role": "MODERATOR",
        "previous_role": "MEMBER",
    }
    # the same role again changes nothing and writes nothing
    again = soundpost("grant-role", "mona", "MODERATOR", database=database)
    assert (again.returncode, again.stdout) == (0, "mona is MODERATOR already: nothing changed\n")
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM moderation_actions").fetchone() == (1,)


def test_grant_role_to_nobody_fails_with_exit_code_1(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    assert soundpost("migrate", database=database).returncode == 0
    done = soundpost("grant-role", "ghost", "ADMIN", database=database)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == "no member is called 'ghost': nothing changed\n"
    wrong_role = soundpost("grant-role", "ghost", "KING", database=database)
    assert wrong_role.returncode == 2  # argparse: not one of the roles
    assert "invalid choice: 'KING'" in wrong_role.stderr
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM moderation_actions").fetchone() == (0,)
