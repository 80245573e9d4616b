"""Accounts: signing up, logging in and out. Passwords are hashed with argon2; every
bearer token comes from resolvers/tokens.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import AccessToken, RetiredUsername, User
from resolvers.errors import Code, Collector, problem
from resolvers.tokens import hash_token, issue_token, known_tokens
from resolvers.validate import clean_text, clean_username, lookup_username, strip_controls
from subscriptions.events import Publish, RevokeMessage, publish_nothing

MIN_PASSWORD = 8
MAX_PASSWORD = 256


class Hashing(StrEnum):
    """How hard a password hash is to compute. STANDARD is argon2-cffi's default (RFC 9106's
    low-memory profile: 3 passes over 64 MiB, 4 lanes); FASTEST is argon2's minimum, for
    test suites that sign up hundreds of members, and the server refuses it in production.
    Verifying reads the parameters from the stored hash, so either verifies both."""

    STANDARD = "standard"
    FASTEST = "fastest"


@cache
def _hasher(hashing: Hashing) -> PasswordHasher:
    if hashing is Hashing.FASTEST:
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


@cache
def _dummy_hash(hashing: Hashing) -> str:
    """Verified against when the username does not exist, so both failures take the same
    time."""
    return _hasher(hashing).hash("not-a-real-password")


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


async def sign_up(
    username: str,
    password: str,
    display_name: str | None,
    ttl: timedelta,
    hashing: Hashing = Hashing.STANDARD,
) -> tuple[User, str]:
    errors = Collector()
    name = errors.check(clean_username, username)
    secret = errors.check(_check_password, password)
    shown = errors.check(clean_text, display_name, "displayName", max_len=100)
    errors.raise_if_any()
    if await User.filter(username=name).exists():
        raise problem("username", "This username is taken.", Code.TAKEN)
    if await RetiredUsername.filter(username=name, free_at__gt=datetime.now(UTC)).exists():
        raise problem(
            "username",
            "This username belonged to an account that was deleted recently; "
            "it cannot be taken again yet.",
            Code.TAKEN,
        )
    assert secret is not None  # raise_if_any above
    password_hash = await asyncio.to_thread(_hasher(hashing).hash, secret)
    try:
        async with in_transaction():
            user = await User.create(
                username=name, display_name=shown or name, password_hash=password_hash
            )
            token = await issue_token(user, ttl)
    except IntegrityError:  # lost a race for the same name
        raise problem("username", "This username is taken.", Code.TAKEN) from None
    return user, token


async def password_matches(user: User, password: str) -> bool:
    """Whether `password` is the member's (argon2 reads its cost from the stored hash)."""
    try:
        return await asyncio.to_thread(
            _hasher(Hashing.STANDARD).verify,
            user.password_hash,
            clean_password(password)[:MAX_PASSWORD],
        )
    except (VerificationError, InvalidHashError):
        return False


async def log_in(
    username: str, password: str, ttl: timedelta, hashing: Hashing = Hashing.STANDARD
) -> tuple[User, str]:
    name = lookup_username(username)
    user = await User.get_or_none(username=name) if name else None
    try:
        await asyncio.to_thread(
            _hasher(hashing).verify,
            user.password_hash if user else _dummy_hash(hashing),
            clean_password(password)[:MAX_PASSWORD],
        )
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise problem(None, "Wrong username or password.", Code.INVALID_CREDENTIALS)
    # told only to someone who knows the password: a stranger learns nothing of it
    if user.suspended_at is not None:
        raise problem(None, "This account is suspended by the moderators.", Code.SUSPENDED)
    return user, await issue_token(user, ttl)


async def log_out(token: str, publish: Publish = publish_nothing) -> None:
    """Revoke the token; after commit, its live subscriptions end, in every process."""
    token_hash = hash_token(token)
    await AccessToken.filter(token_hash=token_hash, revoked_at=None).update(
        revoked_at=datetime.now(UTC)
    )
    known_tokens.forget(token_hash)  # after the commit: no lookup that saw it live stores it
    await publish(RevokeMessage(token_hash=token_hash))


async def revoke_all(user_id: int) -> list[str]:
    """Inside the caller's transaction: every live token of the member revoked (a
    suspension). Their hashes, for `announce_revoked` after commit."""
    live = AccessToken.filter(user_id=user_id, revoked_at=None)
    hashes = list(await live.values_list("token_hash", flat=True))
    if hashes:
        await live.update(revoked_at=datetime.now(UTC))
    return hashes  # type: ignore[return-value]


async def announce_revoked(hashes: list[str], reason: str, publish: Publish) -> None:
    """After commit: each token forgotten by the cache here, and by every process through
    the hub, which closes their live subscriptions' websockets (4403, `reason`)."""
    for token_hash in hashes:
        known_tokens.forget(token_hash)
        await publish(RevokeMessage(token_hash=token_hash, reason=reason))
