"""Potential duplicates: pure rules that say whether two entities may be the same person.

Candidate search is by *match keys* (normalised full name, date of birth, identifiers), which the
storage indexes, so finding candidates never scans a tenant. Scoring compares normalised names
with an injected similarity function (0..1), so the domain stays free of third-party code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any, Literal

import attrs

from domain.entities import INDIVIDUAL, Entity

Similarity = Callable[[str, str], float]
DuplicateStatus = Literal["pending", "kept-both", "deleted"]
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def stdlib_similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def normalise_name(text: str) -> str:
    """Case, accents, punctuation and spacing never distinguish two names; token order neither."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(sorted(_NON_ALNUM.sub(" ", plain).split()))


@attrs.frozen(kw_only=True)
class DuplicateRules:
    name_fields: tuple[tuple[str, ...], ...] = (
        ("name",),
        ("givenName", "familyName"),
        ("firstName", "lastName"),
        ("first_name", "last_name"),
        ("given_name", "family_name"),
    )
    birth_date_fields: tuple[str, ...] = (
        "dateOfBirth",
        "dob",
        "birthDate",
        "birthdate",
        "date_of_birth",
    )
    identifier_fields: tuple[str, ...] = ()
    entity_types: tuple[str, ...] = (INDIVIDUAL,)
    threshold: float = 0.85

    @classmethod
    def from_config(cls, options: Mapping[str, Any] | None) -> DuplicateRules:
        """Tenant override from the app config's ``duplicateDetection`` object."""
        if not options:
            return cls()
        fields: dict[str, Any] = {}
        if isinstance(options.get("identifierFields"), list):
            fields["identifier_fields"] = tuple(str(f) for f in options["identifierFields"])
        if isinstance(options.get("birthDateFields"), list):
            fields["birth_date_fields"] = tuple(str(f) for f in options["birthDateFields"])
        if isinstance(options.get("threshold"), int | float):
            fields["threshold"] = float(options["threshold"])
        if isinstance(options.get("entityTypes"), list):
            fields["entity_types"] = tuple(str(t) for t in options["entityTypes"])
        return cls(**fields)

    def applies_to(self, entity: Entity) -> bool:
        return entity.type in self.entity_types and not entity.deleted


def full_name(entity: Entity, rules: DuplicateRules) -> str | None:
    for fields in rules.name_fields:
        parts = [entity.data.get(f) for f in fields]
        if all(isinstance(p, str) and p.strip() for p in parts):
            normalised = normalise_name(" ".join(parts))  # type: ignore[arg-type]
            if normalised:
                return normalised
    return None


def birth_date(entity: Entity, rules: DuplicateRules) -> str | None:
    for field in rules.birth_date_fields:
        value = entity.data.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()[:10]  # a date, or the date part of a date-time
    return None


def identifiers(entity: Entity, rules: DuplicateRules) -> dict[str, str]:
    found = {}
    for field in rules.identifier_fields:
        value = entity.data.get(field)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            found[field] = str(value).strip().casefold()
    return found


@attrs.frozen(kw_only=True)
class Profile:
    """What the rule compares, extracted once per entity (normalising is the costly part)."""

    guid: str
    type: str
    name: str | None
    birth_date: str | None
    identifiers: Mapping[str, str]


def profile_of(entity: Entity, rules: DuplicateRules) -> Profile | None:
    """``None`` for entities the rules do not check (other types, deleted)."""
    if not rules.applies_to(entity):
        return None
    return Profile(
        guid=entity.guid,
        type=entity.type,
        name=full_name(entity, rules),
        birth_date=birth_date(entity, rules),
        identifiers=identifiers(entity, rules),
    )


def profile_keys(profile: Profile) -> frozenset[str]:
    keys = {f"i:{field}:{value}" for field, value in profile.identifiers.items()}
    if profile.name:
        keys.add(f"n:{profile.name}")
        # A birth date alone is shared by thousands of people in a large tenant, so it is only
        # a key together with the start of one name token: buckets stay small, while a typo
        # elsewhere in the name ("Jon"/"John Smith") still meets its twin under "sm".
        if profile.birth_date:
            keys.update(f"d:{profile.birth_date}:{token[:2]}" for token in profile.name.split())
    return frozenset(keys)


def match_keys(entity: Entity, rules: DuplicateRules) -> frozenset[str]:
    """Index keys under which likely duplicates of ``entity`` are filed."""
    profile = profile_of(entity, rules)
    return profile_keys(profile) if profile is not None else frozenset()


@attrs.frozen(kw_only=True)
class Match:
    score: float
    reasons: tuple[str, ...]


def score_profiles(
    a: Profile, b: Profile, threshold: float, similarity: Similarity = stdlib_similarity
) -> Match | None:
    """Score two profiles; ``None`` unless they look like the same person or household."""
    if a.guid == b.guid or a.type != b.type:
        return None
    same_ids = sorted(f for f in a.identifiers if b.identifiers.get(f) == a.identifiers[f])
    if same_ids:
        return Match(score=1.0, reasons=tuple(f"same {f}" for f in same_ids))
    if not a.name or not b.name:
        return None
    if a.birth_date and b.birth_date and a.birth_date != b.birth_date:
        return None  # different people who share a name
    name_score = 1.0 if a.name == b.name else similarity(a.name, b.name)
    reasons = ["same normalised name" if name_score == 1.0 else f"similar name ({name_score:.2f})"]
    if a.birth_date and b.birth_date:
        score = 0.7 * name_score + 0.3
        reasons.append("same date of birth")
    else:
        score = 0.9 * name_score
    score = round(score, 4)
    return Match(score=score, reasons=tuple(reasons)) if score >= threshold else None


def score_pair(
    a: Entity, b: Entity, rules: DuplicateRules, similarity: Similarity = stdlib_similarity
) -> Match | None:
    """Score two entities (see ``score_profiles``)."""
    pa, pb = profile_of(a, rules), profile_of(b, rules)
    if pa is None or pb is None:
        return None
    return score_profiles(pa, pb, rules.threshold, similarity)


def pair_key(a: str, b: str) -> str:
    """Pairs are unordered: (a, b) and (b, a) are one pair."""
    return f"{a}|{b}" if a <= b else f"{b}|{a}"


@attrs.frozen(kw_only=True)
class PotentialDuplicate:
    entity_guid: str  # the newer/changed entity
    duplicate_guid: str  # the existing entity it resembles
    score: float
    reasons: tuple[str, ...]
    status: DuplicateStatus = "pending"
    detected_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by_event: str | None = None

    @property
    def key(self) -> str:
        return pair_key(self.entity_guid, self.duplicate_guid)
