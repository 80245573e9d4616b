"""What an operation asks for below a field, read from graphql-core's syntax tree: a
resolver fetching a list can then fetch, in the same statement, what the list's items
will ask their loaders for (see `first_comment_sizes`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    SelectionSetNode,
    VariableNode,
)

from graph import compat
from graph.context import Info
from resolvers.pagination import BadPageSize, check_first


def _fields(
    selections: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    """The fields of a selection set, fragments' included (whatever their conditions:
    reading ahead for a field that `@skip` drops only costs a little work)."""
    if selections is None:
        return
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments)


def below(info: Info, path: Iterable[str]) -> list[FieldNode]:
    """Every field reached from the resolved field along `path` (field names, aliases
    ignored), however fragments spread them."""
    nodes = compat.field_nodes(info)
    fragments = compat.fragments(info)
    for name in path:
        nodes = [
            field
            for node in nodes
            for field in _fields(node.selection_set, fragments)
            if field.name.value == name
        ]
    return nodes


def argument(info: Info, node: FieldNode, name: str) -> Any:
    """The value of a field's argument (None when absent or null). The operation is
    valid by now: an Int argument is an integer literal, a null or a variable."""
    for given in node.arguments or ():
        if given.name.value != name:
            continue
        value = given.value
        if isinstance(value, VariableNode):
            return info.variable_values.get(value.name.value)
        if isinstance(value, NullValueNode):
            return None
        if isinstance(value, IntValueNode):
            return int(value.value)
        return value
    return None


def first_comment_sizes(info: Info, to: tuple[str, ...] = ("edges", "node")) -> frozenset[int]:
    """The `first` of each `comments(first:)` the nodes of this connection of moments
    select without `after` (with `to=()`, this moment's own): the sizes of first-comment
    pages their loader will be asked for. A bad `first` is left to the field to refuse."""
    sizes = set()
    for node in below(info, (*to, "comments")):
        if argument(info, node, "after") is not None:
            continue
        try:
            sizes.add(check_first(argument(info, node, "first")))
        except BadPageSize:
            continue
    return frozenset(sizes)


def first_page_ahead(info: Info, name: str) -> int | None:
    """The rows a first page of this field's connection `name` will read (`first + 1`, or
    1 for `first: 0`: resolvers/pagination.py `keyset_page`), when every occurrence of it
    asks the same first page; else None (then nothing is read ahead)."""
    sizes = set()
    for node in below(info, (name,)):
        if argument(info, node, "after") is not None:
            return None
        try:
            sizes.add(check_first(argument(info, node, "first")))
        except BadPageSize:
            return None
    if len(sizes) != 1:
        return None
    (size,) = sizes
    return size + 1 if size else 1
