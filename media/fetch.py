"""A picture fetched from a link, for a post made from a link instead of an upload (issue 13).

An INSTAGRAM link is a post's page (`instagram.com/p/<code>` or `/reel/<code>`, its shape
checked by the caller): the picture is the one its `og:image` names. A WEB link is the
picture itself when its bytes are one, or a page that names one (`og:image`, then the
properties in `pages.PICTURE_PROPERTIES`), resolved against the page's URL. What a body is
comes from its magic numbers, never from its Content-Type alone; a GIF passes as a picture
here only so that the pipeline refuses it (UNSUPPORTED_MEDIA) with everything else it does
not take. A page is read up to its first `PAGE_MAX_BYTES`: its head is all that matters.

The links are other people's, so every step is bounded: `FetchLimits.timeout` to connect
and between bytes, `FetchLimits.deadline` for the whole fetch (a server that drips a byte
at a time cannot keep it), `max_redirects` per URL fetched, each followed here so that each
hop is checked, and at most `max_bytes` of a picture, counted as it streams and cut off
there (or refused before any is read when Content-Length says more). Only http and https,
and only public addresses, checked where the connection is made (media/network.py).

Every refusal is a `FetchError` whose message may be shown to the person who sent the
link: it names no address but the link they sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Literal

import httpx

from media.images import sniff
from media.network import AddressRefused, GuardedNetwork, GuardedTransport, NameNotFound
from media.pages import named_picture

__all__ = ["FetchError", "FetchLimits", "fetch_picture"]

Source = Literal["INSTAGRAM", "WEB"]
FetchCode = Literal["UNREACHABLE", "TOO_LARGE", "UNSUPPORTED_MEDIA", "INVALID"]

PAGE_MAX_BYTES = 1_000_000
# Enough of a body to tell a picture by its magic numbers (HEIF's brand ends at byte 12).
HEAD_BYTES = 32
REDIRECTS = frozenset({301, 302, 303, 307, 308})
HEADERS = {
    "User-Agent": "Soundpost/0.1 (fetches the picture of a shared link)",
    "Accept": "image/jpeg,image/png,image/webp,image/heic,image/*;q=0.8,text/html;q=0.7",
    # What is counted against `max_bytes` is then what arrives, not a compressed promise.
    "Accept-Encoding": "identity",
}
PAGE_TYPES = ("text/html", "application/xhtml+xml")
PAGE_STARTS = (b"<!doctype html", b"<html", b"<head", b"<meta", b"<!--")
WEB_SCHEMES = ("http", "https")


class FetchError(Exception):
    """A link whose picture could not be had, with a code for clients and a message for
    people."""

    def __init__(self, code: FetchCode, message: str) -> None:
        super().__init__(message)
        self.code: FetchCode = code
        self.message = message

    def __repr__(self) -> str:
        return f"FetchError({self.code!r}, {self.message!r})"


@dataclass(frozen=True)
class FetchLimits:
    """`allow_hosts` skip the public-address check (exact names or addresses, as written
    in URLs): for tests and local setups (MEDIA_FETCH_ALLOW_HOSTS)."""

    max_bytes: int
    timeout: float = 5.0
    deadline: float = 15.0
    max_redirects: int = 3
    allow_hosts: frozenset[str] = frozenset()


async def fetch_picture(
    url: str, source: Source, limits: FetchLimits, *, network: GuardedNetwork | None = None
) -> bytes:
    """The bytes of the picture `url` is or names (see the module), or a `FetchError`.
    `network` is for tests; by default, a `GuardedNetwork` with `limits.allow_hosts`."""
    link = _link(url)
    client = httpx.AsyncClient(
        transport=GuardedTransport(network or GuardedNetwork(limits.allow_hosts)),
        headers=HEADERS,
        timeout=limits.timeout,
        follow_redirects=False,
        trust_env=False,
    )
    with _as_fetch_errors():
        async with asyncio.timeout(limits.deadline), client:
            if source == "INSTAGRAM":
                return await _named_by_page(client, link, limits)
            return await _picture_or_named(client, link, limits)


async def _named_by_page(client: httpx.AsyncClient, url: httpx.URL, limits: FetchLimits) -> bytes:
    async with _answer(client, url, limits) as response:
        picture = await _named(_Body(response))
    return await _picture(client, picture, limits)


async def _picture_or_named(
    client: httpx.AsyncClient, url: httpx.URL, limits: FetchLimits
) -> bytes:
    async with _answer(client, url, limits) as response:
        is_page_type = _content_type(response) in PAGE_TYPES
        if not is_page_type:
            _refuse_declared_size(response, limits)
        body = _Body(response)
        head = await body.read_to(HEAD_BYTES)
        if _is_picture(head):
            return await _rest_of_picture(body, limits)
        if not (is_page_type or head.lstrip().lower().startswith(PAGE_STARTS)):
            raise FetchError(
                "UNSUPPORTED_MEDIA", "The link is neither a picture nor a page that names one."
            )
        picture = await _named(body)
    return await _picture(client, picture, limits)


async def _picture(client: httpx.AsyncClient, url: httpx.URL, limits: FetchLimits) -> bytes:
    """The picture a page names: its bytes must be one."""
    async with _answer(client, url, limits) as response:
        _refuse_declared_size(response, limits)
        body = _Body(response)
        if not _is_picture(await body.read_to(HEAD_BYTES)):
            raise FetchError(
                "UNSUPPORTED_MEDIA", "The picture the page names is not an image file."
            )
        return await _rest_of_picture(body, limits)


@asynccontextmanager
async def _answer(
    client: httpx.AsyncClient, url: httpx.URL, limits: FetchLimits
) -> AsyncIterator[httpx.Response]:
    """The successful answer to GET `url`, its body not read yet, after at most
    `max_redirects` redirects."""
    for _ in range(limits.max_redirects + 1):
        response = await client.send(client.build_request("GET", url), stream=True)
        try:
            location = response.headers.get("location")
            if response.status_code in REDIRECTS and location:
                url = _next(response.url, location)
                continue
            if not response.is_success:
                raise FetchError(
                    "UNREACHABLE", f"The link's server answered HTTP {response.status_code}."
                )
            yield response
            return
        finally:
            await response.aclose()
    raise FetchError("UNREACHABLE", f"The link redirects more than {limits.max_redirects} times.")


class _Body:
    """A response's body, read only as far as asked: the rest is never read."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._chunks = response.aiter_bytes()
        self._data = bytearray()
        self._ended = False

    async def read_to(self, size: int) -> bytes:
        """At least the body's first `size` bytes (a chunk may bring more), or all of it."""
        while len(self._data) < size and not self._ended:
            try:
                self._data += await anext(self._chunks)
            except StopAsyncIteration:
                self._ended = True
        return bytes(self._data)


async def _rest_of_picture(body: _Body, limits: FetchLimits) -> bytes:
    data = await body.read_to(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise _too_large(limits)
    return data


async def _named(page: _Body) -> httpx.URL:
    """The URL of the picture the page names, against the page's own URL."""
    data = (await page.read_to(PAGE_MAX_BYTES))[:PAGE_MAX_BYTES]
    try:
        text = data.decode(page.response.charset_encoding or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know: URLs are ASCII anyway
        text = data.decode("utf-8", errors="replace")
    link = named_picture(text)
    if link is None:
        raise FetchError("UNREACHABLE", "The page names no picture (it has no og:image).")
    return _next(page.response.url, link)


def _link(url: str) -> httpx.URL:
    """The URL a person sent, if it is a web link."""
    try:
        link = httpx.URL(url.strip())
    except httpx.InvalidURL:
        raise FetchError("INVALID", "That is not a valid link.") from None
    if link.scheme not in WEB_SCHEMES or not link.host:
        raise FetchError("INVALID", "Only web links (http or https) can be fetched.")
    return link.copy_with(fragment=None)


def _next(base: httpx.URL, location: str) -> httpx.URL:
    """Where a redirect or a page leads, `location` against `base`, if it is a web link."""
    try:
        url = base.join(location.strip())
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in WEB_SCHEMES or not url.host:
        raise _leads_nowhere()
    return url.copy_with(fragment=None)


def _leads_nowhere() -> FetchError:
    return FetchError("UNREACHABLE", "The link leads on to something that is not a web link.")


def _is_picture(head: bytes) -> bool:
    return sniff(head) is not None or head.startswith((b"GIF87a", b"GIF89a"))


def _content_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").partition(";")[0].strip().lower()


def _refuse_declared_size(response: httpx.Response, limits: FetchLimits) -> None:
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise _too_large(limits)


def _too_large(limits: FetchLimits) -> FetchError:
    return FetchError(
        "TOO_LARGE", f"The picture is larger than the {limits.max_bytes:,} bytes accepted."
    )


@contextmanager
def _as_fetch_errors() -> Iterator[None]:
    try:
        yield
    except AddressRefused as error:
        raise FetchError(
            "UNREACHABLE",
            "The link leads to a private or reserved network address: only public web "
            "servers are fetched.",
        ) from error
    except httpx.InvalidURL as error:  # httpx reads every redirect's Location, followed or not
        raise _leads_nowhere() from error
    except NameNotFound as error:
        raise FetchError(
            "UNREACHABLE", "The link leads to a server name that does not exist."
        ) from error
    except (httpx.TimeoutException, TimeoutError) as error:  # TimeoutError: the deadline
        raise FetchError("UNREACHABLE", "The link's server took too long to answer.") from error
    except httpx.HTTPError as error:
        raise FetchError(
            "UNREACHABLE", "The link's server could not be reached, or broke off its answer."
        ) from error
