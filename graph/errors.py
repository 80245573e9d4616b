"""Errors clients see. Expected failures are `UserError`s in a mutation's payload; the few
top-level ones carry `extensions.code`; anything unexpected is masked."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

import strawberry
from graphql import GraphQLError

from resolvers.errors import Code, InputError, Problem
from resolvers.pagination import BadCursor, BadPageSize

T = TypeVar("T")
log = logging.getLogger("soundpost.errors")

UserErrorCode = strawberry.enum(
    Code,
    name="UserErrorCode",
    description=(
        "Why an input was refused: INVALID (malformed), REQUIRED (missing), TOO_SHORT, "
        "TOO_LONG, OUT_OF_RANGE, TAKEN (already in use), NOT_FOUND (no such object, or not "
        "visible to you), FORBIDDEN (not yours), CONFLICT (stale expectedVersion), "
        "INVALID_CREDENTIALS, UNSUPPORTED_LINK (not a link we can read)."
    ),
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


CLIENT_ERRORS = (BadCursor, BadPageSize)


def shape_error(error: GraphQLError) -> GraphQLError:
    """Validation errors and deliberate GraphQLErrors pass as they are; bad paging arguments
    become BAD_USER_INPUT; anything else is masked, its trace kept in the log only."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error
    if isinstance(original, CLIENT_ERRORS):
        code, message = "BAD_USER_INPUT", str(original)
    else:
        code, message = "INTERNAL_SERVER_ERROR", "Internal server error."
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code},
    )


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, (GraphQLError, *CLIENT_ERRORS))


def bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})
