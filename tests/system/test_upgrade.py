"""Migrations applied to a database that already has rows, as an upgrade meets it: columns
added to a table with rows need a database default, and a table rebuilt on SQLite must
keep its indexes. (The suite's own database is migrated empty, which hides both.)"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

pytestmark = pytest.mark.system
TORTOISE = str(Path(sys.executable).with_name("tortoise"))
# The last migration before issue 13 and 14 added columns to tables with rows.
BEFORE = "0004_uploads"
OLD_ROWS = [
    "INSERT INTO users (id, username, display_name, bio, password_hash, created_at,"
    " follower_count, following_count, postcard_count)"
    " VALUES (1, 'old', '', '', 'x', '2026-01-01 00:00:00+00:00', 0, 0, 1)",
    "INSERT INTO tracks (id, title, artist, album, dedupe_key, created_at)"
    " VALUES (1, 'Song', 'Band', '', 'song', '2026-01-01 00:00:00+00:00')",
    "INSERT INTO postcards (id, author_id, track_id, caption, created_at, updated_at,"
    " like_count, comment_count) VALUES (1, 1, 1, 'hi', '2026-01-01 00:00:00+00:00',"
    " '2026-01-01 00:00:00+00:00', 0, 0)",
    # moments with places, from before places were rows: 2 and 3 are one place (the same
    # name but for case and punctuation, 44 m apart), 4 another (another name)
    *(
        "INSERT INTO postcards (id, author_id, track_id, caption, created_at, updated_at,"
        " like_count, comment_count, place_name, place_latitude, place_longitude)"
        f" VALUES ({n}, 1, 1, '', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00',"
        f" 0, 0, '{name}', {lat}, -118.4988)"
        for n, name, lat in (
            (2, "Santa Monica Pier", 34.0083),
            (3, "santa monica pier!", 34.0087),
            (4, "Pacific Park", 34.0083),
        )
    ),
]
# what the upgrade makes of them: (postcard, place, its name as the moment now shows it)
PLACED = [
    (1, None, None),
    (2, 1, "Santa Monica Pier"),
    (3, 1, "Santa Monica Pier"),
    (4, 2, "Pacific Park"),
]
PLACES = [(1, "Santa Monica Pier", 2), (2, "Pacific Park", 1)]

# (table, a word, the rows it finds: the old ones, and the track the test adds after)
SEARCHED = [
    ("users", "old", [1]),
    ("tracks", "son", [1, 2]),
    ("postcards", "hi", [1]),
    ("places", "pacif", [2]),
]


def tortoise(database_url: str, *args: str) -> None:
    done = subprocess.run(
        [TORTOISE, "migrate", *args],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture
async def postgres_url(database_url: str) -> AsyncIterator[str]:
    """A fresh PostgreSQL database beside the suite's (the CI's second pass)."""
    if not database_url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (DATABASE_URL): the CI's second pass")
    name = f"soundpost_upgrade_{uuid.uuid4().hex[:12]}"
    server = database_url.replace("postgres://", "postgresql://", 1).split("?", 1)[0]
    admin = await asyncpg.connect(server)
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield database_url.split("?", 1)[0].rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


async def test_a_postgresql_database_with_rows_upgrades(postgres_url: str) -> None:
    tortoise(postgres_url, "models", BEFORE)
    db = await asyncpg.connect(postgres_url.replace("postgres://", "postgresql://", 1))
    try:
        for statement in OLD_ROWS:
            await db.execute(statement)
        tortoise(postgres_url)
        rows = await db.fetch("SELECT username, is_private, role, block_count FROM users")
        assert [tuple(row) for row in rows] == [("old", False, "MEMBER", 0)]
        # 0009: the track's normalized title and artist, filled in
        tracks = await db.fetch("SELECT song_key, isrc FROM tracks")
        assert [tuple(row) for row in tracks] == [("song\x1fband", None)]
        placed = await db.fetch("SELECT id, place_id, place_name FROM postcards ORDER BY id")
        assert [tuple(row) for row in placed] == PLACED
        places = await db.fetch("SELECT id, name, postcard_count FROM places ORDER BY id")
        assert [tuple(row) for row in places] == PLACES
        # the search tables hold the rows that were there (0011_search), its triggers new ones
        await db.execute(
            "INSERT INTO tracks (id, title, artist, dedupe_key, created_at)"
            " VALUES (2, 'Sonata', 'Band', 'sonata', '2026-01-01 00:00:00+00:00')"
        )
        for table, word, rows in SEARCHED:
            found = await db.fetch(
                f"SELECT id FROM {table}_search WHERE words @@"
                f" to_tsquery('soundpost_search'::regconfig, '{word}:*') ORDER BY id"
            )
            assert [row["id"] for row in found] == rows, table
    finally:
        await db.close()


def test_an_sqlite_database_with_rows_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    url = f"sqlite://{path}"
    tortoise(url, "models", BEFORE)
    with sqlite3.connect(path) as db:
        for statement in OLD_ROWS:
            db.execute(statement)
    tortoise(url)
    with sqlite3.connect(path) as db:
        # the search index covers the rows that were there, and its triggers the new ones
        db.execute(
            "INSERT INTO tracks (id, title, artist, dedupe_key, created_at)"
            " VALUES (2, 'Sonata', 'Band', 'sonata', '2026-01-01 00:00:00+00:00')"
        )
        for table, word, rows in SEARCHED:
            found = db.execute(
                f"SELECT rowid FROM {table}_search WHERE {table}_search MATCH ?", (f'"{word}"*',)
            )
            assert found.fetchall() == [(row,) for row in rows], table
        user = db.execute("SELECT username, is_private, role, block_count, avatar FROM users")
        assert user.fetchall() == [("old", 0, "MEMBER", 0, None)]
        assert db.execute("SELECT caption, photo FROM postcards WHERE id = 1").fetchall() == [
            ("hi", None)
        ]
        tracks = db.execute("SELECT song_key, isrc FROM tracks WHERE id = 1").fetchall()
        assert tracks == [("song\x1fband", None)]  # 0009 filled in the normalized title, artist
        placed = db.execute("SELECT id, place_id, place_name FROM postcards ORDER BY id")
        assert placed.fetchall() == PLACED
        places = db.execute("SELECT id, name, postcard_count FROM places ORDER BY id")
        assert places.fetchall() == PLACES
        assert db.execute("SELECT id FROM places_rtree ORDER BY id").fetchall() == [(1,), (2,)]
        indexes = {
            row[0]
            for row in db.execute("SELECT sql FROM sqlite_master WHERE type = 'index'")
            if row[0]
        }
    assert any('"notifications" ("recipient_id", "id")' in sql for sql in indexes)
    assert any('"postcards" ("created_at", "id", "author_id")' in sql for sql in indexes)
