"""The optional link resolver (LINK_RESOLVER_URL): a service answering as song.link's
(Odesli's) API does, `GET <base>?url=<link>` ->
`{"linksByPlatform": {"spotify": {"url": ...}, "appleMusic": {"url": ...}, ...},
"entitiesByUniqueId": {...}}`, which fills a track's links on the other services.

Off unless configured: nothing here calls out by itself. When on, a mutation that gave a
track a link hands it to the resolver after its commit (`Discover`); the resolver asks in
a task of its own and the mutation answers without waiting. At most `concurrency` asks at
once, `max_pending` waiting (more are dropped, logged), one at a time per track, each
within `timeout` seconds and `MAX_ANSWER_BYTES`. Every link of an answer goes through
resolvers/links.py like a member's: what it cannot read (another service, an album, not a
link) is dropped; an ISRC (in an entity's `isrc`, which song.link itself does not send but
compatible services may) is kept when valid. What is found goes to `tracks.fill`: links on
services the track has none on yet, a link on another track left there. Every failure (the
service down, slow, answering garbage, the database) is logged, never raised."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from resolvers import tracks
from resolvers.errors import InputError
from resolvers.links import Link, clean_isrc, parse

log = logging.getLogger("soundpost.links")

# What a mutation hands over after its commit: (track id, a link the track gained).
Discover = Callable[[int, str], None]
MAX_ANSWER_BYTES = 1_000_000
# An answer's entries looked at (song.link answers about twenty).
MAX_ENTRIES = 100
HEADERS = {"User-Agent": "Soundpost/0.1 (links of a shared song)", "Accept": "application/json"}


def discover_nothing(track_id: int, url: str) -> None:
    """No link resolver configured."""


class ResolverError(Exception):
    """The resolver's answer could not be used."""


@dataclass(frozen=True)
class Found:
    links: list[Link] = field(default_factory=list)
    isrc: str | None = None


def read_answer(body: bytes) -> Found:
    """What an answer names: each entry of `linksByPlatform` that is a song's link we read
    (in canonical form, each once, in the answer's order), and the first valid ISRC of
    `entitiesByUniqueId`. An answer that is not a JSON object is a ResolverError."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise ResolverError(f"not JSON: {error}") from None
    if not isinstance(data, dict):
        raise ResolverError(f"not a JSON object but {type(data).__name__}")
    links: list[Link] = []
    for entry in _entries(data.get("linksByPlatform")):
        url = entry.get("url")
        link = parse(url) if isinstance(url, str) else None
        if link is not None and link not in links:
            links.append(link)
    isrcs = (_isrc(entity.get("isrc")) for entity in _entries(data.get("entitiesByUniqueId")))
    return Found(links, next((isrc for isrc in isrcs if isrc), None))


def _entries(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, dict):
        return []
    return [entry for entry in list(value.values())[:MAX_ENTRIES] if isinstance(entry, dict)]


def _isrc(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return clean_isrc(value, "isrc")
    except InputError:
        return None


class LinkResolver:
    """The resolver of one process (server/app.py makes it from the settings and closes
    it). Called as a `Discover`."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        concurrency: int = 4,
        max_pending: int = 1000,
    ) -> None:
        self.base_url = httpx.URL(base_url)
        self.timeout = timeout
        self.max_pending = max_pending
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._tracks: set[int] = set()  # tracks being resolved
        self._client: httpx.AsyncClient | None = None

    def __call__(self, track_id: int, url: str) -> None:
        if track_id in self._tracks:
            return
        if len(self._tasks) >= self.max_pending:
            log.warning("link resolver busy: %s of track %s not resolved", url, track_id)
            return
        self._tracks.add(track_id)
        task = asyncio.create_task(self._resolve(track_id, url))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _resolve(self, track_id: int, url: str) -> None:
        try:
            async with self._slots:
                found = await self.ask(url)
                added = await tracks.fill(track_id, found.links, found.isrc)
            log.info("link resolver: %d link(s) added to track %s", len(added), track_id)
        except (httpx.HTTPError, TimeoutError, ResolverError) as error:
            log.warning("link resolver: %s of track %s: %r", url, track_id, error)
        except Exception:
            log.exception("link resolver: %s of track %s failed", url, track_id)
        finally:
            self._tracks.discard(track_id)

    async def ask(self, url: str) -> Found:
        """What the resolver says of `url` (a ResolverError, an httpx error or a
        TimeoutError when it says nothing usable in time)."""
        if self._client is None:
            self._client = httpx.AsyncClient(
                headers=HEADERS, timeout=self.timeout, follow_redirects=False, trust_env=False
            )
        address = self.base_url.copy_merge_params({"url": url})
        async with asyncio.timeout(self.timeout):
            async with self._client.stream("GET", address) as response:
                response.raise_for_status()
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_ANSWER_BYTES:
                        raise ResolverError(f"answer over {MAX_ANSWER_BYTES} bytes")
        return read_answer(bytes(body))

    async def drain(self) -> None:
        """Wait until every resolution asked so far is done (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        """Stop what is under way and close the connections."""
        for task in self._tasks:
            task.cancel()
        await self.drain()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
