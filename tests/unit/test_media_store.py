"""media/store.py's contract, the same for both backends: a FileStore in a temporary
directory, and an S3Store against moto's S3 server in a process of its own
(tests/support/s3.py), over HTTP with the real boto3 client."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from media.store import (
    CACHE_CONTROL,
    FileStore,
    S3Store,
    Store,
    check_key,
    content_type,
    key_for,
    store_for,
)
from tests.support.s3 import ACCESS_KEY, REGION, SECRET_KEY, MotoServer, moto_server

JPEG = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes \x00\x01\x02"
WEBP = b"RIFF\x00\x00\x00\x00WEBP other bytes"
JPEG_KEY = hashlib.sha256(JPEG).hexdigest() + ".jpg"
WEBP_KEY = hashlib.sha256(WEBP).hexdigest() + ".webp"
DIGEST = "a" * 64

REFUSED = [
    "",
    DIGEST,  # no extension
    f"{DIGEST}.png",
    f"{DIGEST}.JPG",
    f"{'A' * 64}.jpg",  # upper-case hex
    f"{'a' * 63}.jpg",
    f"{'a' * 65}.jpg",
    f"{DIGEST}.jpg\n",
    f"../{DIGEST}.jpg",
    f"x/{DIGEST}.jpg",
    f"/{DIGEST}.jpg",
    "../../etc/passwd",
    f"{'g' * 64}.jpg",
]


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with moto_server() as server:
        yield server


def s3_store(moto: MotoServer, bucket: str, **options: Any) -> S3Store:
    return S3Store(
        bucket,
        endpoint_url=moto.endpoint,
        public_url=f"{moto.endpoint}/{bucket}/",
        region=REGION,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        **options,
    )


def new_bucket() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture(params=["file", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "file":
        yield FileStore(tmp_path / "media")
        return
    s3 = s3_store(request.getfixturevalue("moto"), new_bucket())
    await s3.ensure()
    try:
        yield s3
    finally:
        s3.close()


def prefix_of(store: Store) -> str:
    if isinstance(store, FileStore):
        return store.public_prefix
    assert isinstance(store, S3Store)
    return store.public_url


# --- the contract --------------------------------------------------------------------------


async def test_an_empty_store_has_no_keys(store: Store) -> None:
    assert await store.keys() == []
    assert await store.exists(JPEG_KEY) is False


async def test_put_then_exists_and_listed(store: Store) -> None:
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    assert await store.exists(JPEG_KEY) is True
    assert await store.exists(WEBP_KEY) is False
    assert await store.keys() == [JPEG_KEY]


async def test_keys_are_sorted_and_both_extensions_kept(store: Store) -> None:
    await store.put(WEBP_KEY, WEBP, "image/webp")
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    assert await store.keys() == sorted([JPEG_KEY, WEBP_KEY])


async def test_putting_the_same_key_twice_keeps_one(store: Store) -> None:
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    assert await store.keys() == [JPEG_KEY]
    assert await store.exists(JPEG_KEY) is True


async def test_concurrent_puts_of_one_key_keep_one(store: Store) -> None:
    await asyncio.gather(*(store.put(JPEG_KEY, JPEG, "image/jpeg") for _ in range(4)))
    assert await store.keys() == [JPEG_KEY]
    if isinstance(store, FileStore):
        assert os.listdir(store.directory) == [JPEG_KEY]  # no temporary file left
        assert (store.directory / JPEG_KEY).read_bytes() == JPEG


async def test_delete_removes_only_that_key(store: Store) -> None:
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    await store.put(WEBP_KEY, WEBP, "image/webp")
    await store.delete(JPEG_KEY)
    assert await store.exists(JPEG_KEY) is False
    assert await store.keys() == [WEBP_KEY]


async def test_deleting_an_absent_key_is_no_error(store: Store) -> None:
    await store.delete(JPEG_KEY)
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    await store.delete(JPEG_KEY)
    await store.delete(JPEG_KEY)
    assert await store.keys() == []


async def test_get_gives_the_stored_bytes(store: Store) -> None:
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    assert await store.get(JPEG_KEY) == JPEG


async def test_get_of_an_absent_key_is_a_key_error(store: Store) -> None:
    with pytest.raises(KeyError):
        await store.get(JPEG_KEY)
    with pytest.raises(ValueError, match="not a media key"):
        await store.get("../secrets.jpg")


async def test_a_deleted_key_can_be_put_again(store: Store) -> None:
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    await store.delete(JPEG_KEY)
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    assert await store.keys() == [JPEG_KEY]


async def test_url_is_the_public_prefix_and_the_key(store: Store) -> None:
    assert store.url(JPEG_KEY) == prefix_of(store) + JPEG_KEY


@pytest.mark.parametrize("key", REFUSED)
async def test_malformed_keys_are_refused(store: Store, key: str) -> None:
    with pytest.raises(ValueError, match="not a media key"):
        await store.put(key, JPEG, "image/jpeg")
    with pytest.raises(ValueError, match="not a media key"):
        await store.exists(key)
    with pytest.raises(ValueError, match="not a media key"):
        await store.delete(key)
    with pytest.raises(ValueError, match="not a media key"):
        store.url(key)
    assert await store.keys() == []


async def test_a_key_must_be_the_digest_of_its_bytes(store: Store) -> None:
    with pytest.raises(ValueError, match="is not the sha256 of the data given"):
        await store.put(JPEG_KEY, JPEG + b"!", "image/jpeg")
    assert await store.keys() == []


async def test_the_content_type_must_be_the_extensions(store: Store) -> None:
    with pytest.raises(ValueError, match=r"is image/jpeg, not 'image/webp'"):
        await store.put(JPEG_KEY, JPEG, "image/webp")
    with pytest.raises(ValueError, match=r"is image/webp, not 'image/jpeg'"):
        await store.put(WEBP_KEY, WEBP, "image/jpeg")
    assert await store.keys() == []


# --- keys ----------------------------------------------------------------------------------


def test_key_for_is_the_digest_and_the_extension() -> None:
    assert key_for(JPEG, "jpg") == JPEG_KEY
    assert key_for(WEBP, "webp") == WEBP_KEY
    with pytest.raises(ValueError, match="not a media extension: 'png'"):
        key_for(JPEG, "png")


def test_content_type_is_the_extensions() -> None:
    assert content_type(JPEG_KEY) == "image/jpeg"
    assert content_type(WEBP_KEY) == "image/webp"
    assert check_key(JPEG_KEY) == JPEG_KEY
    with pytest.raises(ValueError, match="not a media key"):
        content_type(f"{DIGEST}.png")


# --- a directory ---------------------------------------------------------------------------


async def test_file_store_creates_its_directory_and_writes_the_bytes(tmp_path: Path) -> None:
    directory = tmp_path / "a" / "b"
    store = FileStore(directory)
    assert directory.is_dir()
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    assert (directory / JPEG_KEY).read_bytes() == JPEG
    assert os.listdir(directory) == [JPEG_KEY]  # no temporary file left
    assert (directory / JPEG_KEY).stat().st_mode & 0o777 == 0o644
    assert store.url(JPEG_KEY) == f"/media/{JPEG_KEY}"
    assert FileStore(directory, "https://cdn.example/p/").url(JPEG_KEY) == (
        f"https://cdn.example/p/{JPEG_KEY}"
    )


async def test_file_store_writes_a_key_once(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    before = (tmp_path / JPEG_KEY).stat()
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    after = (tmp_path / JPEG_KEY).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


async def test_file_store_leaves_nothing_of_a_failed_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FileStore(tmp_path)

    def failing_replace(source: str, destination: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        await store.put(JPEG_KEY, JPEG, "image/jpeg")
    assert os.listdir(tmp_path) == []


async def test_file_store_lists_keys_only(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    (tmp_path / ".abc.part").write_bytes(b"half")  # a write under way
    (tmp_path / "README").write_text("not a key")
    assert await store.keys() == [JPEG_KEY]


# --- an S3 bucket --------------------------------------------------------------------------


async def test_s3_objects_carry_their_type_and_cache_control(moto: MotoServer) -> None:
    bucket = new_bucket()
    store = s3_store(moto, bucket)
    await store.ensure()
    await store.put(WEBP_KEY, WEBP, "image/webp")
    client = moto.client()
    stored = client.get_object(Bucket=bucket, Key=WEBP_KEY)
    assert stored["Body"].read() == WEBP
    assert stored["ContentType"] == "image/webp"
    assert stored["CacheControl"] == CACHE_CONTROL
    # and its URL is the object's: readable by anyone once the object is public (a bucket
    # policy's or a CDN's business, not the store's)
    client.put_object_acl(Bucket=bucket, Key=WEBP_KEY, ACL="public-read")
    async with httpx.AsyncClient() as http:
        response = await http.get(store.url(WEBP_KEY))
    assert (response.status_code, response.content) == (200, WEBP)
    client.close()
    store.close()


async def test_s3_writes_a_key_once(moto: MotoServer) -> None:
    bucket = new_bucket()
    store = s3_store(moto, bucket)
    await store.ensure()
    client = moto.client()
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    await store.put(JPEG_KEY, JPEG, "image/jpeg")
    versions = client.list_object_versions(Bucket=bucket)["Versions"]
    assert [version["Key"] for version in versions] == [JPEG_KEY]
    client.close()
    store.close()


async def test_s3_ensure_creates_the_bucket_once(moto: MotoServer) -> None:
    bucket = new_bucket()
    client = moto.client()
    store = s3_store(moto, bucket)
    await store.ensure()
    await store.ensure()
    names = [entry["Name"] for entry in client.list_buckets()["Buckets"]]
    assert names.count(bucket) == 1
    client.close()
    store.close()


async def test_s3_ensure_in_another_region(moto: MotoServer) -> None:
    bucket = new_bucket()
    store = S3Store(bucket, moto.endpoint, None, "eu-west-1", ACCESS_KEY, SECRET_KEY)
    await store.ensure()
    client = moto.client()
    location = client.get_bucket_location(Bucket=bucket)["LocationConstraint"]
    assert location == "eu-west-1"
    assert store.url(JPEG_KEY) == f"{moto.endpoint}/{bucket}/{JPEG_KEY}"
    client.close()
    store.close()


async def test_s3_keys_read_every_page(moto: MotoServer) -> None:
    bucket = new_bucket()
    store = s3_store(moto, bucket, page_size=2)
    await store.ensure()
    blobs = [f"photo {n}".encode() for n in range(5)]
    for blob in blobs:
        await store.put(key_for(blob, "jpg"), blob, "image/jpeg")
    client = moto.client()
    client.put_object(Bucket=bucket, Key="not-a-key.txt", Body=b"x")
    assert await store.keys() == sorted(key_for(blob, "jpg") for blob in blobs)
    client.close()
    store.close()


# --- from a MEDIA_URL ----------------------------------------------------------------------


def test_store_for_a_directory(tmp_path: Path) -> None:
    store = store_for(f"file://{tmp_path}/media", s3_endpoint=None, public_url=None)
    assert isinstance(store, FileStore)
    assert store.directory == tmp_path / "media"
    assert store.url(JPEG_KEY) == f"/media/{JPEG_KEY}"
    other = store_for(f"file://{tmp_path}", s3_endpoint=None, public_url="/files/")
    assert other.url(JPEG_KEY) == f"/files/{JPEG_KEY}"


def test_store_for_a_bucket() -> None:
    store = store_for(
        "s3://photos",
        s3_endpoint="http://127.0.0.1:9",
        public_url="https://cdn.example/photos",
        access_key="a",
        secret_key="b",
    )
    assert isinstance(store, S3Store)
    assert store.bucket == "photos"
    assert store.url(JPEG_KEY) == f"https://cdn.example/photos/{JPEG_KEY}"
    store.close()
    derived = store_for("s3://photos", s3_endpoint="http://127.0.0.1:9/", public_url=None)
    assert derived.url(JPEG_KEY) == f"http://127.0.0.1:9/photos/{JPEG_KEY}"
    aws = store_for("s3://photos", s3_endpoint=None, public_url=None, region="eu-west-1")
    assert aws.url(JPEG_KEY) == f"https://photos.s3.eu-west-1.amazonaws.com/{JPEG_KEY}"
    for made in (derived, aws):
        assert isinstance(made, S3Store)
        made.close()


@pytest.mark.parametrize(
    "url",
    [
        "",
        "file://",
        "s3://",
        "s3://a",
        "s3://Photos",
        "s3://photos/prefix",
        "/var/media",
        "http://example.com/media",
        "memory://",
    ],
)
def test_store_for_anything_else_is_refused(url: str) -> None:
    with pytest.raises(ValueError) as refused:
        store_for(url, s3_endpoint=None, public_url=None)
    assert str(refused.value) == (
        f"MEDIA_URL must be file://<directory> or s3://<bucket> (an S3 bucket name), not {url!r}"
    )
