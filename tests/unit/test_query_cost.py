"""The cost of a query (graph/cost.py): fields counted, connections multiplied by `first`,
variables and fragments resolved."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from graph import limits
from graph.cost import query_cost
from graph.schema import schema
from tests.support.limits import FEED


def cost(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> int:
    return query_cost(schema._schema, parse(query), name, variables)


def test_cost_counts_fields_and_multiplies_connections_by_first() -> None:
    # 1 (feed) + 20 x (edges, node, 6 scalars, author 3, track 4, photo 3, place 4,
    # comments 1 + 2 x (edges, node, body, author, username)) + pageInfo 3
    assert cost(FEED) == 1 + 20 * 33 + 3 == 664
    assert cost("{ explore { edges { node { id } } } }") == 1 + 20 * 3  # first defaults to 20
    assert cost("{ explore(first: 0) { pageInfo { hasNextPage } } }") == 3
    assert cost('{ nodes(ids: ["a", "b", "c"]) { id } }') == 1 + 3
    assert cost("{ __typename }") == 1


def test_cost_resolves_variables_fragments_and_caps_first() -> None:
    query = """
    query Page($n: Int, $ids: [ID!]!) {
      explore(first: $n) { edges { node { ...Card } } }
      nodes(ids: $ids) { ... on Postcard { ...Card } }
    }
    fragment Card on Postcard { id author { username } }
    """
    assert cost(query, {"n": 5, "ids": ["a", "b"]}) == (1 + 5 * 5) + (1 + 2 * 3)
    # `first` beyond 100 is refused by the resolver (BAD_USER_INPUT); it costs as 100
    assert cost("{ explore(first: 5000) { edges { cursor } } }") == 1 + 100 * 2
    nested = (
        "{ explore(first: 100) { edges { node { likedBy(first: 100) { edges { cursor } } } } } }"
    )
    assert cost(nested) == 1 + 100 * (2 + 1 + 100 * 2)


def test_a_search_page_costs_by_first_every_kind_of_its_union_counted() -> None:
    # 1 (search) + 5 x (edges, node, __typename, username, title, caption, author 2)
    # + pageInfo 3: an upper bound, every branch of the union counted
    query = """{ search(query: "maya", types: [USER, POSTCARD], first: 5) {
      edges { node { __typename ... on User { username } ... on Track { title }
        ... on Postcard { caption author { username } } } }
      pageInfo { hasNextPage endCursor } } }"""
    assert cost(query) == 1 + 5 * 8 + 3
    assert cost('{ search(query: "x") { edges { cursor } } }') == 1 + 20 * 2


def test_a_documents_cost_is_computed_once_unless_a_variable_changes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given the cost computation counted (graph/limits.py caches it per parsed document)
    calls: list[dict[str, Any] | None] = []

    def counted(*args: Any) -> int:
        calls.append(args[3])
        return query_cost(*args)

    monkeypatch.setattr(limits, "query_cost", counted)
    fixed = parse("{ explore(first: 3) { edges { cursor } } }")
    paged = parse("query ($n: Int) { explore(first: $n) { edges { cursor } } }")
    # when each is costed three times
    fixed_costs = [limits.operation_cost(schema._schema, fixed, None, {}) for _ in range(3)]
    paged_costs = [limits.operation_cost(schema._schema, paged, None, {"n": n}) for n in (1, 2, 3)]
    # then the fixed one was computed once, the one reading `$n` for each request
    assert fixed_costs == [7, 7, 7]
    assert paged_costs == [3, 5, 7]
    assert len(calls) == 1 + 1 + 3  # fixed once; paged: the probe, then each request
    assert calls[2:] == [{"n": 1}, {"n": 2}, {"n": 3}]
