from tortoise import migrations
from tortoise.migrations import operations as ops
from models.track import TrackProvider
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

BATCH = 1000


def song_key(title: str, artist: str) -> str:
    """resolvers/validate.py `song_key` as of this migration (kept here: a migration must
    not change with the code)."""
    return f"{' '.join(title.casefold().split())}\x1f{' '.join(artist.casefold().split())}"


async def fill_song_keys(apps, schema_editor) -> None:
    """Every track's `song_key` (the normalized title and artist), in batches by id: a
    song arriving through another service is then found however its track was keyed."""
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    mark = "$1" if postgres else "?"
    update = (
        "UPDATE tracks SET song_key = $1 WHERE id = $2"
        if postgres
        else "UPDATE tracks SET song_key = ? WHERE id = ?"
    )
    last = 0
    while True:
        rows = await client.execute_query_dict(
            f"SELECT id, title, artist FROM tracks WHERE id > {mark} ORDER BY id LIMIT {BATCH}",
            [last],
        )
        if not rows:
            return
        await client.execute_many(
            update, [[song_key(row["title"], row["artist"]), row["id"]] for row in rows]
        )
        last = rows[-1]["id"]

class Migration(migrations.Migration):
    dependencies = [('models', '0008_departed_followers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TrackLink',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('track', fields.ForeignKeyField('models.Track', source_field='track_id', db_constraint=True, to_field='id', related_name='links', on_delete=OnDelete.CASCADE)),
                ('provider', fields.CharEnumField(description='SPOTIFY: SPOTIFY\nAPPLE_MUSIC: APPLE_MUSIC\nYOUTUBE: YOUTUBE\nDEEZER: DEEZER\nTIDAL: TIDAL\nSOUNDCLOUD: SOUNDCLOUD\nBANDCAMP: BANDCAMP', enum_type=TrackProvider, max_length=16)),
                ('url', fields.CharField(max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'track_links', 'app': 'models', 'unique_together': (('provider', 'url'),), 'indexes': [Index(fields=['track_id', 'provider'])], 'pk_attr': 'id', 'table_description': "A song's link on a service other than Spotify (Spotify's is `Track.spotify_id`), in"},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='Track',
            options={'table': 'tracks', 'app': 'models', 'indexes': [Index(fields=['song_key'])], 'pk_attr': 'id', 'table_description': 'A song. `dedupe_key` is `spotify:<id>` when the Spotify id is known at creation, else'},
        ),
        ops.AddField(
            model_name='Track',
            name='isrc',
            field=fields.CharField(null=True, unique=True, max_length=12),
        ),
        ops.AddField(
            model_name='Track',
            name='song_key',
            field=fields.CharField(null=True, max_length=700),
        ),
        ops.AddIndex(
            model_name='Track',
            index=Index(fields=['song_key']),
        ),
        ops.RunPython(fill_song_keys, ops.RunPython.noop),
    ]
