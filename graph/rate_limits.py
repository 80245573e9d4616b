"""Rate limits: every operation's cost (graph/cost.py) is charged to a budget before it
executes, and one that would overdraw it is refused (RATE_LIMITED, HTTP 429).

Budgets are fixed windows counted in query cost points: one per account, one per IP for
anonymous requests, plus counted limits on signUp and logIn (the `limits` library's items).
Counted in this process's memory (graph/windows.py); in Redis (the BROADCAST_URL server,
through `limits`' store) when several workers must share one budget. When Redis is
unreachable, requests are let through (fail open) and a warning is logged: a Redis outage
must not take the API down, and the limits per operation (graph/limits.py) still apply.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from graphql import DocumentNode, GraphQLError
from limits import RateLimitItem, RateLimitItemPerSecond
from limits import parse as parse_limit
from limits.aio.storage import RedisStorage, Storage
from starlette.responses import Response
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionContext
from strawberry.types.graphql import OperationType

from graph.config import Config
from graph.context import Context
from graph.cost import root_field_inputs
from graph.windows import Windows

log = logging.getLogger("soundpost.limits")

# After a storage failure, skip the store for this long: a dead or black-holed Redis must
# not add a timeout to every request.
OUTAGE_BACKOFF_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 0.5
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


class Verdict(NamedTuple):
    """The state of one budget after a request was charged to it (a tuple, as
    graph/windows.py's `Charged`: made on every request)."""

    allowed: bool
    limit: int
    remaining: int | None  # None: the store was unreachable (not enforced)
    reset_at: float | None  # epoch seconds when the window restarts

    @property
    def retry_after(self) -> int:
        if self.reset_at is None:
            return 0
        return max(1, math.ceil(self.reset_at - time.time()))

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """`headers()` as a response's raw headers (names in lower case)."""
        if self.remaining is None or self.reset_at is None:
            return []
        raw = [
            (b"x-ratelimit-limit", b"%d" % self.limit),
            (b"x-ratelimit-remaining", b"%d" % self.remaining),
            (b"x-ratelimit-reset", b"%d" % math.ceil(self.reset_at)),
        ]
        if not self.allowed:
            raw.append((b"retry-after", b"%d" % self.retry_after))
        return raw

    def headers(self) -> dict[str, str]:
        """The X-RateLimit-* headers (and Retry-After when refused); none when the store was
        unreachable."""
        return {name.decode(): value.decode() for name, value in self.raw_headers()}


def storage_for(settings: Config) -> Storage | None:
    """The shared store of the budgets, when BROADCAST_URL names a Redis; else None: this
    process counts them (graph/windows.py)."""
    url = settings.broadcast_url
    if url.startswith(("redis://", "rediss://")):
        return RedisStorage(
            "async+" + url,
            implementation="redispy",
            key_prefix=f"{settings.rate_limit_key_prefix}:limits",
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
    return None


class RateLimits:
    """The budgets of one app (shared by its workers through Redis, when configured)."""

    def __init__(self, settings: Config) -> None:
        self.storage = storage_for(settings)
        self.windows = Windows()
        self.prefix = settings.rate_limit_key_prefix
        window = settings.rate_limit_window_seconds
        self.account = RateLimitItemPerSecond(settings.rate_limit_points, window)
        self.anonymous = RateLimitItemPerSecond(settings.rate_limit_anonymous_points, window)
        self.sign_up = parse_limit(settings.rate_limit_sign_up)
        self.log_in_username = parse_limit(settings.rate_limit_log_in_username)
        self.log_in_ip = parse_limit(settings.rate_limit_log_in_ip)
        self.uploads = parse_limit(settings.rate_limit_uploads)
        self.exports = parse_limit(settings.rate_limit_exports)
        self._down_until = 0.0
        self._suffixes: dict[RateLimitItem, str] = {}

    def key_for(self, item: RateLimitItem, *identifiers: str) -> str:
        """`item.key_for(prefix, *identifiers)`, its fixed part formatted once per item."""
        suffix = self._suffixes.get(item)
        if suffix is None:
            suffix = self._suffixes[item] = (
                f"{item.amount}/{item.multiples}/{item.GRANULARITY.name}"
            )
        return f"{item.namespace}/{self.prefix}/{'/'.join(identifiers)}/{suffix}"

    def cost_budget(self, viewer_id: int | None, ip: str) -> tuple[RateLimitItem, str, str]:
        if viewer_id is not None:
            return self.account, "account", str(viewer_id)
        return self.anonymous, "ip", ip

    async def charge(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> Verdict:
        """Deduct `cost` unless that would exceed the budget (then nothing is deducted)."""
        if self.storage is None:
            return self.charge_here(item, *identifiers, cost=cost)
        key = self.key_for(item, *identifiers)
        if time.monotonic() < self._down_until:
            return Verdict(True, item.amount, None, None)
        # A fixed window as the limiter's test, hit and get_window_stats count it, in three
        # calls to the store instead of their four (Redis: three round trips).
        try:
            count = await self.storage.get(key)
            allowed = cost <= 0 or count < item.amount - cost + 1
            if allowed and cost > 0:
                count = await self.storage.incr(key, item.get_expiry(), amount=cost)
                allowed = count <= item.amount
            reset_at = await self.storage.get_expiry(key)
        except Exception as error:  # any store failure: fail open, say so once in a while
            self._down_until = time.monotonic() + OUTAGE_BACKOFF_SECONDS
            log.warning("rate limits not enforced: the store is unreachable (%r)", error)
            return Verdict(True, item.amount, None, None)
        return Verdict(allowed, item.amount, max(0, item.amount - count), reset_at)

    def charge_here(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> Verdict:
        """`charge` when this process counts the budgets (no store: no await)."""
        key = self.key_for(item, *identifiers)
        charged = self.windows.charge(key, cost, item.amount, item.get_expiry())
        remaining = max(0, item.amount - charged.total)
        return Verdict(charged.allowed, item.amount, remaining, charged.reset_at)

    async def close(self) -> None:
        bridge = getattr(self.storage, "bridge", None)
        client = getattr(bridge, "storage", None)
        if client is not None and hasattr(client, "aclose"):
            try:
                await client.aclose()
            except Exception as error:  # closing a dead connection is not worth a failure
                log.debug("closing the rate-limit store failed: %r", error)


def rate_limited(message: str, verdict: Verdict) -> GraphQLError:
    return GraphQLError(
        message, extensions={"code": "RATE_LIMITED", "retryAfter": verdict.retry_after}
    )


class Budgets(SchemaExtension):
    """Charges the operation's cost (set by graph/limits.py's Limits) to the caller's
    budget, and signUp/logIn attempts to theirs, before anything executes; reports the cost
    in `extensions.cost` and the budget in X-RateLimit-* headers."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):  # a websocket's context may have run others
            context.cost = context.budget = None
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        if isinstance(ec.context, Context):
            operation = (ec.graphql_document, ec.operation_name, ec.variables)
            await charge(self.config, ec.context, ec.context.cost or 0, operation)
        yield

    def get_results(self) -> dict[str, Any]:
        return cost_report(self.config, self.execution_context)


async def charge(
    config: Config,
    context: Context,
    cost: int,
    operation: tuple[DocumentNode | None, str | None, dict[str, Any] | None],
    *,
    mutation: bool = True,
) -> None:
    """Charge an operation (its document, name and raw variables) to the caller's budgets
    (the context's; none without them): signUp, logIn and uploadPhoto attempts to theirs,
    then its cost; a refusal is raised (RATE_LIMITED), the X-RateLimit-* headers set either
    way. `mutation=False`: the caller knows it is a query (those attempts are mutations)."""
    rate_limits = context.rate_limits
    if rate_limits is None:
        return
    # the scope's (host, port), as `request.client` reads it without making an Address
    client = context.request.scope.get("client")
    ip = client[0] if client else "unknown"
    if mutation:
        await _charge_attempts(rate_limits, context, operation, ip)
    viewer = context.viewer
    budget, kind, who = rate_limits.cost_budget(viewer.id if viewer else None, ip)
    if rate_limits.storage is None:  # counted here: no coroutine to await
        verdict = rate_limits.charge_here(budget, kind, who, cost=cost)
    else:
        verdict = await rate_limits.charge(budget, kind, who, cost=cost)
    context.cost, context.budget = cost, verdict
    _set_headers(context, verdict)
    if not verdict.allowed:
        window = config.rate_limit_window_seconds
        message = (
            f"Rate limit exceeded: this query costs {cost} points and {verdict.remaining} "
            f"of your {verdict.limit} per {window} s are left; "
            f"try again in {verdict.retry_after} s."
        )
        _refuse(context, verdict, message)


async def _charge_attempts(
    rate_limits: RateLimits,
    context: Context,
    operation: tuple[DocumentNode | None, str | None, dict[str, Any] | None],
    ip: str,
) -> None:
    """signUp, logIn and uploadPhoto attempts, each to its own budget."""
    checks: list[tuple[RateLimitItem, tuple[str, ...], int, str]] = []
    if sign_ups := root_field_inputs(*operation, "signUp"):
        message = "Too many accounts created from your network: try again later."
        checks.append((rate_limits.sign_up, ("sign_up", ip), len(sign_ups), message))
    message = "Too many log-in attempts: try again later."
    for attempt in root_field_inputs(*operation, "logIn"):
        username = str(attempt.get("username") or "").strip().lower()
        # hashed: any text (a "/", a lone surrogate) makes a valid, bounded store key
        key = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        checks.append((rate_limits.log_in_username, ("log_in", key), 1, message))
        checks.append((rate_limits.log_in_ip, ("log_in_ip", ip), 1, message))
    uploads = root_field_inputs(*operation, "uploadPhoto")
    if uploads and context.viewer is not None:
        message = "Too many photos uploaded: try again later."
        who = str(context.viewer.id)
        checks.append((rate_limits.uploads, ("uploads", who), len(uploads), message))
    for item, identifiers, amount, message in checks:
        verdict = await rate_limits.charge(item, *identifiers, cost=amount)
        if not verdict.allowed:
            _refuse(context, verdict, message)


def _refuse(context: Context, verdict: Verdict, message: str) -> None:
    _set_headers(context, verdict)
    if isinstance(context.response, Response):
        context.response.status_code = 429
    raise rate_limited(message, verdict)


def cost_report(config: Config, ec: ExecutionContext) -> dict[str, Any]:
    """The response's `extensions.cost`: what the operation cost and what is left."""
    context = ec.context
    if not isinstance(context, Context) or context.cost is None:
        return {}
    return cost_report_of(config, context, ec.operation_type)


def cost_report_of(
    config: Config, context: Context, operation_type: OperationType
) -> dict[str, Any]:
    """`cost_report` for an operation of this type and context."""
    if not config.cost_in_response or context.cost is None:
        return {}
    if operation_type == OperationType.SUBSCRIPTION:
        return {}
    budget = context.budget
    reset_at = budget.reset_at if budget else None
    return {
        "cost": {
            "requested": context.cost,
            "remaining": budget.remaining if budget else None,
            "resetAt": _iso(reset_at) if reset_at is not None else None,
        }
    }


def _iso(epoch: float) -> str:
    return _iso_second(round(epoch))


@lru_cache(maxsize=256)
def _iso_second(epoch: int) -> str:
    # a window's reset time is the same for every request charged in it: formatted once
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def _set_headers(context: Context, verdict: Verdict) -> None:
    response = context.response
    if isinstance(response, Response):  # not a websocket
        set_raw_headers(response.raw_headers, verdict.raw_headers())


def set_raw_headers(raw: list[tuple[bytes, bytes]], headers: list[tuple[bytes, bytes]]) -> None:
    """`MutableHeaders.update` on a response's raw headers, without its scans per header:
    a name set already takes the new value at its first place (its others dropped), a new
    one is appended."""
    if not raw:  # the usual case: a fresh response
        raw.extend(headers)
        return
    new = dict(headers)
    kept, placed = [], set()
    for name, value in raw:
        if name not in new:
            kept.append((name, value))
        elif name not in placed:  # the first one takes the new value in its place
            kept.append((name, new[name]))
            placed.add(name)
    kept.extend((name, value) for name, value in new.items() if name not in placed)
    raw[:] = kept
