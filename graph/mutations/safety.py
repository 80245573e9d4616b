from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info, publisher
from graph.errors import UserError, attempt
from graph.mutations import INPUT
from graph.relay import decode_id
from graph.types.safety import FollowRequest
from graph.types.user import User
from resolvers import notifications, safety


@strawberry.input(description="Names one member (to block, unblock, unmute, or stop asking).")
class UserIdInput:
    user_id: strawberry.ID = strawberry.field(description="Global ID of the member.")


@strawberry.input(description="The member to mute, and for how long.")
class MuteInput:
    user_id: strawberry.ID = strawberry.field(description="Global ID of the member.")
    expires_in_seconds: int | None = strawberry.field(
        default=None,
        description="End the mute after this many seconds (1 to ten years); omitted: until "
        "you unmute. Muting again replaces the expiry.",
    )


@strawberry.input(description="A request to follow you.")
class FollowRequestInput:
    request_id: strawberry.ID = strawberry.field(description="Global ID of the FollowRequest.")


@strawberry.type(description="A member after a block, unblock, mute or unmute (all idempotent).")
class SafetyPayload:
    user: User | None = strawberry.field(
        description="The member, with viewerHasBlocked / viewerHasMuted as they are now; null "
        "on failure."
    )
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


@strawberry.type(
    description="Result of acceptFollowRequest, rejectFollowRequest or cancelFollowRequest."
)
class FollowRequestPayload:
    user: User | None = strawberry.field(
        description="The other member: the requester (accept, reject) or the private "
        "account (cancel); null on failure."
    )
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


def _payload(row, errors: list[UserError]) -> SafetyPayload:
    return SafetyPayload(user=User.from_row(row) if row else None, errors=errors)


async def block(info: Info, input: Annotated[UserIdInput, INPUT]) -> SafetyPayload:
    viewer = info.context.require_viewer()
    return _payload(*await attempt(safety.block(viewer, decode_id(input.user_id, "User"))))


async def unblock(info: Info, input: Annotated[UserIdInput, INPUT]) -> SafetyPayload:
    viewer = info.context.require_viewer()
    return _payload(*await attempt(safety.unblock(viewer, decode_id(input.user_id, "User"))))


async def mute(info: Info, input: Annotated[MuteInput, INPUT]) -> SafetyPayload:
    viewer = info.context.require_viewer()
    work = safety.mute(viewer, decode_id(input.user_id, "User"), input.expires_in_seconds)
    return _payload(*await attempt(work))


async def unmute(info: Info, input: Annotated[UserIdInput, INPUT]) -> SafetyPayload:
    viewer = info.context.require_viewer()
    return _payload(*await attempt(safety.unmute(viewer, decode_id(input.user_id, "User"))))


def _request_payload(row, errors: list[UserError]) -> FollowRequestPayload:
    return FollowRequestPayload(user=User.from_row(row) if row else None, errors=errors)


async def accept_follow_request(
    info: Info, input: Annotated[FollowRequestInput, INPUT]
) -> FollowRequestPayload:
    viewer = info.context.require_viewer()
    result, errors = await attempt(
        safety.accept(viewer, decode_id(input.request_id, FollowRequest.__name__))
    )
    if result is None:
        return _request_payload(None, errors)
    requester, notification = result
    await notifications.announce(notification, publisher(info.context))
    return _request_payload(requester, errors)


async def reject_follow_request(
    info: Info, input: Annotated[FollowRequestInput, INPUT]
) -> FollowRequestPayload:
    viewer = info.context.require_viewer()
    work = safety.reject(viewer, decode_id(input.request_id, FollowRequest.__name__))
    return _request_payload(*await attempt(work))


async def cancel_follow_request(
    info: Info, input: Annotated[UserIdInput, INPUT]
) -> FollowRequestPayload:
    viewer = info.context.require_viewer()
    work = safety.cancel(viewer, decode_id(input.user_id, "User"))
    return _request_payload(*await attempt(work))
