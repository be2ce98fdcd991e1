"""GET of a review list (conflicts, potential duplicates): status filter, paging, rendering."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import falcon

from adapters_in.http.parsing import principal_of, query_int, tenant_of
from adapters_in.http.routing import HttpKit
from domain.users import Principal

ListItems = Callable[[Principal, str, str | None, int, int], Sequence[Any]]


class StatusListResource:
    """``?status=`` picks one status (``all`` for every one), ``limit``/``offset`` page it."""

    def __init__(
        self,
        list_items: ListItems,
        render_item: Callable[[Any], dict[str, Any]],
        default_status: str,
        kit: HttpKit,
    ) -> None:
        self._list, self._render = list_items, render_item
        self._default_status = default_status
        self._default_tenant = kit.config.legacy_default_tenant

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        status = req.get_param("status") or self._default_status
        found = self._list(
            principal_of(req),
            tenant_of(req, self._default_tenant),
            None if status == "all" else status,
            query_int(req, "limit", 100),
            query_int(req, "offset", 0),
        )
        resp.media = [self._render(item) for item in found]
