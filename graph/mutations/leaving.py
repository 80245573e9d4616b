"""Leaving: deleting your account (resolvers/leaving.py) and taking your data with you
(resolvers/export.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import strawberry

from graph.context import Info, publisher
from graph.errors import UserError, attempt
from graph.mutations import INPUT
from resolvers import export, leaving


@strawberry.input(description="Delete your account: confirm it with your password.")
class DeleteAccountInput:
    password: str = strawberry.field(description="Your current password.")


@strawberry.type(description="Result of deleteAccount.")
class DeleteAccountPayload:
    deleted: bool = strawberry.field(
        description="Whether the account was deleted, with everything in it; your tokens "
        "no longer work and your live subscriptions have ended."
    )
    errors: list[UserError] = strawberry.field(
        description="Why it failed (INVALID_CREDENTIALS: not your password); empty on success."
    )


@strawberry.type(description="Result of exportMyData.")
class ExportMyDataPayload:
    url: str | None = strawberry.field(
        description="Where to download your data: a zip of data.json (everything you made, "
        "as JSON) and photos/ (your photos' files). Anyone holding the link can use it "
        "until `expiresAt`: open it yourself, share it with nobody. Null on failure."
    )
    expires_at: datetime | None = strawberry.field(
        description="When the link stops working; null on failure."
    )
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


async def delete_account(
    info: Info, input: Annotated[DeleteAccountInput, INPUT]
) -> DeleteAccountPayload:
    viewer = info.context.require_viewer()
    hold = timedelta(days=info.context.settings.deleted_username_hold_days)
    work = leaving.delete_account(viewer, input.password, hold, publisher(info.context))
    left, errors = await attempt(work)
    return DeleteAccountPayload(deleted=left is not None, errors=errors)


async def export_my_data(info: Info) -> ExportMyDataPayload:
    viewer = info.context.require_viewer()
    settings = info.context.settings
    ttl = timedelta(seconds=settings.export_url_ttl_seconds)
    token, expires_at = export.sign(viewer, settings.signing_key, ttl)
    url = str(info.context.request.url_for("export", token=token))
    return ExportMyDataPayload(url=url, expires_at=expires_at, errors=[])
