"""Where the app keeps photo renditions (MEDIA_URL): on local disk beside the SQLite file by
default, served at /media/ with year-long caching; or in an S3 bucket, made at start-up on a
real S3-protocol server, which serves its own files."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette

from media.images import Limits, process
from media.store import FileStore, S3Store
from server.app import close_media, create_app, open_media
from server.settings import Settings
from tests.support.s3 import ACCESS_KEY, REGION, SECRET_KEY, MotoServer, moto_server


async def a_rendition() -> tuple[str, bytes]:
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(picture, "JPEG")
    processed = await process(picture.getvalue(), Limits())
    smallest = processed.renditions[-1]
    return f"{smallest.sha256}.jpg", smallest.data


def test_the_default_folder_is_beside_the_sqlite_file() -> None:
    settings = Settings(
        database_url="sqlite:///srv/data/soundpost.sqlite3?cache_size=-1", media_url=""
    )
    assert settings.media_location == "file:///srv/data/soundpost-media"
    explicit = Settings(media_url="s3://photos", database_url="sqlite://x.sqlite3")
    assert explicit.media_location == "s3://photos"


def test_a_media_url_that_is_neither_a_folder_nor_a_bucket_is_refused() -> None:
    with pytest.raises(ValueError, match="MEDIA_URL must be file://"):
        create_app(Settings(media_url="ftp://photos"))


async def test_the_apps_store_keeps_and_serves_a_rendition(
    app: Starlette, http: httpx.AsyncClient
) -> None:
    store = app.state.media
    key, data = await a_rendition()
    await store.put(key, data, "image/jpeg")
    assert await store.exists(key)
    if isinstance(store, FileStore):  # the default, and CI's first pass
        assert "/media/{key}" in {getattr(route, "path", None) for route in app.routes}
        response = await http.get(store.url(key))
        assert response.status_code == 200 and response.content == data
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-type"] == "image/jpeg"
        assert response.headers["x-content-type-options"] == "nosniff"
    else:  # MEDIA_URL=s3://… (CI's second pass): the bucket serves it, not the app
        assert isinstance(store, S3Store)
        assert store.url(key) == store.public_url + key
        assert (await http.get(f"/media/{key}")).status_code == 404
    await store.delete(key)
    assert not await store.exists(key)


@pytest.fixture(scope="module")
def moto() -> AsyncIterator[MotoServer]:
    with moto_server() as server:
        yield server  # type: ignore[misc]


async def test_an_s3_bucket_is_made_at_start_up(
    app: Starlette, settings: Settings, moto: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    bucket = f"soundpost-{uuid.uuid4().hex[:12]}"
    own = create_app(
        settings.model_copy(
            update={
                "media_url": f"s3://{bucket}",
                "media_s3_endpoint": moto.endpoint,
                "media_s3_region": REGION,
            }
        )
    )
    client = moto.client()
    assert bucket not in {b["Name"] for b in client.list_buckets()["Buckets"]}
    store = own.state.media
    assert isinstance(store, S3Store) and store.bucket == bucket
    await open_media(store)  # as the lifespan does
    try:
        assert bucket in {b["Name"] for b in client.list_buckets()["Buckets"]}
        key, data = await a_rendition()
        await store.put(key, data, "image/jpeg")
        stored = client.get_object(Bucket=bucket, Key=key)
        assert stored["Body"].read() == data
        assert stored["CacheControl"] == "public, max-age=31536000, immutable"
        routes = {getattr(route, "path", None) for route in own.routes}
        assert "/media/{key}" not in routes  # the bucket serves its own files
    finally:
        close_media(store)
