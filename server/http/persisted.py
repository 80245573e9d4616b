"""Automatic persisted queries (Apollo's protocol): a request may name its document by
`extensions.persistedQuery = {"version": 1, "sha256Hash": <hex>}` instead of sending it.

- hash alone, known here: the stored document runs;
- hash alone, unknown: PERSISTED_QUERY_NOT_FOUND (HTTP 200, as Apollo answers), and the
  client sends the hash again with the query;
- hash and query: the query's SHA-256 must be the hash (else PERSISTED_QUERY_HASH_MISMATCH,
  HTTP 400, nothing stored); it is stored, then runs.

The store is an LRU per process, bounded in characters (PERSISTED_QUERY_CACHE_CHARS): a
process that never saw a document, or forgot it, answers NOT_FOUND and the client sends it
once more."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

PERSISTED_QUERY = "persistedQuery"


@dataclass(frozen=True)
class Refusal:
    """A persisted-query request that cannot run: its HTTP status and response body."""

    status: int
    message: str
    code: str

    @property
    def payload(self) -> dict[str, Any]:
        return {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}


NOT_FOUND = Refusal(200, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
MISMATCH = Refusal(
    400,
    "The persisted query's sha256Hash is not the SHA-256 of its query text: nothing was stored.",
    "PERSISTED_QUERY_HASH_MISMATCH",
)
UNSUPPORTED = Refusal(
    400,
    "Unsupported persisted query: send extensions.persistedQuery as "
    '{"version": 1, "sha256Hash": "<64 hex digits>"}.',
    "PERSISTED_QUERY_NOT_SUPPORTED",
)


class PersistedQueries:
    """Documents by the hex SHA-256 of their text, least recently used forgotten first once
    their texts hold more than `max_chars` characters."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self._queries: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._queries)

    def get(self, sha256: str) -> str | None:
        query = self._queries.get(sha256)
        if query is not None:
            self._queries.move_to_end(sha256)
        return query

    def put(self, sha256: str, query: str) -> None:
        if len(query) > self.max_chars or sha256 in self._queries:
            return
        self._queries[sha256] = query
        self.chars += len(query)
        while self.chars > self.max_chars:
            _, forgotten = self._queries.popitem(last=False)
            self.chars -= len(forgotten)

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | Refusal | None:
        """The query a request runs: its own, the stored one its hash names, or the Refusal
        to answer. Requests without `extensions.persistedQuery` keep their query."""
        persisted = extensions.get(PERSISTED_QUERY) if extensions else None
        if persisted is None:
            return query
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            return UNSUPPORTED
        sha256 = persisted.get("sha256Hash")
        if not isinstance(sha256, str) or len(sha256) != 64:
            return UNSUPPORTED
        sha256 = sha256.lower()
        if query is None:
            return self.get(sha256) or NOT_FOUND
        digest = hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()
        if digest != sha256:
            return MISMATCH
        self.put(sha256, query)
        return query
