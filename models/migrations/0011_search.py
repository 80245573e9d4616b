"""Search (issue 15, item 4): a full-text index of members, tracks, moments and places, kept in
the writing transaction by the database itself, and filled from the rows already there.

- SQLite: one external-content FTS5 table per kind (`users_search`, `tracks_search`,
  `postcards_search`; tokenizer `unicode61 remove_diacritics 2`, prefix indexes of 1 to 3
  characters), kept by AFTER INSERT / UPDATE OF / DELETE triggers on the base table, and
  rebuilt here from its rows. Tortoise knows nothing of them.
- PostgreSQL: one table per kind too (`users_search (id, words tsvector)`, GIN-indexed;
  the `soundpost_search` configuration: `simple` after `unaccent`), written by AFTER
  INSERT / UPDATE OF triggers, deleted with its row by a cascading foreign key, filled
  here from the rows there; and pg_trgm GIN indexes for typos on members' and tracks'
  names. Nothing is added to the tables themselves, so their columns may still change
  type (a generated column would forbid it), and a stored tsvector is cheap to test row
  by row (an expression index recomputes it).

A later migration that rebuilds one of these tables on SQLite (an AlterField, a
RemoveField, a CHECK constraint; AddField does not) drops its triggers with it: after it,
run `sqlite_triggers` of that table again and `INSERT INTO <table>_search(<table>_search)
VALUES ('rebuild')`. A new kind is the same statements for one table more."""

from __future__ import annotations

from tortoise import migrations

from models.raw_sql import per_dialect

# (table, FTS columns) of each kind, SQLite
FTS_TABLES = {
    "users": ("username", "display_name"),
    "tracks": ("title", "artist", "album"),
    "postcards": ("caption", "place_name"),
    "places": ("name",),
}
# table: (its columns indexed, the text of its words over NEW, the text of its trigram
# index or None), PostgreSQL
VECTORS = {
    "users": (
        ("username", "display_name"),
        "NEW.username || ' ' || NEW.display_name",
        "username || ' ' || display_name",
    ),
    "tracks": (
        ("title", "artist", "album"),
        "NEW.title || ' ' || NEW.artist || ' ' || coalesce(NEW.album, '')",
        "title || ' ' || artist",
    ),
    "postcards": (
        ("caption", "place_name"),
        "NEW.caption || ' ' || coalesce(NEW.place_name, '')",
        None,
    ),
    "places": (("name",), "NEW.name", "name"),
}


def sqlite_triggers(table: str, columns: tuple[str, ...]) -> list[str]:
    """The three triggers that keep `<table>_search` in step with its table."""
    index = f"{table}_search"
    listed = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    remove = f"INSERT INTO {index}({index}, rowid, {listed}) VALUES ('delete', old.id, {old});"
    add = f"INSERT INTO {index}(rowid, {listed}) VALUES (new.id, {new});"
    return [
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF {listed} ON {table}"
        f" BEGIN {remove} {add} END",
    ]


def _sqlite_fts(table: str, columns: tuple[str, ...]) -> list[str]:
    index = f"{table}_search"
    return [
        f"CREATE VIRTUAL TABLE {index} USING fts5({', '.join(columns)}, content='{table}',"
        f" content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
        *sqlite_triggers(table, columns),
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",
    ]


SQLITE = [sql for table, columns in FTS_TABLES.items() for sql in _sqlite_fts(table, columns)]
SQLITE_BACK = [
    *(
        f"DROP TRIGGER IF EXISTS {t}_search_{w}"
        for t in FTS_TABLES
        for w in ("insert", "delete", "update")
    ),
    *(f"DROP TABLE IF EXISTS {t}_search" for t in FTS_TABLES),
]

WORDS = "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart"
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION soundpost_search (COPY = simple)",
    f"ALTER TEXT SEARCH CONFIGURATION soundpost_search ALTER MAPPING FOR {WORDS} WITH unaccent, simple",
]


def _postgres_words(table: str, columns: tuple[str, ...], words: str) -> list[str]:
    """`<table>_search (id, words)`: each row's tsvector, written by a trigger on insert and
    on an update of its columns, deleted with the row (the foreign key; TRUNCATE ... CASCADE
    too), GIN-indexed, and filled here from the rows already there."""
    index = f"{table}_search"
    to_words = f"to_tsvector('soundpost_search'::regconfig, {words})"
    return [
        f"CREATE TABLE {index} (id bigint PRIMARY KEY REFERENCES {table} (id) ON DELETE CASCADE,"
        " words tsvector NOT NULL)",
        f"CREATE INDEX {index}_words ON {index} USING gin (words)",
        f"CREATE FUNCTION {index}_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" INSERT INTO {index} (id, words) VALUES (NEW.id, {to_words})"
        " ON CONFLICT (id) DO UPDATE SET words = EXCLUDED.words; RETURN NULL; END $$",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {index}_write()",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF {', '.join(columns)} ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {index}_write()",
        f"INSERT INTO {index} (id, words) SELECT id, {to_words.replace('NEW.', '')} FROM {table}",
    ]


for _table, (_columns, _words, _trigram) in VECTORS.items():
    POSTGRES += _postgres_words(_table, _columns, _words)
    if _trigram:
        POSTGRES.append(
            f"CREATE INDEX {_table}_search_trigram ON {_table} USING gin (({_trigram}) gin_trgm_ops)"
        )
POSTGRES_BACK = [
    *(f"DROP INDEX IF EXISTS {t}_search_trigram" for t in VECTORS),
    *(f"DROP TRIGGER IF EXISTS {t}_search_{w} ON {t}" for t in VECTORS for w in ("insert", "update")),
    *(f"DROP FUNCTION IF EXISTS {t}_search_write()" for t in VECTORS),
    *(f"DROP TABLE IF EXISTS {t}_search" for t in VECTORS),
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS soundpost_search",
]


class Migration(migrations.Migration):
    dependencies = [("models", "0010_places")]

    initial = False

    operations = [
        per_dialect(
            {"sqlite": SQLITE, "postgres": POSTGRES},
            {"sqlite": SQLITE_BACK, "postgres": POSTGRES_BACK},
        ),
    ]
