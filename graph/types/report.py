"""Reports of members, moments and comments, as moderators read them. Nobody else reads a
report (the `reports` list is refused, `node(id:)` gives null), so the reported member can
never learn who reported them; a reporter sees only their own report, in `report`'s
payload."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

import models
from graph import compat
from graph.context import Info
from graph.relay import Node, copied_from_row, to_global_id
from graph.types.postcard import Comment, Postcard
from graph.types.user import User, load_user
from resolvers import moderation

ReportReason = compat.describe_values(
    strawberry.enum(
        models.ReportReason,
        description="Why a member reports something.",
    ),
    {
        "SPAM": "Unwanted advertising, scams or repetitive junk.",
        "HARASSMENT": "Bullying, threats or targeting a person.",
        "HATE": "Attacks on people for who they are.",
        "NUDITY": "Nudity or sexual content.",
        "VIOLENCE": "Violence, or threats or praise of it.",
        "SELF_HARM": "Self-harm or suicide shown or encouraged.",
        "COPYRIGHT": "Someone else's work shared without right.",
        "IMPERSONATION": "Pretending to be someone else.",
        "OTHER": "Something else: say what in the note.",
    },
)

ReportStatus = compat.describe_values(
    strawberry.enum(
        models.ReportStatus,
        description="Where a report stands: OPEN until a moderator resolves it, then "
        "DISMISSED or ACTIONED.",
    ),
    {
        "OPEN": "Waiting for a moderator.",
        "DISMISSED": "A moderator found nothing to do (DISMISS).",
        "ACTIONED": "A moderator removed the content or suspended the account.",
    },
)

ReportSubject = Annotated[
    User | Postcard | Comment,
    strawberry.union(
        "ReportSubject", description="What a report is about: a member, a moment or a comment."
    ),
]

TYPE_NAMES = {
    models.ReportSubject.USER: "User",
    models.ReportSubject.POSTCARD: "Postcard",
    models.ReportSubject.COMMENT: "Comment",
}


async def subject_of(
    info: Info, kind: models.ReportSubject, subject_id: int
) -> User | Postcard | Comment | None:
    """The subject as it is now; None once deleted."""
    loaders = info.context.loaders
    if kind is models.ReportSubject.USER:
        user = await loaders.user_by_id.load(subject_id)
        return User.from_row(user) if user else None
    if kind is models.ReportSubject.POSTCARD:
        postcard = await loaders.postcard_by_id.load(subject_id)
        return Postcard.from_row(postcard) if postcard else None
    comment = await loaders.comment_by_id.load(subject_id)
    return Comment.from_row(comment) if comment else None


async def user_or_none(info: Info, user_id: int | None) -> User | None:
    return await load_user(info, user_id) if user_id is not None else None


@strawberry.type(description="Something about a subject: a report, or a moderator's action.")
class AboutSubject:
    """The subject fields a report and a log entry share (their rows name the subject by
    `subject_kind` and `subject_id`)."""

    row: strawberry.Private[models.Report | models.ModerationAction]

    @strawberry.field(description="Global ID of the subject, even once it is deleted.")
    def subject_id(self) -> strawberry.ID:
        return to_global_id(TYPE_NAMES[self.row.subject_kind], self.row.subject_id)

    @strawberry.field(description="The subject as it is now; null once deleted.")
    async def subject(self, info: Info) -> ReportSubject | None:
        return await subject_of(info, self.row.subject_kind, self.row.subject_id)


@strawberry.type(
    description="A member's report of a user, a moment or a comment. Only moderators read "
    "reports; a reporter sees their own in `report`'s payload."
)
class Report(Node, AboutSubject):
    row: strawberry.Private[models.Report]
    reason: ReportReason = strawberry.field(description="Why it was reported.")  # type: ignore[valid-type]
    note: str = strawberry.field(description="What the reporter added (may be empty).")
    status: ReportStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    created_at: datetime = strawberry.field(description="When it was reported.")
    resolved_at: datetime | None = strawberry.field(
        description="When a moderator resolved it; null while open."
    )

    from_row = copied_from_row("reason", "note", "status", "created_at", "resolved_at")

    @strawberry.field(
        description="Whose the subject is: the member reported, or the author of the moment "
        "or comment; null once their account is gone."
    )
    async def subject_owner(self, info: Info) -> User | None:
        return await user_or_none(info, self.row.subject_owner_id)

    @strawberry.field(
        description="Who reported it: shown to moderators (and to the reporter themselves); "
        "null for anyone else, and once their account is gone."
    )
    async def reporter(self, info: Info) -> User | None:
        viewer = info.context.viewer
        reporter_id = self.row.reporter_id
        if viewer is None or not (moderation.is_moderator(viewer) or viewer.id == reporter_id):
            return None
        return await user_or_none(info, reporter_id)
