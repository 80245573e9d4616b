"""Query cost, computed before execution, and the limits that use it.

Cost, as GitHub counts it: every field costs 1; the selection under a connection (a field
with a `first` argument returning a `*Connection`) counts once per requested item (`first`,
20 when absent, at most 100), except `pageInfo` and `__typename`, which count once; under
`nodes(ids:)` it counts once per id. Fragments and variables are resolved; `@skip`/`@include`
are ignored and every branch of a type condition counts, so the cost is an upper bound.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
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
    get_operation_ast,
)
from limits import RateLimitItem
from starlette.responses import Response
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.types.graphql import OperationType

from graph.context import Context
from graph.limits import RateLimits, Verdict
from graph.settings import Settings
from resolvers.pagination import DEFAULT_FIRST, MAX_FIRST

COUNTED_ONCE = frozenset({"pageInfo", "__typename"})


class QueryCost:
    def __init__(
        self, schema: GraphQLSchema, document: Any, variables: dict[str, Any] | None
    ) -> None:
        self.schema = schema
        self.variables = variables or {}
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
            if "first" in definition.args and child.name.endswith("Connection"):
                first = literal(arguments.get("first"), self.variables)
                size = first if isinstance(first, int) else DEFAULT_FIRST
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


def rate_limited(message: str, verdict: Verdict) -> GraphQLError:
    return GraphQLError(
        message, extensions={"code": "RATE_LIMITED", "retryAfter": verdict.retry_after}
    )


class CostLimit(SchemaExtension):
    """Rejects a query costing more than MAX_QUERY_COST, then charges the cost to the
    caller's budget (and signUp/logIn to theirs) before anything executes; reports the cost
    in `extensions.cost` and the budget in X-RateLimit-* headers."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cost: int | None = None
        self.budget: Verdict | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        context = ec.context
        assert ec.graphql_document is not None
        self.cost = cost = query_cost(
            ec.schema._schema, ec.graphql_document, ec.operation_name, ec.variables
        )
        if cost > self.settings.max_query_cost:
            raise GraphQLError(
                f"This query costs {cost} points, more than the {self.settings.max_query_cost} "
                "allowed: ask for fewer items (`first`) or fewer nested lists.",
                extensions={
                    "code": "QUERY_TOO_COMPLEX",
                    "cost": cost,
                    "maxCost": self.settings.max_query_cost,
                },
            )
        if isinstance(context, Context) and context.rate_limits is not None:
            await self._charge(context, context.rate_limits, cost)
        yield

    async def _charge(self, context: Context, rate_limits: RateLimits, cost: int) -> None:
        ec = self.execution_context
        ip = context.request.client.host if context.request.client else "unknown"
        args = (ec.graphql_document, ec.operation_name, ec.variables)
        checks: list[tuple[RateLimitItem, tuple[str, ...], int, str]] = []
        if sign_ups := root_field_inputs(*args, "signUp"):
            message = "Too many accounts created from your network: try again later."
            checks.append((rate_limits.sign_up, ("sign_up", ip), len(sign_ups), message))
        message = "Too many log-in attempts: try again later."
        for attempt in root_field_inputs(*args, "logIn"):
            username = str(attempt.get("username") or "").strip().lower()
            # hashed: any text (a "/", a lone surrogate) makes a valid, bounded store key
            key = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]
            checks.append((rate_limits.log_in_username, ("log_in", key), 1, message))
            checks.append((rate_limits.log_in_ip, ("log_in_ip", ip), 1, message))
        for item, identifiers, amount, message in checks:
            verdict = await rate_limits.charge(item, *identifiers, cost=amount)
            if not verdict.allowed:
                self._refuse(context, verdict, message)
        viewer = context.viewer
        budget, kind, who = rate_limits.cost_budget(viewer.id if viewer else None, ip)
        self.budget = verdict = await rate_limits.charge(budget, kind, who, cost=cost)
        context.cost, context.budget = cost, verdict
        _set_headers(context, verdict)
        if not verdict.allowed:
            window = self.settings.rate_limit_window_seconds
            message = (
                f"Rate limit exceeded: this query costs {cost} points and {verdict.remaining} "
                f"of your {verdict.limit} per {window} s are left; "
                f"try again in {verdict.retry_after} s."
            )
            self._refuse(context, verdict, message)

    def _refuse(self, context: Context, verdict: Verdict, message: str) -> None:
        _set_headers(context, verdict)
        if isinstance(context.response, Response):
            context.response.status_code = 429
        raise rate_limited(message, verdict)

    def get_results(self) -> dict[str, Any]:
        if not self.settings.cost_in_response or self.cost is None:
            return {}
        if self.execution_context.operation_type == OperationType.SUBSCRIPTION:
            return {}
        budget = self.budget
        reset_at = budget.reset_at if budget else None
        return {
            "cost": {
                "requested": self.cost,
                "remaining": budget.remaining if budget else None,
                "resetAt": _iso(reset_at) if reset_at is not None else None,
            }
        }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(round(epoch), UTC).isoformat()


def _set_headers(context: Context, verdict: Verdict) -> None:
    if isinstance(context.response, Response):  # not a websocket
        context.response.headers.update(verdict.headers())


# Strawberry's limit errors carry no code; these give them one.
CODES = [
    (re.compile(r"Document contains more than \d+ tokens"), "TOO_MANY_TOKENS"),
    (re.compile(r"exceeds maximum operation depth"), "QUERY_TOO_DEEP"),
    (re.compile(r"^\d+ aliases found\. Allowed: \d+"), "TOO_MANY_ALIASES"),
]


def _coded(error: GraphQLError) -> GraphQLError:
    if error.extensions and "code" in error.extensions:
        return error
    for pattern, code in CODES:
        if pattern.search(error.message):
            return GraphQLError(
                error.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={**(error.extensions or {}), "code": code},
            )
    return error


class LimitErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as error:  # the token limit: a parse error raised through here
            raise _coded(error) from None
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_coded(error) for error in result.errors]


def limit_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Depth, alias, token and cost limits as extension factories. The validation rules are
    built once: a fresh QueryDepthLimiter per request would be a new rule class each time,
    and ValidationCache (keyed by the rules) would never hit."""
    rules: list[type[ASTValidationRule]] = [
        depth_rule(settings.max_query_depth, None, None),
        aliases_rule(settings.max_aliases),
    ]
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        LimitErrorCodes,
        lambda: CostLimit(settings),
    ]


__all__ = ["CostLimit", "limit_extensions", "query_cost"]
