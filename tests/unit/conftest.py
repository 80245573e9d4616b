"""Unit tests run without the app or a database: pure functions and single classes."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _empty_tables() -> None:
    """tests/conftest.py empties the tables before every test, which starts the session's
    app; a unit test has none to empty."""
