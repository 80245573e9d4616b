"""Which of the two JSON media types of GraphQL over HTTP a client prefers, from its
Accept header: `application/graphql-response+json` when it asks for it (the GraphQL over
HTTP spec's type, under which a request error is a 4xx without `data`), else
`application/json` (everyone else: no Accept, `*/*`, or json preferred)."""

from __future__ import annotations

from functools import lru_cache

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def _ranges(accept: str) -> list[tuple[str, float]]:
    """The header's media ranges with their quality (1 unless given)."""
    found = []
    for part in accept.split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            found.append((media.lower(), quality))
    return found


def _quality(ranges: list[tuple[str, float]], media: str) -> float:
    """The quality the header gives `media`: its own range, else `type/*`, else `*/*`."""
    kind = media.split("/")[0] + "/*"
    for candidate in (media, kind, "*/*"):
        qualities = [quality for name, quality in ranges if name == candidate]
        if qualities:
            return max(qualities)
    return 0.0


@lru_cache(maxsize=64)  # a few clients' headers, read on every request
def preferred(accept: str | None) -> str:
    """GRAPHQL_RESPONSE_JSON when the header names it, at least as much wanted as JSON."""
    if not accept:
        return JSON
    ranges = _ranges(accept)
    named = [quality for name, quality in ranges if name == GRAPHQL_RESPONSE_JSON]
    if named and max(named) > 0 and max(named) >= _quality(ranges, JSON):
        return GRAPHQL_RESPONSE_JSON
    return JSON
