"""Keyset pagination (never OFFSET): a page is the rows strictly after the cursor's sort key."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar, overload

from tortoise.expressions import Q
from tortoise.fields import CharField, IntField, TextField
from tortoise.queryset import QuerySet

from resolvers.sql.hydrate import field as model_field

T = TypeVar("T")
DEFAULT_FIRST = 20
MAX_FIRST = 100
MAX_CURSOR = 1000  # ours are under 100 characters


class BadCursor(ValueError):
    """The `after` cursor is not one this server issued for this list."""


class BadPageSize(ValueError):
    pass


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    cursors: Sequence[str]
    has_next: bool
    has_previous: bool


@dataclass(frozen=True)
class Order:
    """Sort by `field` then `id`, both ascending or both descending."""

    field: str
    descending: bool = True

    def key(self, row: Any) -> tuple[Any, int]:
        return getattr(row, self.field), row.id

    def order_by(self) -> tuple[str, str]:
        sign = "-" if self.descending else ""
        return f"{sign}{self.field}", f"{sign}id"

    def after(self, value: Any, row_id: int) -> Q:
        op = "lt" if self.descending else "gt"
        return Q(**{f"{self.field}__{op}": value}) | Q(**{self.field: value, f"id__{op}": row_id})


# (rows wanted, decoded cursor or None) -> those rows of the query, in order
Fetch = Callable[[int, "tuple[Any, int] | None"], Awaitable[list[Any]]]

NEWEST_FIRST = Order("created_at", descending=True)
OLDEST_FIRST = Order("created_at", descending=False)


def check_first(first: int | None) -> int:
    if first is None:
        return DEFAULT_FIRST
    if not 0 <= first <= MAX_FIRST:
        raise BadPageSize(f"`first` must be between 0 and {MAX_FIRST}, got {first}.")
    return first


def encode_cursor(value: Any, row_id: int) -> str:
    raw = value.isoformat() if isinstance(value, datetime) else value
    payload = json.dumps([raw, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


class Cursors(Sequence[str]):
    """A page's cursors, each encoded when first read: most queries ask for no cursor, or
    only the last one, and a feed page holds sixty rows with its comments."""

    def __init__(self, keys: list[tuple[Any, int]]) -> None:
        self._keys = keys
        self._encoded: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = range(len(self._keys))[index]  # negative indexes; IndexError past the end
        found = self._encoded.get(index)
        if found is None:
            found = self._encoded[index] = encode_cursor(*self._keys[index])
        return found


def _storable_int(value: Any) -> bool:
    """A 64-bit integer: anything larger makes the database driver raise."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _storable_text(value: Any) -> bool:
    """Text a database accepts: no NUL (PostgreSQL refuses it), no lone surrogates."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _time(raw: Any) -> datetime:
    """A cursor's timestamp, always timezone-aware (a naive one would compare in local
    time) and within the range the databases store."""
    if not isinstance(raw, str):
        raise TypeError(raw)
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _finite_number(value: Any) -> bool:
    """A sort key that is a distance: a finite number."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def decode_cursor(cursor: str, *, is_time: bool, is_number: bool = False) -> tuple[Any, int]:
    """The cursor's (sort key, id). The key is a time with `is_time`, a finite number (a
    distance) with `is_number`, else an integer or text."""
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("cursor too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        raw, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        value = _time(raw) if is_time else raw
        if not _storable_int(row_id):
            raise TypeError(row_id)
        if is_number:
            if not _finite_number(value):
                raise TypeError(value)
        elif not is_time and not (_storable_int(value) or _storable_text(value)):
            raise TypeError(value)
    except (binascii.Error, ValueError, TypeError, OverflowError, RecursionError) as error:
        raise BadCursor("`after` is not a valid cursor for this list.") from error
    return value, row_id


def _check_fits(query: QuerySet[Any], field_name: str, value: Any) -> None:
    """A cursor of another list (a name where this one sorts by number, or text longer
    than the column) is a bad cursor, not a database error."""
    field = model_field(query.model, field_name)
    if field_name == "id" or isinstance(field, IntField):
        bounds = getattr(field, "constraints", {})
        low, high = bounds.get("ge", -(2**63)), bounds.get("le", 2**63 - 1)
        ok = isinstance(value, int) and low <= value <= high
    elif isinstance(field, CharField | TextField):
        ok = isinstance(value, str) and len(value) <= (getattr(field, "max_length", None) or 10**6)
    else:
        ok = True
    if not ok:
        raise BadCursor("`after` is not a valid cursor for this list.")


async def keyset_page(
    query: QuerySet[Any] | Callable[[], QuerySet[Any]],
    *,
    first: int | None,
    after: str | None,
    order: Order = NEWEST_FIRST,
    fetch: Fetch | None = None,
) -> Page[Any]:
    """Fetch one page of `query` in `order`; one SQL statement, `first + 1` rows at most.

    `fetch`, if given, reads the rows instead of `query`: the same rows, in `order`, after
    the decoded cursor (a hot list may write its statement out). `query` may then be a
    function making it, called only if the page needs it (to check a cursor, or for an
    empty page without `fetch`, which is then asked for one row): building a queryset
    costs more than a hot page's other work."""
    size = check_first(first)
    made: QuerySet[Any] | None = None

    def queryset() -> QuerySet[Any]:
        nonlocal made
        if made is None:
            made = query() if callable(query) else query
        return made

    key: tuple[Any, int] | None = None
    if after:
        value, row_id = decode_cursor(after, is_time=order.field.endswith("_at"))
        _check_fits(queryset(), order.field, value)
        made = queryset().filter(order.after(value, row_id))
        key = (value, row_id)
    if size == 0:
        more = bool(await fetch(1, key)) if fetch is not None else await queryset().exists()
        return Page(rows=[], cursors=[], has_next=more, has_previous=bool(after))
    if fetch is not None:
        rows = await fetch(size + 1, key)
    else:
        rows = list(await queryset().order_by(*order.order_by()).limit(size + 1))
    has_next = len(rows) > size
    rows = rows[:size]
    return Page(
        rows=rows,
        cursors=Cursors([order.key(row) for row in rows]),
        has_next=has_next,
        has_previous=bool(after),
    )
