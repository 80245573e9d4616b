from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_safety')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='block_count',
            field=fields.IntField(default=0, db_default=0),
        ),
    ]
