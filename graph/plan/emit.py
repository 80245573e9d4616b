"""A selection's plan written out as one Python function, `(source, run) -> dict`: each
field read and completed in a line of its own, in the selection's order, instead of a
loop over the fields that dispatches on each field's kind and calls its completion (as
graphql-jit writes out JavaScript for graphql-js). A leaf already of its JSON type (a
str for String and ID, a bool, an int in Int's range) is kept as it is, inline; any other
value goes through the field's completion (compile.py), which coerces it or falls back.

The text is built from the plan's own data only (response keys and attribute names are
GraphQL names, checked to be identifiers; every other value is passed by name in the
function's namespace). The test suite's differential check (graph/plan/__init__.py
`checking`) compares every planned response with graphql-core's."""

from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphql import is_non_null_type, is_scalar_type

from graph import compat
from graph.plan.compile import (
    ATTRIBUTE,
    CONSTANT,
    EXACT_LEAVES,
    INT_MAX,
    INT_MIN,
    FieldPlan,
    Objects,
)

if TYPE_CHECKING:
    from graph.plan.run import Run

Fill = Callable[[Any, "Run"], dict[str, Any]]


def written_out(fields: tuple[FieldPlan, ...]) -> Fill:
    """The function building one selection's response object from its parent object."""
    namespace: dict[str, Any] = {"SYNC": _SYNC, "awaits": _awaits}
    lines = ["out = {}"]
    for n, entry in enumerate(fields):
        value, key = f"v{n}", repr(entry.key)
        namespace[f"e{n}"] = entry
        namespace[f"c{n}"] = entry.complete
        if entry.kind == CONSTANT:
            namespace[f"k{n}"] = entry.constant
            lines.append(f"out[{key}] = k{n}")
        elif entry.kind == ATTRIBUTE:
            lines.append(f"{value} = {_read(entry, n, namespace)}")
            lines += _completed(entry, n, namespace)
            lines.append(f"out[{key}] = {value}")
        else:
            # a resolver, whose value may be awaitable (then completed in a later round)
            lines += [
                # the resolver bound for this run (Run.call binds it on the first row)
                f"b{n} = run.bound[{entry.index}]",
                f"{value} = b{n}(source) if b{n} is not None else run.call(e{n}, source)",
                f"t{n} = type({value})",
                f"if t{n} not in SYNC and awaits(t{n}):",
                f"    out[{key}] = None",
                f"    run.pending.append(({value}, c{n}, out, {key}))",
                "else:",
                *(f"    {line}" for line in _completed(entry, n, namespace)),
                f"    out[{key}] = {value}",
            ]
    lines.append("return out")
    source = "def fill(source, run):\n" + "".join(f"    {line}\n" for line in lines)
    exec(source, namespace)  # text of the plan's own names and positions
    fill: Fill = namespace["fill"]
    return fill


# Classes seen not to be awaitable: a set lookup instead of `hasattr(cls, "__await__")`,
# which builds an AttributeError each time it is false (a resolver per field per row).
_SYNC: set[type] = {str, int, bool, float, list, dict, tuple, type(None)}
MAX_SYNC = 4096


def _awaits(cls: type) -> bool:
    """Whether a resolver's value of this class is awaited (graphql-core's test)."""
    if hasattr(cls, "__await__"):
        return True
    if len(_SYNC) < MAX_SYNC:
        _SYNC.add(cls)
    return False


def _read(entry: FieldPlan, n: int, namespace: dict[str, Any]) -> str:
    name = entry.attribute
    if name is not None and name.isidentifier() and not keyword.iskeyword(name):
        return f"source.{name}"
    namespace[f"r{n}"] = entry.read
    return f"r{n}(source)"


def _completed(entry: FieldPlan, n: int, namespace: dict[str, Any]) -> list[str]:
    """Lines completing `v<n>` in place."""
    value, complete = f"v{n}", f"c{n}(v{n}, run)"
    if entry.objects is not None:
        return _objects(entry.objects, n, namespace)
    leaf = _leaf_name(entry)
    exact = EXACT_LEAVES.get(leaf) if leaf is not None else None
    if exact is not None:
        return [f"if type({value}) is not {exact.__name__}:", f"    {value} = {complete}"]
    if leaf == "Int":
        return [
            f"if type({value}) is not int or not {INT_MIN} <= {value} <= {INT_MAX}:",
            f"    {value} = {complete}",
        ]
    return [f"{value} = {complete}"]


def _leaf_name(entry: FieldPlan) -> str | None:
    """The field's type's name when it is a scalar (non-null or not)."""
    if entry.field_def is None:
        return None
    gtype = entry.field_def.type
    if is_non_null_type(gtype):
        gtype = gtype.of_type
    return gtype.name if is_scalar_type(gtype) else None


def _objects(objects: Objects, n: int, namespace: dict[str, Any]) -> list[str]:
    """Lines completing `v<n>`, an object or a list of objects: an object known to be of the
    type is filled here, without the completion's frames and `is_type_of` (a null, a list
    that is not a list, or an object that may not be of the type goes through the
    completion, which falls back or asks as graphql-core would)."""
    if objects.checked and objects.origin is None:
        return [f"v{n} = c{n}(v{n}, run)"]
    namespace[f"f{n}"] = objects.fill
    namespace[f"o{n}"] = objects.origin
    namespace["CAST"] = compat.TYPE_CAST_ATTRIBUTE
    if objects.checked:
        known = f"type({{x}}) is o{n} and getattr({{x}}, CAST, None) is None"
    else:
        known = "{x} is not None"
    if objects.item is None:
        return [
            f"if {known.format(x=f'v{n}')}:",
            f"    v{n} = f{n}(v{n}, run)",
            "else:",
            f"    v{n} = c{n}(v{n}, run)",
        ]
    namespace[f"i{n}"] = objects.item
    each = f"f{n}(x, run) if {known.format(x='x')} else i{n}(x, run)"
    return [
        f"if type(v{n}) is list:",
        f"    v{n} = [{each} for x in v{n}]",
        "else:",
        f"    v{n} = c{n}(v{n}, run)",
    ]
