"""The arithmetic of a Spotify-style move (resolvers.playlists.moved_order) against a
reference written from Spotify's description, by hand and for any valid move."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolvers.playlists import moved_order
from tests.support.playlists import (
    MOVES,
    NO_OP_MOVES,
    SONGS,
    spotify_reorder,
)


@pytest.mark.parametrize(("start", "before", "length"), MOVES + NO_OP_MOVES)
def test_moved_order_matches_the_reference(start: int, before: int, length: int) -> None:
    assert moved_order(SONGS, start, before, length) == spotify_reorder(
        SONGS, start, before, length
    )


@pytest.mark.parametrize(
    ("start", "before", "length", "expected"),
    [
        (0, 5, 1, "BCDEA"),
        (4, 0, 1, "EABCD"),
        (0, 2, 1, "BACDE"),
        (2, 0, 2, "CDABE"),
        (1, 4, 2, "ADBCE"),
        (3, 1, 2, "ADEBC"),
    ],
)
def test_reference_reorder_by_hand(start: int, before: int, length: int, expected: str) -> None:
    assert "".join(spotify_reorder(SONGS, start, before, length)) == expected


@st.composite
def orders_and_moves(draw: Any) -> tuple[list[int], int, int, int]:
    """A list of distinct items and a valid Spotify move over it."""
    count = draw(st.integers(min_value=1, max_value=30))
    start = draw(st.integers(min_value=0, max_value=count - 1))
    length = draw(st.integers(min_value=1, max_value=count - start))
    before = draw(st.integers(min_value=0, max_value=count))
    return list(range(100, 100 + count)), start, before, length


@given(orders_and_moves())
def test_moved_order_matches_the_reference_for_any_valid_move(
    case: tuple[list[int], int, int, int],
) -> None:
    order, start, before, length = case
    moved = moved_order(order, start, before, length)
    assert moved == spotify_reorder(order, start, before, length)
    assert sorted(moved) == order
    block = order[start : start + length]
    at = moved.index(block[0])
    assert moved[at : at + length] == block
