"""Request parsing: JSON bodies and query strings -> attrs values, or ``InvalidRequest``.

Failures carry one ``(pointer, code, detail)`` per problem; ``problems.py`` renders them.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import cattrs
import falcon

from adapters_in.http.converter import validation_problems
from domain.errors import NotFound
from domain.json_values import MAX_DEPTH, find_flaw
from domain.tenants import valid_tenant_id
from domain.users import Principal

T = TypeVar("T")
MAX_JSON_DEPTH = MAX_DEPTH


class InvalidRequest(Exception):
    """The request cannot be processed as sent; ``problems`` are ``(pointer, code, detail)``."""

    def __init__(self, status: int, title: str, problems: list[tuple[str, str, str]]) -> None:
        super().__init__(title)
        self.status, self.title, self.problems = status, title, problems


def structure(conv: cattrs.Converter, value: object, cls: type[T], *, status: int = 422) -> T:
    try:
        return conv.structure(value, cls)
    except (cattrs.BaseValidationError, cattrs.ForbiddenExtraKeysError) as error:
        problems = validation_problems(error)
        raise InvalidRequest(status, "The request body is not valid", problems) from None


def body_object(
    req: falcon.Request, *, status: int = 422, check_values: bool = True
) -> dict[str, Any]:
    """The JSON body, which must be an object. Falcon answers bad JSON (400) and unsupported
    media types (415) itself; an empty body counts as ``{}`` so missing fields get pointers.

    Unless ``check_values`` is off (a push judges each event on its own), a body holding
    anything that must not be stored (NaN/Infinity, NUL or lone surrogates, nesting deeper than
    ``MAX_JSON_DEPTH``) is refused as a whole with the flaw's pointer and code."""
    try:
        media = req.get_media(default_when_empty={})
    except RecursionError:  # the stdlib parser recurses per nesting level
        raise InvalidRequest(400, "The JSON body is nested too deeply to parse", []) from None
    if type(media) is not dict:
        raise InvalidRequest(status, "The request body must be a JSON object", [])
    if check_values:
        refuse_flaws(media, status=status)
    return media


def refuse_flaws(value: object, *, status: int = 422) -> None:
    flaw = find_flaw(value, max_depth=MAX_JSON_DEPTH)
    if flaw is not None:
        raise InvalidRequest(status, flaw.detail, [(flaw.pointer or "#", flaw.code, flaw.detail)])


def parse(
    req: falcon.Request,
    conv: cattrs.Converter,
    cls: type[T],
    *,
    status: int = 422,
    check_values: bool = True,
) -> T:
    body = body_object(req, status=status, check_values=check_values)
    return structure(conv, body, cls, status=status)


_INT = re.compile(r"^[0-9]{1,9}$")


def query_int(req: falcon.Request, name: str, default: int) -> int:
    raw = req.get_param(name)
    if raw is None or raw == "":
        return default
    if not _INT.match(raw):
        detail = f"'{name}' must be a non-negative integer"
        raise InvalidRequest(400, detail, [("#", "invalid-parameter", detail)])
    return int(raw)


def tenant_of(req: falcon.Request, default: str) -> str:
    """``configId`` from the JSON body, else the query, else the compat default (upstream
    order). The body is read only for JSON requests; Falcon caches it for the resource."""
    # No Content-Type means JSON to Falcon (its default media type), so the same here.
    is_json = (req.content_type or falcon.MEDIA_JSON).startswith(falcon.MEDIA_JSON)
    if req.method in ("POST", "PUT", "PATCH") and is_json:
        media = req.get_media(default_when_empty=None)
        if isinstance(media, dict) and "configId" in media:
            value = media["configId"]
            if type(value) is not str or not value:
                raise InvalidRequest(
                    422,
                    "The request body is not valid",
                    [("#/configId", "invalid-type", "must be a non-empty string")],
                )
            return _known_shape(value)
    return _known_shape(req.get_param("configId") or default)


def _known_shape(tenant_id: str) -> str:
    # An id no tenant can have (tenant ids are validated on creation) never reaches storage.
    if not valid_tenant_id(tenant_id):
        raise NotFound(f"configuration {tenant_id!r} does not exist", code="tenant-not-found")
    return tenant_id


def principal_of(req: falcon.Request) -> Principal:
    """The authenticated caller, set by the authentication middleware."""
    return req.context.principal
