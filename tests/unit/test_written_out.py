"""Functions the app writes out for itself (graph/relay.py `copied_from_row`, graph/plan/
emit.py): they must make what the code they replace makes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import strawberry

from graph.relay import Node, copied_from_row, to_global_id


@strawberry.type
class Plain(Node):
    row: strawberry.Private[Any]
    title: str
    count: int

    from_row = copied_from_row("title", "count")


@strawberry.type
class WithDefault(Node):
    row: strawberry.Private[Any]
    title: str
    extra: str = "default"

    from_row = copied_from_row("title")


def test_a_copied_node_equals_the_one_its_init_makes_field_by_field() -> None:
    row = SimpleNamespace(id=7, title="Song", count=3, created_at=datetime(2026, 1, 1, tzinfo=UTC))

    made = Plain.from_row(row)

    by_init = Plain(id=to_global_id("Plain", 7), row=row, title="Song", count=3)
    assert made == by_init
    assert list(vars(made)) == [f.name for f in dataclasses.fields(Plain)]
    assert made.row is row
    assert made.id == to_global_id("Plain", 7)


def test_a_class_with_a_field_the_row_does_not_give_keeps_its_init() -> None:
    made = WithDefault.from_row(SimpleNamespace(id=1, title="Song"))

    assert made.extra == "default"
    assert made == WithDefault(id=to_global_id("WithDefault", 1), row=made.row, title="Song")
