"""A request header read straight from the ASGI scope."""

from __future__ import annotations

from starlette.types import Scope


def first_header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (`name` in lower case, as ASGI gives names), as
    Starlette's `Headers.get` reads it, without making a Headers object, nor raising and
    catching a KeyError when the header is missing (most requests send no Authorization)."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None
