"""Relay conventions: opaque global IDs, the Node interface and connections."""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import attrgetter
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from resolvers.pagination import Page

T = TypeVar("T")
R = TypeVar("R")


@lru_cache(maxsize=65536)
def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    # cached: a page of moments spells a hundred ids, most of them seen a moment ago
    return strawberry.ID(
        base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")
    )


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, primary key), or None when the id is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        type_name, _, pk = raw.partition(":")
        number = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not type_name or not (pk.isascii() and pk.isdigit()) or not 0 < number < 2**63:
        return None
    return type_name, number


def decode_id(global_id: str | None, type_name: str) -> int | None:
    """The primary key of a global ID of the given type; None for anything else."""
    parsed = from_global_id(global_id) if global_id else None
    if parsed is None or parsed[0] != type_name:
        return None
    return parsed[1]


def copied_from_row(*attributes: str) -> Any:
    """A node type's `from_row`: its global ID (of the class's name), the row itself, and
    each of `attributes` taken from the row's attribute of the same name.

    Written out once per class (`_copier`): the instance's `__dict__` as one dict display,
    without the dataclass `__init__`'s keyword arguments (a page of moments makes a hundred
    of these; the `__init__` took three times as long). A class with any other field to
    initialise keeps its `__init__`."""
    copiers: dict[type[Any], Callable[[Any], Any]] = {}

    def from_row(cls: type[T], row: Any) -> T:
        copy = copiers.get(cls)
        if copy is None:
            copy = copiers[cls] = _copier(cls, attributes)
        return copy(row)

    return classmethod(from_row)


def _copier(cls: type[Any], attributes: tuple[str, ...]) -> Callable[[Any], Any]:
    initialised = _written_fields(cls, ("id", "row", *attributes))
    if initialised is None:
        take = attrgetter(*attributes)

        def through_init(row: Any) -> Any:
            values = take(row) if len(attributes) > 1 else (take(row),)
            return cls(
                id=to_global_id(cls.__name__, row.id),
                row=row,
                **dict(zip(attributes, values, strict=True)),
            )

        return through_init
    spelled = {"id": f"_id({cls.__name__!r}, row.id)", "row": "row"}
    spelled.update((name, f"row.{name}") for name in attributes)
    # in the order the dataclass `__init__` sets them
    entries = ", ".join(f"{name!r}: {spelled[name]}" for name in initialised)
    namespace: dict[str, Any] = {"_new": cls.__new__, "_cls": cls, "_id": to_global_id}
    source = "def copy(row):\n    made = _new(_cls)\n"
    source += f"    made.__dict__ = {{{entries}}}\n    return made\n"
    exec(source, namespace)  # our own text: the class's field names
    copy: Callable[[Any], Any] = namespace["copy"]
    return copy


@strawberry.interface(
    description="An object with a global ID; refetch any of them with `node(id:)`."
)
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque, globally unique ID.")


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(
        description="Items precede this page (true when the page was fetched with `after`)."
    )
    # encoded only if asked for (resolvers.pagination.Cursors)
    cursors: strawberry.Private[Sequence[str]]

    @strawberry.field(description="Cursor of the first edge.")
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None

    @strawberry.field(description="Cursor of the last edge: pass it as `after` for the next page.")
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


@strawberry.type(description="One item of a list, with its cursor.")
class Edge(Generic[T]):
    cursors: strawberry.Private[Sequence[str]]
    index: strawberry.Private[int]
    node: T = strawberry.field(description="The item.")

    @strawberry.field(description="Opaque position of this item in its list.")
    def cursor(self) -> str:
        return self.cursors[self.index]


@strawberry.type(description="A page of a list, newest or first items first (see the field).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")


def connection(
    page: Page[R], nodes: Sequence[T] | None = None, wrap: Callable[[R], T] | None = None
) -> Connection[T]:
    """A Connection from a page of rows, turned into GraphQL objects by `nodes` (already
    loaded, same order) or `wrap`."""
    items: Sequence[T] = nodes if nodes is not None else [wrap(row) for row in page.rows]  # type: ignore[misc]
    if len(items) != len(page.cursors):
        raise ValueError(f"{len(items)} nodes for {len(page.cursors)} cursors")
    cursors = page.cursors
    edge = _new_edge
    return _new_connection(
        [edge(cursors, i, node) for i, node in enumerate(items)],
        _new_page_info(page.has_next, page.has_previous, cursors),
    )


def written_init(cls: type[Any], names: tuple[str, ...]) -> Callable[..., Any]:
    """A function `(*values)` making what `cls(**dict(zip(names, values)))` makes, for a
    dataclass whose `__init__` sets exactly `names`: the instance's `__dict__` as one dict
    display, without the `__init__` frame and its keywords (a page of 20 moments makes ~60
    edges, connections and page infos). Any other class gets its `__init__`."""
    initialised = _written_fields(cls, names)
    if initialised is None:

        def through_init(*values: Any) -> Any:
            return cls(**dict(zip(names, values, strict=True)))

        return through_init
    entries = ", ".join(f"{name!r}: {name}" for name in initialised)  # the __init__'s order
    namespace: dict[str, Any] = {"_new": cls.__new__, "_cls": cls}
    source = f"def make({', '.join(names)}):\n    made = _new(_cls)\n"
    source += f"    made.__dict__ = {{{entries}}}\n    return made\n"
    exec(source, namespace)  # our own text: the class's field names
    make: Callable[..., Any] = namespace["make"]
    return make


def _written_fields(cls: type[Any], names: tuple[str, ...]) -> list[str] | None:
    """The dataclass's `__init__` fields in its order, when they are exactly `names` (plain
    identifiers) and nothing runs after them (`__post_init__`); else None: keep `__init__`."""
    initialised = [f.name for f in dataclasses.fields(cls) if f.init]
    plain = all(name.isidentifier() for name in names) and not hasattr(cls, "__post_init__")
    return initialised if plain and sorted(initialised) == sorted(names) else None


_new_edge = written_init(Edge, ("cursors", "index", "node"))
_new_connection = written_init(Connection, ("edges", "page_info"))
_new_page_info = written_init(PageInfo, ("has_next_page", "has_previous_page", "cursors"))

FIRST_DESCRIPTION = "How many items to return: 0 to 100, default 20."
AFTER_DESCRIPTION = "Return the items after this cursor (a previous page's `endCursor`)."
First = Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)]
After = Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)]
