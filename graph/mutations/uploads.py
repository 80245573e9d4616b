from __future__ import annotations

from typing import Annotated

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

import models
from graph.context import Info
from graph.errors import UserError, attempt
from graph.mutations import INPUT
from graph.types.upload import PhotoUpload
from media.images import Limits
from resolvers import uploads
from resolvers.errors import Code, problem


@strawberry.input(description="A photo to upload, sent as a file of a multipart request.")
class UploadPhotoInput:
    file: Upload = strawberry.field(
        description="The picture: a file part of a GraphQL multipart request (JPEG, PNG, "
        "WebP or HEIC/HEIF, at most MEDIA_MAX_BYTES and MEDIA_MAX_PIXELS)."
    )
    alt: str | None = strawberry.field(
        default=None, description="Alternative text for screen readers, up to 1,000 characters."
    )


@strawberry.type(description="Result of uploadPhoto.")
class UploadPhotoPayload:
    upload: PhotoUpload | None = strawberry.field(description="The upload; null on failure.")
    errors: list[UserError] = strawberry.field(description="Why it failed; empty on success.")


async def upload_photo(info: Info, input: Annotated[UploadPhotoInput, INPUT]) -> UploadPhotoPayload:
    viewer = info.context.require_viewer()
    settings = info.context.settings
    store = info.context.media
    if store is None:
        raise RuntimeError("no media store")

    async def work() -> models.Upload:
        # The scalar checks nothing: a plain JSON request can send any value as `file`.
        if not isinstance(input.file, UploadFile):
            raise problem(
                "file", "Send the photo as a file part of a multipart request.", Code.INVALID
            )
        # Read here: starlette closes the file when the request ends.
        data = await input.file.read(settings.media_max_bytes + 1)
        limits = Limits(max_bytes=settings.media_max_bytes, max_pixels=settings.media_max_pixels)
        return await uploads.upload_photo(viewer, data, input.alt, store, limits)

    row, errors = await attempt(work())
    return UploadPhotoPayload(upload=PhotoUpload.from_row(row) if row else None, errors=errors)
