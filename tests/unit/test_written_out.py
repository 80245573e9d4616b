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


# --- objects filled in their parent's function (graph/plan/emit.py `_objects`) -------------


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Band(Named):
    members: int


@strawberry.type
class Label(Named):
    city: str


class Tribute(Band):
    """A subclass: strawberry's `is_type_of` takes it (isinstance), not as exactly a Band."""


@strawberry.type
class Charts:
    @strawberry.field
    def top(self, case: str) -> Band | None:
        return {
            "plain": Band(name="Low", members=3),
            "subclass": Tribute(name="Echo", members=2),
            "cast": strawberry.cast(Label, Band(name="Cast", members=1)),
            "none": None,
        }[case]

    @strawberry.field
    def bands(self, case: str) -> list[Band]:
        return {
            "plain": [Band(name="Low", members=3), Band(name="Yo", members=2)],
            "subclass": [Band(name="Low", members=3), Tribute(name="Echo", members=2)],
            "tuple": (Band(name="Low", members=3),),
            "a null": [Band(name="Low", members=3), None],
            "empty": [],
        }[case]  # type: ignore[return-value]


@strawberry.type
class ChartsQuery:
    @strawberry.field
    def charts(self) -> Charts:
        return Charts()


TOP_CASES = ["plain", "subclass", "cast", "none"]
BANDS_CASES = ["plain", "subclass", "tuple", "a null", "empty"]


async def test_objects_filled_inline_answer_as_graphql_core() -> None:
    from graph import plan
    from graph.live.sharing import SharingExecutor

    schema = strawberry.Schema(ChartsQuery, types=[Label], execution_context_class=SharingExecutor)
    before = plan.stats.unplanned.copy()
    fields = [("top", TOP_CASES, "top(case: $case)"), ("bands", BANDS_CASES, "bands(case: $case)")]
    with plan.checking() as checks:
        for _name, cases, field in fields:
            for case in cases:
                document = f"query ($case: String!) {{ charts {{ {field} {{ name members }} }} }}"
                await schema.execute(document, variable_values={"case": case})
    # every planned answer was graphql-core's; a cast object and a null in the list fell back
    assert checks.mismatches == []
    assert checks.compared == len(TOP_CASES) + len(BANDS_CASES) - 2
    fell_back = plan.stats.unplanned - before
    assert fell_back == {"not a Band": 1, "null in a non-null field": 1}


def test_a_written_init_makes_what_the_dataclass_init_makes() -> None:
    from graph.relay import Edge, PageInfo, written_init

    make = written_init(Edge, ("cursors", "index", "node"))
    made, by_init = make(["a", "b"], 1, "n"), Edge(cursors=["a", "b"], index=1, node="n")
    assert made == by_init and vars(made) == vars(by_init) and type(made) is Edge
    assert list(vars(made)) == list(vars(by_init))  # the same order
    info = written_init(PageInfo, ("has_next_page", "has_previous_page", "cursors"))
    assert info(True, False, ()) == PageInfo(
        has_next_page=True, has_previous_page=False, cursors=()
    )


def test_a_written_init_keeps_the_init_of_a_class_it_cannot_write_out() -> None:
    from graph.relay import written_init

    @dataclasses.dataclass
    class Checked:
        a: int
        b: int = 2

        def __post_init__(self) -> None:
            self.b = self.a * 10

    assert written_init(Checked, ("a", "b"))(1, 5) == Checked(a=1, b=10)
    assert written_init(Checked, ("a",))(3) == Checked(a=3)  # a default the call leaves
