from tortoise import migrations
from tortoise.migrations import operations as ops
from models.notification import NotificationKind
from models.safety import ModerationKind, ReportReason, ReportStatus, ReportSubject, Role
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_stored_photos')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Block',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('blocker', fields.ForeignKeyField('models.User', source_field='blocker_id', db_constraint=True, to_field='id', related_name='blocks_made', on_delete=OnDelete.CASCADE)),
                ('blocked', fields.ForeignKeyField('models.User', source_field='blocked_id', db_constraint=True, to_field='id', related_name='blocks_received', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'blocks', 'app': 'models', 'unique_together': (('blocker', 'blocked'),), 'indexes': [Index(fields=['blocked_id', 'blocker_id']), Index(fields=['blocker_id', 'created_at'])], 'pk_attr': 'id', 'table_description': '`blocker` blocks `blocked`: while it stands, neither sees or reaches the other.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FollowRequest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('requester', fields.ForeignKeyField('models.User', source_field='requester_id', db_constraint=True, to_field='id', related_name='follow_requests_made', on_delete=OnDelete.CASCADE)),
                ('target', fields.ForeignKeyField('models.User', source_field='target_id', db_constraint=True, to_field='id', related_name='follow_requests_received', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'follow_requests', 'app': 'models', 'unique_together': (('requester', 'target'),), 'indexes': [Index(fields=['target_id', 'created_at'])], 'pk_attr': 'id', 'table_description': '`requester` asks to follow the private account `target`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Mute',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('muter', fields.ForeignKeyField('models.User', source_field='muter_id', db_constraint=True, to_field='id', related_name='mutes_made', on_delete=OnDelete.CASCADE)),
                ('muted', fields.ForeignKeyField('models.User', source_field='muted_id', db_constraint=True, to_field='id', related_name='mutes_received', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mutes', 'app': 'models', 'unique_together': (('muter', 'muted'),), 'indexes': [Index(fields=['muter_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A mute: the muter sees nothing of the muted member until it expires, if ever.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Report',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reporter', fields.ForeignKeyField('models.User', source_field='reporter_id', null=True, db_constraint=True, to_field='id', related_name='reports_made', on_delete=OnDelete.SET_NULL)),
                ('subject_kind', fields.CharEnumField(description='USER: USER\nPOSTCARD: POSTCARD\nCOMMENT: COMMENT', enum_type=ReportSubject, max_length=10)),
                ('subject_id', fields.BigIntField()),
                ('subject_owner', fields.ForeignKeyField('models.User', source_field='subject_owner_id', null=True, db_constraint=True, to_field='id', related_name='reports_received', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.CharEnumField(description='SPAM: SPAM\nHARASSMENT: HARASSMENT\nHATE: HATE\nNUDITY: NUDITY\nVIOLENCE: VIOLENCE\nSELF_HARM: SELF_HARM\nCOPYRIGHT: COPYRIGHT\nIMPERSONATION: IMPERSONATION\nOTHER: OTHER', enum_type=ReportReason, max_length=16)),
                ('note', fields.CharField(default='', max_length=1000)),
                ('status', fields.CharEnumField(default=ReportStatus.OPEN, description='OPEN: OPEN\nDISMISSED: DISMISSED\nACTIONED: ACTIONED', enum_type=ReportStatus, max_length=10)),
                ('open_key', fields.CharField(null=True, unique=True, max_length=80)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reports', 'app': 'models', 'indexes': [Index(fields=['status', 'id'])], 'pk_attr': 'id', 'table_description': "A member's report of a user, a moment or a comment. The subject is named by kind and"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ModerationAction',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('moderator', fields.ForeignKeyField('models.User', source_field='moderator_id', null=True, db_constraint=True, to_field='id', related_name='moderation_actions', on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharEnumField(description='DISMISS: DISMISS\nREMOVE_CONTENT: REMOVE_CONTENT\nSUSPEND_ACCOUNT: SUSPEND_ACCOUNT\nGRANT_ROLE: GRANT_ROLE', enum_type=ModerationKind, max_length=20)),
                ('report', fields.ForeignKeyField('models.Report', source_field='report_id', null=True, db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.SET_NULL)),
                ('subject_kind', fields.CharEnumField(description='USER: USER\nPOSTCARD: POSTCARD\nCOMMENT: COMMENT', enum_type=ReportSubject, max_length=10)),
                ('subject_id', fields.BigIntField()),
                ('note', fields.CharField(default='', max_length=1000)),
                ('details', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'moderation_actions', 'app': 'models', 'indexes': [Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': 'The audit log: who did what to which subject, when and why. `details` keeps what the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RetiredUsername',
            fields=[
                ('username', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=30)),
                ('free_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'retired_usernames', 'app': 'models', 'pk_attr': 'username', 'table_description': 'The username of a deleted account, taken by nobody until `free_at`.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Notification',
            name='kind',
            field=fields.CharEnumField(description='LIKED: LIKED\nCOMMENTED: COMMENTED\nFOLLOWED: FOLLOWED\nFOLLOW_REQUESTED: REQUESTED\nFOLLOW_ACCEPTED: ACCEPTED', enum_type=NotificationKind, max_length=10),
        ),
        # On SQLite the AlterField above (the enum's column comment) rebuilds the table and
        # drops its composite indexes; put them back (a no-op on PostgreSQL, which kept them).
        ops.RunSQL([
            'CREATE INDEX IF NOT EXISTS "idx_notificatio_recipie_c5c7cf" ON "notifications" ("recipient_id", "id")',
            'CREATE INDEX IF NOT EXISTS "idx_notificatio_recipie_dce4e8" ON "notifications" ("recipient_id", "read_at")',
        ]),
        ops.AddField(
            model_name='User',
            name='is_private',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='User',
            name='role',
            field=fields.CharEnumField(default=Role.MEMBER, description='MEMBER: MEMBER\nMODERATOR: MODERATOR\nADMIN: ADMIN', db_default=Role.MEMBER, enum_type=Role, max_length=10),
        ),
        ops.AddField(
            model_name='User',
            name='suspended_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
