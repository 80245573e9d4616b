"""Expected failures. Mutations raise `InputError`; the GraphQL layer turns it into
`UserError`s in the payload. Nothing is written when one is raised."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

T = TypeVar("T")


class Code(StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    TOO_SHORT = "TOO_SHORT"
    TOO_LONG = "TOO_LONG"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    TAKEN = "TAKEN"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    UNSUPPORTED_LINK = "UNSUPPORTED_LINK"
    UNSUPPORTED_MEDIA = "UNSUPPORTED_MEDIA"
    TOO_LARGE = "TOO_LARGE"
    UNREACHABLE = "UNREACHABLE"
    LIMIT_REACHED = "LIMIT_REACHED"
    SUSPENDED = "SUSPENDED"


@dataclass(frozen=True)
class Problem:
    field: tuple[str, ...] | None
    message: str
    code: Code


class InputError(Exception):
    """One or more problems with a mutation's input (or with the state it acts on)."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)

    def __repr__(self) -> str:
        return f"InputError({self.problems!r})"


def problem(field: str | tuple[str, ...] | None, message: str, code: Code) -> InputError:
    path = (field,) if isinstance(field, str) else field
    return InputError(Problem(path, message, code))


def not_found(field: str | tuple[str, ...], what: str) -> InputError:
    return problem(field, f"No {what} with this id.", Code.NOT_FOUND)


class Forbidden(Exception):
    """The viewer may not read this (someone else's notifications): the GraphQL layer
    makes it a top-level FORBIDDEN error."""


class Collector:
    """Gathers every problem of an input before raising, so clients see them all at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str | tuple[str, ...] | None, message: str, code: Code) -> None:
        path = (field,) if isinstance(field, str) else field
        self.problems.append(Problem(path, message, code))

    def check(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Run a validator; record its InputError instead of raising. Returns its value."""
        try:
            return func(*args, **kwargs)
        except InputError as error:
            self.problems.extend(error.problems)
            return None

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(*self.problems)
