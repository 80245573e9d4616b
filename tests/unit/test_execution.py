"""graph/execution.py writes out the steps of the schema's extensions: these tests fail when
the schema's extensions are no longer the ones it writes out (then mend `Direct.execute`
with the new one's steps, or let strawberry's way take every operation)."""

from __future__ import annotations

import pytest
from graphql import NoSchemaIntrospectionCustomRule, parse, specified_rules
from graphql.execution.middleware import MiddlewareManager
from strawberry.extensions import DisableIntrospection
from strawberry.types.execution import ExecutionContext

from graph import compat
from graph.errors import ShapeErrors
from graph.limits import Limits
from graph.rate_limits import Budgets
from graph.schema import build_schema
from server.settings import Settings


@pytest.mark.parametrize("introspection", [True, False])
def test_the_extensions_are_the_ones_written_out(introspection: bool) -> None:
    schema = build_schema(Settings(introspection=introspection))
    extensions = schema.get_extensions()
    kinds = [type(extension) for extension in extensions]
    expected = [ShapeErrors, *([] if introspection else [DisableIntrospection]), Limits, Budgets]
    assert kinds == expected, "graph/execution.py: a schema extension was added or removed"
    # the rules validated with, in the order strawberry's hooks add them
    limits = next(e for e in extensions if isinstance(e, Limits))
    introspection_rules = () if introspection else (NoSchemaIntrospectionCustomRule,)
    assert schema.direct is not None
    assert schema.direct.rules == (*specified_rules, *introspection_rules, *limits.rules)
    # nothing else strawberry would run per operation
    assert not schema.directives
    assert not schema.config.disable_field_suggestions
    assert not schema.config.enable_experimental_incremental_execution
    assert not any(extension._implements_resolve() for extension in extensions)


def test_the_bare_schema_has_no_direct_execution() -> None:
    assert build_schema().direct is None


async def test_graphql_cores_execution_as_strawberry_calls_it() -> None:
    schema = build_schema(Settings())
    ec = ExecutionContext(
        query="{ __typename }", schema=schema, allowed_operations=(), context=None
    )
    ec.graphql_document = parse("{ __typename }")
    result = compat.executing(schema)(ec, MiddlewareManager())
    if compat.is_awaitable(result):
        result = await result
    assert (result.data, result.errors) == ({"__typename": "Query"}, None), (
        "the installed library changed what graph/compat.py executing relies on: mend it there"
    )
    error = compat.coerced_error(ValueError("x"))
    assert (error.message, type(error.original_error)) == ("x", ValueError)
