"""The one place that reaches into strawberry and its engine, graphql-core, past their
documented API. Each function names what it relies on; tests/unit/test_compat.py checks
every one of them against the installed versions, so an upgrade that moves one fails there,
with a message naming the function to mend here."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from graphql import FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, GraphQLSchema
from graphql.validation import ASTValidationRule
from strawberry.extensions.max_aliases import create_validator as _aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as _depth_rule
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.enum import StrawberryEnumDefinition

E = TypeVar("E", bound=type[Enum])

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
