"""The moderation log, as admins read it: every moderator action and role granted."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

import models
from graph import compat
from graph.context import Info
from graph.relay import copied_from_row
from graph.types.report import AboutSubject, Report, user_or_none
from graph.types.user import User

ModerationActionKind = compat.describe_values(
    strawberry.enum(
        models.ModerationKind,
        name="ModerationActionKind",
        description="What a moderator did (or the command line, for GRANT_ROLE).",
    ),
    {
        "DISMISS": "Dismissed a report: nothing to do.",
        "REMOVE_CONTENT": "Deleted the reported moment or comment.",
        "SUSPEND_ACCOUNT": "Suspended the account: no log-in, every token revoked.",
        "GRANT_ROLE": "Gave a member a role (`soundpost grant-role`).",
    },
)

ReportSubjectKind = compat.describe_values(
    strawberry.enum(
        models.ReportSubject,
        name="ReportSubjectKind",
        description="The kind of thing a report or an action is about.",
    ),
    {"USER": "A member.", "POSTCARD": "A moment.", "COMMENT": "A comment."},
)


@strawberry.type(
    description="One entry of the audit log: who did what to which subject, when and why. "
    "Only admins read it."
)
class ModerationAction(AboutSubject):
    row: strawberry.Private[models.ModerationAction]
    id: strawberry.ID = strawberry.field(description="Opaque ID of the entry.")
    kind: ModerationActionKind = strawberry.field(description="What was done.")  # type: ignore[valid-type]
    subject_kind: ReportSubjectKind = strawberry.field(  # type: ignore[valid-type]
        description="The kind of subject it was done to."
    )
    note: str = strawberry.field(description="Why, in the moderator's words (may be empty).")
    details: JSON = strawberry.field(
        description="What the action removed or changed, as a JSON object: a removed "
        "moment's caption, author_id and track_id; a removed comment's body; a suspended "
        "member's username and tokens_revoked; a role and previous_role; and `reports`, the "
        "ids of the reports it resolved."
    )
    created_at: datetime = strawberry.field(description="When it was done.")

    from_row = copied_from_row("kind", "subject_kind", "note", "details", "created_at")

    @strawberry.field(description="The report it resolved; null for GRANT_ROLE.")
    async def report(self, info: Info) -> Report | None:
        report_id = self.row.report_id
        row = await info.context.loaders.report_by_id.load(report_id) if report_id else None
        return Report.from_row(row) if row else None

    @strawberry.field(
        description="The moderator who did it; null when done from the command line, or "
        "once their account is gone."
    )
    async def moderator(self, info: Info) -> User | None:
        return await user_or_none(info, self.row.moderator_id)
