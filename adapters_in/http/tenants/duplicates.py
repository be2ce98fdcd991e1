"""``/api/potential-duplicates``: list (JWT) and resolve (admin, by a server event)."""

from __future__ import annotations

import attrs
import falcon

from adapters_in.http.parsing import InvalidRequest, parse, principal_of, tenant_of
from adapters_in.http.routing import HttpKit
from application.review_duplicates import DuplicateResolution, ResolveDuplicate


@attrs.frozen(kw_only=True)
class ResolveBody:
    new_item: str
    existing_item: str
    should_delete_new_item: bool = False
    config_id: str | None = None


class ResolveDuplicateResource:
    def __init__(self, resolve: ResolveDuplicate, kit: HttpKit) -> None:
        self._resolve, self._kit = resolve, kit

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = parse(req, self._kit.strict, ResolveBody)
        for name, value in (("newItem", body.new_item), ("existingItem", body.existing_item)):
            if not value:
                detail = f"'{name}' must be a non-empty string"
                raise InvalidRequest(422, detail, [(f"#/{name}", "invalid-value", detail)])
        event_guid = self._resolve(
            principal_of(req),
            tenant_of(req, self._kit.config.legacy_default_tenant),
            DuplicateResolution(
                new_item=body.new_item,
                existing_item=body.existing_item,
                should_delete_new_item=body.should_delete_new_item,
            ),
        )
        resp.media = {"status": "success", "eventGuid": event_guid}
