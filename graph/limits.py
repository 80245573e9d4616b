"""Rate limits (the `limits` library) and the request body size limit.

Budgets are fixed windows counted in query cost points (graph/cost.py): one per account, one
per IP for anonymous requests, plus counted limits on signUp and logIn. Memory storage in one
process; Redis (the BROADCAST_URL server) when several workers must share one budget. When the
store is unreachable, requests are let through (fail open) and a warning is logged: a Redis
outage must not take the API down, and the cost limit per query still applies.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable
from dataclasses import dataclass

import orjson
from limits import RateLimitItem, RateLimitItemPerSecond
from limits import parse as parse_limit
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.settings import Settings

log = logging.getLogger("soundpost.limits")

# After a storage failure, skip the store for this long: a dead or black-holed Redis must
# not add a timeout to every request.
OUTAGE_BACKOFF_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 0.5
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@dataclass(frozen=True)
class Verdict:
    """The state of one budget after a request was charged to it."""

    allowed: bool
    limit: int
    remaining: int | None  # None: the store was unreachable (not enforced)
    reset_at: float | None  # epoch seconds when the window restarts

    @property
    def retry_after(self) -> int:
        if self.reset_at is None:
            return 0
        return max(1, math.ceil(self.reset_at - time.time()))

    def headers(self) -> dict[str, str]:
        if self.remaining is None or self.reset_at is None:
            return {}
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


def storage_for(settings: Settings) -> Storage:
    url = settings.broadcast_url
    if url.startswith(("redis://", "rediss://")):
        return RedisStorage(
            "async+" + url,
            implementation="redispy",
            key_prefix=f"{settings.rate_limit_key_prefix}:limits",
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
    return MemoryStorage()


class RateLimits:
    """The budgets of one app (shared by its workers through Redis, when configured)."""

    def __init__(self, settings: Settings) -> None:
        self.storage = storage_for(settings)
        self.limiter = FixedWindowRateLimiter(self.storage)
        self.prefix = settings.rate_limit_key_prefix
        window = settings.rate_limit_window_seconds
        self.account = RateLimitItemPerSecond(settings.rate_limit_points, window)
        self.anonymous = RateLimitItemPerSecond(settings.rate_limit_anonymous_points, window)
        self.sign_up = parse_limit(settings.rate_limit_sign_up)
        self.log_in_username = parse_limit(settings.rate_limit_log_in_username)
        self.log_in_ip = parse_limit(settings.rate_limit_log_in_ip)
        self._down_until = 0.0

    def cost_budget(self, viewer_id: int | None, ip: str) -> tuple[RateLimitItem, str, str]:
        if viewer_id is not None:
            return self.account, "account", str(viewer_id)
        return self.anonymous, "ip", ip

    async def charge(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> Verdict:
        """Deduct `cost` unless that would exceed the budget (then nothing is deducted)."""
        keys = (self.prefix, *identifiers)
        if time.monotonic() < self._down_until:
            return Verdict(True, item.amount, None, None)
        try:
            allowed = cost <= 0 or await self.limiter.test(item, *keys, cost=cost)
            if allowed and cost > 0:
                allowed = await self.limiter.hit(item, *keys, cost=cost)
            stats = await self.limiter.get_window_stats(item, *keys)
        except Exception as error:  # any store failure: fail open, say so once in a while
            self._down_until = time.monotonic() + OUTAGE_BACKOFF_SECONDS
            log.warning("rate limits not enforced: the store is unreachable (%r)", error)
            return Verdict(True, item.amount, None, None)
        return Verdict(allowed, item.amount, stats.remaining, stats.reset_time)

    async def close(self) -> None:
        bridge = getattr(self.storage, "bridge", None)
        client = getattr(bridge, "storage", None)
        if client is not None and hasattr(client, "aclose"):
            try:
                await client.aclose()
            except Exception as error:  # closing a dead connection is not worth a failure
                log.debug("closing the rate-limit store failed: %r", error)


class BodySizeLimit:
    """Answers 413 to an HTTP request whose body is larger than `max_bytes`, from its
    Content-Length before reading it, or as soon as a streamed body grows past the limit.
    A client that leaves before its body is in (a phone losing its network mid-upload)
    ends the request quietly: nobody is there to answer, and it is not the app's error
    (uvicorn logged each as "Exception in ASGI application" with a traceback)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine itself, for the same reason as SecurityHeadersMiddleware's.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        return self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await self._refuse(send)
        except ClientDisconnect:
            if started:
                raise

    async def _refuse(self, send: Send) -> None:
        body = orjson.dumps(
            {
                "errors": [
                    {
                        "message": f"The request body is larger than {self.max_bytes} bytes.",
                        "extensions": {"code": "PAYLOAD_TOO_LARGE", "maxBytes": self.max_bytes},
                    }
                ]
            }
        )
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
