"""Flag potential duplicates among the entities a push changed (one candidate query per push)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from domain.duplicates import (
    DuplicateRules,
    PotentialDuplicate,
    Similarity,
    match_keys,
    pair_key,
    score_pair,
)
from domain.entities import Entity
from ports.repositories import UnitOfWork

CANDIDATES_PER_KEY = 50  # a huge bucket ("Unknown", 1900-01-01) costs no more than this
MAX_COMPARISONS_PER_ENTITY = 200  # bounds the cost of pathological buckets (one name x1000)
MAX_PAIRS_PER_ENTITY = 20  # the best-scoring ones; more would drown reviewers anyway


class DuplicateDetector:
    def __init__(self, similarity: Similarity) -> None:
        self._similarity = similarity

    def keys_for(self, entities: Sequence[Entity], rules: DuplicateRules) -> dict[str, frozenset]:
        return {e.guid: match_keys(e, rules) for e in entities}

    @staticmethod
    def _candidates(
        entity: Entity,
        keys: Mapping[str, frozenset[str]],
        by_key: Mapping[str, list[Entity]],
    ) -> list[Entity]:
        """Distinct entities sharing a key with ``entity``; exact-name keys first."""
        seen: dict[str, Entity] = {}
        for key in sorted(keys.get(entity.guid, ()), key=lambda k: not k.startswith("n:")):
            for other in by_key.get(key, ()):
                if other.guid != entity.guid and other.guid not in seen:
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
        candidates = uow.entities.find_by_keys(tenant_id, wanted, CANDIDATES_PER_KEY)
        by_key: dict[str, list[Entity]] = {}
        for candidate in candidates:
            for key in match_keys(candidate, rules) & wanted:
                by_key.setdefault(key, []).append(candidate)
        found: dict[str, PotentialDuplicate] = {}
        for entity in changed:
            matches = []
            for other in self._candidates(entity, keys, by_key):
                match = score_pair(entity, other, rules, self._similarity)
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
