"""The media sweep: uploads are kept a day; a file is deleted once no upload, moment or
avatar names it, at the first sweep a grace period after one found it unused; one process
sweeps at a time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
from starlette.applications import Starlette
from tortoise.timezone import now

from models import Postcard, UnusedFile, Upload
from resolvers.sweep import GRACE, Swept, sweep
from tests.support.api import Api, User
from tests.support.photos import jpeg, stored, uploaded

CREATE = """mutation ($input: CreatePostcardInput!) { createPostcard(input: $input) {
  postcard { id } errors { code } } }"""
DELETE = """mutation ($input: PostcardIdInput!) { deletePostcard(input: $input) {
  deletedPostcardId errors { code } } }"""
AVATAR = """mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) {
  errors { code } } }"""
DAY = timedelta(hours=24, seconds=1)


def keys_of(upload: dict[str, object]) -> set[str]:
    """The renditions' keys of a PhotoUpload, from its URLs."""
    return {str(url).rsplit("/", 1)[1] for name, url in upload.items() if name in ("url", "small")}


async def rendition_keys() -> set[str]:
    return {r["key"] for upload in await Upload.all() for r in upload.renditions}


async def swept_twice(app: Starlette, at: datetime) -> tuple[Swept, Swept]:
    """A sweep at `at`, and the next one a grace period later."""
    store = app.state.media
    return await sweep(store, now=at), await sweep(store, now=at + GRACE)


async def share(api: Api, member: User, upload_id: str) -> str:
    body = await api.ok(
        CREATE,
        {"input": {"track": {"title": "t", "artist": "a"}, "photo": {"uploadId": upload_id}}},
        member.token,
    )
    assert body["createPostcard"]["errors"] == []
    return str(body["createPostcard"]["postcard"]["id"])


async def test_an_unused_upload_goes_after_a_day_and_its_files_a_grace_later(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    maya = await api.sign_up("maya")
    await uploaded(http, maya)
    files = await rendition_keys()
    assert len(files) == 3 and files <= set(await stored(app))
    # within the day nothing of it goes
    early = await sweep(app.state.media, now=now() + timedelta(hours=23))
    assert early.ran and early.uploads_deleted == 0
    later = await sweep(app.state.media, now=now() + timedelta(hours=23) + GRACE)
    assert later.uploads_deleted == 0 and files <= set(await stored(app))
    first, second = await swept_twice(app, now() + DAY)
    assert first.uploads_deleted == 1 and await Upload.all().count() == 0
    # found unused by the first sweep, kept until one a grace period later
    assert second.files_deleted >= 3
    assert files.isdisjoint(await stored(app))
    assert files.isdisjoint(await UnusedFile.all().values_list("key", flat=True))


async def test_a_moments_files_stay_while_any_moment_or_avatar_shows_them(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    picture = jpeg((900, 700))
    # the same picture uploaded three times is stored once, and shown three times
    first, second, third = [await uploaded(http, member, picture) for member in (maya, kofi, kofi)]
    files = await rendition_keys()
    assert len(files) == 3
    card = await share(api, maya, first["id"])
    await share(api, kofi, second["id"])
    avatar = await api.ok(AVATAR, {"input": {"avatarUploadId": third["id"]}}, kofi.token)
    assert avatar["updateProfile"]["errors"] == []
    await swept_twice(app, now() + DAY)  # the uploads are gone, their photos stay
    assert await Upload.all().count() == 0
    assert files <= set(await stored(app))
    deleted = await api.ok(DELETE, {"input": {"postcardId": card}}, maya.token)
    assert deleted["deletePostcard"]["errors"] == []
    await swept_twice(app, now() + DAY)
    assert files <= set(await stored(app)), "kofi's moment shows the same picture"
    await Postcard.all().delete()
    await swept_twice(app, now() + DAY)
    assert files.isdisjoint(await stored(app))


async def test_a_file_named_again_within_the_grace_is_kept(
    api: Api, http: httpx.AsyncClient, app: Starlette
) -> None:
    maya = await api.sign_up("maya")
    picture = jpeg((500, 400))
    await uploaded(http, maya, picture)
    files = await rendition_keys()
    at = now() + DAY
    await sweep(app.state.media, now=at)  # the upload goes, its files are marked unused
    assert files <= set(await UnusedFile.all().values_list("key", flat=True))
    # the same picture again, on a moment, before the grace is over
    await share(api, maya, (await uploaded(http, maya, picture))["id"])
    after = await sweep(app.state.media, now=at + GRACE)
    assert files <= set(await stored(app))
    assert files.isdisjoint(await UnusedFile.all().values_list("key", flat=True))
    assert after.files_kept == len(files)  # the moment names them, nothing else does


async def test_one_process_sweeps_at_a_time(app: Starlette, is_postgres: bool) -> None:
    results = await asyncio.gather(*(sweep(app.state.media) for _ in range(3)))
    ran = [result.ran for result in results]
    # PostgreSQL: the others find the sweeper's lock taken; SQLite: one after the other
    assert ran.count(True) == (1 if is_postgres else 3)
