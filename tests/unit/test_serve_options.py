"""How `soundpost serve` runs uvicorn (server/cli.py)."""

from __future__ import annotations

import pytest

from server.cli import logs_requests


@pytest.mark.parametrize(
    ("level", "logged"),
    [("debug", True), ("INFO", True), ("warning", False), ("error", False), ("critical", False)],
)
def test_the_access_log_is_on_where_its_lines_show(level: str, logged: bool) -> None:
    assert logs_requests(level) is logged


def test_an_unknown_level_is_left_to_uvicorn_to_refuse() -> None:
    assert logs_requests("chatty") is True
