from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_block_counts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DepartedFollower',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('author_id', fields.BigIntField()),
                ('follower_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'departed_followers', 'app': 'models', 'unique_together': (('author_id', 'follower_id'),), 'indexes': [Index(fields=['follower_id', 'author_id']), Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': 'Who followed a deleted account when it went: its moments\' DELETED events reach them,'},
            bases=['Model'],
        ),
    ]
