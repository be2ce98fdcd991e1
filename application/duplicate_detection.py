"""Flag potential duplicates among the entities a push changed (one candidate query per push)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from domain.duplicates import (
    DuplicateRules,
    PotentialDuplicate,
    Profile,
    Similarity,
    match_keys,
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


class DuplicateDetector:
    def __init__(self, similarity: Similarity) -> None:
        self._similarity = similarity

    def keys_for(self, entities: Sequence[Entity], rules: DuplicateRules) -> dict[str, frozenset]:
        return {e.guid: match_keys(e, rules) for e in entities}

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

    def detect(
        self,
        uow: UnitOfWork,
        tenant_id: str,
        rules: DuplicateRules,
        changed: Sequence[Entity],
        keys: Mapping[str, frozenset[str]],
        now: datetime,
    ) -> int:
        """Entities must already be saved in ``uow`` (so batch-mates find each other)."""
        wanted = {k for e in changed for k in keys.get(e.guid, ())}
        if not wanted:
            return 0
        by_key: dict[str, list[Profile]] = {}
        for candidate in uow.entities.find_by_keys(tenant_id, wanted, CANDIDATES_PER_KEY):
            profile = profile_of(candidate, rules)
            if profile is not None:
                for key in profile_keys(profile) & wanted:
                    by_key.setdefault(key, []).append(profile)
        found: dict[str, PotentialDuplicate] = {}
        for entity in changed:
            profile = profile_of(entity, rules)
            if profile is None:
                continue
            matches = []
            for other in self._candidates(profile, by_key, keys.get(entity.guid, frozenset())):
                match = score_profiles(profile, other, rules.threshold, self._similarity)
                if match is not None:
                    matches.append((match.score, other.guid, match))
            matches.sort(key=lambda m: (-m[0], m[1]))
            for _, other_guid, match in matches[:MAX_PAIRS_PER_ENTITY]:
                pair = pair_key(entity.guid, other_guid)
                if pair not in found:
                    found[pair] = PotentialDuplicate(
                        entity_guid=entity.guid,
                        duplicate_guid=other_guid,
                        score=match.score,
                        reasons=match.reasons,
                        detected_at=now,
                    )
        if not found:
            return 0
        known = uow.duplicates.get_many(tenant_id, list(found))
        fresh = [pair for key, pair in found.items() if key not in known]
        return uow.duplicates.add_many(tenant_id, fresh) if fresh else 0
