"""Bearer tokens: issued at sign-up and log-in, and each request's token turned into its
viewer (`viewer_for_token`, through a short cache: `TokenCache`). Tokens are random and only
their SHA-256 is stored, so a database leak does not leak usable tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from models import AccessToken, User
from resolvers.sql.hydrate import Joined, columns, copy_row, field, query_rows
from resolvers.sql.params import Params

# Every column of the user, and the token's expiry (compared in Python: the databases store
# times differently, and a converted row compares alike on both).
_USER_OF_TOKEN = (
    "SELECT "
    + ", ".join(f'u."{column}"' for column in columns(User))
    + ', t.expires_at AS "token_expires_at" FROM access_tokens t JOIN users u ON u.id = t.user_id'
)
_expires_at = field(AccessToken, "expires_at")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(user: User, ttl: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    await AccessToken.create(
        user=user, token_hash=hash_token(token), expires_at=datetime.now(UTC) + ttl
    )
    return token


async def viewer_for_token(token: str, generation: Hashable | None = None) -> User | None:
    """The user a live (unexpired, unrevoked) token belongs to; one SQL statement. With a
    `generation` (see `TokenCache`), the answer is remembered for `cached_viewer`."""
    token_hash = hash_token(token)
    forgotten = known_tokens.forgotten
    params = Params(AccessToken)
    sql = f"{_USER_OF_TOKEN} WHERE t.token_hash = {params.add(token_hash)}"
    # a suspended member's tokens are revoked too; this also covers one issued by a log-in
    # that checked the account just before the suspension committed
    live = " AND t.revoked_at IS NULL AND u.suspended_at IS NULL"
    rows = await query_rows(AccessToken, sql + live, params.values)
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
# request). Revocations reach the cache at once (logOut, resolvers/accounts.py; the hub's
# RevokeMessage from the other processes), so this bounds only what a lost message costs:
# a process that missed one lets the revoked token work on for this long.
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
    (server/auth.py, `token_generation`), so nothing cached before an outage, when messages
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
        # a copy: a request may change its viewer's row in place (updateProfile)
        return copy_row(known.user)

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
        self._known[token_hash] = _Known(copy_row(user), expires_at, generation, until)

    def forget(self, token_hash: str) -> None:
        self.forgotten += 1
        self._known.pop(token_hash, None)

    def clear(self) -> None:
        self.forgotten += 1
        self._known.clear()


known_tokens = TokenCache()
