from __future__ import annotations

from datetime import datetime

import strawberry

import models
from graph import compat
from graph.context import Info
from graph.relay import Connection, Node, connection, copied_from_row
from graph.types.postcard import Comment, Postcard
from graph.types.user import User, load_user
from resolvers import notifications

NotificationKind = compat.describe_values(
    strawberry.enum(
        models.NotificationKind,
        description="What happened: LIKED (someone liked your moment, notified once per member "
        "and moment), COMMENTED (someone commented on your moment), FOLLOWED (someone followed "
        "you, notified once per member), FOLLOW_REQUESTED (someone asks to follow your private "
        "account), FOLLOW_ACCEPTED (a private account accepted your request).",
    ),
    {
        "LIKED": "Someone liked your moment (once per member and moment, however often they "
        "like it again).",
        "COMMENTED": "Someone commented on your moment.",
        "FOLLOWED": "Someone followed you (once per member).",
        "FOLLOW_REQUESTED": "Someone asks to follow your private account: accept or reject it "
        "(viewer.followRequests).",
        "FOLLOW_ACCEPTED": "A private account accepted your follow request: you follow it now.",
    },
)


@strawberry.type(
    description="Something another member did to you. Only you can read your notifications."
)
class Notification(Node):
    row: strawberry.Private[models.Notification]
    kind: NotificationKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    created_at: datetime = strawberry.field(description="When it happened.")
    read_at: datetime | None = strawberry.field(
        description="When you marked it read (markNotificationsRead); null while unread."
    )

    from_row = copied_from_row("kind", "created_at", "read_at")

    @strawberry.field(description="Who did it.")
    async def actor(self, info: Info) -> User:
        return await load_user(info, self.row.actor_id)

    @strawberry.field(
        description="The moment liked or commented on; null for FOLLOWED, and null once the "
        "moment is deleted (the notification itself stays)."
    )
    async def postcard(self, info: Info) -> Postcard | None:
        if self.row.postcard_id is None:
            return None
        row = await info.context.loaders.postcard_by_id.load(self.row.postcard_id)
        return Postcard.from_row(row) if row else None

    @strawberry.field(
        description="The comment, for COMMENTED; null otherwise, and null once the comment "
        "(or its moment) is deleted."
    )
    async def comment(self, info: Info) -> Comment | None:
        if self.row.comment_id is None:
            return None
        row = await info.context.loaders.comment_by_id.load(self.row.comment_id)
        return Comment.from_row(row) if row else None


async def notifications_of(
    info: Info, viewer: models.User, first: int | None, after: str | None
) -> Connection[Notification]:
    page = await notifications.page(viewer, viewer.id, first, after)
    return connection(page, wrap=Notification.from_row)
