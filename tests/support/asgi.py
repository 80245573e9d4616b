"""An HTTP request's ASGI scope, for tests that drive an app with raw messages (no client
in between: a disconnect mid-body, a path no client would send, no client objects)."""

from __future__ import annotations

from typing import Any


def http_scope(
    method: str, path: str, headers: list[tuple[bytes, bytes]], server: str = "test"
) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", server.encode()), *headers],
        "client": ("127.0.0.1", 1234),
        "server": (server, 80),
        "state": {},
    }
