from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info
from graph.errors import UserError, attempt
from graph.mutations import INPUT
from graph.relay import decode_id
from graph.types.user import User
from resolvers import notifications


@strawberry.input(description="How far to mark your notifications read.")
class MarkNotificationsReadInput:
    up_to: strawberry.ID = strawberry.field(
        description="Global ID of one of your notifications: it and every older one are "
        "marked read (usually the newest one you have shown)."
    )


@strawberry.type(description="Result of markNotificationsRead (idempotent).")
class MarkNotificationsReadPayload:
    unread_notification_count: int | None = strawberry.field(
        description="How many of your notifications are still unread; null on failure."
    )
    viewer: User | None = strawberry.field(description="You; null on failure.")
    errors: list[UserError] = strawberry.field(
        description="Why it failed (NOT_FOUND: upTo is not one of your notifications); "
        "empty on success."
    )


async def mark_notifications_read(
    info: Info, input: Annotated[MarkNotificationsReadInput, INPUT]
) -> MarkNotificationsReadPayload:
    viewer = info.context.require_viewer()
    count, errors = await attempt(
        notifications.mark_read(viewer, decode_id(input.up_to, "Notification"))
    )
    return MarkNotificationsReadPayload(
        unread_notification_count=count,
        viewer=User.from_row(viewer) if count is not None else None,
        errors=errors,
    )
