"""domain.json_values: the first flaw of a value, with its pointer and a stable code."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.json_values import INVALID_TEXT, NON_FINITE, TOO_DEEP, find_flaw, storable_copy


@pytest.mark.parametrize(
    ("value", "pointer", "code"),
    [
        ({"a": math.nan}, "/a", NON_FINITE),
        ({"a": [1, 2, math.inf]}, "/a/2", NON_FINITE),
        ({"a/b": {"c~": -math.inf}}, "/a~1b/c~0", NON_FINITE),
        ({"a": "x\x00"}, "/a", INVALID_TEXT),
        ({"a": ["\ud800"]}, "/a/0", INVALID_TEXT),
        ({"k\x00": 1}, "", INVALID_TEXT),
    ],
)
def test_the_flaw_is_named_with_its_pointer(value: object, pointer: str, code: str) -> None:
    flaw = find_flaw(value)
    assert flaw is not None
    assert (flaw.pointer, flaw.code) == (pointer, code)


def test_depth_counts_containers_and_deep_values_do_not_exhaust_the_stack() -> None:
    nested: object = []
    for _ in range(99):
        nested = [nested]
    assert find_flaw(nested) is None  # 100 levels
    flaw = find_flaw([nested])
    assert flaw is not None and flaw.code == TOO_DEEP
    very: object = {}
    for _ in range(50_000):
        very = {"a": very}
    flaw = find_flaw(very)
    assert flaw is not None and flaw.code == TOO_DEEP
    assert flaw.pointer == "/a" * 100
    assert isinstance(storable_copy(very), dict)


def test_many_siblings_are_not_depth() -> None:
    assert find_flaw({"rows": [{"a": [1]} for _ in range(1000)]}) is None


def test_a_storable_copy_names_non_finite_numbers() -> None:
    copy = storable_copy({"n": [math.nan, math.inf, -math.inf, 1.5], "t": "a\x00"})
    assert copy == {"n": ["NaN", "Infinity", "-Infinity", 1.5], "t": "a\ufffd"}
    assert find_flaw(copy) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_a_storable_copy_is_always_flawless(value: object) -> None:
    assert find_flaw(storable_copy(value)) is None
