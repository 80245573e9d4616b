"""Where photo renditions are stored: content-addressed files behind one small protocol.

A key is the sha256 hex of the bytes plus the rendition's extension (`key_for`), e.g.
`ab12…ef.jpg`: the same bytes always have the same key, so a put is idempotent, a stored
file never changes (a year of `immutable` caching is safe), and the key alone says its
content type. Only keys of that shape are accepted (`check_key`): no path, no traversal.

Two backends: `FileStore`, a directory served by the app itself (server/http/media.py), and
`S3Store`, any S3-protocol bucket (AWS, MinIO, moto in the tests). `store_for` picks one from
a MEDIA_URL (`file://<directory>` or `s3://<bucket>`)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

__all__ = [
    "CACHE_CONTROL",
    "CONTENT_TYPES",
    "FileStore",
    "S3Store",
    "Store",
    "check_key",
    "content_type",
    "is_key",
    "key_for",
    "store_for",
]

CONTENT_TYPES = {"jpg": "image/jpeg", "webp": "image/webp"}
KEY = re.compile(r"(?P<digest>[0-9a-f]{64})\.(?P<extension>jpg|webp)")
# A key's bytes never change: caches may keep them for a year without asking again.
CACHE_CONTROL = "public, max-age=31536000, immutable"
# S3's rule for bucket names (lowercase letters, digits, dots and hyphens; 3 to 63).
BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


class Store(Protocol):
    """Where renditions are kept, by key."""

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`; a key already stored is left as it is (stored once)."""

    async def exists(self, key: str) -> bool: ...

    async def get(self, key: str) -> bytes:
        """The bytes stored under `key` (KeyError when there are none)."""

    async def delete(self, key: str) -> None:
        """Remove `key`; no error when it is absent."""

    async def keys(self) -> list[str]:
        """Every stored key, sorted (for the sweep that deletes unreferenced files)."""

    def url(self, key: str) -> str:
        """The public URL of `key`."""


def is_key(key: object) -> bool:
    return isinstance(key, str) and KEY.fullmatch(key) is not None


def check_key(key: str) -> str:
    """`key` itself, or ValueError when it is not `<sha256 hex>.jpg` or `<sha256 hex>.webp`."""
    if not is_key(key):
        raise ValueError(f"not a media key (<sha256 hex>.jpg or .webp): {key!r}")
    return key


@lru_cache(maxsize=4096)
def checked_key(key: str) -> str:
    """`check_key`, remembered for the keys seen lately: a page of moments asks the URL of
    each photo and avatar (~40 a profile page), the same keys page after page."""
    return check_key(key)


def content_type(key: str) -> str:
    """The content type a key's extension says (ValueError for a malformed key)."""
    return CONTENT_TYPES[check_key(key).rpartition(".")[2]]


def key_for(data: bytes, extension: str) -> str:
    """The key of `data` as a rendition of that extension ("jpg" or "webp")."""
    if extension not in CONTENT_TYPES:
        raise ValueError(f"not a media extension: {extension!r}")
    return f"{hashlib.sha256(data).hexdigest()}.{extension}"


def _check_put(key: str, data: bytes, media_type: str) -> None:
    """A put must hold to the content addressing: the key is the data's digest, and the
    content type the one its extension says."""
    expected = content_type(key)
    if media_type != expected:
        raise ValueError(f"{key} is {expected}, not {media_type!r}")
    if hashlib.sha256(data).hexdigest() != key.partition(".")[0]:
        raise ValueError(f"{key} is not the sha256 of the data given")


# --- a directory -------------------------------------------------------------------------


class FileStore:
    """Files in one directory (created if missing), named by their keys. A file is written
    to a temporary file beside it, then renamed into place (`os.replace`): a reader sees the
    whole file or none, never a part."""

    def __init__(self, directory: Path, public_prefix: str = "/media/") -> None:
        self.directory = Path(directory)
        self.public_prefix = public_prefix
        self.directory.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.directory / check_key(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        _check_put(key, data, content_type)
        await asyncio.to_thread(self._write, self.path(key), data)

    def _write(self, path: Path, data: bytes) -> None:
        if path.exists():
            return  # the same key is the same bytes: stored once
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as output:
                output.write(data)
                output.flush()
                os.fsync(output.fileno())
            os.chmod(temporary, 0o644)  # public files (mkstemp makes them private)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path(key).is_file)

    async def get(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self.path(key).read_bytes)
        except FileNotFoundError:
            raise KeyError(key) from None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)

    async def keys(self) -> list[str]:
        """The keys stored (temporary files of writes under way are not keys)."""
        names = await asyncio.to_thread(os.listdir, self.directory)
        return sorted(name for name in names if is_key(name))

    def url(self, key: str) -> str:
        return self.public_prefix + checked_key(key)


# --- an S3 bucket ------------------------------------------------------------------------


class S3Store:
    """Objects in one S3-protocol bucket, through boto3's (blocking) client run in a worker
    thread. `ensure()` creates the bucket if it is missing; call it once at start."""

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        public_url: str | None = None,
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
        *,
        page_size: int = 1000,
    ) -> None:
        if not BUCKET.fullmatch(bucket):
            raise ValueError(f"not an S3 bucket name: {bucket!r}")
        self.bucket = bucket
        self.region = region
        self.page_size = page_size
        if public_url is None:
            public_url = (
                f"{endpoint_url.rstrip('/')}/{bucket}/"
                if endpoint_url
                else f"https://{bucket}.s3.{region}.amazonaws.com/"
            )
        self.public_url = public_url if public_url.endswith("/") else public_url + "/"
        # The credentials live in the client only (never in a repr or a log line).
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            # An endpoint of our own (MinIO, moto, an IP address) has no bucket subdomains.
            config=Config(s3={"addressing_style": "path"} if endpoint_url else {}),
        )

    async def ensure(self) -> None:
        """Create the bucket unless it exists already."""
        await asyncio.to_thread(self._ensure)

    def _ensure(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as error:
            if _status(error) != 404:
                raise
        options: dict[str, Any] = {}
        if self.region != "us-east-1":  # us-east-1 refuses its own name as a constraint
            options["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self.client.create_bucket(Bucket=self.bucket, **options)
        except ClientError as error:
            if _code(error) != "BucketAlreadyOwnedByYou":  # another process made it first
                raise

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        _check_put(key, data, content_type)
        if await self.exists(key):
            return  # the same key is the same bytes: stored once
        await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            CacheControl=CACHE_CONTROL,
        )

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._exists, check_key(key))

    def _exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _status(error) == 404:
                return False
            raise
        return True

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._get, check_key(key))

    def _get(self, key: str) -> bytes:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _code(error) == "NoSuchKey" or _status(error) == 404:
                raise KeyError(key) from None
            raise
        return bytes(found["Body"].read())

    async def delete(self, key: str) -> None:
        # S3 answers 204 for a key it does not have.
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=check_key(key))

    async def keys(self) -> list[str]:
        """The keys stored (objects of other names in the bucket are not keys)."""
        return await asyncio.to_thread(self._keys)

    def _keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, PaginationConfig={"PageSize": self.page_size}
        )
        found = [item["Key"] for page in pages for item in page.get("Contents", ())]
        return sorted(key for key in found if is_key(key))

    def url(self, key: str) -> str:
        return self.public_url + checked_key(key)

    def close(self) -> None:
        self.client.close()


def _status(error: ClientError) -> int | None:
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status is not None else None


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


# --- from a MEDIA_URL --------------------------------------------------------------------


def store_for(
    media_url: str,
    *,
    s3_endpoint: str | None = None,
    public_url: str | None = None,
    region: str = "us-east-1",
    access_key: str | None = None,
    secret_key: str | None = None,
) -> Store:
    """`file://<directory>` -> FileStore (served under `public_url`, else /media/);
    `s3://<bucket>` -> S3Store (call its `ensure()` before use). Anything else: ValueError."""
    scheme, separator, rest = media_url.partition("://")
    if separator and scheme == "file" and rest:
        return FileStore(Path(rest), public_url or "/media/")
    if separator and scheme == "s3" and BUCKET.fullmatch(rest):
        return S3Store(rest, s3_endpoint, public_url, region, access_key, secret_key)
    raise ValueError(
        f"MEDIA_URL must be file://<directory> or s3://<bucket> (an S3 bucket name), "
        f"not {media_url!r}"
    )
