"""Wire shapes of the review and read APIs (upstream field names, camelCase)."""

from __future__ import annotations

from typing import Any

from application.entities import EntityDetail
from application.tenant_reads import AppPage
from domain.conflicts import Conflict
from domain.duplicates import PotentialDuplicate
from domain.entities import GROUP, Entity
from domain.tenant_config_secrets import masked_view
from domain.timestamps import format_instant


def _instant(value: Any) -> str | None:
    return format_instant(value) if value is not None else None


def _masked_sync(sync: Any) -> Any:
    return masked_view({"externalSync": sync})["externalSync"] if sync else {}


def app_page(page: AppPage) -> dict[str, Any]:
    return {
        "data": [
            {
                "id": row.tenant.id,
                "artifactId": row.tenant.artifact_id,
                "name": row.tenant.name,
                "version": row.tenant.version,
                "externalSync": _masked_sync(row.tenant.config.get("externalSync")),
                "entitiesCount": row.entities_count,
                "description": row.tenant.description,
                "createdAt": _instant(row.tenant.created_at),
                "updatedAt": _instant(row.tenant.updated_at),
            }
            for row in page.items
        ],
        "meta": {
            "total": page.total,
            "page": page.page,
            "pageSize": page.page_size,
            "totalPages": page.total_pages,
            "sortBy": page.sort_by,
            "sortOrder": page.sort_order,
            "search": page.search,
        },
    }


def entity(item: Entity) -> dict[str, Any]:
    return {
        "guid": item.guid,
        "id": item.guid,
        "name": item.display_name,
        "entityName": item.entity_name,
        "type": item.type,
        "data": dict(item.data),
        "lastUpdated": format_instant(item.last_updated),
    }


def entity_detail(detail: EntityDetail) -> dict[str, Any]:
    body = {**entity(detail.entity), "version": detail.entity.version}
    if detail.entity.type == GROUP:
        body["memberIds"] = list(detail.entity.member_ids)
        body["members"] = [entity(m) for m in detail.members]
        body["memberCount"] = len(detail.members)
        body["missing"] = list(detail.missing)
    return body


def duplicate(pair: PotentialDuplicate) -> dict[str, Any]:
    return {
        "entityGuid": pair.entity_guid,
        "duplicateGuid": pair.duplicate_guid,
        "score": pair.score,
        "reasons": list(pair.reasons),
        "status": pair.status,
        "detectedAt": _instant(pair.detected_at),
        "resolvedAt": _instant(pair.resolved_at),
    }


def conflict(item: Conflict) -> dict[str, Any]:
    return {
        "id": item.id,
        "entityGuid": item.entity_guid,
        "kind": item.kind,
        "field": item.field,
        "winnerEventGuid": item.winner_event_guid,
        "loserEventGuid": item.loser_event_guid,
        "winnerValue": item.winner_value,
        "loserValue": item.loser_value,
        "rule": item.rule,
        "status": item.status,
        "resolution": item.resolution,
        "detectedAt": _instant(item.detected_at),
        "resolvedAt": _instant(item.resolved_at),
        "resolvedBy": item.resolved_by,
    }
