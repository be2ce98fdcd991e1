"""The only module that knows how errors look in HTTP: RFC 9457 ``application/problem+json``.

Body: ``{type, title, status, detail, errors: [{pointer, code, detail}]}`` plus the compat
fields the deployed clients read: ``error`` on 401/403 (upstream's auth middleware bodies) and
``message`` on a failed login and on 404. Falcon's own errors (bad JSON, unknown route, wrong
method, unsupported media type) go through the same serializer, so nothing is ever HTML.
"""

from __future__ import annotations

import http
import json
from typing import Any

import cattrs
import falcon
import structlog

from adapters_in.http.converter import validation_problems
from adapters_in.http.parsing import InvalidRequest
from application.context import request_id
from domain.cursor import InvalidCursor
from domain.errors import (
    AlreadyExists,
    DomainError,
    EventNotApplicable,
    Forbidden,
    InvalidEvent,
    NotFound,
    PreconditionFailed,
    StateConflict,
    TooManyAttempts,
    Unauthenticated,
    ValidationFailed,
)
from ports.errors import IdentityProviderBusy, StorageUnavailable, TransientConflict

MEDIA_PROBLEM = "application/problem+json"
TYPE_PREFIX = "urn:datacollect:problem:"


def _log() -> Any:
    """Looked up per error (rare), so a reconfiguration of logging is always honoured."""
    return structlog.get_logger("http.errors")


# Most specific class first wins (the table is searched along the exception's MRO).
STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    AlreadyExists: 409,
    StateConflict: 409,
    ValidationFailed: 422,
    PreconditionFailed: 412,
    Unauthenticated: 401,
    TooManyAttempts: 429,
    InvalidCursor: 400,
    InvalidEvent: 422,
    EventNotApplicable: 409,
    DomainError: 422,
}
_FALCON_SLUGS = {400: "bad-request", 404: "not-found", 405: "method-not-allowed",
                 413: "payload-too-large", 415: "unsupported-media-type"}  # fmt: skip


class Problem(falcon.HTTPError):
    """An ``HTTPError`` that carries the RFC 9457 members and our extensions."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        errors: list[tuple[str, str, str]] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, title=http.HTTPStatus(status).phrase, headers=headers)
        self.slug, self.detail, self.errors, self.extra = slug, detail, errors or [], extra or {}


def _pointer(pointer: str) -> str:
    return pointer if pointer.startswith("#") else "#" + pointer


def serialize(req: falcon.Request, resp: falcon.Response, error: falcon.HTTPError) -> None:
    status = error.status_code
    if isinstance(error, Problem):
        slug, detail, errors, extra = error.slug, error.detail, error.errors, error.extra
    else:
        slug = "malformed-json" if isinstance(error, falcon.MediaMalformedError) else None
        slug = slug or _FALCON_SLUGS.get(status, f"http-{status}")
        detail = error.description or http.HTTPStatus(status).phrase
        errors, extra = [], {}
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + slug,
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    if errors:
        body["errors"] = [{"pointer": _pointer(p), "code": c, "detail": d} for p, c, d in errors]
    resp.content_type = MEDIA_PROBLEM
    resp.data = json.dumps(body, allow_nan=False).encode()


def _status_of(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 422


def domain_problem(error: DomainError) -> Problem:
    status = _status_of(error)
    if error.code == "batch-too-large":
        status = 413
    extra: dict[str, Any] = {"code": error.code}
    headers: dict[str, str] = {}
    errors = [(error.pointer, error.code, error.message)] if error.pointer else []
    if isinstance(error, ValidationFailed):
        errors = list(error.problems)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
        extra["message" if error.code == "invalid-credentials" else "error"] = error.message
    elif status == 403:
        extra["error"] = error.message
    elif status == 404:
        extra["message"] = error.message
    if isinstance(error, TooManyAttempts):
        headers["Retry-After"] = str(max(1, error.retry_after_s))
    return Problem(status, error.code, error.message, errors=errors, extra=extra, headers=headers)


def _on_domain_error(req: Any, resp: Any, error: DomainError, params: Any) -> None:
    raise domain_problem(error)


def _on_invalid_request(req: Any, resp: Any, error: InvalidRequest, params: Any) -> None:
    slug = "validation-failed" if error.status == 422 else _FALCON_SLUGS.get(error.status, "bad")
    raise Problem(error.status, slug, error.title, errors=error.problems)


def _on_cattrs_error(req: Any, resp: Any, error: Exception, params: Any) -> None:
    problems = validation_problems(error)
    raise Problem(422, "validation-failed", "The request body is not valid", errors=problems)


def _on_storage_unavailable(req: Any, resp: Any, error: StorageUnavailable, params: Any) -> None:
    _log().warning("storage unavailable", detail=str(error), request_id=request_id.get())
    retry = str(max(1, error.retry_after_s))
    raise Problem(503, "storage-unavailable", str(error), headers={"Retry-After": retry})


def _on_idp_busy(req: Any, resp: Any, error: IdentityProviderBusy, params: Any) -> None:
    retry = str(max(1, error.retry_after_s))
    raise Problem(
        503,
        "identity-provider-busy",
        "Too many identity-provider checks are in progress; retry shortly",
        headers={"Retry-After": retry},
    )


def _on_transient_conflict(req: Any, resp: Any, error: Exception, params: Any) -> None:
    _log().warning("transient conflict after retries", request_id=request_id.get())
    raise Problem(503, "busy", "The server is busy; retry shortly", headers={"Retry-After": "1"})


def _on_unexpected(req: Any, resp: Any, error: Exception, params: Any) -> None:
    # The one place unexpected errors are logged; the client gets no trace, only the id.
    _log().error(
        "unhandled error",
        method=req.method,
        path=req.path,
        request_id=request_id.get(),
        exc_info=error,
    )
    raise Problem(
        500, "internal-error", "An unexpected error occurred", extra={"requestId": request_id.get()}
    )


def install(app: falcon.App) -> None:
    app.add_error_handler(Exception, _on_unexpected)
    app.add_error_handler(DomainError, _on_domain_error)
    app.add_error_handler(InvalidRequest, _on_invalid_request)
    app.add_error_handler(cattrs.BaseValidationError, _on_cattrs_error)
    app.add_error_handler(cattrs.ForbiddenExtraKeysError, _on_cattrs_error)
    app.add_error_handler(StorageUnavailable, _on_storage_unavailable)
    app.add_error_handler(TransientConflict, _on_transient_conflict)
    app.add_error_handler(IdentityProviderBusy, _on_idp_busy)
    app.set_error_serializer(serialize)
