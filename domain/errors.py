"""Domain errors: every rule violation carries a stable machine-readable ``code``.

The codes are part of the wire protocol (per-event push results, problem+json bodies), so they
never change once published. The HTTP layer maps error *classes* to status codes in one place.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken; ``code`` is stable, ``message`` is for humans."""

    code = "domain-error"

    def __init__(self, message: str, *, code: str | None = None, pointer: str = "") -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.pointer = pointer


class InvalidEvent(DomainError):
    """An event that can never be applied as sent (shape, fields, type)."""

    code = "invalid-event"


class EventNotApplicable(DomainError):
    """A well-formed event that cannot be applied to the current state (e.g. missing group)."""

    code = "not-applicable"


class NotFound(DomainError):
    code = "not-found"


class AlreadyExists(DomainError):
    code = "already-exists"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class StateConflict(DomainError):
    """The request is valid but the current state forbids it (e.g. removing the last admin)."""

    code = "conflict"


class PreconditionFailed(DomainError):
    code = "precondition-failed"


class ValidationFailed(DomainError):
    """Several problems found at once; each is ``(pointer, code, detail)``."""

    code = "validation-failed"

    def __init__(self, message: str, problems: list[tuple[str, str, str]]) -> None:
        super().__init__(message)
        self.problems = problems


class TooManyAttempts(DomainError):
    code = "too-many-attempts"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
