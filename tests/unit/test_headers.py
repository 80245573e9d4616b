"""server/http/headers.py reads a header as Starlette's Headers does."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers

from server.http.headers import first_header

RAW = [
    (b"host", b"x"),
    (b"accept", b"application/json"),
    (b"accept", b"text/html"),  # a repeated header: the first is read
    (b"x-name", "caf\u00e9".encode("latin-1")),
    (b"authorization", b""),
]


@pytest.mark.parametrize("name", ["accept", "x-name", "authorization", "missing", "host"])
def test_the_first_value_as_starlette_reads_it(name: str) -> None:
    scope = {"type": "http", "headers": RAW}
    assert first_header(scope, name.encode()) == Headers(scope=scope).get(name)
