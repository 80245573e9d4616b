"""The one place that reaches into strawberry and its engine, graphql-core, past their
documented API. Each function names what it relies on; tests/unit/test_compat.py checks
every one of them against the installed versions, so an upgrade that moves one fails there,
with a message naming the function to mend here."""

from __future__ import annotations

from collections.abc import Callable
from copy import copy as _copy
from enum import Enum
from typing import Any, TypeVar

from graphql import FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, GraphQLSchema
from graphql.execution.collect_fields import collect_fields as _collect_fields
from graphql.execution.executor import CollectedErrors as _CollectedErrors
from graphql.execution.values import get_argument_values as _argument_values
from graphql.execution.values import get_variable_values as _get_variable_values
from graphql.pyutils.ref_map import RefMap as _RefMap
from graphql.validation import ASTValidationRule
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.extensions.max_aliases import create_validator as _aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as _depth_rule
from strawberry.schema._graphql_core import execution_context_class_kwargs as _executor_kwargs
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext, _coerce_error
from strawberry.schema.schema import validate_document as _validate_document
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments as _convert_arguments
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE as _TYPE_CAST_ATTRIBUTE
from strawberry.types.enum import StrawberryEnumDefinition

E = TypeVar("E", bound=type[Enum])
_FIELD_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF

# The executor strawberry runs every operation with (`execution_context_class`): the
# shared execution of live events (graph/live/sharing.py) extends it.
Executor = StrawberryGraphQLCoreExecutionContext


def core_schema(schema: Any) -> GraphQLSchema:
    """The graphql-core schema behind a strawberry schema (`Schema._schema`)."""
    return schema._schema


def raw_info(info: Any) -> GraphQLResolveInfo:
    """graphql-core's resolve info behind strawberry's `Info` (`Info._raw_info`): the
    field's syntax nodes and the operation's fragments, which strawberry's `Info` does not
    show."""
    return info._raw_info


def field_nodes(info: Any) -> list[FieldNode]:
    return list(raw_info(info).field_nodes)


def fragments(info: Any) -> dict[str, FragmentDefinitionNode]:
    return dict(raw_info(info).fragments)


def depth_rule(max_depth: int) -> type[ASTValidationRule]:
    """Strawberry's depth limit as a validation rule (introspection fields not counted)."""
    return _depth_rule(max_depth, None, None)


def aliases_rule(max_aliases: int) -> type[ASTValidationRule]:
    return _aliases_rule(max_aliases)


def coerced_variables(executor: Any) -> dict[str, Any]:
    """An executor's coerced variable values (graphql-core 3.3: `VariableValues.coerced`)."""
    return executor.variable_values.coerced


def describe_values(enum: E, descriptions: dict[str, str]) -> E:
    """Gives each value of an enum made a GraphQL enum by `strawberry.enum` its description.
    Strawberry takes value descriptions only from `strawberry.enum_value` in the class body,
    and these enums live in models/ and resolvers/, which know no GraphQL: set on the
    definition strawberry keeps on the class (`__strawberry_definition__.values`). Every
    value must be described."""
    definition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    assert isinstance(definition, StrawberryEnumDefinition)
    names = {value.name for value in definition.values}
    if names != descriptions.keys():
        raise ValueError(f"{definition.name}: describe exactly {sorted(names)}")
    for value in definition.values:
        value.description = descriptions[value.name]
    return enum


# The compiled plans (graph/plan/) build on graphql-core's executor: they collect fields
# and build resolve infos exactly as it does, and fall back to it for what they cannot do.


def collect_root_fields(executor: Any) -> tuple[dict[str, list[Any]], bool]:
    """The operation's root fields grouped by response key (graphql-core's
    `collect_fields`, as `execute_operation` calls it), and whether any is deferred."""
    root_type = executor.schema.get_root_type(executor.operation.operation)
    collected = _collect_fields(
        executor.schema,
        executor.fragments,
        executor.variable_values,
        root_type,
        executor.operation,
        executor.hide_suggestions,
    )
    grouped, defers, _forbidden = collected
    return dict(grouped), bool(defers)


def collect_subfields(
    executor: Any, return_type: Any, field_details: list[Any]
) -> tuple[dict[str, list[Any]], bool]:
    """The subfields of `field_details` on the object type (the executor's memoized
    `collect_subfields`), and whether any is deferred."""
    grouped, defers, _forbidden = executor.collect_subfields(return_type, field_details)
    return dict(grouped), bool(defers)


def field_nodes_of(field_details: list[Any]) -> list[FieldNode]:
    """The syntax nodes of a field's details (`FieldDetails.node`)."""
    return [details.node for details in field_details]


def uses_fragment_variables(field_details: list[Any]) -> bool:
    """Whether a field comes from a fragment with variables of its own (graphql-core 3.3's
    experimental fragment arguments)."""
    return any(details.fragment_variable_values is not None for details in field_details)


def argument_values(executor: Any, field_def: Any, node: FieldNode) -> dict[str, Any]:
    """A field's coerced arguments, as `execute_field` computes them."""
    return _argument_values(
        field_def, node, executor.variable_values, None, executor.hide_suggestions
    )


def strawberry_schema(core: GraphQLSchema) -> Any:
    """The strawberry schema a graphql-core schema was built by
    (`GraphQLSchema._strawberry_schema`)."""
    return core._strawberry_schema  # type: ignore[attr-defined]


def object_definition(gtype: Any) -> Any:
    """The strawberry definition behind a graphql-core object type (its extensions' back
    reference), or None."""
    return (gtype.extensions or {}).get(_FIELD_BACKREF)


# What strawberry's generated `is_type_of` reads first: the type `strawberry.cast` marked
# an object with.
TYPE_CAST_ATTRIBUTE = _TYPE_CAST_ATTRIBUTE


def strawberry_field(field_def: Any) -> Any:
    """The strawberry field behind a graphql-core field (its extensions' back reference)."""
    return field_def.extensions.get(_FIELD_BACKREF)


def is_default_resolver(resolve: Any) -> bool:
    """Whether a field's resolver is strawberry's plain attribute read (a field without a
    resolver of its own, extensions or permissions)."""
    return getattr(resolve, "_is_default", False) is True


def convert_arguments(schema: Any, field: Any, values: dict[str, Any], info: Any) -> Any:
    """Strawberry's conversion of coerced arguments into the resolver's Python values."""
    return _convert_arguments(
        values,
        field.arguments,
        scalar_registry=schema.schema_converter.scalar_registry,
        config=schema.config,
        info=info,
    )


def fresh_errors_copy(executor: Any) -> Any:
    """A copy of the executor that collects its own errors (what graphql-core's
    `build_per_event_executor` does for each subscription event)."""
    other = _copy(executor)
    other.collected_errors = _CollectedErrors()
    return other


def response_of(executor: Any, data: dict[str, Any]) -> Any:
    """The operation's ExecutionResult from its completed data, as `execute_operation`
    ends (`finish(build_response(data))`: the errors collected, the hooks run)."""
    return executor.finish(executor.build_response(data))


def has_field_middleware(executor: Any) -> bool:
    """Whether any field middleware runs (strawberry always passes a MiddlewareManager,
    empty unless an extension implements `resolve`)."""
    manager = executor.middleware_manager
    return manager is not None and bool(manager.middlewares)


def validate_document(schema: GraphQLSchema, document: Any, rules: tuple[Any, ...]) -> Any:
    """Strawberry's validation of a document, its own rules added (what its ValidationCache
    caches; graph/limits.py caches it by the document's identity instead)."""
    return _validate_document(schema, document, rules)


# The direct execution of operations (graph/execution.py) does what strawberry's
# `Schema.execute` does between its extension hooks.

is_awaitable = optimized_is_awaitable


def executing(schema: Any) -> Callable[[Any, Any], Any]:
    """graphql-core's execution of an operation as strawberry's `_execute_operation` calls it
    (`Schema._get_execute_function`, `execution_context_class_kwargs`), for a strawberry
    `ExecutionContext` and a middleware manager."""
    execute = schema._get_execute_function()
    executor = _executor_kwargs(schema.execution_context_class)

    def run(ec: Any, middleware: Any) -> Any:
        return execute(
            schema._schema,
            ec.graphql_document,
            root_value=ec.root_value,
            middleware=middleware,
            variable_values=ec.variables,
            operation_name=ec.operation_name,
            context_value=ec.context,
            is_awaitable=optimized_is_awaitable,
            **executor,
            operation_extensions=ec.operation_extensions,
        )

    return run


def coerced_error(error: Exception) -> Any:
    """An exception of an execution as strawberry reports it (`_coerce_error`)."""
    return _coerce_error(error)


# An executor per operation, copied for each execution (graph/execution.py): graphql-core's
# `Executor.build` and the constructors behind it (graphql-core's, its incremental
# executor's, strawberry's) cost more per request than a whole `{ __typename }` answer
# otherwise does. A copy shares the operation's attributes and gets fresh ones of these,
# the state of one execution (graphql-core 3.3's `Executor.__init__` and
# `IncrementalExecutor.__init__`, strawberry's; `async_helpers` is bound by the caller).
def _fresh_state() -> dict[str, Any]:
    return {
        "async_helpers": None,  # bound by the caller
        "collected_errors": _CollectedErrors(),
        "pending_incremental_futures": set(),
        "background_futures": set(),
        "async_work_finished_hook_task": None,
        "_relevant_sub_fields": {},
        "_stream_usages": _RefMap(),
        "defer_usage_set": None,
        "groups": [],
        "tasks": [],
        "streams": [],
        "_initial_execution_plans": _RefMap(),
        "_deferred_execution_plans": _RefMap(),
    }


# one execution's own, beside the state: what `executor_from` is given
_PER_EXECUTION = frozenset(
    {"context_value", "variable_values", "operation_extensions", *_fresh_state()}
)
# ... and the operation's, shared by every copy
_PER_OPERATION = frozenset(
    {
        "schema",
        "fragment_definitions",
        "fragments",
        "root_value",
        "operation",
        "field_resolver",
        "type_resolver",
        "subscribe_field_resolver",
        "enable_early_execution",
        "hide_suggestions",
        "abort_signal",
        "hooks",
        "middleware_manager",
        "error_propagation",
        "is_awaitable",
        "is_async_iterable",
    }
)


def executor_template(
    schema: Any, document: Any, operation_name: str | None, variables: Any, middleware: Any
) -> Any:
    """The operation's executor as `executing` builds it, without a context: a template for
    `executor_from` when `copyable`; None when graphql-core refused the operation or these
    variables."""
    executor = schema.execution_context_class.build(
        schema._schema,
        document,
        None,
        None,
        variables,
        operation_name,
        middleware=middleware,
        is_awaitable=optimized_is_awaitable,
        operation_extensions=None,
    )
    return None if isinstance(executor, list) else executor


def copyable(executor: Any) -> bool:
    """Whether `executor_from` knows every attribute of the executor (an upgrade that adds
    one makes every operation build its executor again, and tests/unit/test_compat.py
    fail)."""
    return set(vars(executor)) == _PER_OPERATION | _PER_EXECUTION


def executor_from(
    template: Any,
    context: Any,
    variables: Any,
    extensions: Any,
    helpers: Callable[[Any], Any],
) -> Any:
    """A fresh executor of the template's operation for one execution: its own context,
    variables (coerced as `Executor.build` coerces them), extensions and state, and
    `helpers(executor)` as its `async_helpers`; None when the variables do not coerce
    (graphql-core's own build then words the errors)."""
    operation = template.operation
    if operation.variable_definitions:
        coerced = _get_variable_values(
            template.schema,
            operation.variable_definitions,
            variables or {},
            max_errors=50,  # graphql-core's default, as `executing` leaves it
            hide_suggestions=template.hide_suggestions,
        )
        if isinstance(coerced, list):
            return None
    else:
        coerced = template.variable_values  # no definitions: none coerced, for any input
    executor = object.__new__(type(template))
    executor.__dict__ = {
        **template.__dict__,
        **_fresh_state(),
        "context_value": context,
        "variable_values": coerced,
        "operation_extensions": extensions,
    }
    executor.async_helpers = helpers(executor)
    return executor
