"""The websocket limits: open connections per account (in this process), operations at once
per connection, message size; and the close codes they end a connection with."""

from __future__ import annotations

from collections import Counter

from graphql import GraphQLError

# graphql-transport-ws uses 44xx codes itself (4429 there means "a second
# connection_init"), so the per-account limit takes 4029.
CLOSE_TOO_MANY_CONNECTIONS = 4029
TOO_MANY_CONNECTIONS_REASON = "Too many connections for this account"
CLOSE_MESSAGE_TOO_BIG = 1009  # RFC 6455; uvicorn's own ws_max_size check sends the same


class TooManyConnections(Exception):
    """The viewer already holds the maximum of open websockets in this process.

    Deliberately not a ConnectionRejectionError: that is a bad token's refusal (4403 on
    graphql-transport-ws), which a client must not take this for."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.message = (
            f"Too many open websocket connections for this account (at most {limit}): "
            "close one before opening another."
        )
        super().__init__(self.message)


class ConnectionCounter:
    """Open websocket connections per viewer, in this process. A connection counts from its
    accepted connection_init until it shuts down; anonymous ones are not counted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._counts: Counter[int] = Counter()
        self._owners: dict[int, int] = {}  # id(connection) -> viewer id
        # token hash -> {id(connection): connection}: whom a revoked token's close reaches,
        # subscribed or not
        self._by_token: dict[str, dict[int, object]] = {}
        self._tokens: dict[int, str] = {}  # id(connection) -> token hash

    def admit(
        self, connection: object, viewer_id: int | None, token_hash: str | None = None
    ) -> None:
        self.release(connection)  # graphql-ws allows a second connection_init
        if viewer_id is None:
            return
        if self._counts[viewer_id] >= self.limit:
            raise TooManyConnections(self.limit)
        self._counts[viewer_id] += 1
        self._owners[id(connection)] = viewer_id
        if token_hash is not None:
            self._by_token.setdefault(token_hash, {})[id(connection)] = connection
            self._tokens[id(connection)] = token_hash

    def with_token(self, token_hash: str) -> list[object]:
        """The open connections signed in with this token."""
        return list(self._by_token.get(token_hash, {}).values())

    def release(self, connection: object) -> None:
        token_hash = self._tokens.pop(id(connection), None)
        if token_hash is not None:
            held = self._by_token.get(token_hash, {})
            held.pop(id(connection), None)
            if not held:
                self._by_token.pop(token_hash, None)
        viewer_id = self._owners.pop(id(connection), None)
        if viewer_id is not None:
            self._counts[viewer_id] -= 1
            if self._counts[viewer_id] <= 0:
                del self._counts[viewer_id]

    def count(self, viewer_id: int) -> int:
        return self._counts[viewer_id]


def too_many_operations(limit: int) -> GraphQLError:
    return GraphQLError(
        f"Subscription limit reached: at most {limit} operations at once on one connection. "
        "Complete one first.",
        extensions={"code": "TOO_MANY_SUBSCRIPTIONS"},
    )


def too_big(text: str, limit: int) -> bool:
    """Whether a message is larger than `limit` bytes in UTF-8."""
    # A character is 1 to 4 bytes in UTF-8: encode only when the length leaves a doubt.
    return len(text) > limit or (len(text) * 4 > limit and len(text.encode()) > limit)
