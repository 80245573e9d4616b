"""What the authorization matrices share (tests/api/test_authorization.py and
tests/api/test_authorization_personas.py): members made straight in the database, the
outcomes a mutation may have, a mutation or a read described once, and the check that a
mutation had its outcome — a refusal writing nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

import models
from resolvers import accounts, playlists, postcards, reports, tokens
from tests.support.api import Api
from tests.support.tables import snapshot

PASSWORD = "correct horse"
PASSWORD_HASH = accounts._hasher(accounts.Hashing.STANDARD).hash(PASSWORD)

# Outcomes of a mutation
OK = "ok"  # no errors, and something was written
NOOP = "ok, nothing written"  # no errors; idempotent, and there was nothing to do
UNAUTHENTICATED = "UNAUTHENTICATED"  # top-level error, nothing written
FORBIDDEN = "FORBIDDEN"  # a UserError code, nothing written
NOT_FOUND = "NOT_FOUND"
INVALID = "INVALID"
INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
CONFLICT = "CONFLICT"
TOP_LEVEL = {UNAUTHENTICATED}
ERRORS = "errors { field code }"


async def member(username: str, **fields: Any) -> tuple[models.User, str]:
    """A member with the password PASSWORD, and a token of theirs."""
    user = await models.User.create(
        username=username, display_name=username.title(), password_hash=PASSWORD_HASH, **fields
    )
    return user, await tokens.issue_token(user, timedelta(days=1))


# Where the matrices' moments are shared: olivia's at the pier, the other one 200 m north,
# and what `nearby` / `nearbyPlaces` are asked about (a kilometre around the pier).
PIER = postcards.PlaceInput("Porch", 34.0083, -118.4988)
FIELDS = postcards.PlaceInput("Fields", 34.0101, -118.4988)


async def add_items(owner: models.User, playlist: models.Playlist, cards: list[int]) -> None:
    for card_id in cards:
        await playlists.add(
            owner,
            playlist.id,
            postcard_id=card_id,
            track_id=None,
            postcard_given=True,
            track_given=False,
            position=None,
            expected_version=None,
        )


async def open_report(reporter: models.User, card: models.Postcard) -> models.Report:
    """The reporter's open report of the moment (SPAM: "ads")."""
    subject = reports.Subject(models.ReportSubject.POSTCARD, card.id)
    return await reports.report(reporter, subject, models.ReportReason.SPAM, "ads")


@dataclass(frozen=True)
class Mutation:
    field: str
    input_type: str
    selection: str
    input: Callable[[Any, str], dict[str, Any]]  # (the world, the caller) -> input

    @property
    def document(self) -> str:
        if not self.input_type:  # a mutation of no arguments
            return f"mutation {{ {self.field} {{ {self.selection} {ERRORS} }} }}"
        return (
            f"mutation ($input: {self.input_type}!) "
            f"{{ {self.field}(input: $input) {{ {self.selection} {ERRORS} }} }}"
        )


# The issue 14 mutations both matrices ask, on a world whose ids name "olivia", her moment
# "card", rex's pending follow request to her "request", and fay's report of the moment
# "report".
SAFETY_MUTATIONS: dict[str, Mutation] = {
    **{
        f"{name}(olivia)": Mutation(
            name, input_type, "user { id }", lambda w, c: {"userId": w.ids["olivia"]}
        )
        for name, input_type in (
            ("block", "UserIdInput"),
            ("unblock", "UserIdInput"),
            ("mute", "MuteInput"),
            ("unmute", "UserIdInput"),
            ("cancelFollowRequest", "UserIdInput"),
        )
    },
    **{
        f"{name}(rex's)": Mutation(
            name, "FollowRequestInput", "user { id }", lambda w, c: {"requestId": w.ids["request"]}
        )
        for name in ("acceptFollowRequest", "rejectFollowRequest")
    },
    "report(card)": Mutation(
        "report",
        "ReportInput",
        "report { status }",
        lambda w, c: {"subjectId": w.ids["card"], "reason": "SPAM"},
    ),
    "resolveReport(fay's, DISMISS)": Mutation(
        "resolveReport",
        "ResolveReportInput",
        "report { status }",
        lambda w, c: {"reportId": w.ids["report"], "action": "DISMISS"},
    ),
    # the caller's own account, whoever calls
    "deleteAccount": Mutation(
        "deleteAccount", "DeleteAccountInput", "deleted", lambda w, c: {"password": PASSWORD}
    ),
    # signs a link and writes nothing
    "exportMyData": Mutation("exportMyData", "", "url expiresAt", lambda w, c: {}),
}


@dataclass(frozen=True)
class Read:
    query: str
    variables: Callable[[Any], dict[str, Any]]  # the world -> variables
    view: Callable[[dict[str, Any]], Any]  # data -> what the matrix compares


NEARBY = Read(
    "{ nearby(latitude: 34.0083, longitude: -118.4988, radiusMeters: 1000)"
    " { edges { node { caption } } } }",
    lambda w: {},
    lambda d: [e["node"]["caption"] for e in d["nearby"]["edges"]],
)
NEARBY_PLACES = Read(
    "{ nearbyPlaces(latitude: 34.0083, longitude: -118.4988, radiusMeters: 1000)"
    " { edges { node { name } } } }",
    lambda w: {},
    lambda d: [e["node"]["name"] for e in d["nearbyPlaces"]["edges"]],
)


def _found(connection: dict[str, Any]) -> list[str]:
    """A search's results: usernames, track titles, moments' captions, places' names."""
    return [
        node.get("username") or node.get("title") or node.get("caption") or node["name"]
        for node in (edge["node"] for edge in connection["edges"])
    ]


# Both matrices' worlds hold olivia and her moment "porch" at the place "Porch": `search`
# as each caller finds them (a member by name, a moment by caption, the place by name)
SEARCH_READ = Read(
    '{ people: search(query: "oli") { edges { node { ... on User { username } } } }'
    ' moments: search(query: "porch", types: [USER, TRACK, POSTCARD]) { edges { node {'
    " ... on User { username } ... on Track { title } ... on Postcard { caption } } } }"
    ' places: search(query: "porch", types: [PLACE]) { edges { node {'
    " ... on Place { name } } } } }",
    lambda w: {},
    lambda d: (_found(d["people"]), _found(d["moments"]), _found(d["places"])),
)


async def check_mutation(
    api: Api, mutation: Mutation, world: Any, caller: str, token: str | None, expected: str
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """Send the mutation as the caller and assert its outcome; the table snapshots before
    and after, for a finer look at what an accepted one wrote."""
    before = await snapshot()
    if not mutation.input_type:
        body = await api.raw(mutation.document, token=token)
    else:
        body = await api.raw(mutation.document, {"input": mutation.input(world, caller)}, token)
    after = await snapshot()
    if expected in TOP_LEVEL:
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == [expected]
        assert after == before, "a refused mutation wrote something"
        return before, after
    assert "errors" not in body, body["errors"]
    codes = [e["code"] for e in body["data"][mutation.field]["errors"]]
    if expected in (OK, NOOP):
        assert codes == []
        if expected == OK:
            assert after != before, "an accepted mutation wrote nothing"
        else:
            assert after == before
    else:
        assert codes == [expected]
        assert after == before, "a refused mutation wrote something"
    return before, after


async def check_read(api: Api, read: Read, world: Any, token: str | None, expected: Any) -> None:
    """Send the read as the caller: `expected` is a top-level error code, or what `view`
    extracts. Reading writes nothing."""
    before = await snapshot()
    body = await api.raw(read.query, read.variables(world), token)
    assert await snapshot() == before  # reading writes nothing
    if isinstance(expected, str) and expected in (UNAUTHENTICATED, FORBIDDEN):
        assert [e["extensions"]["code"] for e in body["errors"]] == [expected]
        return
    assert "errors" not in body, body["errors"]
    assert read.view(body["data"]) == expected


def cases(matrix: Sequence[tuple[Any, ...]], callers: Sequence[str]) -> list[Any]:
    """One pytest case per row and caller of a matrix: (name, caller, expected)."""
    return [
        pytest.param(name, caller, expected, id=f"{name}-{caller}")
        for name, *outcomes in matrix
        for caller, expected in zip(callers, outcomes, strict=True)
    ]
