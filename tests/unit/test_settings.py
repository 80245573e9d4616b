"""Settings refuse what they cannot work with."""

from __future__ import annotations

import pytest

from server.settings import Settings


def test_limit_settings_are_bounded() -> None:
    with pytest.raises(ValueError):
        Settings(max_query_depth=0)
    with pytest.raises(ValueError):
        Settings(rate_limit_sign_up="a few")
    assert Settings(rate_limit_sign_up="5/30 minutes").rate_limit_sign_up == "5/30 minutes"
