from __future__ import annotations

from typing import Annotated, Any

import strawberry

import models
from graph import compat
from graph.context import Info
from resolvers.photos import rendition_key

PhotoSource = compat.describe_values(
    strawberry.enum(
        models.PhotoSource,
        description="Where a photo comes from: UPLOAD (the member's own upload), INSTAGRAM "
        "(imported from an Instagram post or reel), WEB (imported from a web image or page).",
    ),
    {
        "UPLOAD": "The member's own upload (uploadPhoto).",
        "INSTAGRAM": "Imported from an Instagram post or reel (instagram.com/p/<code> or "
        "/reel/<code>): the picture its page shows.",
        "WEB": "Imported from an http(s) image, or from the picture a web page's og:image names.",
    },
)

Width = Annotated[
    int | None, strawberry.argument(description="The width you will show it at, in pixels.")
]


@strawberry.type(
    description="A picture of a moment or a profile, kept here as JPEG renditions "
    "(metadata-free, upright, sRGB) whatever its origin. Moments shared before photos were "
    "stored keep only their link: then `url` is that link and the sizes are null."
)
class Photo:
    stored: strawberry.Private[dict[str, Any] | None]
    link: strawberry.Private[str | None]
    source: PhotoSource = strawberry.field(description="Where the photo comes from.")  # type: ignore[valid-type]
    width: int | None = strawberry.field(description="Width of the original, upright, in pixels.")
    height: int | None = strawberry.field(description="Height of the original, upright, in pixels.")
    blurhash: str | None = strawberry.field(
        description="A 4x4-component blurhash (blurha.sh): a placeholder while it loads."
    )
    dominant_color: str | None = strawberry.field(description="Its dominant colour, #rrggbb.")
    alt: str | None = strawberry.field(description="Alternative text for screen readers.")
    imported_from: str | None = strawberry.field(
        description="The Instagram post or web address it was imported from; null for an "
        "upload (and for a photo only linked, never fetched)."
    )

    @strawberry.field(
        description="URL of the smallest rendition at least `width` pixels wide (the largest "
        "when none is, or without `width`). Renditions are 1080, 640 and 320 wide for a "
        "moment, squares of 400, 200 and 80 for an avatar, never wider than the original."
    )
    def url(self, info: Info, width: Width = None) -> str:
        if self.stored is None:
            return self.link or ""
        return media_url(info, self.stored, width)


def media_url(info: Info, stored: dict[str, Any], width: int | None) -> str:
    store = info.context.media
    if store is None:
        raise RuntimeError("no media store")
    return store.url(rendition_key(stored, width))


def photo_of(
    stored: dict[str, Any] | None, link: str | None, source: models.PhotoSource | None
) -> Photo | None:
    """The photo of a row's columns: its stored copy, else (older rows) its link alone."""
    if stored:
        return Photo(
            stored=stored,
            link=link,
            source=source or models.PhotoSource.UPLOAD,
            width=stored["width"],
            height=stored["height"],
            blurhash=stored["blurhash"],
            dominant_color=stored["dominant_color"],
            alt=stored["alt"],
            imported_from=link if source is not models.PhotoSource.UPLOAD else None,
        )
    if link and source:  # linked, never fetched: the link is all there is
        return Photo(
            stored=None,
            link=link,
            source=source,
            width=None,
            height=None,
            blurhash=None,
            dominant_color=None,
            alt=None,
            imported_from=None,
        )
    return None
