"""The nearby lists use the spatial index, not a scan: each database's plan of both
statements on a few thousand places and moments (the bench prints the same plans at 100k
moments: bench/nearby.py)."""

from __future__ import annotations

import random
import re

from tortoise import Tortoise

from models import Place, Postcard, Track, User
from resolvers import places
from resolvers.sql.params import Params

PLACES, MOMENTS = 3_000, 6_000


async def plan(sql: str, values: list[object]) -> str:
    conn = Tortoise.get_connection("default")
    postgres = conn.capabilities.dialect == "postgres"
    _, rows = await conn.execute_query(
        ("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + sql, values
    )
    return "\n".join(str(row[0] if postgres else row["detail"]) for row in rows)


async def test_both_lists_are_planned_through_the_spatial_index(
    app: object, is_postgres: bool
) -> None:
    # given: places over the world, moments by a hundred members, fresh statistics
    rng = random.Random(7)
    members = [User(username=f"member{n}", password_hash="x") for n in range(100)]
    await User.bulk_create(members)
    member_ids = list(await User.all().values_list("id", flat=True))
    track = await Track.create(title="Song", artist="Band", dedupe_key="song\x1fband")
    await Place.bulk_create(
        [
            Place(
                name=f"spot {n}",
                name_key=f"spot{n}",
                latitude=rng.uniform(-60, 60),
                longitude=rng.uniform(-180, 180),
            )
            for n in range(PLACES)
        ]
    )
    place_ids = list(await Place.all().values_list("id", flat=True))
    await Postcard.bulk_create(
        [
            Postcard(
                author_id=rng.choice(member_ids),
                track_id=track.id,
                place_id=rng.choice(place_ids),
            )
            for _ in range(MOMENTS)
        ]
    )
    await Tortoise.get_connection("default").execute_script("ANALYZE")
    viewer = await User.get(id=member_ids[0])
    where = places.circle(34.0083, -118.4988, 5_000)

    # when
    plans = {}
    for who in (None, viewer):
        plans["nearby", who] = await plan(*_values(places.nearby_sql(who, where, 21, None)))
        plans["places", who] = await plan(*_values(places.nearby_places_sql(who, where, 21, None)))

    # then: the places come from the index, their moments by the place index
    for (kind, _), text in plans.items():
        if is_postgres:
            assert "Index Scan on places_earth_idx" in text, text
            assert "Seq Scan on places" not in text, text
            assert "Seq Scan on postcards" not in text, text
        else:
            assert "SCAN r VIRTUAL TABLE INDEX 2:" in text, text  # the R*Tree, by its box
            assert "SCAN pl" not in text, text
        if kind == "nearby" and not is_postgres:
            assert re.search(r"SEARCH p USING (COVERING )?INDEX idx_postcards_place_", text), text
        if kind == "nearby" and is_postgres:
            assert "idx_postcards_place_" in text, text


def _values(made: tuple[str, Params]) -> tuple[str, list[object]]:
    sql, params = made
    return sql, list(params.values)
