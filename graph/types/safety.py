from __future__ import annotations

from datetime import datetime

import strawberry

import models
from graph.context import Info
from graph.relay import Node, copied_from_row
from graph.types.user import User, load_user


@strawberry.type(
    description="A request to follow a private account, waiting for its owner's answer."
)
class FollowRequest(Node):
    row: strawberry.Private[models.FollowRequest]
    created_at: datetime = strawberry.field(description="When it was asked.")

    from_row = copied_from_row("created_at")

    @strawberry.field(description="Who asks to follow.")
    async def requester(self, info: Info) -> User:
        return await load_user(info, self.row.requester_id)

    @strawberry.field(description="The private account they ask to follow.")
    async def target(self, info: Info) -> User:
        return await load_user(info, self.row.target_id)
