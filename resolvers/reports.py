"""Members' reports of a user, a moment or a comment (README, "Reports and moderation"):
one open report per reporter and subject, never about yourself or your own content. Who
reported whom is for moderators alone: nothing here tells the reported member anything, and
what moderators do with a report is resolvers/moderation.py."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from models import Comment, Postcard, Report, ReportReason, ReportSubject, User
from resolvers import visibility
from resolvers.errors import Code, Collector, problem
from resolvers.rows import create_once
from resolvers.validate import clean_text

MAX_NOTE = 1000


@dataclass(frozen=True)
class Subject:
    """What a report is about: a member, a moment or a comment, by kind and id."""

    kind: ReportSubject
    id: int

    def columns(self) -> dict[str, Any]:
        """The subject as a report's (or a log entry's) columns name it."""
        return {"subject_kind": self.kind, "subject_id": self.id}


async def owner_of(subject: Subject) -> int | None:
    """Whose the subject is (the member themselves, or the author); None when it does not
    exist."""
    if subject.kind is ReportSubject.USER:
        return subject.id if await User.exists(id=subject.id) else None
    model = Postcard if subject.kind is ReportSubject.POSTCARD else Comment
    owners = await model.filter(id=subject.id).values_list("author_id", flat=True)
    return owners[0] if owners else None  # type: ignore[return-value]


async def _seen(viewer: User, subject: Subject) -> bool:
    """Whether the reporter may see the content reported. A block does not hide it here:
    harassment across a block is what reports are for."""
    if subject.kind is ReportSubject.USER:
        return True
    postcard_id = subject.id
    if subject.kind is ReportSubject.COMMENT:
        found = await Comment.filter(id=subject.id).values_list("postcard_id", flat=True)
        if not found:
            return False
        postcard_id = int(found[0])  # type: ignore[call-overload]
    postcard = await Postcard.get_or_none(id=postcard_id).select_related("author")
    if postcard is None:
        return False
    known = await visibility.relation(viewer.id, postcard.author_id)
    unblocked = replace(known, blocks=False, blocked_by=False)
    return visibility.sees_content(viewer.id, postcard.author, unblocked)


def open_key(reporter_id: int, subject: Subject) -> str:
    """Unique while the report is open (Report.open_key): one open report per reporter and
    subject."""
    return f"{reporter_id}:{subject.kind}:{subject.id}"


async def report(
    viewer: User, subject: Subject | None, reason: ReportReason, note: str | None
) -> Report:
    """The new open report. Refused, writing nothing: a note over 1,000 characters
    (TOO_LONG), no such subject (NOT_FOUND), yourself or your own content (INVALID), and a
    second open report of the same subject by the same member (CONFLICT)."""
    errors = Collector()
    text = errors.check(clean_text, note, "note", max_len=MAX_NOTE, multiline=True) or ""
    owner_id = await owner_of(subject) if subject is not None else None
    if subject is not None and owner_id is not None and not await _seen(viewer, subject):
        owner_id = None  # a private moment the reporter cannot see: as if there were none
    if subject is None or owner_id is None:
        errors.add("subjectId", "No user, moment or comment with this id.", Code.NOT_FOUND)
    elif owner_id == viewer.id:
        errors.add("subjectId", "You cannot report yourself or your own content.", Code.INVALID)
    errors.raise_if_any()
    assert subject is not None
    created = await create_once(
        Report,
        reporter_id=viewer.id,
        **subject.columns(),
        subject_owner_id=owner_id,
        reason=reason,
        note=text,
        open_key=open_key(viewer.id, subject),
    )
    if created is None:
        message = "You reported this already: the moderators have your open report."
        raise problem("subjectId", message, Code.CONFLICT)
    return created
