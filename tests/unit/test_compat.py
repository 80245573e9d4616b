"""What the fenced modules rely on in the libraries, checked against the installed versions:
graph/compat.py (strawberry, graphql-core), subscriptions/broker.py (broadcaster) and
graph/rate_limits.py's closing of the `limits` store (resolvers/sql/hydrate.py, tortoise's,
needs a database: tests/api/test_compat_tortoise.py). When an upgrade moves one of these,
the test names the function to mend."""

from __future__ import annotations

import asyncio
import inspect
from enum import StrEnum
from typing import Any

import pytest
import strawberry
from graphql import ASTValidationRule, GraphQLSchema, parse, validate

from graph import compat
from graph.limits import coded
from graph.live.sharing import SharingExecutor
from graph.schema import schema as soundpost_schema


def mend(where: str) -> str:
    return f"the installed library changed what {where} relies on: mend it there"


# --- strawberry and graphql-core (graph/compat.py) ------------------------------------------


def test_the_graphql_core_schema_behind_strawberrys() -> None:
    assert isinstance(compat.core_schema(soundpost_schema), GraphQLSchema), mend(
        "graph/compat.py core_schema"
    )


async def test_a_resolver_reads_its_field_nodes_fragments_and_variables() -> None:
    seen: dict[str, Any] = {}

    @strawberry.type
    class Query:
        @strawberry.field
        def hello(self, info: strawberry.Info, n: int) -> str:
            seen["fields"] = [node.name.value for node in compat.field_nodes(info)]
            seen["fragments"] = sorted(compat.fragments(info))
            seen["variables"] = info.variable_values
            return "hi"

    document = "query ($n: Int!) { ...F } fragment F on Query { hello(n: $n) }"
    result = await strawberry.Schema(Query).execute(document, variable_values={"n": 3})
    assert result.errors is None, result.errors
    assert seen == {"fields": ["hello"], "fragments": ["F"], "variables": {"n": 3}}, mend(
        "graph/compat.py raw_info, field_nodes, fragments"
    )


@pytest.mark.parametrize(
    ("make", "document"),
    [
        (lambda: compat.depth_rule(1), "{ a { b { c } } }"),
        (lambda: compat.aliases_rule(0), "{ x: a { b } }"),
    ],
    ids=["depth", "aliases"],
)
def test_strawberrys_limit_rules_check_everything_when_made(make: Any, document: str) -> None:
    """graph/limits.py's `coded` runs a limit's rule on a stand-in context, so the rule must
    report from its constructor and visit nothing."""
    rule = make()
    assert issubclass(rule, ASTValidationRule), mend("graph/compat.py depth_rule/aliases_rule")
    visits = [name for name in dir(rule) if name.startswith(("enter", "leave"))]
    assert set(visits) <= set(dir(ASTValidationRule)), mend("graph/limits.py coded")
    errors = validate(compat.core_schema(soundpost_schema), parse(document), [coded(rule, "X")])
    assert errors and all(error.extensions == {"code": "X"} for error in errors), mend(
        "graph/limits.py coded"
    )


def test_the_executor_strawberry_runs_and_its_per_event_copies() -> None:
    assert soundpost_schema.execution_context_class is SharingExecutor
    assert issubclass(SharingExecutor, compat.Executor)
    method = getattr(compat.Executor, "build_per_event_executor", None)
    assert method is not None and list(inspect.signature(method).parameters) == [
        "self",
        "payload",
    ], mend("graph/live/sharing.py (SharingExecutor.build_per_event_executor)")


async def test_coerced_variables_of_an_executor() -> None:
    captured: dict[str, Any] = {}

    class Capturing(compat.Executor):  # type: ignore[misc]
        def execute_operation(self, serially: bool | None = None) -> Any:
            captured["variables"] = compat.coerced_variables(self)
            captured["copy"] = self.build_per_event_executor("event").root_value
            return super().execute_operation(serially)

    @strawberry.type
    class Query:
        @strawberry.field
        def echo(self, n: int) -> int:
            return n

    result = await strawberry.Schema(Query, execution_context_class=Capturing).execute(
        "query ($n: Int!) { echo(n: $n) }", variable_values={"n": 7}
    )
    assert result.data == {"echo": 7}
    assert captured == {"variables": {"n": 7}, "copy": "event"}, mend(
        "graph/compat.py coerced_variables"
    )


async def test_an_executor_copied_from_its_operations_template() -> None:
    """graph/execution.py copies an operation's executor instead of building one per
    request: every attribute of graphql-core's and strawberry's executor must be known as
    the operation's or the execution's, and a copy must execute as a built one does."""
    schema = soundpost_schema
    document = parse("query ($n: Int) { __typename a: __typename }")
    template = compat.executor_template(schema, document, None, {"n": 1}, None)
    assert template is not None
    assert compat.copyable(template), mend(
        "graph/compat.py _PER_OPERATION/_PER_EXECUTION (an executor attribute was added)"
    )
    helpers: list[Any] = []

    def bind(executor: Any) -> str:
        helpers.append(executor)
        return "helpers"

    copies = [compat.executor_from(template, ctx, {"n": ctx}, {"e": ctx}, bind) for ctx in (2, 3)]
    for ctx, copy in zip((2, 3), copies, strict=True):
        assert (copy.context_value, copy.operation_extensions, copy.async_helpers) == (
            ctx,
            {"e": ctx},
            "helpers",
        )
        assert compat.coerced_variables(copy) == {"n": ctx}
        assert copy.collected_errors is not template.collected_errors
        assert copy.pending_incremental_futures is not template.pending_incremental_futures
        result = compat.Executor.execute_operation(copy)
        if compat.is_awaitable(result):
            result = await result
        assert (result.data, result.errors) == ({"__typename": "Query", "a": "Query"}, None)
    assert helpers == copies
    # variables that do not coerce: no copy (graphql-core's build words the errors)
    assert compat.executor_from(template, None, {"n": "x"}, None, bind) is None
    assert compat.executor_template(schema, document, None, {"n": "x"}, None) is None


@strawberry.type
class Item:
    name: str

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


@strawberry.type
class PlanQuery:
    @strawberry.field
    def items(self) -> list[Item]:
        return [Item(name="a")]


async def test_what_the_compiled_plans_read_of_the_executor() -> None:
    """graph/plan/ collects fields, coerces arguments and builds resolve infos and results
    through graphql-core's executor and strawberry's converter, as they do themselves."""
    seen: dict[str, Any] = {}

    class Looking(compat.Executor):  # type: ignore[misc]
        def execute_operation(self, serially: bool | None = None) -> Any:
            grouped, deferred = compat.collect_root_fields(self)
            item = compat.core_schema(looked).type_map["Item"]
            details = grouped["items"]
            sub, sub_deferred = compat.collect_subfields(self, item, details)
            shout = item.fields["shout"]  # type: ignore[union-attr]
            seen.update(
                root=list(grouped),
                deferred=(deferred, sub_deferred),
                sub=list(sub),
                nodes=[node.name.value for node in compat.field_nodes_of(sub["loud"])],
                fragment_variables=compat.uses_fragment_variables(sub["loud"]),
                arguments=compat.argument_values(self, shout, sub["loud"][0].node),
                strawberry=compat.strawberry_schema(self.schema) is looked,
                field=compat.strawberry_field(shout).python_name,
                default=compat.is_default_resolver(item.fields["name"].resolve),  # type: ignore[union-attr]
                resolver=compat.is_default_resolver(shout.resolve),
                middleware=compat.has_field_middleware(self),
            )
            info = self.build_resolve_info(shout, compat.field_nodes_of(sub["loud"]), item, None)
            seen["converted"] = compat.convert_arguments(
                looked, compat.strawberry_field(shout), seen["arguments"], info
            )
            copied = compat.fresh_errors_copy(self)
            seen["copy"] = copied is not self and copied.operation is self.operation
            seen["response"] = compat.response_of(self, {"items": []}).data
            return super().execute_operation(serially)

    looked = strawberry.Schema(PlanQuery, execution_context_class=Looking)
    result = await looked.execute(
        "query ($n: Int!) { items { name loud: shout(times: $n) } }", variable_values={"n": 2}
    )
    assert result.data == {"items": [{"name": "a", "loud": "AA"}]}
    assert seen == {
        "root": ["items"],
        "deferred": (False, False),
        "sub": ["name", "loud"],
        "nodes": ["shout"],
        "fragment_variables": False,
        "arguments": {"times": 2},
        "strawberry": True,
        "field": "shout",
        "default": True,
        "resolver": False,
        "middleware": False,
        "converted": {"times": 2},
        "copy": True,
        "response": {"items": []},
    }, mend("graph/compat.py (the functions of graph/plan/)")


# --- broadcaster (subscriptions/broker.py) --------------------------------------------------


async def test_broadcasters_redis_connection_and_listener() -> None:
    from broadcaster import Broadcast

    from subscriptions.broker import backend_listener, redis_connection

    broadcast = Broadcast("redis://127.0.0.1:6379/0")
    assert redis_connection(broadcast) is not None, mend("subscriptions/broker.py")
    await broadcast.connect()
    try:
        listener = backend_listener(broadcast)
        assert listener is not None and not listener.done(), mend("subscriptions/broker.py")
        assert await redis_connection(broadcast).ping()
    finally:
        await broadcast.disconnect()
    await asyncio.sleep(0)
    memory = Broadcast("memory://")
    assert redis_connection(memory) is None and backend_listener(memory) is None


# --- limits (graph/rate_limits.py) -----------------------------------------------------------


def test_the_redis_client_of_the_limits_store() -> None:
    from limits.aio.storage import RedisStorage

    storage = RedisStorage("async+redis://127.0.0.1:6379/0", implementation="redispy")
    client = getattr(getattr(storage, "bridge", None), "storage", None)
    assert client is not None and hasattr(client, "aclose"), mend("graph/rate_limits.py close")


class Mood(StrEnum):
    HAPPY = "HAPPY"
    SAD = "SAD"


DescribedMood = compat.describe_values(strawberry.enum(Mood), {"HAPPY": "Up.", "SAD": "Down."})


@strawberry.type
class MoodQuery:
    mood: DescribedMood = DescribedMood.HAPPY


def test_enum_values_take_their_descriptions() -> None:
    values = compat.core_schema(strawberry.Schema(MoodQuery)).type_map["Mood"].values  # type: ignore[union-attr]
    assert {name: value.description for name, value in values.items()} == {
        "HAPPY": "Up.",
        "SAD": "Down.",
    }, mend("graph/compat.py describe_values")

    class Other(StrEnum):
        ONE = "ONE"
        TWO = "TWO"

    with pytest.raises(ValueError, match="describe exactly"):
        compat.describe_values(strawberry.enum(Other), {"ONE": "1."})


def test_the_strawberry_definition_behind_an_object_type() -> None:
    from graph.types.postcard import Postcard

    core = compat.core_schema(soundpost_schema)
    definition = compat.object_definition(core.get_type("Postcard"))
    assert definition is not None and definition.origin is Postcard, mend(
        "graph/compat.py object_definition"
    )
    assert definition.is_type_of is None  # strawberry's generated check, which emit.py skips
    marked = strawberry.cast(Postcard, type("Row", (), {})())
    assert getattr(marked, compat.TYPE_CAST_ATTRIBUTE) is Postcard, mend(
        "graph/compat.py TYPE_CAST_ATTRIBUTE"
    )
