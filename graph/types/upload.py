from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

import models
from graph.context import Info
from graph.relay import Node, copied_from_row
from resolvers.photos import rendition_key


@strawberry.type(
    description="A photo you uploaded, made into renditions (JPEG, metadata-free, upright, "
    "sRGB) at widths 1080, 640 and 320, never wider than the original. Only you can read "
    "your uploads."
)
class PhotoUpload(Node):
    row: strawberry.Private[models.Upload]
    width: int = strawberry.field(description="Width of the original, upright, in pixels.")
    height: int = strawberry.field(description="Height of the original, upright, in pixels.")
    blurhash: str = strawberry.field(
        description="A 4x4-component blurhash (blurha.sh): a placeholder while it loads."
    )
    dominant_color: str = strawberry.field(description="Its dominant colour, #rrggbb.")
    alt: str | None = strawberry.field(description="Alternative text for screen readers.")
    created_at: datetime = strawberry.field(description="When it was uploaded.")

    from_row = copied_from_row("width", "height", "blurhash", "dominant_color", "alt", "created_at")

    @strawberry.field(
        description="URL of the smallest rendition at least `width` pixels wide (the largest "
        "when none is, or without `width`)."
    )
    def url(
        self,
        info: Info,
        width: Annotated[
            int | None, strawberry.argument(description="The width you will show it at.")
        ] = None,
    ) -> str:
        store = info.context.media
        if store is None:
            raise RuntimeError("no media store")
        return store.url(rendition_key({"renditions": self.row.renditions}, width))
