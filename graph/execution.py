"""One operation executed as strawberry's `Schema.execute` executes it with this schema's
extensions (ShapeErrors, DisableIntrospection, Limits, Budgets), their steps written out in
their order in one function. Strawberry wraps every hook of every extension in a context
manager of its own for each operation, checking each hook's kind with `inspect`: on
`{ __typename }` that machinery was about half of the app's time per request (cProfile
in-process, 2026-12-03).

`Direct.execute` takes only an operation whose document parses and validates (both cached
by graph/limits.py), that is a query or mutation allowed here, and whose cost is within
the limit; for any other it returns None before anything is charged or run, and strawberry's
way answers it (and words the refusal). The lean HTTP path uses it (server/view.py
`respond_json`); tests/api/test_lean_http.py sends every kind of request both ways and
compares the bytes, and tests/unit/test_execution.py fails when the schema's extensions are
no longer the ones written out here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from graphql import DocumentNode, GraphQLError
from graphql.execution.middleware import MiddlewareManager
from graphql.validation import ASTValidationRule
from strawberry.types.execution import ExecutionContext, ExecutionResult, PreExecutionError
from strawberry.types.graphql import OperationType

from graph import compat
from graph.async_helpers import weak_helpers
from graph.config import Config, hides_suggestions
from graph.context import Context
from graph.documents import ByDocument
from graph.errors import shape_error
from graph.limits import PARSED_DOCUMENTS, fixed_cost, operation_cost, parsed, validated
from graph.rate_limits import charge, cost_report, cost_report_of

TAKEN = frozenset({OperationType.QUERY, OperationType.MUTATION})


class Direct:
    """The schema's operations without strawberry's extension runner."""

    def __init__(
        self, schema: Any, config: Config, rules: tuple[type[ASTValidationRule], ...]
    ) -> None:
        """`rules`: every validation rule the extensions add, in their order (strawberry's
        own first)."""
        self.schema = schema
        self.core = compat.core_schema(schema)
        self.config = config
        self.rules = rules
        self.middleware = MiddlewareManager()  # no extension of ours resolves fields
        self.run = compat.executing(schema)
        self._prepared = ByDocument(PARSED_DOCUMENTS)

    async def execute(
        self,
        query: str | None,
        variables: dict[str, Any] | None,
        context: Any,
        operation_name: str | None,
        allowed: frozenset[OperationType] | set[OperationType],
        extensions: dict[str, Any] | None,
    ) -> ExecutionResult | None:
        """The operation's result, or None: strawberry's way must answer it."""
        if not query or not isinstance(context, Context):
            return None
        document = _document(query, self.config.max_tokens)
        if document is None:
            return None
        prepared: _Prepared | None = self._prepared.get(
            document, operation_name, lambda: self._prepare(document, operation_name)
        )
        if prepared is None or prepared.operation_type not in allowed:
            return None
        cost = prepared.cost
        if cost is None:
            cost = operation_cost(self.core, document, prepared.name, variables)
        if cost > self.config.max_query_cost:
            return None

        def execution_context() -> ExecutionContext:
            """Strawberry's record of the operation, for what reads one (its errors'
            processing, graphql-core's execution as strawberry calls it): made when needed."""
            ec = _Operation(
                query=query,
                schema=self.schema,
                allowed_operations=allowed,
                context=context,
                root_value=None,
                variables=variables,
                provided_operation_name=operation_name,
                operation_extensions=extensions,
            )
            ec.graphql_document = document
            # what the cached properties would work out again from the document
            ec.__dict__["operation_name"] = prepared.name
            ec.__dict__["operation_type"] = prepared.operation_type
            return ec

        # From here on as strawberry: Budgets.on_operation, Limits.on_execute (the cost on
        # the context), Budgets.on_execute (the charge), then graphql-core's execution.
        context.budget = None
        context.cost = cost
        operation = (document, prepared.name, variables)
        try:
            await charge(self.config, context, cost, operation, mutation=prepared.mutation)
            executor = self._executor(prepared, document, variables, context, extensions)
            if executor is not None:
                result = executor.execute_operation()
            else:
                result = self.run(execution_context(), self.middleware)
            if compat.is_awaitable(result):
                result = await result
        except Exception as error:  # as strawberry's execute: a result of this one error
            return self._failed(execution_context(), compat.coerced_error(error))
        errors = result.errors
        if errors:
            # logs the unexpected, with their trace
            self.schema.process_errors(errors, execution_context())
            hide = hides_suggestions(context.settings)
            errors = [shape_error(error, hide_suggestions=hide) for error in errors]
        return ExecutionResult(
            data=result.data,
            errors=errors,
            extensions=cost_report_of(self.config, context, prepared.operation_type),
        )

    def _executor(
        self,
        prepared: _Prepared,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        context: Context,
        extensions: dict[str, Any] | None,
    ) -> Any:
        """The operation's executor for this execution, copied from its template (what
        `self.run` would build, without building it); None: `self.run` builds it."""
        template = prepared.template
        if template is None:
            if not prepared.templated:
                return None
            template = compat.executor_template(
                self.schema, document, prepared.name, variables, self.middleware
            )
            if template is None:  # refused: graphql-core words the errors
                return None
            if not compat.copyable(template):
                prepared.templated = False
                return None
            prepared.template = template
        return compat.executor_from(template, context, variables, extensions, weak_helpers)

    def _prepare(self, document: DocumentNode, operation_name: str | None) -> _Prepared | None:
        """What a document's operation is, worked out once; None when strawberry's way must
        answer it (no such operation, a subscription, a validation error)."""
        ec = _Operation(
            query=None,
            schema=self.schema,
            allowed_operations=TAKEN,
            provided_operation_name=operation_name,
        )
        ec.graphql_document = document
        try:
            operation_type = ec.operation_type
        except RuntimeError:  # no such operation: strawberry's 400
            return None
        if operation_type not in TAKEN or validated(self.core, document, self.rules):
            return None
        name = ec.operation_name
        return _Prepared(
            name=name,
            operation_type=operation_type,
            cost=fixed_cost(self.core, document, name),
            mutation=operation_type == OperationType.MUTATION,
        )

    def _failed(self, ec: ExecutionContext, error: GraphQLError) -> PreExecutionError:
        # strawberry's ShapeErrors does not see it (its hook gets the exception)
        self.schema.process_errors([error], ec)
        return PreExecutionError(data=None, errors=[error], extensions=cost_report(self.config, ec))


@dataclass(slots=True)
class _Prepared:
    """A valid query or mutation of a document: its name, type, cost when no variable
    changes it (else None), and its executor's template once one was built."""

    name: str | None
    operation_type: OperationType
    cost: int | None
    mutation: bool
    template: Any = None
    templated: bool = True  # False: its executor cannot be copied (compat.executor_template)


class _Operation(ExecutionContext):
    """Strawberry's ExecutionContext with the operation's name and type worked out once:
    its properties look them up in the document on every read, and an operation is asked
    them about six times."""

    operation_name = cached_property(ExecutionContext.operation_name.fget)  # type: ignore[attr-defined]
    operation_type = cached_property(ExecutionContext.operation_type.fget)  # type: ignore[attr-defined]


def _document(query: str, max_tokens: int) -> DocumentNode | None:
    try:
        return parsed(query, max_tokens)
    except Exception:  # strawberry's way words it (as a syntax or TOO_MANY_TOKENS error)
        return None
