from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_notifications')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Postcard',
            index=Index(fields=['author_id', 'created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Postcard',
            index=Index(fields=['created_at', 'id', 'author_id']),
        ),
        ops.RemoveIndex(
            model_name='Postcard',
            name=None,
            fields=['author_id', 'created_at'],
        ),
        ops.RemoveIndex(
            model_name='Postcard',
            name=None,
            fields=['created_at'],
        ),
    ]
