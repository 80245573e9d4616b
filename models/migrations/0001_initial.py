from tortoise import migrations
from tortoise.migrations import operations as ops
from models.postcard import PhotoSource
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='FeedEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=20)),
                ('postcard_id', fields.BigIntField()),
                ('author_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'feed_events', 'app': 'models', 'indexes': [Index(fields=['author_id', 'id']), Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': 'The durable, ordered log of feed events. `id` is the sequence live clients resume from.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Track',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=300)),
                ('artist', fields.CharField(max_length=300)),
                ('album', fields.CharField(null=True, max_length=300)),
                ('duration_ms', fields.IntField(null=True)),
                ('artwork_url', fields.CharField(null=True, max_length=2048)),
                ('spotify_id', fields.CharField(null=True, unique=True, max_length=22)),
                ('dedupe_key', fields.CharField(unique=True, max_length=700)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tracks', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A song. `dedupe_key` is `spotify:<id>` when the Spotify id is known, else the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=30)),
                ('display_name', fields.CharField(default='', max_length=100)),
                ('bio', fields.CharField(default='', max_length=500)),
                ('avatar_url', fields.CharField(null=True, max_length=2048)),
                ('password_hash', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('follower_count', fields.IntField(default=0)),
                ('following_count', fields.IntField(default=0)),
                ('postcard_count', fields.IntField(default=0)),
            ],
            options={'table': 'users', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A member. `username` is stored lowercased, which makes it unique case-insensitively.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccessToken',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'access_tokens', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An opaque bearer token. Only its SHA-256 is stored.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Follow',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('follower', fields.ForeignKeyField('models.User', source_field='follower_id', db_constraint=True, to_field='id', related_name='following_rows', on_delete=OnDelete.CASCADE)),
                ('followee', fields.ForeignKeyField('models.User', source_field='followee_id', db_constraint=True, to_field='id', related_name='follower_rows', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'follows', 'app': 'models', 'unique_together': (('follower', 'followee'),), 'indexes': [Index(fields=['followee_id', 'created_at']), Index(fields=['follower_id', 'created_at'])], 'pk_attr': 'id', 'table_description': '`follower` follows `followee`, one row per pair.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Playlist',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='playlists', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=100)),
                ('description', fields.CharField(default='', max_length=1000)),
                ('is_public', fields.BooleanField(default=True)),
                ('version', fields.IntField(default=1)),
                ('item_count', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'playlists', 'app': 'models', 'indexes': [Index(fields=['owner_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'An ordered collection. `version` is bumped by every change, for optimistic concurrency.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Postcard',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='postcards', on_delete=OnDelete.CASCADE)),
                ('track', fields.ForeignKeyField('models.Track', source_field='track_id', db_constraint=True, to_field='id', related_name='postcards', on_delete=OnDelete.RESTRICT)),
                ('caption', fields.CharField(default='', max_length=500)),
                ('photo_url', fields.CharField(null=True, max_length=2048)),
                ('photo_source', fields.CharEnumField(null=True, description='UPLOAD: UPLOAD\nINSTAGRAM: INSTAGRAM\nWEB: WEB', enum_type=PhotoSource, max_length=10)),
                ('place_name', fields.CharField(null=True, max_length=200)),
                ('place_latitude', fields.FloatField(null=True)),
                ('place_longitude', fields.FloatField(null=True)),
                ('place_foursquare_id', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('like_count', fields.IntField(default=0)),
                ('comment_count', fields.IntField(default=0)),
            ],
            options={'table': 'postcards', 'app': 'models', 'indexes': [Index(fields=['author_id', 'created_at']), Index(fields=['created_at']), Index(fields=['track_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A music moment: a track, a photo, a caption and a place.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Comment',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('postcard', fields.ForeignKeyField('models.Postcard', source_field='postcard_id', db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('body', fields.CharField(max_length=1000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'comments', 'app': 'models', 'indexes': [Index(fields=['postcard_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Like',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='likes', on_delete=OnDelete.CASCADE)),
                ('postcard', fields.ForeignKeyField('models.Postcard', source_field='postcard_id', db_constraint=True, to_field='id', related_name='likes', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'likes', 'app': 'models', 'unique_together': (('user', 'postcard'),), 'indexes': [Index(fields=['postcard_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PlaylistItem',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('playlist', fields.ForeignKeyField('models.Playlist', source_field='playlist_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('track', fields.ForeignKeyField('models.Track', source_field='track_id', db_constraint=True, to_field='id', related_name='playlist_items', on_delete=OnDelete.RESTRICT)),
                ('postcard', fields.ForeignKeyField('models.Postcard', source_field='postcard_id', null=True, db_constraint=True, to_field='id', related_name='playlist_items', on_delete=OnDelete.SET_NULL)),
                ('added_by', fields.ForeignKeyField('models.User', source_field='added_by_id', db_constraint=True, to_field='id', related_name='playlist_additions', on_delete=OnDelete.CASCADE)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'playlist_items', 'app': 'models', 'indexes': [Index(fields=['playlist_id', 'position'])], 'pk_attr': 'id', 'table_description': 'One entry. Positions of a playlist are always 0..item_count-1.'},
            bases=['Model'],
        ),
    ]
