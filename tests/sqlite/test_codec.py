"""Stored instants: fixed-width UTC text whose text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters_out.sqlite.codec import dump, from_text, load, to_text

ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
)
INSTANTS = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES
)


@given(INSTANTS)
def test_instants_round_trip_as_aware_utc(instant: datetime) -> None:
    text = to_text(instant)
    assert len(text) == 27 and text.endswith("Z")
    back = from_text(text)
    assert back == instant and back.tzinfo is UTC


@given(INSTANTS, INSTANTS)
def test_text_order_is_time_order(a: datetime, b: datetime) -> None:
    assert (to_text(a) < to_text(b)) == (a < b)
    assert (to_text(a) == to_text(b)) == (a == b)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_text(datetime(2025, 1, 1))


def test_json_is_compact_sorted_and_keeps_unicode_and_lone_surrogates_storable() -> None:
    value = {"b": [1, None, True], "a": "Zoë", "s": "\ud800"}
    text = dump(value)
    assert text.startswith('{"a":"Zo\\u00eb","b":[1,null,true]')
    assert text.isascii()
    assert load(text) == value
    assert dump({"b": 1, "a": 2}, sort_keys=False) == '{"b":1,"a":2}'
