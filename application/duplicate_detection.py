"""Find potential duplicates among the entities a push changed (one candidate query per push)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

import attrs

from domain.duplicates import (
    DuplicateRules,
    PotentialDuplicate,
    Profile,
    Similarity,
    pair_key,
    profile_keys,
    profile_of,
    score_profiles,
)
from domain.entities import Entity
from ports.repositories import UnitOfWork

CANDIDATES_PER_KEY = 20  # per key: recall comes from the narrow birth-date+name keys; a huge
# bucket ("Unknown", 1900-01-01) then costs no more than this
MAX_COMPARISONS_PER_ENTITY = 200  # bounds the cost of pathological buckets (one name x1000)
MAX_PAIRS_PER_ENTITY = 20  # the best-scoring ones; more would drown reviewers anyway


@attrs.frozen
class IndexedEntities:
    """Changed entities profiled once: their match keys (to store) and profiles (to score)."""

    keys: dict[str, frozenset[str]]
    profiles: dict[str, Profile]  # only entities the rules check (live, of a checked type)


class DuplicateDetector:
    def __init__(self, similarity: Similarity) -> None:
        self._similarity = similarity

    def index(self, entities: Sequence[Entity], rules: DuplicateRules) -> IndexedEntities:
        profiles = {e.guid: profile_of(e, rules) for e in entities}
        return IndexedEntities(
            keys={g: profile_keys(p) if p else frozenset() for g, p in profiles.items()},
            profiles={g: p for g, p in profiles.items() if p is not None},
        )

    def keys_for(self, entities: Sequence[Entity], rules: DuplicateRules) -> dict[str, frozenset]:
        return self.index(entities, rules).keys

    @staticmethod
    def _candidates(
        profile: Profile, by_key: Mapping[str, list[Profile]], keys: frozenset[str]
    ) -> list[Profile]:
        """Distinct profiles sharing a key with ``profile``; exact-name keys first."""
        seen: dict[str, Profile] = {}
        for key in sorted(keys, key=lambda k: not k.startswith("n:")):
            for other in by_key.get(key, ()):
                if other.guid != profile.guid and other.guid not in seen:
                    seen[other.guid] = other
                    if len(seen) >= MAX_COMPARISONS_PER_ENTITY:
                        return list(seen.values())
        return list(seen.values())

    def find(
        self,
        uow: UnitOfWork,
        tenant_id: str,
        rules: DuplicateRules,
        changed: IndexedEntities,
        now: datetime,
        written: Collection[str] = (),
    ) -> list[PotentialDuplicate]:
        """New potential-duplicate pairs for ``changed``; reads only. Batch-mates meet each
        other from ``changed`` (profiled once, in memory); the database is asked only for
        other entities filed under the same keys: not the push's own (``written``: about to
        be saved or removed), so a push never re-reads and re-decodes what it writes."""
        wanted = {k for g in changed.profiles for k in changed.keys[g]}
        if not wanted:
            return []
        by_key: dict[str, list[Profile]] = {}
        for guid in sorted(changed.profiles):  # the same bound per key as the stored ones
            for key in changed.keys[guid]:
                mates = by_key.setdefault(key, [])
                if len(mates) < CANDIDATES_PER_KEY:
                    mates.append(changed.profiles[guid])
        skip = {*changed.keys, *written}
        for candidate in uow.entities.find_by_keys(
            tenant_id, wanted, CANDIDATES_PER_KEY, exclude=skip
        ):
            other = profile_of(candidate, rules)
            if other is not None:
                for key in profile_keys(other) & wanted:
                    by_key.setdefault(key, []).append(other)
        found: dict[str, PotentialDuplicate] = {}
        for guid, profile in changed.profiles.items():
            matches = []
            for other in self._candidates(profile, by_key, changed.keys[guid]):
                match = score_profiles(profile, other, rules.threshold, self._similarity)
                if match is not None:
                    matches.append((match.score, other.guid, match))
            matches.sort(key=lambda m: (-m[0], m[1]))
            for _, other_guid, match in matches[:MAX_PAIRS_PER_ENTITY]:
                pair = pair_key(guid, other_guid)
                if pair not in found:
                    found[pair] = PotentialDuplicate(
                        entity_guid=guid,
                        duplicate_guid=other_guid,
                        score=match.score,
                        reasons=match.reasons,
                        detected_at=now,
                    )
        if not found:
            return []
        known = uow.duplicates.get_many(tenant_id, list(found))
        return [pair for key, pair in found.items() if key not in known]
