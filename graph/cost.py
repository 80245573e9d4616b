"""Query cost: what an operation asks for, in points, computed from its document before
anything executes (graph/limits.py refuses an operation over the maximum; graph/rate_limits.py
charges it to the caller's budget).

Cost, as GitHub counts it: every field costs 1; the selection under a connection (a field
with a `first` argument returning a `*Connection`, or a list: `sampleSharers(first:)`)
counts once per requested item (`first`; when absent, the argument's default, else 20; at
most 100), except `pageInfo` and `__typename`, which count once; under
`nodes(ids:)` it counts once per id. Fragments and variables are resolved; `@skip`/`@include`
are ignored and every branch of a type condition counts, so the cost is an upper bound.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_list_type,
)

from resolvers.pagination import DEFAULT_FIRST, MAX_FIRST

COUNTED_ONCE = frozenset({"pageInfo", "__typename"})


class QueryCost:
    def __init__(
        self, schema: GraphQLSchema, document: Any, variables: dict[str, Any] | None
    ) -> None:
        self.schema = schema
        self.variables = variables if variables is not None else {}
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def of_operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return self.of_selections(root, operation.selection_set, frozenset())

    def of_selections(
        self,
        parent: GraphQLNamedType | None,
        selection_set: SelectionSetNode | None,
        seen: frozenset[str],
        multiplier: int = 1,
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                once = multiplier != 1 and selection.name.value in COUNTED_ONCE
                total += self.of_field(parent, selection, seen) * (1 if once else multiplier)
            elif isinstance(selection, InlineFragmentNode):
                scope = self._type(selection.type_condition) or parent
                total += self.of_selections(scope, selection.selection_set, seen, multiplier)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                scope = self._type(fragment.type_condition) or parent
                total += self.of_selections(
                    scope, fragment.selection_set, seen | {name}, multiplier
                )
        return total

    def of_field(
        self, parent: GraphQLNamedType | None, node: FieldNode, seen: frozenset[str]
    ) -> int:
        definition = (getattr(parent, "fields", None) or {}).get(node.name.value)
        child = get_named_type(definition.type) if definition is not None else None
        arguments = {arg.name.value: arg.value for arg in node.arguments or ()}
        per_item = 1
        if definition is not None and child is not None:
            listed = child.name.endswith("Connection") or is_list_type(
                get_nullable_type(definition.type)
            )
            if "first" in definition.args and listed:
                first = literal(arguments.get("first"), self.variables)
                default = definition.args["first"].default_value
                size = first if isinstance(first, int) else default
                size = size if isinstance(size, int) else DEFAULT_FIRST
                per_item = min(max(size, 0), MAX_FIRST)
            elif "ids" in definition.args:
                ids = literal(arguments.get("ids"), self.variables)
                per_item = len(ids) if isinstance(ids, list) else 1
        return 1 + self.of_selections(child, node.selection_set, seen, per_item)

    def _type(self, condition: Any) -> GraphQLNamedType | None:
        return self.schema.get_type(condition.name.value) if condition is not None else None


def literal(node: ValueNode | None, variables: dict[str, Any]) -> Any:
    """The value of an argument as the client wrote it, variables substituted."""
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, StringValueNode):
        return node.value
    if isinstance(node, ListValueNode):
        return [literal(value, variables) for value in node.values]
    if isinstance(node, ObjectValueNode):
        return {field.name.value: literal(field.value, variables) for field in node.fields}
    return None


def query_cost(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = None,
) -> int:
    """The cost of the operation a request runs (0 when there is none to run)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    return QueryCost(schema, document, variables).of_operation(operation)


def root_field_inputs(
    document: Any, operation_name: str | None, variables: dict[str, Any] | None, field: str
) -> list[dict[str, Any]]:
    """The `input` argument of each occurrence (aliases included) of a root mutation field."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation.value != "mutation":
        return []
    found = []
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode) and selection.name.value == field:
            arguments = {arg.name.value: arg.value for arg in selection.arguments or ()}
            value = literal(arguments.get("input"), variables or {})
            found.append(value if isinstance(value, dict) else {})
    return found
