"""Property tests of the input validators (resolvers/validate.py): whatever text comes in,
what they let through is clean, bounded and storable, and what they refuse is a user error;
and the key that dedupes tracks."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from resolvers.errors import InputError
from resolvers.links import spotify_track_id
from resolvers.validate import (
    clean_lookup,
    clean_text,
    clean_url,
    instagram_url,
    track_dedupe_key,
)

CONTROL = st.characters(categories=["Cc", "Cf", "Cs", "Co", "Cn"])
ANY_TEXT = st.text(st.characters(codec=None), max_size=300) | st.text(CONTROL, max_size=20)


def has_controls(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch).startswith("C") and ch not in allowed for ch in text)


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT, max_len=st.integers(1, 120), multiline=st.booleans())
def test_clean_text_strips_controls_and_bounds_length(
    text: str, max_len: int, multiline: bool
) -> None:
    try:
        cleaned = clean_text(text, "f", max_len=max_len, multiline=multiline)
    except InputError as error:
        assert [p.code for p in error.problems] == ["TOO_LONG"]
        return
    assert len(cleaned) <= max_len
    assert not has_controls(cleaned, "\n\t" if multiline else "")
    assert cleaned == cleaned.strip()
    cleaned.encode()  # no lone surrogates: every database accepts it


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT | st.text(max_size=5000), max_len=st.integers(1, 120))
def test_lookup_text_is_never_refused(text: str, max_len: int) -> None:
    cleaned = clean_lookup(text, max_len=max_len)
    assert len(cleaned) <= max_len and not has_controls(cleaned)
    assert "\x00" not in cleaned
    cleaned.encode()


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT | st.from_regex(r"\Ahttps?://[a-z\[\]:.%@]{0,30}/[ -~]{0,30}\Z"))
def test_link_validators_refuse_with_user_errors_only(text: str) -> None:
    for check in (clean_url, instagram_url, spotify_track_id):
        try:
            result = check(text, "f")
        except InputError:
            continue
        if result is not None:
            assert not has_controls(result)
            result.encode()


def test_track_dedupe_key_normalizes_title_and_artist() -> None:
    assert (
        track_dedupe_key("  Golden   Hour ", "STRASSE\tBand", None) == "golden hour\x1fstrasse band"
    )
    assert track_dedupe_key("Golden Hour", "Straße Band", None) == "golden hour\x1fstrasse band"
    assert track_dedupe_key("x", "y", "4uLU6hMCjMI75M1A2tKUQC") == "spotify:4uLU6hMCjMI75M1A2tKUQC"
