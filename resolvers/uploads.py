"""Photo uploads: the bytes a member sends, made into renditions (media/images.py) that the
media store keeps (media/store.py), and the row that remembers them. Nothing is stored or
written for a refused upload."""

from __future__ import annotations

from media import images
from media.store import Store, key_for
from models import Upload, User
from resolvers.errors import Code, Collector, problem
from resolvers.validate import clean_optional_text


async def upload_photo(
    viewer: User, data: bytes, alt: str | None, store: Store, limits: images.Limits
) -> Upload:
    errors = Collector()
    text = errors.check(clean_optional_text, alt, "alt", max_len=1000)
    errors.raise_if_any()
    try:
        processed = await images.process(data, limits)
    except images.MediaError as refused:
        raise problem("file", refused.message, Code(refused.code)) from None
    renditions = []
    for rendition in processed.renditions:
        key = key_for(rendition.data, "jpg")
        await store.put(key, rendition.data, rendition.content_type)
        renditions.append({"width": rendition.width, "height": rendition.height, "key": key})
    return await Upload.create(
        owner_id=viewer.id,
        width=processed.width,
        height=processed.height,
        blurhash=processed.blurhash,
        dominant_color=processed.dominant_color,
        alt=text,
        renditions=renditions,
    )


def rendition_key(upload: Upload, width: int | None) -> str:
    """The smallest rendition at least `width` wide; the largest when none is (or no width
    was asked)."""
    widest_first = upload.renditions
    if width is not None:
        for rendition in reversed(widest_first):
            if rendition["width"] >= width:
                return str(rendition["key"])
    return str(widest_first[0]["key"])


async def own_upload(viewer: User | None, upload_id: int) -> Upload | None:
    """An upload, for its owner only (uploads are private until attached)."""
    if viewer is None:
        return None
    return await Upload.get_or_none(id=upload_id, owner_id=viewer.id)
