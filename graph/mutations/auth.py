from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import strawberry

from graph.context import Info, publisher
from graph.errors import UserError, attempt
from graph.mutations import INPUT
from graph.relay import decode_id
from graph.types.user import User
from resolvers import accounts, photos, users

PASSWORD = "At least 8 characters."


@strawberry.input(description="Create an account.")
class SignUpInput:
    username: str = strawberry.field(
        description="3 to 30 of a-z, 0-9, '_' and '.'; stored lowercase, unique ignoring case."
    )
    password: str = strawberry.field(description=PASSWORD)
    display_name: str | None = strawberry.field(
        default=None, description="Name shown on the profile; defaults to the username."
    )


@strawberry.input(description="Sign in with username and password.")
class LogInInput:
    username: str = strawberry.field(description="Your username (any case).")
    password: str = strawberry.field(description="Your password.")


@strawberry.type(description="A session: send the token as `Authorization: Bearer <token>`.")
class AuthPayload:
    token: str | None = strawberry.field(description="Bearer token; null on failure.")
    user: User | None = strawberry.field(description="The signed-in member; null on failure.")
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


@strawberry.type(description="Result of logOut.")
class LogOutPayload:
    revoked: bool = strawberry.field(description="Whether a token was revoked.")
    errors: list[UserError] = strawberry.field(description="Always empty; kept for symmetry.")


@strawberry.input(description="Change your profile; omitted fields stay as they are.")
class UpdateProfileInput:
    display_name: str | None = strawberry.field(
        default=None, description="Name shown on the profile, 1 to 100 characters."
    )
    bio: str | None = strawberry.field(default=None, description="Up to 500 characters.")
    is_private: bool | None = strawberry.field(
        default=None,
        description="Private: only followers you approve see your moments, followers, following, "
        "public playlists and likes; `follow` becomes a request. Going private keeps your "
        "followers; going public accepts every pending request.",
    )
    avatar_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="http(s) URL of a picture elsewhere; null removes the avatar. Not with "
        "avatarUploadId.",
    )
    avatar_upload_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Global ID of your PhotoUpload (unused, at most 24 hours old) to make "
        "your avatar: its centred square at 400, 200 and 80 px. The upload is used up. Null "
        "removes the avatar.",
    )


@strawberry.type(description="Result of updateProfile.")
class UpdateProfilePayload:
    user: User | None = strawberry.field(description="The updated profile; null on failure.")
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


def _ttl(info: Info) -> timedelta:
    return timedelta(days=info.context.settings.token_ttl_days)


async def sign_up(info: Info, input: Annotated[SignUpInput, INPUT]) -> AuthPayload:
    result, errors = await attempt(
        accounts.sign_up(
            input.username,
            input.password,
            input.display_name,
            _ttl(info),
            info.context.settings.password_hashing,
        )
    )
    if result is None:
        return AuthPayload(token=None, user=None, errors=errors)
    user, token = result
    return AuthPayload(token=token, user=User.from_row(user), errors=[])


async def log_in(info: Info, input: Annotated[LogInInput, INPUT]) -> AuthPayload:
    result, errors = await attempt(
        accounts.log_in(
            input.username, input.password, _ttl(info), info.context.settings.password_hashing
        )
    )
    if result is None:
        return AuthPayload(token=None, user=None, errors=errors)
    user, token = result
    return AuthPayload(token=token, user=User.from_row(user), errors=[])


async def log_out(info: Info) -> LogOutPayload:
    info.context.require_viewer()
    assert info.context.token is not None
    await accounts.log_out(info.context.token, publisher(info.context))
    return LogOutPayload(revoked=True, errors=[])


async def update_profile(
    info: Info, input: Annotated[UpdateProfileInput, INPUT]
) -> UpdateProfilePayload:
    viewer = info.context.require_viewer()
    avatar = users.UNSET if input.avatar_url is strawberry.UNSET else input.avatar_url
    upload: photos.UploadRef | object | None = users.UNSET
    if input.avatar_upload_id is not strawberry.UNSET:
        upload = None
        if input.avatar_upload_id is not None:
            upload = photos.UploadRef(decode_id(input.avatar_upload_id, "PhotoUpload"))
    row, errors = await attempt(
        users.update_profile(
            viewer,
            display_name=input.display_name,
            bio=input.bio,
            avatar_url=avatar,
            avatar_upload=upload,
            is_private=input.is_private,
            media=info.context.photo_media(),
            publish=publisher(info.context),
        )
    )
    if row is not None and info.context.viewer_cached:  # its counters may be seconds old
        row = await users.get(row.id)
    return UpdateProfilePayload(user=User.from_row(row) if row else None, errors=errors)
