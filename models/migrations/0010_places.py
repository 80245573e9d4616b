from datetime import UTC, datetime

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

from models.place import SAME_PLACE_METERS, distance_m, name_key
from models.raw_sql import per_dialect

# Places (README, "Places and nearby"): the table, `postcards.place_id` (a new nullable
# column: SQLite adds it without rebuilding postcards, so its composite indexes stay), the
# spatial index of each database in raw SQL (tortoise knows neither an R*Tree nor an
# expression index), then a backfill of places from the moments' place_* columns.

# SQLite: an R*Tree of each place's point, kept in sync by triggers in the writing
# transaction (it stores 32-bit floats, rounded outwards: queries filter by its box, then
# by the exact distance on the places row).
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS places_rtree USING rtree(id, min_lat, max_lat, min_lng, max_lng)",
    "CREATE TRIGGER IF NOT EXISTS places_rtree_insert AFTER INSERT ON places"
    " WHEN NEW.latitude IS NOT NULL AND NEW.longitude IS NOT NULL BEGIN"
    " INSERT INTO places_rtree VALUES (NEW.id, NEW.latitude, NEW.latitude, NEW.longitude, NEW.longitude);"
    " END",
    "CREATE TRIGGER IF NOT EXISTS places_rtree_update AFTER UPDATE OF latitude, longitude ON places BEGIN"
    " DELETE FROM places_rtree WHERE id = OLD.id;"
    " INSERT INTO places_rtree SELECT NEW.id, NEW.latitude, NEW.latitude, NEW.longitude, NEW.longitude"
    " WHERE NEW.latitude IS NOT NULL AND NEW.longitude IS NOT NULL;"
    " END",
    "CREATE TRIGGER IF NOT EXISTS places_rtree_delete AFTER DELETE ON places BEGIN"
    " DELETE FROM places_rtree WHERE id = OLD.id;"
    " END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS places_rtree_insert",
    "DROP TRIGGER IF EXISTS places_rtree_update",
    "DROP TRIGGER IF EXISTS places_rtree_delete",
    "DROP TABLE IF EXISTS places_rtree",
]
# PostgreSQL: contrib's cube + earthdistance (no PostGIS), a GiST index of each place's
# point on the earth; queries ask `earth_box(...) @> ll_to_earth(latitude, longitude)`, then
# `earth_distance` (README: creating earthdistance takes a superuser or the database owner
# with the extension trusted).
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS cube",
    "CREATE EXTENSION IF NOT EXISTS earthdistance",
    "CREATE INDEX IF NOT EXISTS places_earth_idx ON places USING gist"
    " (ll_to_earth(latitude, longitude)) WHERE latitude IS NOT NULL AND longitude IS NOT NULL",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS places_earth_idx"]


def _postgres(editor) -> bool:
    return editor.client.capabilities.dialect == "postgres"


def _ids(postgres: bool, ids: list[int]) -> tuple[str, object]:
    if postgres:
        return "id = ANY($6::bigint[])", ids
    import json

    return "id IN (SELECT value FROM json_each(?6))", json.dumps(ids)


async def backfill(apps, editor) -> None:
    """One Place per venue of the moments already shared, by the rules new moments follow
    (models/place.py), deciding in id order; each moment then names its place and carries
    its place's name and coordinates."""
    conn = editor.client
    postgres = _postgres(editor)
    rows = await conn.execute_query_dict(
        "SELECT id, place_name, place_latitude, place_longitude, place_foursquare_id"
        " FROM postcards WHERE place_name IS NOT NULL ORDER BY id"
    )
    places: list[dict] = []
    by_venue: dict[str, dict] = {}
    by_key: dict[str, list[dict]] = {}
    for row in rows:
        lat, lng = row["place_latitude"], row["place_longitude"]
        if lat is None or lng is None:
            lat = lng = None
        venue, key = row["place_foursquare_id"], name_key(row["place_name"])
        place = None
        if venue:
            place = by_venue.get(venue)
        elif lat is not None:
            near = [
                (distance_m(lat, lng, p["latitude"], p["longitude"]), p["n"], p)
                for p in by_key.get(key, [])
            ]
            near = [item for item in near if item[0] <= SAME_PLACE_METERS]
            place = min(near, key=lambda item: item[:2])[2] if near else None
        if place is None:
            place = {"n": len(places), "name": row["place_name"], "key": key, "latitude": lat,
                     "longitude": lng, "venue": venue, "moments": []}
            places.append(place)
            if venue:
                by_venue[venue] = place
            if lat is not None:
                by_key.setdefault(key, []).append(place)
        place["moments"].append(int(row["id"]))
    mark = (lambda n: f"${n}") if postgres else (lambda n: f"?{n}")
    insert = (
        "INSERT INTO places (name, name_key, latitude, longitude, foursquare_venue_id,"
        f" postcard_count, created_at) VALUES ({', '.join(mark(n) for n in range(1, 8))})"
        " RETURNING id"
    )
    # as tortoise writes a time: an aware datetime to asyncpg, ISO text to SQLite
    moment = datetime.now(UTC)
    created = moment if postgres else moment.isoformat(" ")
    update = (
        f"UPDATE postcards SET place_id = {mark(1)}, place_name = {mark(2)},"
        f" place_latitude = {mark(3)}, place_longitude = {mark(4)},"
        f" place_foursquare_id = {mark(5)} WHERE "
    )
    for place in places:
        values = [place["name"], place["key"], place["latitude"], place["longitude"],
                  place["venue"], len(place["moments"]), created]
        (made,) = await conn.execute_query_dict(insert, values)
        moments = place["moments"]
        for start in range(0, len(moments), 10_000):
            condition, ids = _ids(postgres, moments[start:start + 10_000])
            copy = [place["name"], place["latitude"], place["longitude"], place["venue"]]
            await conn.execute_query(update + condition, [int(made["id"]), *copy, ids])


class Migration(migrations.Migration):
    dependencies = [('models', '0009_track_links')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Place',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('name_key', fields.CharField(max_length=200)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('foursquare_venue_id', fields.CharField(null=True, unique=True, max_length=64)),
                ('postcard_count', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'places', 'app': 'models', 'indexes': [Index(fields=['name_key', 'latitude'])], 'pk_attr': 'id', 'table_description': 'A venue or spot. Its moments carry a copy of its name and coordinates'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Postcard',
            name='place',
            field=fields.ForeignKeyField('models.Place', source_field='place_id', null=True, db_constraint=True, to_field='id', related_name='postcards', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddIndex(
            model_name='Postcard',
            index=Index(fields=['place_id', 'created_at', 'id', 'author_id']),
        ),
        per_dialect(
            {"sqlite": SQLITE_FORWARD, "postgres": POSTGRES_FORWARD},
            {"sqlite": SQLITE_BACKWARD, "postgres": POSTGRES_BACKWARD},
        ),
        ops.RunPython(backfill, ops.RunPython.noop),
    ]
