"""Accounts and bearer tokens. Passwords are argon2-hashed; tokens are random and only
their SHA-256 is stored, so a database leak does not leak usable tokens."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import AccessToken, User
from resolvers.batch import Joined, Params
from resolvers.errors import Code, Collector, problem
from resolvers.validate import clean_text, clean_username, lookup_username, strip_controls
from subscriptions.events import Publish, RevokeMessage, publish_nothing

MIN_PASSWORD = 8
MAX_PASSWORD = 256
_hasher = PasswordHasher()
# Verified against when the username does not exist, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


# Every column of the user, and the token's expiry (compared in Python: the databases store
# times differently, and a converted row compares alike on both).
_USER_OF_TOKEN = (
    "SELECT "
    + ", ".join(f'u."{column}"' for column in User._meta.fields_db_projection.values())
    + ', t.expires_at AS "token_expires_at" FROM access_tokens t JOIN users u ON u.id = t.user_id'
)
_expires_at = AccessToken._meta.fields_map["expires_at"]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_password(password: str) -> str:
    """Control characters are dropped, the same way at sign-up and log-in (nothing else is
    changed: spaces count)."""
    return strip_controls(password[: MAX_PASSWORD * 4])


def _check_password(password: str) -> str:
    password = clean_password(password)
    if len(password) < MIN_PASSWORD:
        raise problem("password", f"Must be at least {MIN_PASSWORD} characters.", Code.TOO_SHORT)
    if len(password) > MAX_PASSWORD:
        raise problem("password", f"Must be at most {MAX_PASSWORD} characters.", Code.TOO_LONG)
    return password


async def _issue_token(user: User, ttl: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    await AccessToken.create(
        user=user, token_hash=hash_token(token), expires_at=datetime.now(UTC) + ttl
    )
    return token


async def sign_up(
    username: str, password: str, display_name: str | None, ttl: timedelta
) -> tuple[User, str]:
    errors = Collector()
    name = errors.check(clean_username, username)
    secret = errors.check(_check_password, password)
    shown = errors.check(clean_text, display_name, "displayName", max_len=100)
    errors.raise_if_any()
    if await User.filter(username=name).exists():
        raise problem("username", "This username is taken.", Code.TAKEN)
    assert secret is not None  # raise_if_any above
    password_hash = await asyncio.to_thread(_hasher.hash, secret)
    try:
        async with in_transaction():
            user = await User.create(
                username=name, display_name=shown or name, password_hash=password_hash
            )
            token = await _issue_token(user, ttl)
    except IntegrityError:  # lost a race for the same name
        raise problem("username", "This username is taken.", Code.TAKEN) from None
    return user, token


async def log_in(username: str, password: str, ttl: timedelta) -> tuple[User, str]:
    name = lookup_username(username)
    user = await User.get_or_none(username=name) if name else None
    try:
        await asyncio.to_thread(
            _hasher.verify,
            user.password_hash if user else _DUMMY_HASH,
            clean_password(password)[:MAX_PASSWORD],
        )
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise problem(None, "Wrong username or password.", Code.INVALID_CREDENTIALS)
    return user, await _issue_token(user, ttl)


async def log_out(token: str, publish: Publish = publish_nothing) -> None:
    """Revoke the token; after commit, its live subscriptions end, in every process."""
    token_hash = hash_token(token)
    await AccessToken.filter(token_hash=token_hash, revoked_at=None).update(
        revoked_at=datetime.now(UTC)
    )
    known_tokens.forget(token_hash)  # after the commit: no lookup that saw it live stores it
    await publish(RevokeMessage(token_hash=token_hash))


async def viewer_for_token(token: str, generation: Hashable | None = None) -> User | None:
    """The user a live (unexpired, unrevoked) token belongs to; one SQL statement. With a
    `generation` (see `TokenCache`), the answer is remembered for `cached_viewer`."""
    token_hash = hash_token(token)
    forgotten = known_tokens.forgotten
    params = Params(AccessToken)
    sql = f"{_USER_OF_TOKEN} WHERE t.token_hash = {params.add(token_hash)}"
    _, rows = await AccessToken._meta.db.execute_query(
        sql + " AND t.revoked_at IS NULL", params.values
    )
    if not rows:
        return None
    expires_at = _expires_at.to_python_value(rows[0]["token_expires_at"])
    if expires_at <= datetime.now(UTC):
        return None
    user = Joined(rows).make(User, "", rows[0])
    if generation is not None:
        known_tokens.put(token_hash, user, expires_at, generation, forgotten)
    return user


def cached_viewer(token: str, generation: Hashable) -> User | None:
    """The user of a token looked up a moment ago in the same `generation`, or None: look
    it up (`viewer_for_token`). The row is a copy, and its counters and profile may be
    `TOKEN_CACHE_SECONDS` old: show the viewer's own row from a fresh read."""
    return known_tokens.get(hash_token(token), generation)


# How long a token's user is taken from memory instead of the database (a statement per
# request). Revocations reach the cache at once (logOut here; the hub's RevokeMessage from
# the other processes), so this bounds only what a lost message costs: a process that
# missed one lets the revoked token work on for this long.
TOKEN_CACHE_SECONDS = 2.0


@dataclass(frozen=True)
class _Known:
    user: User
    expires_at: datetime
    generation: Hashable
    until: float  # time.monotonic()


class TokenCache:
    """Token hash -> its user, for `TOKEN_CACHE_SECONDS`.

    `generation` names the state of the revocation messages' channel, and an entry is used
    only in the generation that stored it: the caller passes the broker's connection
    (graph.context.token_generation), so nothing cached before an outage, when messages
    may have been lost, is trusted after it, and nothing is cached while it is down.
    `forgotten` counts revocations: a lookup that began before one does not store what it
    read."""

    def __init__(self, seconds: float = TOKEN_CACHE_SECONDS, size: int = 10_000) -> None:
        self.seconds = seconds
        self.size = size
        self.forgotten = 0
        self._known: dict[str, _Known] = {}

    def get(self, token_hash: str, generation: Hashable) -> User | None:
        known = self._known.get(token_hash)
        if known is None:
            return None
        if (
            known.generation != generation
            or known.until <= time.monotonic()
            or known.expires_at <= datetime.now(UTC)
        ):
            self._known.pop(token_hash, None)
            return None
        return _copy(known.user)

    def put(
        self,
        token_hash: str,
        user: User,
        expires_at: datetime,
        generation: Hashable,
        forgotten: int,
    ) -> None:
        if forgotten != self.forgotten:
            return
        if len(self._known) >= self.size:
            self._known.clear()
        until = time.monotonic() + self.seconds
        self._known[token_hash] = _Known(_copy(user), expires_at, generation, until)

    def forget(self, token_hash: str) -> None:
        self.forgotten += 1
        self._known.pop(token_hash, None)

    def clear(self) -> None:
        self.forgotten += 1
        self._known.clear()


def _copy(user: User) -> User:
    """A request may change its viewer's row in place (update_profile): never the cached one."""
    clone = User.__new__(User)
    clone.__dict__.update(user.__dict__)
    clone.__dict__["_await_when_save"] = {}
    return clone


known_tokens = TokenCache()
