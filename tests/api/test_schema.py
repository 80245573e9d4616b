"""The committed SDL matches the code, GraphiQL documents everything, and the database
has the constraints the models promise, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType
from tortoise import Tortoise
from tortoise.exceptions import IntegrityError

from graph.schema import schema
from models import Follow, Like, Postcard, Track, User
from resolvers.sql.hydrate import declared_indexes, table

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == str(schema) + "\n", "run `make schema` and commit schema.graphql"


def test_every_type_field_argument_and_enum_value_has_a_description() -> None:
    missing = []
    for name, gql_type in schema._schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not gql_type.description:
            missing.append(name)
        if isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in gql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(gql_type, GraphQLEnumType):
            assert gql_type.values, name
            missing += [
                f"{name}.{value_name}"
                for value_name, value in gql_type.values.items()
                if not value.description
            ]
    assert missing == []


async def test_unique_pairs_are_enforced_by_the_database(app: object) -> None:
    maya = await User.create(username="maya", password_hash="x")
    kofi = await User.create(username="kofi", password_hash="x")
    track = await Track.create(title="t", artist="a", dedupe_key="t\x1fa")
    card = await Postcard.create(author=maya, track=track)
    await Follow.create(follower=maya, followee=kofi)
    await Like.create(user=kofi, postcard=card)
    duplicates = [
        lambda: Follow.create(follower=maya, followee=kofi),
        lambda: Like.create(user=kofi, postcard=card),
        lambda: User.create(username="maya", password_hash="y"),
        lambda: Track.create(title="T", artist="A", dedupe_key="t\x1fa"),
    ]
    for make in duplicates:
        with pytest.raises(IntegrityError):
            await make()


async def test_every_index_names_real_columns(database_url: str, app: object) -> None:
    # SQLite accepts an index on a misspelt column (it indexes a string constant), so
    # check each indexed column exists; PostgreSQL refuses such an index outright.
    conn = Tortoise.get_connection("default")
    if not database_url.startswith("sqlite"):
        rows = await conn.execute_query_dict(
            "SELECT count(*) AS n FROM pg_indexes WHERE schemaname = 'public'"
        )
        assert rows[0]["n"] > 20
        return
    indexes = await conn.execute_query_dict(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    )
    assert len(indexes) >= 10
    for index in indexes:
        columns = {
            row["name"]
            for row in await conn.execute_query_dict(f"PRAGMA table_info('{index['tbl_name']}')")
        }
        indexed = await conn.execute_query_dict(f"PRAGMA index_info('{index['name']}')")
        assert indexed and all(row["name"] in columns for row in indexed), index


async def test_sqlite_gets_a_page_cache_sized_for_a_big_table(
    database_url: str, app: object
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("a SQLite setting")
    rows = await Tortoise.get_connection("default").execute_query_dict("PRAGMA cache_size")
    assert rows == [{"cache_size": -64 * 1024}]  # KiB, negative: SQLite's unit for a size


async def indexed_columns(table: str, postgres: bool) -> set[tuple[str, ...]]:
    """The column lists of every index the table has."""
    conn = Tortoise.get_connection("default")
    if postgres:
        rows = await conn.execute_query_dict(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1",
            [table],
        )
        found = set()
        for row in rows:
            listed = row["indexdef"].rsplit("(", 1)[1].rstrip(")")
            found.add(tuple(column.strip().strip('"') for column in listed.split(",")))
        return found
    found = set()
    for index in await conn.execute_query_dict(f"PRAGMA index_list('{table}')"):
        info = await conn.execute_query_dict(f"PRAGMA index_info('{index['name']}')")
        found.add(tuple(row["name"] for row in sorted(info, key=lambda r: r["seqno"])))
    return found


async def test_every_index_a_model_declares_exists(is_postgres: bool, app: object) -> None:
    # A migration that rebuilds a SQLite table (AlterField, AddConstraint) silently drops
    # its composite indexes: 0006 puts the notifications' back, and this keeps watch.
    missing = []
    for model in Tortoise.apps["models"].values():
        have = await indexed_columns(table(model), is_postgres)
        missing += [(table(model), d) for d in declared_indexes(model) if d not in have]
    assert missing == []
