"""Reports and moderation, with named personas: rita reports tom (the reported member), sam
is a stranger, mona a moderator, ada an admin. Each mutation's success with its exact
payload and rows; every refusal a precise error that writes nothing; the reporter never
shown to the reported; removals and suspensions live (tombstones, closed websockets)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed

import models
from graph.relay import to_global_id
from tests.support.api import Api, User
from tests.support.documents import COMMENT, FOLLOW, FRIEND_MOMENTS, LOG_IN
from tests.support.servers import serve
from tests.support.tables import snapshot
from tests.support.ws import Subscriber, caption_of, post, until

REPORT = """
mutation ($input: ReportInput!) {
  report(input: $input) { report { id status } errors { field message code } }
}
"""
RESOLVE = """
mutation ($input: ResolveReportInput!) {
  resolveReport(input: $input) {
    report { id status resolvedAt } errors { field message code }
  }
}
"""
REPORTS = """
query ($status: ReportStatus, $first: Int, $after: String) {
  reports(status: $status, first: $first, after: $after) {
    edges { node {
      id reason note status resolvedAt subjectId
      subject { __typename ... on User { username } ... on Postcard { caption }
                ... on Comment { body } }
      subjectOwner { username } reporter { username }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
LOG = """
query ($first: Int) {
  moderationLog(first: $first) {
    edges { node {
      kind subjectKind subjectId note details moderator { username } report { id status }
      subject { __typename }
    } }
  }
}
"""
PASSWORD = "correct horse"


@dataclass
class People:
    rita: User  # the reporter
    tom: User  # the reported member
    sam: User  # a stranger
    mona: User  # a moderator
    ada: User  # an admin


@pytest.fixture
async def people(api: Api) -> People:
    names = ("rita", "tom", "sam", "mona", "ada")
    crowd = People(*[await api.sign_up(name, PASSWORD) for name in names])
    await models.User.filter(username="mona").update(role=models.Role.MODERATOR)
    await models.User.filter(username="ada").update(role=models.Role.ADMIN)
    return crowd


def pk(global_id: str) -> int:
    from graph.relay import from_global_id

    parsed = from_global_id(global_id)
    assert parsed is not None
    return parsed[1]


async def report(api: Api, by: User, subject_id: str, **fields: Any) -> dict[str, Any]:
    input = {"subjectId": subject_id, "reason": "HARASSMENT", **fields}
    return (await api.ok(REPORT, {"input": input}, by.token))["report"]  # type: ignore[no-any-return]


async def resolve(api: Api, by: User, report_id: str, action: str, **fields: Any) -> dict[str, Any]:
    input = {"reportId": report_id, "action": action, **fields}
    return (await api.ok(RESOLVE, {"input": input}, by.token))["resolveReport"]  # type: ignore[no-any-return]


async def comment_on(api: Api, by: User, card: str, body: str) -> str:
    await api.mutate("addComment", COMMENT, {"postcardId": card, "body": body}, by.token)
    row = await models.Comment.filter(body=body).get()
    return to_global_id("Comment", row.id)


# --- report ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["User", "Postcard", "Comment"])
async def test_a_member_reports_a_user_a_moment_or_a_comment(
    api: Api, people: People, kind: str
) -> None:
    # given
    card = await post(api, people.tom.token, "tom's moment")
    subject = {
        "User": people.tom.id,
        "Postcard": card,
        "Comment": await comment_on(api, people.tom, card, "tom's comment"),
    }[kind]
    # when
    payload = await report(api, people.rita, subject, reason="SPAM", note="  buy my album \n")
    # then
    row = await models.Report.get()
    assert payload == {
        "report": {"id": to_global_id("Report", row.id), "status": "OPEN"},
        "errors": [],
    }
    tom, rita = await models.User.get(username="tom"), await models.User.get(username="rita")
    assert (row.reporter_id, row.subject_owner_id, row.subject_id) == (rita.id, tom.id, pk(subject))
    assert (row.subject_kind, row.reason, row.note) == (kind.upper(), "SPAM", "buy my album")
    assert (row.status, row.resolved_at) == (models.ReportStatus.OPEN, None)
    assert row.open_key == f"{rita.id}:{kind.upper()}:{pk(subject)}"
    assert await models.ModerationAction.all().count() == 0
    assert await models.Notification.filter(recipient_id=tom.id).count() == 0  # tom is not told


async def test_every_refused_report_writes_nothing(api: Api, people: People) -> None:
    # given: rita's open report of tom's moment
    card = await post(api, people.tom.token, "tom's moment")
    rita_card = await post(api, people.rita.token, "rita's moment")
    await report(api, people.rita, card)
    deleted = await post(api, people.tom.token, "gone")
    await models.Postcard.filter(id=pk(deleted)).delete()
    cases = [
        ({"subjectId": card}, "CONFLICT", "You reported this already"),
        ({"subjectId": people.tom.id, "note": "x" * 1001}, "TOO_LONG", "at most 1000"),
        ({"subjectId": people.rita.id}, "INVALID", "yourself or your own"),
        ({"subjectId": rita_card}, "INVALID", "yourself or your own"),
        ({"subjectId": deleted}, "NOT_FOUND", "No user, moment or comment"),
        ({"subjectId": to_global_id("Track", 1)}, "NOT_FOUND", "No user, moment or comment"),
        ({"subjectId": "not an id"}, "NOT_FOUND", "No user, moment or comment"),
    ]
    for fields, code, message in cases:
        before = await snapshot()
        # when
        subject = fields.pop("subjectId")
        payload = await report(api, people.rita, subject, **fields)
        # then
        assert payload["report"] is None
        [error] = payload["errors"]
        field = ["note"] if code == "TOO_LONG" else ["subjectId"]
        assert (error["field"], error["code"]) == (field, code), fields
        assert message in error["message"]
        assert await snapshot() == before, code
    # a note of exactly 1,000 characters is fine
    ok = await report(api, people.rita, people.tom.id, note="y" * 1000)
    assert ok["errors"] == []
    anonymous = await api.raw(REPORT, {"input": {"subjectId": card, "reason": "SPAM"}})
    assert anonymous["data"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_resolved_report_frees_the_subject_for_a_new_report(
    api: Api, people: People
) -> None:
    first = (await report(api, people.rita, people.tom.id))["report"]
    await resolve(api, people.mona, first["id"], "DISMISS")
    again = await report(api, people.rita, people.tom.id)
    assert again["errors"] == [] and again["report"]["status"] == "OPEN"
    assert await models.Report.filter(status="OPEN").count() == 1


# --- who sees what --------------------------------------------------------------------------


async def test_the_reported_member_never_learns_who_reported_them(api: Api, people: People) -> None:
    # given: rita reports tom, and tom's moment
    card = await post(api, people.tom.token, "tom's moment")
    about_tom = (await report(api, people.rita, people.tom.id))["report"]["id"]
    about_card = (await report(api, people.rita, card))["report"]["id"]
    tom = people.tom.token
    # then: every path tom could try shows nothing of the reports
    for field in ("reports", "moderationLog"):
        body = await api.raw(f"{{ {field} {{ edges {{ node {{ __typename }} }} }} }}", token=tom)
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
        assert "rita" not in str(body)
    for status in ("OPEN", "DISMISSED", "ACTIONED"):
        body = await api.raw(REPORTS, {"status": status}, tom)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    node = "query ($id: ID!) { node(id: $id) { __typename ... on Report { reporter { id } } } }"
    for report_id in (about_tom, about_card):
        assert await api.ok(node, {"id": report_id}, tom) == {"node": None}
    nodes = "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename } }"
    assert await api.ok(nodes, {"ids": [about_tom, about_card]}, tom) == {"nodes": [None, None]}
    refused = await resolve(api, people.tom, about_tom, "DISMISS")
    assert refused == {
        "report": None,
        "errors": [
            {"field": None, "message": "Only moderators can resolve reports.", "code": "FORBIDDEN"}
        ],
    }
    profile = "{ viewer { role notifications { edges { node { kind } } } } }"
    assert (await api.ok(profile, token=tom))["viewer"] == {
        "role": "MEMBER",
        "notifications": {"edges": []},
    }
    # while a moderator sees who it was
    data = await api.ok(REPORTS, {}, people.mona.token)
    assert [e["node"]["reporter"] for e in data["reports"]["edges"]] == [{"username": "rita"}] * 2


async def test_moderators_read_the_open_reports_oldest_first(api: Api, people: People) -> None:
    # given
    card = await post(api, people.tom.token, "tom's moment")
    comment = await comment_on(api, people.tom, card, "rude words")
    first = (await report(api, people.rita, people.tom.id, note="he follows me"))["report"]["id"]
    second = (await report(api, people.rita, card, reason="NUDITY"))["report"]["id"]
    third = (await report(api, people.sam, comment, reason="HATE"))["report"]["id"]
    # when
    page = (await api.ok(REPORTS, {"first": 2}, people.mona.token))["reports"]
    rest = await api.ok(REPORTS, {"after": page["pageInfo"]["endCursor"]}, people.ada.token)
    # then
    nodes = [e["node"] for e in page["edges"]] + [e["node"] for e in rest["reports"]["edges"]]
    assert [n["id"] for n in nodes] == [first, second, third]
    assert page["pageInfo"]["hasNextPage"] is True
    assert rest["reports"]["pageInfo"]["hasNextPage"] is False
    assert nodes[0] == {
        "id": first,
        "reason": "HARASSMENT",
        "note": "he follows me",
        "status": "OPEN",
        "resolvedAt": None,
        "subjectId": people.tom.id,
        "subject": {"__typename": "User", "username": "tom"},
        "subjectOwner": {"username": "tom"},
        "reporter": {"username": "rita"},
    }
    assert nodes[1]["subject"] == {"__typename": "Postcard", "caption": "tom's moment"}
    assert nodes[2]["subject"] == {"__typename": "Comment", "body": "rude words"}
    assert nodes[2]["reporter"] == {"username": "sam"}
    assert (await api.ok(REPORTS, {"status": "DISMISSED"}, people.mona.token))["reports"] == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }
    # the reporter sees their own report through the payload, and nobody else's
    own = """
    mutation ($input: ReportInput!) {
      report(input: $input) { report { reporter { username } subjectOwner { username } } }
    }
    """
    input = {"subjectId": people.sam.id, "reason": "SPAM"}
    data = await api.ok(own, {"input": input}, people.rita.token)
    assert data["report"]["report"] == {
        "reporter": {"username": "rita"},
        "subjectOwner": {"username": "sam"},
    }


async def test_roles_are_public_and_a_role_taken_away_stops_at_once(
    api: Api, people: People
) -> None:
    roles = """{
      a: user(username: "mona") { role } b: user(username: "ada") { role }
      c: user(username: "tom") { role }
    }"""
    assert await api.ok(roles) == {
        "a": {"role": "MODERATOR"},
        "b": {"role": "ADMIN"},
        "c": {"role": "MEMBER"},
    }
    assert (await api.ok(REPORTS, {}, people.mona.token))["reports"]["edges"] == []  # cached
    await models.User.filter(username="mona").update(role=models.Role.MEMBER)
    body = await api.raw(REPORTS, {}, people.mona.token)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


# --- resolveReport --------------------------------------------------------------------------


async def test_dismissing_resolves_every_open_report_of_the_subject(
    api: Api, people: People
) -> None:
    # given: rita and sam report tom; sam also reports rita
    by_rita = (await report(api, people.rita, people.tom.id))["report"]["id"]
    by_sam = (await report(api, people.sam, people.tom.id, reason="SPAM"))["report"]["id"]
    other = (await report(api, people.sam, people.rita.id))["report"]["id"]
    # when
    payload = await resolve(api, people.mona, by_sam, "DISMISS", note="banter")
    # then
    assert payload["errors"] == []
    assert payload["report"]["id"] == by_sam and payload["report"]["status"] == "DISMISSED"
    assert payload["report"]["resolvedAt"] is not None
    rows = {r.id: r for r in await models.Report.all()}
    assert [rows[pk(i)].status for i in (by_rita, by_sam, other)] == [
        "DISMISSED",
        "DISMISSED",
        "OPEN",
    ]
    assert [rows[pk(i)].open_key is None for i in (by_rita, by_sam, other)] == [True, True, False]
    mona = await models.User.get(username="mona")
    [action] = await models.ModerationAction.all().values(
        "moderator_id", "kind", "report_id", "subject_kind", "subject_id", "note", "details"
    )
    assert action == {
        "moderator_id": mona.id,
        "kind": models.ModerationKind.DISMISS,
        "report_id": pk(by_sam),
        "subject_kind": models.ReportSubject.USER,
        "subject_id": pk(people.tom.id),
        "note": "banter",
        "details": {"reports": [pk(by_rita), pk(by_sam)]},
    }
    assert (await models.User.get(username="tom")).suspended_at is None


async def test_every_refused_resolution_writes_nothing(api: Api, people: People) -> None:
    # given
    card = await post(api, people.tom.token, "tom's moment")
    about_tom = (await report(api, people.rita, people.tom.id))["report"]["id"]
    about_card = (await report(api, people.rita, card))["report"]["id"]
    about_mona = (await report(api, people.rita, people.mona.id))["report"]["id"]
    about_ada = (await report(api, people.rita, people.ada.id))["report"]["id"]
    resolved = (await report(api, people.sam, people.rita.id))["report"]["id"]
    await resolve(api, people.mona, resolved, "DISMISS")
    gone = await post(api, people.tom.token, "deleted by tom")
    about_gone = (await report(api, people.rita, gone))["report"]["id"]
    await api.mutate(
        "deletePostcard",
        "mutation ($input: PostcardIdInput!) { deletePostcard(input: $input) { errors { code } } }",
        {"postcardId": gone},
        people.tom.token,
    )
    cases = [
        (people.sam, about_card, "REMOVE_CONTENT", {}, None, "FORBIDDEN"),
        (people.tom, about_card, "DISMISS", {}, None, "FORBIDDEN"),
        (people.mona, resolved, "DISMISS", {}, ["reportId"], "CONFLICT"),
        (people.mona, to_global_id("Report", 999_999), "DISMISS", {}, ["reportId"], "NOT_FOUND"),
        (people.mona, card, "DISMISS", {}, ["reportId"], "NOT_FOUND"),  # not a report's id
        (people.mona, about_tom, "REMOVE_CONTENT", {}, ["action"], "INVALID"),
        (people.mona, about_card, "DISMISS", {"note": "n" * 1001}, ["note"], "TOO_LONG"),
        (people.mona, about_mona, "DISMISS", {}, ["reportId"], "FORBIDDEN"),  # about herself
        (people.mona, about_ada, "SUSPEND_ACCOUNT", {}, ["action"], "FORBIDDEN"),
        (people.ada, about_ada, "DISMISS", {}, ["reportId"], "FORBIDDEN"),
        (people.mona, about_gone, "REMOVE_CONTENT", {}, ["reportId"], "NOT_FOUND"),
    ]
    for caller, report_id, action, fields, field, code in cases:
        before = await snapshot()
        # when
        payload = await resolve(api, caller, report_id, action, **fields)
        # then
        assert payload["report"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)], (
            caller.username,
            action,
        )
        assert await snapshot() == before, (caller.username, action, code)
    anonymous = await api.raw(RESOLVE, {"input": {"reportId": about_tom, "action": "DISMISS"}})
    assert anonymous["data"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # an admin may suspend a moderator
    ok = await resolve(api, people.ada, about_mona, "SUSPEND_ACCOUNT")
    assert ok["errors"] == [] and ok["report"]["status"] == "ACTIONED"


@pytest.fixture
async def url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as ws_url:
        yield ws_url


async def test_removing_a_moment_tombstones_it_live_and_counts_exactly(
    url: str, api: Api, app: Starlette, people: People
) -> None:
    # given: sam follows tom and watches his friends' moments; tom's moment has a like and
    # a comment, and two reports
    await api.mutate("follow", FOLLOW, {"userId": people.tom.id}, people.sam.token)
    async with Subscriber.open(url, FRIEND_MOMENTS, token=people.sam.token) as sam:
        await until(lambda: app.state.hub.count("feed") == 1)
        kept = await post(api, people.tom.token, "kept")
        card = await post(api, people.tom.token, "offensive")
        assert [caption_of(await sam.next()) for _ in range(2)] == ["kept", "offensive"]
        await comment_on(api, people.rita, card, "yikes")
        first = (await report(api, people.rita, card, note="look"))["report"]["id"]
        second = (await report(api, people.sam, card, reason="HATE"))["report"]["id"]
        tom = await models.User.get(username="tom")
        assert tom.postcard_count == 2
        # when
        payload = await resolve(api, people.mona, first, "REMOVE_CONTENT", note="rule 3")
        # then: the tombstone arrives live
        event = (await sam.next())["friendMoments"]
        assert event["__typename"] == "PostcardDeleted" and event["postcardId"] == card
    assert payload["errors"] == [] and payload["report"]["status"] == "ACTIONED"
    assert not await models.Postcard.exists(id=pk(card))
    assert await models.Postcard.exists(id=pk(kept))
    assert await models.Comment.all().count() == 0
    assert (await models.User.get(username="tom")).postcard_count == 1  # exactly one less
    events = (
        await models.FeedEvent.filter(postcard_id=pk(card))
        .order_by("id")
        .values_list("kind", "author_id")
    )
    assert events == [("POSTED", tom.id), ("DELETED", tom.id)]
    statuses = await models.Report.all().order_by("id").values_list("status", flat=True)
    assert statuses == ["ACTIONED", "ACTIONED"]
    [action] = await models.ModerationAction.all()
    assert (action.kind, action.subject_kind, action.subject_id, action.note) == (
        "REMOVE_CONTENT",
        "POSTCARD",
        pk(card),
        "rule 3",
    )
    assert action.details["caption"] == "offensive"
    assert action.details["author_id"] == tom.id
    assert action.details["reports"] == [pk(first), pk(second)]
    # the member's own deletion still checks authorship (resolvers/postcards.py `delete`)
    refused = await api.ok(
        "mutation ($input: PostcardIdInput!) { deletePostcard(input: $input) { errors { code } } }",
        {"input": {"postcardId": kept}},
        people.mona.token,
    )
    assert refused["deletePostcard"]["errors"] == [{"code": "FORBIDDEN"}]


async def test_removing_a_comment_corrects_the_moments_counter(api: Api, people: People) -> None:
    # given
    card = await post(api, people.rita.token, "rita's moment")
    await comment_on(api, people.sam, card, "nice")
    rude = await comment_on(api, people.tom, card, "rude")
    report_id = (await report(api, people.rita, rude))["report"]["id"]
    assert (await models.Postcard.get(id=pk(card))).comment_count == 2
    # when
    payload = await resolve(api, people.mona, report_id, "REMOVE_CONTENT")
    # then
    assert payload["errors"] == []
    assert (await models.Postcard.get(id=pk(card))).comment_count == 1
    assert await models.Comment.all().values_list("body", flat=True) == ["nice"]
    [action] = await models.ModerationAction.all()
    tom = await models.User.get(username="tom")
    assert action.details == {
        "author_id": tom.id,
        "postcard_id": pk(card),
        "body": "rude",
        "created_at": action.details["created_at"],
        "reports": [pk(report_id)],
    }
    # the report's subject is gone; it still names what it was about
    data = await api.ok(REPORTS, {"status": "ACTIONED"}, people.mona.token)
    node = data["reports"]["edges"][0]["node"]
    assert (node["subject"], node["subjectId"], node["subjectOwner"]) == (
        None,
        rude,
        {"username": "tom"},
    )


async def _close_of(subscriber: Subscriber) -> tuple[int | None, str | None]:
    try:
        while True:
            await subscriber.message()
    except ConnectionClosed as closed:
        return (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else (None, None)


async def test_suspending_closes_the_members_websocket_and_locks_them_out(
    url: str, api: Api, app: Starlette, people: People
) -> None:
    # given: tom, signed in twice, watches his friends' moments; rita reports his comment
    second_token = (await api.ok(LOG_IN, {"input": {"username": "tom", "password": PASSWORD}}))[
        "logIn"
    ]["token"]
    card = await post(api, people.rita.token, "rita's moment")
    comment = await comment_on(api, people.tom, card, "threat")
    report_id = (await report(api, people.rita, comment, reason="VIOLENCE"))["report"]["id"]
    async with Subscriber.open(url, FRIEND_MOMENTS, token=people.tom.token) as tom:
        await until(lambda: app.state.hub.count("feed") == 1)
        # when
        payload = await resolve(api, people.mona, report_id, "SUSPEND_ACCOUNT", note="threats")
        # then: his websocket closes with 4403
        assert await _close_of(tom) == (4403, "account suspended")
    assert payload["errors"] == [] and payload["report"]["status"] == "ACTIONED"
    row = await models.User.get(username="tom")
    assert row.suspended_at is not None
    tokens = await models.AccessToken.filter(user_id=row.id).values_list("revoked_at", flat=True)
    assert len(tokens) == 2 and None not in tokens
    for token in (people.tom.token, second_token):
        body = await api.raw("{ viewer { username } }", token=token)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    log_in = """
    mutation ($input: LogInInput!) {
      logIn(input: $input) { token errors { field message code } }
    }
    """
    refused = await api.ok(log_in, {"input": {"username": "tom", "password": PASSWORD}})
    assert refused["logIn"] == {
        "token": None,
        "errors": [
            {
                "field": None,
                "message": "This account is suspended by the moderators.",
                "code": "SUSPENDED",
            }
        ],
    }
    wrong = await api.ok(log_in, {"input": {"username": "tom", "password": "wrong guess"}})
    assert [e["code"] for e in wrong["logIn"]["errors"]] == ["INVALID_CREDENTIALS"]
    assert await models.AccessToken.filter(user_id=row.id).count() == 2  # none issued
    # the comment stays (hiding a suspended member's content is the visibility rules' part)
    assert await models.Comment.exists(id=pk(comment))
    [action] = await models.ModerationAction.all()
    assert (action.kind, action.subject_kind, action.note) == (
        "SUSPEND_ACCOUNT",
        "COMMENT",
        "threats",
    )
    assert action.details == {
        "user_id": row.id,
        "username": "tom",
        "tokens_revoked": 2,
        "reports": [pk(report_id)],
    }
    # other members' sessions are untouched
    assert await api.ok("{ viewer { username } }", token=people.rita.token) == {
        "viewer": {"username": "rita"}
    }


async def test_admins_read_the_moderation_log_newest_first(api: Api, people: People) -> None:
    # given: a dismissal, then a suspension
    card = await post(api, people.tom.token, "tom's moment")
    first = (await report(api, people.rita, card))["report"]["id"]
    await resolve(api, people.mona, first, "DISMISS", note="fine")
    second = (await report(api, people.sam, people.tom.id))["report"]["id"]
    await resolve(api, people.ada, second, "SUSPEND_ACCOUNT")
    # when
    data = await api.ok(LOG, {}, people.ada.token)
    # then
    nodes = [e["node"] for e in data["moderationLog"]["edges"]]
    tom = await models.User.get(username="tom")
    assert nodes == [
        {
            "kind": "SUSPEND_ACCOUNT",
            "subjectKind": "USER",
            "subjectId": people.tom.id,
            "note": "",
            "details": {
                "user_id": tom.id,
                "username": "tom",
                "tokens_revoked": 1,
                "reports": [pk(second)],
            },
            "moderator": {"username": "ada"},
            "report": {"id": second, "status": "ACTIONED"},
            "subject": {"__typename": "User"},
        },
        {
            "kind": "DISMISS",
            "subjectKind": "POSTCARD",
            "subjectId": card,
            "note": "fine",
            "details": {"reports": [pk(first)]},
            "moderator": {"username": "mona"},
            "report": {"id": first, "status": "DISMISSED"},
            "subject": {"__typename": "Postcard"},
        },
    ]
    one = await api.ok(LOG, {"first": 1}, people.ada.token)
    assert len(one["moderationLog"]["edges"]) == 1
    for member in (people.mona, people.rita):
        body = await api.raw(LOG, {}, member.token)
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
