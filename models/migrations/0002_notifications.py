from tortoise import migrations
from tortoise.migrations import operations as ops
from models.notification import NotificationKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('recipient', fields.ForeignKeyField('models.User', source_field='recipient_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', db_constraint=True, to_field='id', related_name='notifications_caused', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='LIKED: LIKED\nCOMMENTED: COMMENTED\nFOLLOWED: FOLLOWED', enum_type=NotificationKind, max_length=10)),
                ('postcard', fields.ForeignKeyField('models.Postcard', source_field='postcard_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.SET_NULL)),
                ('comment', fields.ForeignKeyField('models.Comment', source_field='comment_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.SET_NULL)),
                ('dedupe_key', fields.CharField(null=True, unique=True, max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notifications', 'app': 'models', 'indexes': [Index(fields=['recipient_id', 'id']), Index(fields=['recipient_id', 'read_at'])], 'pk_attr': 'id', 'table_description': 'Something another member did to the recipient: a like, a comment or a follow.'},
            bases=['Model'],
        ),
    ]
