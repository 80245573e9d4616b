"""The caller's query-cost budget, as GitHub's `rateLimit` shows it."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from graph.context import Info


@strawberry.type(
    description="Your budget of query points: every query costs points (see `cost`), "
    "deducted from a budget per account (per IP address when anonymous) that refills when "
    "the window resets."
)
class RateLimit:
    limit: int = strawberry.field(description="Points per window for this caller.")
    cost: int = strawberry.field(
        description="Points this query cost: 1 per field, the selection under a connection "
        "counted once per item requested (`first`, default 20)."
    )
    remaining: int | None = strawberry.field(
        description="Points left in this window after this query; null when the limits "
        "store is unreachable (limits are then not enforced)."
    )
    reset_at: datetime | None = strawberry.field(
        description="When the window resets and the budget is full again (UTC); null when unknown."
    )


def rate_limit(info: Info) -> RateLimit:
    context = info.context
    budget = context.budget
    settings = context.settings
    limit = settings.rate_limit_points if context.viewer else settings.rate_limit_anonymous_points
    reset_at = budget.reset_at if budget else None
    return RateLimit(
        limit=budget.limit if budget else limit,
        cost=context.cost or 0,
        remaining=budget.remaining if budget else None,
        reset_at=datetime.fromtimestamp(round(reset_at), UTC) if reset_at is not None else None,
    )
