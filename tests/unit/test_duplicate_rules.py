"""The default duplicate rule (pure): normalised names, birth dates, identifiers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.duplicates import (
    DuplicateRules,
    match_keys,
    normalise_name,
    pair_key,
    score_pair,
    stdlib_similarity,
)
from domain.entities import Entity

RULES = DuplicateRules()


def person(guid: str, **data) -> Entity:
    return Entity(
        guid=guid,
        type="individual",
        name=str(data.get("name", "")),
        data=data,
        version=1,
        last_updated=datetime(2025, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("John Smith", "john smith"),
        ("  JOHN   SMITH ", "john smith"),
        ("Smith, John", "john smith"),
        ("José Núñez", "jose nunez"),
        ("Ǆemal Šabić", "dzemal sabic"),
    ],
)
def test_names_normalise(raw, expected):
    assert normalise_name(raw) == expected


def test_same_normalised_name_and_birth_date_is_a_duplicate():
    match = score_pair(
        person("a", name="John Smith", dob="1990-01-02"),
        person("b", name="JOHN  SMITH", dob="1990-01-02"),
        RULES,
    )
    assert match is not None
    assert match.score == 1.0
    assert match.reasons == ("same normalised name", "same date of birth")


def test_a_different_birth_date_is_not_a_duplicate():
    assert (
        score_pair(
            person("a", name="John Smith", dob="1990-01-02"),
            person("b", name="John Smith", dob="1991-01-02"),
            RULES,
        )
        is None
    )


def test_similar_names_with_the_same_birth_date_are_flagged():
    match = score_pair(
        person("a", givenName="Jon", familyName="Smith", dob="1990-01-02"),
        person("b", givenName="John", familyName="Smith", dob="1990-01-02"),
        RULES,
        stdlib_similarity,
    )
    assert match is not None
    assert match.reasons[0].startswith("similar name")


def test_unrelated_names_are_not_flagged():
    assert (
        score_pair(
            person("a", name="Ann Lee", dob="1990-01-02"),
            person("b", name="Bob Marley", dob="1990-01-02"),
            RULES,
        )
        is None
    )


def test_identifiers_named_in_the_config_decide_alone():
    rules = DuplicateRules.from_config({"identifierFields": ["nationalId"]})
    match = score_pair(
        person("a", name="A", nationalId="X-1"),
        person("b", name="Totally Different", nationalId="x-1"),
        rules,
    )
    assert match is not None
    assert (match.score, match.reasons) == (1.0, ("same nationalId",))


def test_match_keys_index_name_birth_date_and_identifiers():
    rules = DuplicateRules.from_config({"identifierFields": ["nationalId"]})
    keys = match_keys(
        person("a", name="Smith John", dob="1990-01-02T00:00:00Z", nationalId="X1"), rules
    )
    assert keys == {"n:john smith", "d:1990-01-02:jo", "d:1990-01-02:sm", "i:nationalId:x1"}
    group = Entity(
        guid="h",
        type="group",
        name="H",
        data={"name": "H"},
        version=1,
        last_updated=datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert match_keys(group, rules) == frozenset()  # households are not checked by default


def test_pairs_are_unordered():
    assert pair_key("b", "a") == pair_key("a", "b") == "a|b"
