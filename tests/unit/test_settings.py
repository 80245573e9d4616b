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


def test_public_url_defaults_to_where_the_server_listens() -> None:
    assert Settings().public_url == "http://127.0.0.1:8000"
    assert Settings(host="0.0.0.0", port=9000).public_url == "http://127.0.0.1:9000"
    assert Settings(host="::1").public_url == "http://[::1]:8000"
    assert Settings(public_url="https://soundpost.example/").public_url == (
        "https://soundpost.example"
    )
    for wrong in ("soundpost.example", "ftp://soundpost.example", "https://x.example/?a=1"):
        with pytest.raises(ValueError, match="PUBLIC_URL"):
            Settings(public_url=wrong)
