"""Errors clients see, and the error masking. Expected failures are `UserError`s in a
mutation's payload; the few top-level ones carry `extensions.code`; anything unexpected is
masked as INTERNAL_SERVER_ERROR, its trace in the log under the requestId the client is
shown (`ShapeErrors` for operations, `shaped` for live events)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Iterator
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError, GraphQLFormattedError
from strawberry.extensions import SchemaExtension

from graph import compat
from graph.config import hides_suggestions
from resolvers.errors import Code, Forbidden, InputError, Problem
from resolvers.pagination import BadCursor, BadPageSize
from resolvers.places import BadArgument

T = TypeVar("T")
log = logging.getLogger("soundpost.errors")

UserErrorCode = compat.describe_values(
    strawberry.enum(
        Code,
        name="UserErrorCode",
        description=(
            "Why an input was refused: INVALID (malformed), REQUIRED (missing), TOO_SHORT, "
            "TOO_LONG, OUT_OF_RANGE, TAKEN (already in use), NOT_FOUND (no such object, or not "
            "visible to you), FORBIDDEN (not yours, or not your role), CONFLICT (stale "
            "expectedVersion, reported already, resolved already), INVALID_CREDENTIALS, "
            "SUSPENDED (the account is suspended), UNSUPPORTED_LINK (not a link we can read), "
            "UNSUPPORTED_MEDIA, TOO_LARGE, UNREACHABLE (a picture to import could not be "
            "fetched), LIMIT_REACHED."
        ),
    ),
    {
        "INVALID": "The value is malformed, or the input combines fields that exclude each other.",
        "REQUIRED": "A value is missing (or empty where it may not be).",
        "TOO_SHORT": "The text has fewer characters than the field allows.",
        "TOO_LONG": "The text has more characters than the field allows.",
        "OUT_OF_RANGE": "The number is outside the field's range.",
        "TAKEN": "Already in use, e.g. a username.",
        "NOT_FOUND": "No such object, or it is not visible to you.",
        "FORBIDDEN": "The object exists, but it is not yours to change (or it takes a moderator).",
        "CONFLICT": "The object is not in the state the change needs: it changed since the "
        "`expectedVersion` you sent (refetch it), you have an open report of it already, or "
        "the report is resolved already, or the track has its Spotify link already.",
        "INVALID_CREDENTIALS": "Wrong username or password.",
        "SUSPENDED": "The moderators suspended this account: it cannot log in.",
        "UNSUPPORTED_LINK": "Not a link Soundpost can read: e.g. not a song on a music "
        "service it knows (an album, a playlist, an artist, another site).",
        "UNSUPPORTED_MEDIA": "Not a picture Soundpost takes: JPEG, PNG, WebP or HEIC/HEIF, "
        "told from its bytes (not its name or the content type sent).",
        "TOO_LARGE": "More bytes (MEDIA_MAX_BYTES) or more pixels (MEDIA_MAX_PIXELS) than an "
        "upload may have.",
        "UNREACHABLE": "The picture to import could not be fetched: the address does not "
        "answer, is not public, redirects too often, or its page names no image.",
        "LIMIT_REACHED": "You have as many of these as a member may (e.g. 10,000 blocks), or "
        "the object has as many as it may (20 links on a track).",
    },
)


@strawberry.type(description="An expected failure of a mutation. Nothing was written.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["place", "latitude"]; '
        "null when the failure is not about one field."
    )
    message: str = strawberry.field(description="A sentence a person can read.")
    code: UserErrorCode = strawberry.field(description="A stable code to branch on.")  # type: ignore[valid-type]

    @classmethod
    def from_problem(cls, problem: Problem) -> UserError:
        return cls(
            field=list(problem.field) if problem.field else None,
            message=problem.message,
            code=problem.code,
        )


async def attempt(work: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Run a mutation's work; an InputError becomes the payload's `errors`."""
    try:
        return await work, []
    except InputError as error:
        return None, [UserError.from_problem(p) for p in error.problems]


def unauthenticated(
    message: str = "Sign in first: send `Authorization: Bearer <token>`.",
) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "UNAUTHENTICATED"})


# Refusals raised by resolvers/, and the top-level code each becomes.
CLIENT_ERRORS: dict[type[Exception], str] = {
    BadCursor: "BAD_USER_INPUT",
    BadPageSize: "BAD_USER_INPUT",
    BadArgument: "BAD_USER_INPUT",
    Forbidden: "FORBIDDEN",
}


# graphql-core ends some messages with " Did you mean 'x'?", which maps the schema for
# anyone probing a production server with introspection off.
SUGGESTION = re.compile(r"\s*Did you mean .*\Z", re.DOTALL)


def new_request_id() -> str:
    return uuid.uuid4().hex


def log_unexpected(errors: list[GraphQLError], request_id: str) -> None:
    """Log each unexpected error with its trace, tagged with the id the client is shown."""
    for error in errors:
        log.error(
            "requestId=%s unexpected error at %s: %s",
            request_id,
            ".".join(str(key) for key in error.path or []) or "-",
            error.message,
            exc_info=error.original_error,
        )
        error.extensions = {**(error.extensions or {}), "requestId": request_id}


def shape_error(error: GraphQLError, *, hide_suggestions: bool = False) -> GraphQLError:
    """Validation errors and deliberate GraphQLErrors pass as they are (without "Did you
    mean" suggestions when asked); bad paging arguments become BAD_USER_INPUT; anything else
    is masked, its trace kept in the log only, under the requestId the client is given."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        if hide_suggestions and SUGGESTION.search(error.message):
            return GraphQLError(
                SUGGESTION.sub("", error.message),
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                original_error=original,
                extensions=error.extensions,
            )
        return error
    extensions: dict[str, object]
    if (code := _client_code(original)) is not None:
        message = str(original)
        extensions = {"code": code}
    else:
        message = "Internal server error."
        request_id = (error.extensions or {}).get("requestId")
        if request_id is None:  # not logged yet (Schema.process_errors normally does it)
            request_id = new_request_id()
            log_unexpected([error], request_id)
        extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def _client_code(error: BaseException) -> str | None:
    for kind, code in CLIENT_ERRORS.items():
        if isinstance(error, kind):
            return code
    return None


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return (
        original is not None
        and not isinstance(original, GraphQLError)
        and _client_code(original) is None
    )


def log_if_unexpected(errors: list[GraphQLError]) -> None:
    """Only unexpected errors are worth a traceback in the log; client mistakes are not.
    One requestId per operation, in the log line and in the masked errors' extensions."""
    unexpected = [e for e in errors if is_unexpected(e)]
    if unexpected:
        log_unexpected(unexpected, new_request_id())


class ShapeErrors(SchemaExtension):
    """Masks unexpected errors after the schema has logged them with their trace."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            hide = hides_suggestions(getattr(self.execution_context.context, "settings", None))
            result.errors = [shape_error(e, hide_suggestions=hide) for e in errors]


def shaped(errors: list[GraphQLError], context: Any) -> list[GraphQLFormattedError]:
    """A live event's errors as the client is shown them: logged, then shaped as an
    operation's are (live events are executed outside strawberry's operation)."""
    log_if_unexpected(errors)
    hide = hides_suggestions(getattr(context, "settings", None))
    return [shape_error(e, hide_suggestions=hide).formatted for e in errors]


def bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})
