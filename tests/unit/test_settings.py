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


def test_production_needs_a_secret_key() -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(environment="production")
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(environment="production", secret_key="short")
    key = "s" * 32
    assert Settings(environment="production", secret_key=key).signing_key == key.encode()


def test_without_a_secret_key_development_signs_with_a_key_of_its_own() -> None:
    assert len(Settings().signing_key) == 32
    assert Settings().signing_key == Settings().signing_key  # one key for the process
    assert Settings().signing_key != Settings(secret_key="s" * 32).signing_key
