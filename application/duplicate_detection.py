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

MAX_CANDIDATES = 5_000


class DuplicateDetector:
    def __init__(self, similarity: Similarity) -> None:
        self._similarity = similarity

    def keys_for(self, entities: Sequence[Entity], rules: DuplicateRules) -> dict[str, frozenset]:
        return {e.guid: match_keys(e, rules) for e in entities}

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
        candidates = uow.entities.find_by_keys(tenant_id, wanted, MAX_CANDIDATES)
        by_key: dict[str, list[Entity]] = {}
        for candidate in candidates:
            for key in match_keys(candidate, rules) & wanted:
                by_key.setdefault(key, []).append(candidate)
        found: dict[str, PotentialDuplicate] = {}
        for entity in changed:
            seen: set[str] = set()
            for key in keys.get(entity.guid, ()):
                for other in by_key.get(key, ()):
                    if other.guid == entity.guid or other.guid in seen:
                        continue
                    seen.add(other.guid)
                    match = score_pair(entity, other, rules, self._similarity)
                    pair = pair_key(entity.guid, other.guid)
                    if match is not None and pair not in found:
                        found[pair] = PotentialDuplicate(
                            entity_guid=entity.guid,
                            duplicate_guid=other.guid,
                            score=match.score,
                            reasons=match.reasons,
                            detected_at=now,
                        )
        if not found:
            return 0
        known = uow.duplicates.get_many(tenant_id, list(found))
        fresh = [pair for key, pair in found.items() if key not in known]
        return uow.duplicates.add_many(tenant_id, fresh) if fresh else 0
