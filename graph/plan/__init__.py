"""Compiled plans of queries (issue 16): each document, once parsed and validated, gets a
plan (compile.py) that builds its response dicts straight from the resolvers' objects,
without graphql-core's per-field execution; graphql-core executes what a plan does not
express, and any execution a plan cannot finish (a field raised, a null in a non-null
field), so results and errors are graphql-core's own.

`execute` is called by the schema's executor (graph/live/sharing.py) for every operation.
Under `checking()` (the test suite) every planned result is also computed by graphql-core
and compared as JSON bytes; a difference is kept in `Checks.mismatches`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson

from graph import compat
from graph.documents import ByDocument
from graph.plan.compile import Fallback, NotPlannable, Plan, plan_of
from graph.plan.run import Run, finish

MAX_PLANS = 1000

# What executing an operation on graphql-core is, for an executor.
Execute = Callable[[Any], Any]


@dataclass
class Stats:
    """What became of the operations executed in this process."""

    planned: int = 0
    # operations run on graphql-core: why ("a mutation", "a field raised", ...)
    unplanned: Counter[str] = field(default_factory=Counter)


@dataclass
class Checks:
    compared: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    paused: int = 0


class Plans:
    """The plans of the operations executed lately, per schema (graph/documents.py: a plan
    no longer kept is made again when its document returns), or why one has none."""

    def __init__(self, size: int = MAX_PLANS) -> None:
        self._plans = ByDocument(size)

    def get(self, executor: Any) -> Plan | str:
        return self._plans.get(executor.operation, executor.schema, lambda: _planned(executor))


def _planned(executor: Any) -> Plan | str:
    try:
        return plan_of(executor)
    except NotPlannable as why:
        return str(why)


plans = Plans()
stats = Stats()
checks: Checks | None = None
last_checks: Checks | None = None  # the last outermost `checking()` block's, for its report


def execute(executor: Any, on_graphql_core: Execute) -> Any:
    """The executor's result (or an awaitable of it): from its plan when it has one, else
    by `on_graphql_core(executor)`."""
    plan = plans.get(executor)
    if isinstance(plan, str):
        stats.unplanned[plan] += 1
        return on_graphql_core(executor)
    run = Run(executor, plan)
    reason: str | None = None
    assert plan.fill is not None
    try:
        data = plan.fill(executor.root_value, run)
    except Exception as why:
        run.discard()
        reason = _reason(why)
    if reason is not None:
        # outside the except block: graphql-core's own errors must not carry the plan's
        # exception as their context (its traceback would be logged with them)
        return _fell_back(executor, on_graphql_core, reason)
    if run.pending:
        return _finish(executor, on_graphql_core, run, data)
    return _done(executor, on_graphql_core, data)


async def _finish(executor: Any, on_graphql_core: Execute, run: Run, data: dict[str, Any]) -> Any:
    reason: str | None = None
    try:
        await finish(run, data)
    except Exception as why:
        reason = _reason(why)
    if reason is not None:
        return await _awaited(_fell_back(executor, on_graphql_core, reason))
    return await _awaited(_done(executor, on_graphql_core, data))


def _done(executor: Any, on_graphql_core: Execute, data: dict[str, Any]) -> Any:
    """The planned result (or, under `checking()`, an awaitable of it once compared)."""
    if checks is not None and not checks.paused:
        return _checked(executor, on_graphql_core, data)
    stats.planned += 1
    return compat.response_of(executor, data)


def _reason(why: Exception) -> str:
    return str(why) if isinstance(why, Fallback) else f"{type(why).__name__} raised"


def _fell_back(executor: Any, on_graphql_core: Execute, reason: str) -> Any:
    stats.unplanned[reason] += 1
    return on_graphql_core(executor)


async def _awaited(value: Any) -> Any:
    if hasattr(value, "__await__"):
        return await value
    return value


def _checked(executor: Any, on_graphql_core: Execute, data: dict[str, Any]) -> Any:
    """The planned result, once graphql-core's of the same execution is compared with it."""
    assert checks is not None
    expected = on_graphql_core(compat.fresh_errors_copy(executor))
    if hasattr(expected, "__await__"):
        return _compare_later(executor, expected, data)
    return _compare(executor, expected, data)


async def _compare_later(executor: Any, expected: Any, data: dict[str, Any]) -> Any:
    return _compare(executor, await expected, data)


def _compare(executor: Any, expected: Any, data: dict[str, Any]) -> Any:
    assert checks is not None
    checks.compared += 1
    stats.planned += 1
    ours, theirs = orjson.dumps(data), orjson.dumps(expected.data)
    if expected.errors or ours != theirs:
        checks.mismatches.append(
            {
                "operation": executor.operation.loc.source.body if executor.operation.loc else "",
                "variables": compat.coerced_variables(executor),
                "plan": ours.decode(),
                "graphql-core": theirs.decode(),
                "errors": [error.formatted for error in expected.errors or ()],
            }
        )
    return compat.response_of(executor, data)


@contextmanager
def checking() -> Iterator[Checks]:
    """Compare every planned execution with graphql-core's while the block runs."""
    global checks, last_checks
    previous, checks = checks, Checks()
    if previous is None:  # a block inside another (a test's own) leaves the report alone
        last_checks = checks
    try:
        yield checks
    finally:
        checks = previous


@contextmanager
def unchecked() -> Iterator[None]:
    """No comparison while the block runs (one that counts SQL statements: the second
    execution would add its own)."""
    if checks is None:
        yield
        return
    current = checks
    current.paused += 1
    try:
        yield
    finally:
        current.paused -= 1
