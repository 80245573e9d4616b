"""Who keeps whom away: blocks (both ways), mutes (the muter's alone, maybe until a time)
and follow requests to private accounts; reports of users, moments and comments, and the
moderators' log of what they did about them."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.user import User


class Block(Model):
    """`blocker` blocks `blocked`: while it stands, neither sees or reaches the other."""

    id = fields.BigIntField(primary_key=True)
    blocker_id: int
    blocker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="blocks_made", on_delete=fields.CASCADE
    )
    blocked_id: int
    blocked: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="blocks_received", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "blocks"
        unique_together = (("blocker", "blocked"),)
        # "is either blocking the other" is looked up from both ends
        indexes = (("blocked_id", "blocker_id"), ("blocker_id", "created_at"))


class Mute(Model):
    """A mute: the muter sees nothing of the muted member until it expires, if ever.
    The muted notices nothing (moments and notifications vanish for the muter only)."""

    id = fields.BigIntField(primary_key=True)
    muter_id: int
    muter: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="mutes_made", on_delete=fields.CASCADE
    )
    muted_id: int
    muted: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="mutes_received", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mutes"
        unique_together = (("muter", "muted"),)
        indexes = (("muter_id", "created_at"),)


class FollowRequest(Model):
    """`requester` asks to follow the private account `target`."""

    id = fields.BigIntField(primary_key=True)
    requester_id: int
    requester: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="follow_requests_made", on_delete=fields.CASCADE
    )
    target_id: int
    target: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="follow_requests_received", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "follow_requests"
        unique_together = (("requester", "target"),)
        indexes = (("target_id", "created_at"),)


class Role(StrEnum):
    MEMBER = "MEMBER"
    MODERATOR = "MODERATOR"
    ADMIN = "ADMIN"


class ReportSubject(StrEnum):
    USER = "USER"
    POSTCARD = "POSTCARD"
    COMMENT = "COMMENT"


class ReportReason(StrEnum):
    SPAM = "SPAM"
    HARASSMENT = "HARASSMENT"
    HATE = "HATE"
    NUDITY = "NUDITY"
    VIOLENCE = "VIOLENCE"
    SELF_HARM = "SELF_HARM"
    COPYRIGHT = "COPYRIGHT"
    IMPERSONATION = "IMPERSONATION"
    OTHER = "OTHER"


class ReportStatus(StrEnum):
    OPEN = "OPEN"
    DISMISSED = "DISMISSED"
    ACTIONED = "ACTIONED"


class ModerationKind(StrEnum):
    DISMISS = "DISMISS"
    REMOVE_CONTENT = "REMOVE_CONTENT"
    SUSPEND_ACCOUNT = "SUSPEND_ACCOUNT"
    GRANT_ROLE = "GRANT_ROLE"


class Report(Model):
    """A member's report of a user, a moment or a comment. The subject is named by kind and
    id, not by a foreign key: a report outlives the content it was about. `subject_owner`
    is whose it is (the reported member). `open_key` is `<reporter>:<kind>:<id>` while the
    report is open and null after, so each reporter has one open report per subject."""

    id = fields.BigIntField(primary_key=True)
    reporter_id: int | None
    reporter: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="reports_made", null=True, on_delete=fields.SET_NULL
    )
    subject_kind = fields.CharEnumField(ReportSubject, max_length=10)
    subject_id = fields.BigIntField()
    subject_owner_id: int | None
    subject_owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="reports_received", null=True, on_delete=fields.SET_NULL
    )
    reason = fields.CharEnumField(ReportReason, max_length=16)
    note = fields.CharField(max_length=1000, default="")
    status = fields.CharEnumField(ReportStatus, max_length=10, default=ReportStatus.OPEN)
    open_key = fields.CharField(max_length=80, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "reports"
        indexes = (("status", "id"),)


class ModerationAction(Model):
    """The audit log: who did what to which subject, when and why. `details` keeps what the
    action removed or changed (a removed moment's caption, a role granted)."""

    id = fields.BigIntField(primary_key=True)
    moderator_id: int | None
    moderator: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="moderation_actions", null=True, on_delete=fields.SET_NULL
    )
    kind = fields.CharEnumField(ModerationKind, max_length=20)
    report_id: int | None
    report: fields.ForeignKeyNullableRelation[Report] = fields.ForeignKeyField(
        "models.Report", related_name="actions", null=True, on_delete=fields.SET_NULL
    )
    subject_kind = fields.CharEnumField(ReportSubject, max_length=10)
    subject_id = fields.BigIntField()
    note = fields.CharField(max_length=1000, default="")
    details: Any = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "moderation_actions"
        indexes = (("created_at",),)


class RetiredUsername(Model):
    """The username of a deleted account, taken by nobody until `free_at`."""

    username = fields.CharField(max_length=30, primary_key=True)
    free_at = fields.DatetimeField()

    class Meta:
        table = "retired_usernames"
