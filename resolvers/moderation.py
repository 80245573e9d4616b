"""What moderators do about reports, and the audit log (README, "Reports and moderation").

Roles: a MODERATOR reads the reports and resolves them; an ADMIN is a moderator who also
reads the log; roles are granted from the command line (`soundpost grant-role`). Resolving
a report is one transaction: the action itself (a moment or comment deleted as its author
deleting it would, or an account suspended and its tokens revoked), every open report of
the same subject resolved with it, and the action's row in the log. The live side follows
after commit: the moment's tombstone, the comment's counters, the revoked tokens'
websockets closed."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tortoise import timezone
from tortoise.transactions import in_transaction

from models import (
    Comment,
    FeedEvent,
    ModerationAction,
    ModerationKind,
    Postcard,
    Report,
    ReportStatus,
    ReportSubject,
    Role,
    User,
)
from resolvers import accounts, comments, postcards
from resolvers.errors import Code, Collector, Forbidden, not_found, problem
from resolvers.feedlog import to_message
from resolvers.pagination import Order, Page, keyset_page
from resolvers.reports import Subject
from resolvers.validate import clean_text, lookup_username
from subscriptions.events import Publish, publish_nothing

MAX_NOTE = 1000
# Ids grow with time: the reports oldest first, the log newest first, by id.
OLDEST_FIRST_BY_ID = Order("id", descending=False)
NEWEST_FIRST_BY_ID = Order("id", descending=True)
MODERATORS = frozenset({Role.MODERATOR, Role.ADMIN})
# The close reason a suspended member's live websockets get (code 4403).
SUSPENDED_REASON = "account suspended"


class Action(StrEnum):
    """What a moderator does about a report."""

    DISMISS = "DISMISS"
    REMOVE_CONTENT = "REMOVE_CONTENT"
    SUSPEND_ACCOUNT = "SUSPEND_ACCOUNT"


def is_moderator(user: User | None) -> bool:
    return user is not None and user.role in MODERATORS


async def _fresh(viewer: User) -> User:
    """The viewer's row read now: one from the token cache may be seconds old, and a role
    taken away must stop working at once."""
    return await User.get_or_none(id=viewer.id) or viewer


async def _check_moderator(viewer: User) -> None:
    if not is_moderator(await _fresh(viewer)):
        raise Forbidden("Only moderators can read reports.")


async def reports(
    viewer: User, status: ReportStatus, first: int | None, after: str | None
) -> Page[Report]:
    """The reports in `status`, oldest first; moderators only."""
    await _check_moderator(viewer)
    query = Report.filter(status=status)
    return await keyset_page(query, first=first, after=after, order=OLDEST_FIRST_BY_ID)


async def report_for(viewer: User | None, report_id: int) -> Report | None:
    """A report by id, for a moderator; None for anyone else (`node(id:)`)."""
    return await Report.get_or_none(id=report_id) if is_moderator(viewer) else None


async def log(viewer: User, first: int | None, after: str | None) -> Page[ModerationAction]:
    """The audit log, newest first; admins only."""
    if (await _fresh(viewer)).role is not Role.ADMIN:
        raise Forbidden("Only admins can read the moderation log.")
    query = ModerationAction.all()
    return await keyset_page(query, first=first, after=after, order=NEWEST_FIRST_BY_ID)


@dataclass
class _Done:
    """What an action did, for its log row and for the live side after commit."""

    details: dict[str, Any] = field(default_factory=dict)
    event: FeedEvent | None = None
    comment: Comment | None = None
    revoked: list[str] = field(default_factory=list)


async def resolve(
    moderator: User,
    report_id: int | None,
    action: Action,
    note: str | None,
    publish: Publish = publish_nothing,
) -> Report:
    """Resolve an open report with `action`, and every other open report of its subject
    with it (DISMISSED for DISMISS, else ACTIONED). Refused, writing nothing: not a
    moderator (FORBIDDEN), no such report (NOT_FOUND), a report resolved already
    (CONFLICT), a report about yourself (FORBIDDEN), REMOVE_CONTENT of a member (INVALID:
    suspend them), content or an account gone already (NOT_FOUND), suspending a moderator
    unless an admin, or an admin (FORBIDDEN)."""
    moderator = await _fresh(moderator)
    if not is_moderator(moderator):
        raise problem(None, "Only moderators can resolve reports.", Code.FORBIDDEN)
    errors = Collector()
    text = errors.check(clean_text, note, "note", max_len=MAX_NOTE, multiline=True) or ""
    errors.raise_if_any()
    async with in_transaction() as conn:
        report = await Report.get_or_none(id=report_id) if report_id is not None else None
        if report is None:
            raise not_found("reportId", "report")
        # every open report of the subject, locked in id order (two moderators resolving
        # two of them at once wait for each other instead of deadlocking)
        subject = Subject(report.subject_kind, report.subject_id)
        open_reports = await (
            Report.filter(**subject.columns(), status=ReportStatus.OPEN)
            .order_by("id")
            .select_for_update()
        )
        resolved = [r.id for r in open_reports]
        if report.id not in resolved:
            raise problem("reportId", f"This report is {report.status} already.", Code.CONFLICT)
        if report.subject_owner_id == moderator.id:
            raise problem(
                "reportId", "A report about you is for another moderator.", Code.FORBIDDEN
            )
        done = _Done()
        if action is Action.REMOVE_CONTENT:
            done = await _remove(conn, report)
        elif action is Action.SUSPEND_ACCOUNT:
            done = await _suspend(moderator, report)
        status = ReportStatus.DISMISSED if action is Action.DISMISS else ReportStatus.ACTIONED
        await Report.filter(id__in=resolved).update(
            status=status, resolved_at=timezone.now(), open_key=None
        )
        await ModerationAction.create(
            moderator_id=moderator.id,
            kind=ModerationKind(action.value),
            report_id=report.id,
            **subject.columns(),
            note=text,
            details={**done.details, "reports": resolved},
        )
    if done.event is not None:  # the moment's live tombstone
        await publish(to_message(done.event))
    if done.comment is not None:
        await comments.announce_removal(done.comment, publish)
    await accounts.announce_revoked(done.revoked, SUSPENDED_REASON, publish)
    return await Report.get(id=report.id)


async def _remove(conn: Any, report: Report) -> _Done:
    """The reported moment or comment deleted, as its author deleting it would."""
    if report.subject_kind is ReportSubject.USER:
        raise problem("action", "A member is not content: use SUSPEND_ACCOUNT.", Code.INVALID)
    gone = "The reported content is gone already: DISMISS the report."
    if report.subject_kind is ReportSubject.POSTCARD:
        postcard = await Postcard.filter(id=report.subject_id).select_for_update().first()
        if postcard is None:
            raise problem("reportId", gone, Code.NOT_FOUND)
        details = {
            "author_id": postcard.author_id,
            "caption": postcard.caption,
            "track_id": postcard.track_id,
            "created_at": postcard.created_at.isoformat(),
        }
        return _Done(details, event=await postcards.remove(conn, postcard))
    comment = await Comment.filter(id=report.subject_id).select_for_update().first()
    if comment is None:
        raise problem("reportId", gone, Code.NOT_FOUND)
    await comments.remove(comment)
    details = {
        "author_id": comment.author_id,
        "postcard_id": comment.postcard_id,
        "body": comment.body,
        "created_at": comment.created_at.isoformat(),
    }
    return _Done(details, comment=comment)


async def _suspend(moderator: User, report: Report) -> _Done:
    """The reported member (or the author of the reported content) suspended: they cannot
    log in, and every token of theirs is revoked."""
    owner_id = report.subject_owner_id
    owner = await User.get_or_none(id=owner_id) if owner_id is not None else None
    if owner is None:
        raise problem("reportId", "The reported member's account is gone.", Code.NOT_FOUND)
    if owner.role is Role.ADMIN or (
        owner.role is Role.MODERATOR and moderator.role is not Role.ADMIN
    ):
        raise problem(
            "action",
            "Only an admin can suspend a moderator, and an admin cannot be suspended: "
            "take the role away first (soundpost grant-role).",
            Code.FORBIDDEN,
        )
    if owner.suspended_at is None:
        await User.filter(id=owner.id).update(suspended_at=timezone.now())
    revoked = await accounts.revoke_all(owner.id)
    details = {"user_id": owner.id, "username": owner.username, "tokens_revoked": len(revoked)}
    return _Done(details, revoked=revoked)


@dataclass(frozen=True)
class Granted:
    user: User
    previous: Role


async def grant_role(username: str, role: Role) -> Granted | None:
    """Give a member a role, from the command line; None when there is no such member.
    A change writes its log row (no moderator: the command line) in the same transaction;
    granting the role a member has already writes nothing."""
    name = lookup_username(username)
    user = await User.get_or_none(username=name) if name else None
    if user is None:
        return None
    previous = user.role
    if previous is not role:
        async with in_transaction():
            await User.filter(id=user.id).update(role=role)
            await ModerationAction.create(
                moderator_id=None,
                kind=ModerationKind.GRANT_ROLE,
                subject_kind=ReportSubject.USER,
                subject_id=user.id,
                details={"username": user.username, "role": role, "previous_role": previous},
            )
        user.role = role
    return Granted(user, previous)
