from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info, publisher
from graph.errors import UserError, attempt
from graph.mutations import INPUT
from graph.relay import decode_id
from graph.types.safety import FollowRequest
from graph.types.user import User
from resolvers import users


@strawberry.input(description="Whom to follow or unfollow.")
class FollowInput:
    user_id: strawberry.ID = strawberry.field(description="Global ID of the member.")


@strawberry.type(description="Result of follow or unfollow (both idempotent).")
class FollowPayload:
    user: User | None = strawberry.field(
        description="The member, with updated followerCount and viewerFollowState."
    )
    follow_request: FollowRequest | None = strawberry.field(
        description="For a private account: your pending request (follow asks instead of "
        "following); null otherwise."
    )
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


async def follow(info: Info, input: Annotated[FollowInput, INPUT]) -> FollowPayload:
    viewer = info.context.require_viewer()
    result, errors = await attempt(
        users.follow(viewer, decode_id(input.user_id, "User"), publisher(info.context))
    )
    row, request = result if result else (None, None)
    return FollowPayload(
        user=User.from_row(row) if row else None,
        follow_request=FollowRequest.from_row(request) if request else None,
        errors=errors,
    )


async def unfollow(info: Info, input: Annotated[FollowInput, INPUT]) -> FollowPayload:
    viewer = info.context.require_viewer()
    row, errors = await attempt(users.unfollow(viewer, decode_id(input.user_id, "User")))
    return FollowPayload(
        user=User.from_row(row) if row else None, follow_request=None, errors=errors
    )
