"""A query's plan: for each selection, how to read each field from its parent object and
how to turn the value into JSON, decided once per document instead of once per field per
row. The reads are the schema's own: a plain attribute for a field without a resolver,
the strawberry resolver's function for the others, called with the arguments strawberry
would convert; leaves are coerced by their GraphQL type, as graphql-core coerces them.

A subscription's plan is its selection on each live event (graph/live/sharing.py).
What a plan does not express makes it None (the operation runs on graphql-core): a
mutation, introspection, a directive other than @skip/@include with
literal arguments, @defer, fragment arguments, field extensions or permissions, field
middleware, exception handlers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    GraphQLAbstractType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationType,
    Undefined,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.language import Node, VariableNode

from graph import compat

if TYPE_CHECKING:
    from graph.plan.run import Run

Complete = Callable[[Any, "Run"], Any]

# How a field is read from its parent.
CONSTANT, ATTRIBUTE, CALL = 0, 1, 2
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Leaves whose value is already their JSON when it is exactly of this type.
EXACT_LEAVES: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}


class Fallback(Exception):
    """This execution leaves the plan: graphql-core executes the operation instead (a
    field raised, a non-null field was null, a value was not of its type: graphql-core
    shapes the error exactly)."""


class NotPlannable(Exception):
    """The document has something a plan does not express."""


@dataclass(eq=False, slots=True)
class FieldPlan:
    """One response key of a selection."""

    index: int  # the plan's numbering: a run keeps each field's bound resolver by it
    key: str
    kind: int
    parent_type: GraphQLObjectType
    field_def: GraphQLField | None
    details: list[Any]
    constant: Any = None
    read: Callable[[Any], Any] | None = None
    attribute: str | None = None  # ATTRIBUTE: the attribute `read` reads, if it is one
    complete: Complete | None = None
    # CALL: the resolver's function and how strawberry would pass it its parameters
    function: Callable[..., Any] | None = None
    strawberry_field: Any = None
    passes_self: bool = False
    source_names: tuple[str, ...] = ()
    info_name: str | None = None
    # CALL: whether the arguments are the same on every execution (literals, or defaults,
    # of scalars and enums), and then, once converted, those arguments
    fixed_arguments: bool = False
    arguments: dict[str, Any] | None = None
    # an object type's field (or a list of objects'): what emit.py writes out in the
    # parent's function instead of calling `complete` per object
    objects: Objects | None = None


@dataclass(frozen=True, slots=True)
class Objects:
    """How the objects of a field are completed: by `fill`, once they are known to be of
    the type. `origin`: an instance of exactly this class that no `strawberry.cast` marks
    is of the type without asking (strawberry's own `is_type_of` would say so); None when
    the type has no `is_type_of` (any object is taken). `item`: a list's completion of
    one item (None for a field of one object)."""

    fill: Callable[[Any, Run], dict[str, Any]]
    checked: bool
    origin: type | None
    item: Complete | None


@dataclass(eq=False, slots=True)
class Plan:
    """An operation's plan: its root selection and every field in it."""

    root: tuple[FieldPlan, ...]
    fields: list[FieldPlan] = field(default_factory=list)
    # the root selection's response object from the root value (graph/plan/emit.py)
    fill: Callable[[Any, Run], dict[str, Any]] | None = None
    strawberry_schema: Any = None


def plan_of(executor: Any) -> Plan:
    """The plan of the executor's operation (raises NotPlannable)."""
    operation = executor.operation
    if operation.operation is OperationType.MUTATION:
        raise NotPlannable("a mutation")
    if compat.has_field_middleware(executor):
        raise NotPlannable("field middleware")
    schema: GraphQLSchema = executor.schema
    strawberry_schema = compat.strawberry_schema(schema)
    if strawberry_schema.schema_converter.exception_handlers:
        raise NotPlannable("exception handlers")
    for name, fragment in executor.fragment_definitions.items():
        _check_directives(fragment, name)
    _check_directives(operation, operation.name.value if operation.name else "operation")
    grouped, deferred = compat.collect_root_fields(executor)
    if deferred:
        raise NotPlannable("@defer")
    plan = Plan(root=(), strawberry_schema=strawberry_schema)
    root_type = schema.get_root_type(operation.operation)
    assert root_type is not None
    plan.root = _selection(executor, plan, root_type, grouped)
    from graph.plan.emit import written_out  # emit.py imports this module

    plan.fill = written_out(plan.root)
    return plan


def _check_directives(node: Node, where: str) -> None:
    for directive in _directives(node):
        name = directive.name.value
        if name not in ("skip", "include"):
            raise NotPlannable(f"@{name} in {where}")
        for argument in directive.arguments or ():
            if not isinstance(argument.value, BooleanValueNode):
                # a variable's value would decide the selection: a plan is per document
                raise NotPlannable(f"@{name} with a variable in {where}")


def _directives(node: Any) -> Iterator[DirectiveNode]:
    """Every directive under a syntax node."""
    if isinstance(node, DirectiveNode):
        yield node
        return
    for key in node.keys:
        value = getattr(node, key, None)
        if isinstance(value, Node):
            yield from _directives(value)
        elif isinstance(value, tuple | list):
            for item in value:
                if isinstance(item, Node):
                    yield from _directives(item)


def _fixed_arguments(field_def: GraphQLField, node: Any) -> bool:
    """Whether a field's arguments convert to the same values on every execution: none is
    a variable, and each is of a scalar or enum type (strawberry converts those without
    the request's info, into values nobody changes)."""
    if any(isinstance(argument.value, VariableNode) for argument in node.arguments or ()):
        return False
    return all(is_leaf_type(get_nullable_type(arg.type)) for arg in field_def.args.values())


def _selection(
    executor: Any, plan: Plan, parent_type: GraphQLObjectType, grouped: dict[str, list[Any]]
) -> tuple[FieldPlan, ...]:
    return tuple(
        _field(executor, plan, parent_type, key, details) for key, details in grouped.items()
    )


def _field(
    executor: Any, plan: Plan, parent_type: GraphQLObjectType, key: str, details: list[Any]
) -> FieldPlan:
    if compat.uses_fragment_variables(details):
        raise NotPlannable("fragment arguments")
    name = details[0].node.name.value
    index = len(plan.fields)
    if name == "__typename":
        entry = FieldPlan(index, key, CONSTANT, parent_type, None, details, parent_type.name)
        plan.fields.append(entry)
        return entry
    field_def = parent_type.fields.get(name)
    if field_def is None or name.startswith("__"):
        raise NotPlannable(f"{parent_type.name}.{name}")
    entry = FieldPlan(index, key, ATTRIBUTE, parent_type, field_def, details)
    plan.fields.append(entry)
    strawberry_field = compat.strawberry_field(field_def)
    if strawberry_field is None or strawberry_field.extensions:
        raise NotPlannable(f"{parent_type.name}.{name} has extensions")
    if strawberry_field.is_subscription:
        # a live event's selection: strawberry's resolver of the field is the event itself
        entry.read = _itself
    elif compat.is_default_resolver(field_def.resolve):
        if plan.strawberry_schema.config.default_resolver is not getattr:
            raise NotPlannable("a default resolver other than getattr")
        entry.read = attrgetter(strawberry_field.python_name)
        entry.attribute = strawberry_field.python_name
    else:
        resolver = strawberry_field.base_resolver
        if resolver is None:
            raise NotPlannable(f"{parent_type.name}.{name} has no resolver")
        entry.kind = CALL
        entry.function = resolver.wrapped_func
        entry.strawberry_field = strawberry_field
        entry.passes_self = resolver.self_parameter is not None
        entry.source_names = tuple(
            parameter.name
            for parameter in (resolver.parent_parameter, resolver.root_parameter)
            if parameter is not None
        )
        info = resolver.info_parameter
        entry.info_name = info.name if info is not None else None
        entry.fixed_arguments = _fixed_arguments(field_def, details[0].node)
    entry.complete = _completer(executor, plan, entry, field_def.type)
    return entry


def _itself(source: Any) -> Any:
    return source


def _completer(executor: Any, plan: Plan, entry: FieldPlan, gtype: Any, lists: int = 0) -> Complete:
    """`lists`: how many list types enclose `gtype` (the field's objects are recorded for
    emit.py up to one list deep)."""
    if is_non_null_type(gtype):
        return _non_null(_completer(executor, plan, entry, gtype.of_type, lists))
    if is_list_type(gtype):
        item = _completer(executor, plan, entry, gtype.of_type, lists + 1)
        if lists == 0 and entry.objects is not None:
            entry.objects = replace(entry.objects, item=item)
        return _list(item)
    if is_leaf_type(gtype):
        return _leaf(gtype)
    if is_object_type(gtype):
        complete, fill = _object(executor, plan, entry, gtype)
        if lists <= 1:
            entry.objects = Objects(fill, gtype.is_type_of is not None, _plain(gtype), None)
        return complete
    if is_abstract_type(gtype):
        return _abstract(executor, plan, entry, gtype)
    raise NotPlannable(f"type {gtype}")


def _non_null(inner: Complete) -> Complete:
    def complete(value: Any, run: Run) -> Any:
        if value is None:
            raise Fallback("null in a non-null field")
        return inner(value, run)

    return complete


def _list(item: Complete) -> Complete:
    def complete(value: Any, run: Run) -> Any:
        if value is None:
            return None
        if not isinstance(value, list | tuple):
            raise Fallback("a list field answered something else")
        return [item(each, run) for each in value]

    return complete


def _leaf(gtype: Any) -> Complete:
    coerce = gtype.coerce_output_value
    # graphql-core's own coercion, without the call where the value is already what it
    # would return
    exact: type | None = EXACT_LEAVES.get(gtype.name)
    is_int = gtype.name == "Int"

    def complete(value: Any, run: Run) -> Any:
        if value is None:
            return None
        if exact is not None and type(value) is exact:
            return value
        if is_int and type(value) is int and INT_MIN <= value <= INT_MAX:
            return value
        coerced = coerce(value)
        if coerced is Undefined or coerced is None:
            raise Fallback("a leaf coerced to nothing")
        return coerced

    return complete


def _plain(gtype: GraphQLObjectType) -> type | None:
    """The class whose plain instances strawberry's generated `is_type_of` takes: None
    when the type has its own `is_type_of`, or none."""
    definition = compat.object_definition(gtype)
    if definition is None or definition.is_type_of is not None:
        return None
    origin: type = definition.origin
    return origin


def _object(
    executor: Any, plan: Plan, entry: FieldPlan, gtype: GraphQLObjectType
) -> tuple[Complete, Callable[[Any, Run], dict[str, Any]]]:
    grouped, deferred = compat.collect_subfields(executor, gtype, entry.details)
    if deferred:
        raise NotPlannable("@defer")
    from graph.plan.emit import written_out  # emit.py imports this module

    fill = written_out(_selection(executor, plan, gtype, grouped))
    is_type_of = gtype.is_type_of

    def complete(value: Any, run: Run) -> Any:
        if value is None:
            return None
        if is_type_of is not None and not is_type_of(value, run.info(entry)):
            raise Fallback(f"not a {gtype.name}")
        return fill(value, run)

    return complete, fill


def _abstract(executor: Any, plan: Plan, entry: FieldPlan, gtype: GraphQLAbstractType) -> Complete:
    schema: GraphQLSchema = executor.schema
    by_name: dict[str, Complete] = {
        possible.name: _object(executor, plan, entry, possible)[0]
        for possible in schema.get_possible_types(gtype)
    }
    resolve_type = gtype.resolve_type
    if resolve_type is None:
        raise NotPlannable(f"{gtype.name} has no resolve_type")

    def complete(value: Any, run: Run) -> Any:
        if value is None:
            return None
        name = resolve_type(value, run.info(entry), gtype)
        if not isinstance(name, str) or name not in by_name:
            raise Fallback(f"{gtype.name} resolved to {name!r}")
        return by_name[name](value, run)

    return complete
