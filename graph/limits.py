"""Limits per operation, checked before anything executes: tokens in the document, depth
of the selection, aliases, and query cost. Each refusal is a top-level error with an
`extensions.code`, given where the limit is found (never by matching a message), so it
carries its code on HTTP and over both websocket protocols alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    Source,
    TokenKind,
    ValidationContext,
    parse,
)
from graphql.language import Lexer
from strawberry.extensions import SchemaExtension

from graph import compat
from graph.config import Config
from graph.context import Context
from graph.cost import query_cost
from graph.documents import ByDocument

# Documents parsed, by text and token limit: clients send the same few documents again and
# again (strawberry's ParserCache does the same, without the token limit's code).
PARSED_DOCUMENTS = 256


@lru_cache(maxsize=PARSED_DOCUMENTS)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


class _Watched(dict[str, Any]):
    """Variables that note whether anything read them."""

    read = False

    def get(self, key: str, default: Any = None) -> Any:
        self.read = True
        return super().get(key, default)


_costs = ByDocument(PARSED_DOCUMENTS)
_validations = ByDocument(PARSED_DOCUMENTS)


def fixed_cost(schema: GraphQLSchema, document: DocumentNode, operation: str | None) -> int | None:
    """The operation's cost when no variable changes it (no `first: $n`), else None."""

    def make() -> int | None:
        variables = _Watched()
        cost = query_cost(schema, document, operation, variables)
        return None if variables.read else cost

    return _costs.get(document, (schema, operation), make)


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: str | None,
    variables: dict[str, Any] | None,
) -> int:
    """graph/cost.py's `query_cost`, computed once per document when it reads no variable."""
    cost = fixed_cost(schema, document, operation)
    return query_cost(schema, document, operation, variables) if cost is None else cost


def parsed(query: str, max_tokens: int) -> DocumentNode:
    """The document (cached by text): past `max_tokens` a syntax error is TOO_MANY_TOKENS."""
    try:
        return _parse(query, max_tokens)
    except GraphQLSyntaxError as error:
        if count_tokens(query, max_tokens + 1) > max_tokens:
            raise GraphQLError(
                error.message,
                source=error.source,
                positions=error.positions,
                extensions={"code": "TOO_MANY_TOKENS"},
            ) from None
        raise


def validated(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    """The document's validation errors under `rules` (cached by the document's identity)."""
    errors: list[GraphQLError] = _validations.get(
        document, (schema, rules), lambda: compat.validate_document(schema, document, rules)
    )
    return errors


def count_tokens(query: str, up_to: int) -> int:
    """The document's tokens as graphql-core's parser counts them (comments not), counting
    stops at `up_to`."""
    lexer = Lexer(Source(query))
    count = 0
    try:
        while count < up_to and lexer.advance().kind != TokenKind.EOF:
            count += 1
    except GraphQLSyntaxError:  # a bad character: what came before it is all there is
        pass
    return count


class _CodedReports:
    """Stands in for the validation context of one limit's rule: what it reports carries
    that limit's code."""

    def __init__(self, context: ValidationContext, code: str) -> None:
        self._context = context
        self._code = code

    def report_error(self, error: GraphQLError) -> None:
        self._context.report_error(
            GraphQLError(error.message, error.nodes, extensions={"code": self._code})
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def coded(rule: type[ASTValidationRule], code: str) -> type[ASTValidationRule]:
    """`rule`, its errors given `code`. Strawberry's limit rules do their whole check when
    made (tests/unit/test_compat.py holds them to it)."""

    class Coded(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            rule(_CodedReports(context, code))  # type: ignore[arg-type]

    Coded.__name__ = f"Coded{rule.__name__}"
    return Coded


class Limits(SchemaExtension):
    """The limits per operation, as one extension: parsing within the token limit
    (TOO_MANY_TOKENS before the parser builds a document of more than `max_tokens`; parsed
    documents cached), validation with the depth and alias rules (cached, by
    ValidationCache), and the cost limit (over MAX_QUERY_COST: QUERY_TOO_COMPLEX; the cost
    is kept on the context for the budgets, graph/rate_limits.py, and the response's
    `extensions.cost`). One extension, not four: strawberry wraps every hook of every
    extension anew for each operation, and one with three hooks costs ~9 us less per
    request than the four it replaced (ParseWithinTokens, ValidationCache,
    AddValidationRules, CostLimit), with the same checks in the same order."""

    def __init__(self, config: Config, rules: tuple[type[ASTValidationRule], ...]) -> None:
        self.max_tokens = config.max_tokens
        self.max_cost = config.max_query_cost
        self.rules = rules

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.query is not None:
            ec.graphql_document = parsed(ec.query, self.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        # the rules, after any DisableIntrospection added (as AddValidationRules did)
        ec = self.execution_context
        rules = ec.validation_rules = ec.validation_rules + self.rules
        document = ec.graphql_document
        assert document is not None
        ec.pre_execution_errors = validated(compat.core_schema(ec.schema), document, rules)
        yield

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        assert ec.graphql_document is not None
        cost = operation_cost(
            compat.core_schema(ec.schema), ec.graphql_document, ec.operation_name, ec.variables
        )
        if isinstance(ec.context, Context):
            ec.context.cost = cost
        if cost > self.max_cost:
            raise GraphQLError(
                f"This query costs {cost} points, more than the {self.max_cost} allowed: ask "
                "for fewer items (`first`) or fewer nested lists.",
                extensions={"code": "QUERY_TOO_COMPLEX", "cost": cost, "maxCost": self.max_cost},
            )
        yield


def limit_rules(config: Config) -> tuple[type[ASTValidationRule], ...]:
    """The depth and alias limits as validation rules. Made once per schema: a new rule class
    per request would never hit the validation cache (keyed by the rules)."""
    return (
        coded(compat.depth_rule(config.max_query_depth), "QUERY_TOO_DEEP"),
        coded(compat.aliases_rule(config.max_aliases), "TOO_MANY_ALIASES"),
    )


def limit_extensions(
    config: Config, rules: tuple[type[ASTValidationRule], ...]
) -> list[Callable[[], SchemaExtension]]:
    """The limits per operation (`Limits`), as an extension factory."""
    return [lambda: Limits(config, rules)]
