"""Accounts and bearer tokens. Passwords are argon2-hashed; tokens are random and only
their SHA-256 is stored, so a database leak does not leak usable tokens."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
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
    await publish(RevokeMessage(token_hash=token_hash))


async def viewer_for_token(token: str) -> User | None:
    """The user a live (unexpired, unrevoked) token belongs to; one SQL statement."""
    params = Params(AccessToken)
    sql = f"{_USER_OF_TOKEN} WHERE t.token_hash = {params.add(hash_token(token))}"
    _, rows = await AccessToken._meta.db.execute_query(
        sql + " AND t.revoked_at IS NULL", params.values
    )
    if not rows or _expires_at.to_python_value(rows[0]["token_expires_at"]) <= datetime.now(UTC):
        return None
    return Joined(rows).make(User, "", rows[0])
