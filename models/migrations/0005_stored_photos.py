from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

# New nullable columns and a new table only: SQLite adds them with ALTER TABLE ADD COLUMN, no table rebuild
# (so the feed's composite indexes stay; tests/api/test_schema.py checks them).


class Migration(migrations.Migration):
    dependencies = [('models', '0004_uploads')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Postcard',
            name='photo',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='User',
            name='avatar',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='Upload',
            name='attached_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.CreateModel(
            name='UnusedFile',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=80)),
                ('found_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'unused_files', 'app': 'models', 'pk_attr': 'key', 'table_description': 'A media-store key that a sweep found named by no photo (resolvers/sweep.py). The'},
            bases=['Model'],
        ),
    ]
