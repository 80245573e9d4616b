"""Property tests of the cursors and ids a client sends back: pagination cursors, global
ids and friendMoments cursors decode to storable values, or are refused as bad input; and
a page's cursors are encoded only when read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from graphql import GraphQLError
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.live.fields import parse_feed_cursor
from graph.relay import from_global_id
from resolvers.pagination import BadCursor, Cursors, decode_cursor, encode_cursor
from tests.support.fuzz import b64


@settings(max_examples=300, deadline=None)
@given(
    cursor=st.text(max_size=200)
    | st.binary(max_size=200).map(b64)
    | st.lists(st.none() | st.booleans() | st.integers() | st.floats() | st.text(), max_size=3).map(
        lambda v: b64(json.dumps(v).encode())
    ),
    is_time=st.booleans(),
)
def test_cursors_decode_to_storable_values_or_bad_cursor(cursor: str, is_time: bool) -> None:
    try:
        value, row_id = decode_cursor(cursor, is_time=is_time)
    except BadCursor:
        return
    assert isinstance(row_id, int) and -(2**63) <= row_id < 2**63
    if is_time:
        assert value.tzinfo is not None
    elif isinstance(value, str):
        assert "\x00" not in value
        value.encode()
    else:
        assert isinstance(value, int) and -(2**63) <= value < 2**63


@settings(max_examples=300, deadline=None)
@given(
    raw=st.text(max_size=60)
    | st.tuples(st.sampled_from(["User", "Postcard", ""]), st.text(max_size=25)).map(
        lambda t: b64(f"{t[0]}:{t[1]}".encode("utf-8", "surrogatepass"))
    )
)
def test_global_ids_parse_to_a_positive_64_bit_key_or_none(raw: str) -> None:
    parsed = from_global_id(raw)
    if parsed is not None:
        type_name, pk = parsed
        assert type_name and 0 < pk < 2**63


@settings(max_examples=300, deadline=None)
@given(
    cursor=st.text(max_size=60)
    | st.tuples(st.integers(), st.floats()).map(lambda t: b64(f"{t[0]}:{t[1]}".encode()))
)
def test_friend_moments_cursors_parse_to_a_log_position_or_bad_input(cursor: str) -> None:
    try:
        seq, _at = parse_feed_cursor(cursor)
    except GraphQLError as error:
        assert error.extensions == {"code": "BAD_USER_INPUT"}
        return
    assert 0 <= seq < 2**63  # a sequence number the event-log query can take


def test_cursors_are_encoded_when_read() -> None:
    keys = [(datetime(2026, 1, 1, tzinfo=UTC), 1), (datetime(2026, 1, 2, tzinfo=UTC), 2)]
    cursors = Cursors(keys)
    assert cursors._encoded == {}
    assert cursors[-1] == encode_cursor(*keys[1])
    assert cursors._encoded == {1: encode_cursor(*keys[1])}
    assert list(cursors) == [encode_cursor(*key) for key in keys] == cursors[0:2]
    assert decode_cursor(cursors[0], is_time=True) == keys[0]
    with pytest.raises(IndexError):
        cursors[2]
