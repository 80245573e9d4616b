from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_search')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RankingSnapshot',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('viewer', fields.ForeignKeyField('models.User', source_field='viewer_id', null=True, db_constraint=True, to_field='id', related_name='ranking_snapshots', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ranking_snapshots', 'app': 'models', 'indexes': [Index(fields=['viewer_id', 'created_at']), Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': "A ranked list of moments frozen at one time: trending (no viewer) or one member's"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RankingEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('snapshot', fields.ForeignKeyField('models.RankingSnapshot', source_field='snapshot_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('postcard_id', fields.BigIntField()),
                ('author_id', fields.BigIntField()),
                ('score', fields.FloatField()),
            ],
            options={'table': 'ranking_entries', 'app': 'models', 'unique_together': (('snapshot', 'position'),), 'pk_attr': 'id', 'table_description': 'One moment at its place in a snapshot. No foreign key to the moment: a deleted one'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Comment',
            index=Index(fields=['author_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Like',
            index=Index(fields=['user_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Postcard',
            index=Index(fields=['track_id', 'author_id', 'created_at']),
        ),
    ]
