"""report (any member) and resolveReport (moderators)."""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from graph import compat
from graph.context import Info, publisher
from graph.errors import UserError, attempt
from graph.mutations import INPUT
from graph.relay import decode_id, from_global_id
from graph.types.report import Report, ReportReason
from resolvers import moderation, reports

ReportAction = compat.describe_values(
    strawberry.enum(
        moderation.Action,
        name="ReportAction",
        description="What a moderator does about a report (and every other open report of "
        "the same subject, resolved with it).",
    ),
    {
        "DISMISS": "Nothing to do: the reports become DISMISSED.",
        "REMOVE_CONTENT": "Delete the reported moment or comment, as its author deleting it "
        "would (a moment's tombstone goes to live feeds). INVALID for a reported member: "
        "use SUSPEND_ACCOUNT.",
        "SUSPEND_ACCOUNT": "Suspend the member reported, or the author of the reported "
        "content: every token revoked, live websockets closed (4403), logIn refused "
        "(SUSPENDED).",
    },
)
SUBJECT_KINDS = {
    "User": models.ReportSubject.USER,
    "Postcard": models.ReportSubject.POSTCARD,
    "Comment": models.ReportSubject.COMMENT,
}


@strawberry.input(description="What to report, and why.")
class ReportInput:
    subject_id: strawberry.ID = strawberry.field(
        description="Global ID of a User, a Postcard or a Comment; not yours."
    )
    reason: ReportReason = strawberry.field(description="Why.")  # type: ignore[valid-type]
    note: str | None = strawberry.field(
        default=None, description="Anything the moderators should know, up to 1,000 characters."
    )


@strawberry.input(description="A report to resolve, and how.")
class ResolveReportInput:
    report_id: strawberry.ID = strawberry.field(description="Global ID of an open Report.")
    action: ReportAction = strawberry.field(description="What to do.")  # type: ignore[valid-type]
    note: str | None = strawberry.field(
        default=None, description="Why, for the moderation log, up to 1,000 characters."
    )


@strawberry.type(description="Result of report and resolveReport.")
class ReportPayload:
    report: Report | None = strawberry.field(
        description="The report: your new one (report), or the one resolved (resolveReport); "
        "null on failure."
    )
    errors: list[UserError] = strawberry.field(
        description="Why it failed (nothing was written); empty on success. For report, "
        "CONFLICT: you have an open report of this subject already; INVALID: it is you or "
        "yours. For resolveReport, FORBIDDEN: not a moderator; CONFLICT: resolved already."
    )


def _subject(global_id: str) -> reports.Subject | None:
    parsed = from_global_id(global_id)
    if parsed is None or parsed[0] not in SUBJECT_KINDS:
        return None
    return reports.Subject(SUBJECT_KINDS[parsed[0]], parsed[1])


async def report(info: Info, input: Annotated[ReportInput, INPUT]) -> ReportPayload:
    viewer = info.context.require_viewer()
    work = reports.report(viewer, _subject(input.subject_id), input.reason, input.note)
    row, errors = await attempt(work)
    return ReportPayload(report=Report.from_row(row) if row else None, errors=errors)


async def resolve_report(info: Info, input: Annotated[ResolveReportInput, INPUT]) -> ReportPayload:
    viewer = info.context.require_viewer()
    work = moderation.resolve(
        viewer,
        decode_id(input.report_id, "Report"),
        input.action,
        input.note,
        publisher(info.context),
    )
    row, errors = await attempt(work)
    return ReportPayload(report=Report.from_row(row) if row else None, errors=errors)
