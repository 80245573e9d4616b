"""The small JSON messages carried between processes. A feed message is only a doorbell:
the durable event log in the database is the truth, so a lost message loses nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

import orjson


@dataclass(frozen=True)
class FeedMessage:
    """A row of the feed event log was committed."""

    seq: int
    kind: str  # POSTED or DELETED
    postcard_id: int
    author_id: int
    created_at: float  # epoch seconds


@dataclass(frozen=True)
class NotificationMessage:
    notification_id: int
    recipient_id: int


@dataclass(frozen=True)
class ActivityMessage:
    """A moment's counters changed, or it got a comment."""

    postcard_id: int
    like_count: int
    comment_count: int
    comment_id: int | None = None


@dataclass(frozen=True)
class RevokeMessage:
    """A token was revoked: its live subscriptions end, their websockets closed with
    `reason` (logOut's default; "account suspended" when a moderator suspends it)."""

    token_hash: str
    reason: str = "token revoked: log in again"


Message = FeedMessage | NotificationMessage | ActivityMessage | RevokeMessage
Publish = Callable[[Message], Awaitable[None]]
KINDS: dict[str, type[Any]] = {
    "feed": FeedMessage,
    "notification": NotificationMessage,
    "activity": ActivityMessage,
    "revoke": RevokeMessage,
}
NAMES = {cls: name for name, cls in KINDS.items()}


def encode(message: Message, origin: str) -> str:
    """`origin` names the publishing process, which has delivered the message locally
    already and skips it when the broker echoes it back."""
    return orjson.dumps({"t": NAMES[type(message)], "o": origin, **asdict(message)}).decode()


def decode(raw: str | bytes) -> tuple[Message, str] | None:
    """(message, origin); None for anything malformed: a bad message must not stop the
    listener."""
    try:
        data = orjson.loads(raw)
        cls = KINDS[data.pop("t")]
        origin = str(data.pop("o", ""))
        names = {f.name for f in fields(cls)}
        message: Message = cls(**{k: v for k, v in data.items() if k in names})
        return message, origin
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        return None


async def publish_nothing(message: Message) -> None:
    """For callers with no live subscribers to tell (the CLI, the seeder)."""
