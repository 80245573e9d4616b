"""Photo uploads: the bytes a member sends, made into renditions (media/images.py) that the
media store keeps (media/store.py), and the row that remembers them until they are used
(resolvers/photos.py). Nothing is stored or written for a refused upload."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from media import images
from media.store import Store
from models import Upload, User
from resolvers import photos
from resolvers.errors import Collector
from resolvers.validate import clean_optional_text


async def upload_photo(
    viewer: User, data: bytes, alt: str | None, store: Store, limits: images.Limits
) -> Upload:
    errors = Collector()
    text = errors.check(clean_optional_text, alt, "alt", max_len=1000)
    errors.raise_if_any()
    made = await photos.processed(data, limits, "file", images.PHOTO)
    async with in_transaction() as conn:
        photo = await photos.keep(conn, made, store, text)
        return await Upload.create(owner_id=viewer.id, using_db=conn, **photo)


async def own_upload(viewer: User | None, upload_id: int) -> Upload | None:
    """An upload, for its owner only (uploads are private)."""
    if viewer is None:
        return None
    return await Upload.get_or_none(id=upload_id, owner_id=viewer.id)
