"""Running a plan: the response dicts built straight from the parent objects, each field's
resolver bound once per request (its info and converted arguments are the same on every
row), and every awaitable of a round gathered at once, so that loaders batch a whole level
as they do under graphql-core."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

from graphql import GraphQLResolveInfo
from graphql.pyutils import Path

from graph import compat
from graph.plan.compile import Complete, Fallback, FieldPlan, Plan

# a value at a key of an output dict, once its awaitable is done
Pending = tuple[Any, Complete, dict[str, Any], str]


class Run:
    """One execution of a plan."""

    __slots__ = ("_infos", "bound", "executor", "pending", "plan")

    def __init__(self, executor: Any, plan: Plan) -> None:
        self.executor = executor
        self.plan = plan
        self.pending: list[Pending] = []
        count = len(plan.fields)
        # each field's resolver bound for this run, by `FieldPlan.index` (the written-out
        # selections of emit.py read it, `call` fills it)
        self.bound: list[Callable[[Any], Any] | None] = [None] * count
        self._infos: list[GraphQLResolveInfo | None] = [None] * count

    def info(self, entry: FieldPlan) -> GraphQLResolveInfo:
        """The field's resolve info, as graphql-core builds it (its path is the field's
        first occurrence: no resolver here reads the path)."""
        info = self._infos[entry.index]
        if info is None:
            assert entry.field_def is not None
            info = self._infos[entry.index] = self.executor.build_resolve_info(
                entry.field_def,
                compat.field_nodes_of(entry.details),
                entry.parent_type,
                Path(None, entry.key, entry.parent_type.name),
            )
        return info

    def call(self, entry: FieldPlan, source: Any) -> Any:
        bound = self.bound[entry.index]
        if bound is None:
            bound = self.bound[entry.index] = self._bind(entry)
        return bound(source)

    def _bind(self, entry: FieldPlan) -> Callable[[Any], Any]:
        """The field's resolver with everything but its parent object applied."""
        schema = self.plan.strawberry_schema
        field = entry.strawberry_field
        info = None
        kwargs = entry.arguments
        if kwargs is None:
            kwargs = {}
            if entry.field_def is not None and (
                entry.field_def.args or entry.details[0].node.arguments
            ):
                info = schema.config.info_class(_raw_info=self.info(entry), _field=field)
                node = entry.details[0].node
                values = compat.argument_values(self.executor, entry.field_def, node)
                kwargs = compat.convert_arguments(schema, field, values, info)
            if entry.fixed_arguments:
                entry.arguments = kwargs  # the same for every execution of the plan
        if entry.info_name is not None:
            if info is None:
                info = schema.config.info_class(_raw_info=self.info(entry), _field=field)
            kwargs = {**kwargs, entry.info_name: info}
        function = entry.function
        assert function is not None
        names = entry.source_names
        if names:
            if entry.passes_self:
                return lambda source: function(source, **kwargs, **dict.fromkeys(names, source))
            return lambda source: function(**kwargs, **dict.fromkeys(names, source))
        if entry.passes_self:
            # partial: the call in C, a lambda's frame and keyword unpacking less per row
            return partial(function, **kwargs) if kwargs else function
        return lambda _source: function(**kwargs)

    def discard(self) -> None:
        """Drop what is still pending (the execution falls back)."""
        for awaitable, *_ in self.pending:
            close = getattr(awaitable, "close", None)
            if close is not None and asyncio.iscoroutine(awaitable):
                close()
        self.pending = []


async def finish(run: Run, data: dict[str, Any]) -> dict[str, Any]:
    """Awaits the run's pending values round by round, completing each in its place."""
    try:
        while run.pending:
            batch, run.pending = run.pending, []
            if len(batch) == 1:
                # awaited in place: gather would make it a task, a loop turn or two more
                # (nothing else of the round waits to be batched with it)
                try:
                    values = [await batch[0][0]]
                except Exception:
                    raise Fallback("a field raised") from None
            else:
                values = await asyncio.gather(
                    *(awaitable for awaitable, *_ in batch), return_exceptions=True
                )
            for (_awaitable, complete, out, key), value in zip(batch, values, strict=True):
                if isinstance(value, BaseException):
                    raise Fallback("a field raised")
                out[key] = complete(value, run)
    except BaseException:
        run.discard()
        raise
    return data
