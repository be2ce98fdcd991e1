"""External systems (OpenSPP, OpenFn, a mock server, plug-ins): the port every adapter implements.

One ``ExternalSystem`` instance serves one run of one tenant's configuration. Adapters never
touch the stores: the application hands them what to push (``PushItem``) and turns what they
pull (``ExternalRecord``) into domain events itself. Adapters are built by a factory found
through the ``datacollect.external_systems`` entry-point group (``ExternalSystemFactory``).

Errors an adapter raises are the ``ExternalError`` subclasses below; anything else escaping an
adapter is treated as transient by the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

import attrs

from domain.entities import Entity
from domain.events import Event

Op = Literal["create", "update", "delete", "link", "unlink"]


class ExternalError(Exception):
    """Base of every failure an adapter reports. ``str(error)`` never contains a secret."""

    kind = "external"


class TransientError(ExternalError):
    """Worth retrying later (timeouts, 429/5xx, a dropped connection)."""

    kind = "transient"

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class TimedOut(TransientError):
    """The remote did not answer in time (or the run reached its deadline)."""

    kind = "timeout"


class AuthError(ExternalError):
    """The remote refused our credentials: stop the run, never retry with the same ones."""

    kind = "auth"


class PermanentError(ExternalError):
    """The remote will refuse this again (a 4xx other than auth, a validation error)."""

    kind = "permanent"


class ConfigError(ExternalError):
    """The configuration cannot work (missing URL or option, unknown webhook, bad database)."""

    kind = "config"


@attrs.frozen(kw_only=True)
class Credentials:
    """Credentials given for one run only (the admin app's dialog). Never stored or logged."""

    username: str
    password: str = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class ExternalConfig:
    """A tenant's ``externalSync`` section with its secrets put back (server-side only).

    ``options`` holds upstream's ``extraFields`` as a name -> value mapping plus any other key
    of the section; ``secret_names`` are the option names whose values must never be shown.
    """

    tenant_id: str
    type: str
    url: str
    auth: str | None = None
    options: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    def option(self, name: str, default: Any = None) -> Any:
        value = self.options.get(name)
        return default if value is None or value == "" else value


@attrs.frozen(kw_only=True)
class PushItem:
    """One outbox row to deliver, with what the adapter needs to map it."""

    key: str  # idempotency key: sha256 of tenant|system|event guid
    op: Op
    event: Event
    entity: Entity | None  # the entity's current state (None when unknown)
    external_id: str | None  # the entity's id in the remote system, when known
    parent_external_id: str | None = None  # a member's group in the remote system
    # remote ids of the entities the change names (members, the parent), by entity guid;
    # None for those not delivered yet
    related: Mapping[str, str | None] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Pushed:
    external_ref: str | None = None  # e.g. an OpenFn work order id
    external_id: str | None = None  # the entity's remote id (recorded in the id map)
    external_model: str | None = None


@attrs.frozen(kw_only=True)
class Retryable:
    reason: str
    retry_after_s: float | None = None


@attrs.frozen(kw_only=True)
class Rejected:
    reason: str


PushResult = Pushed | Retryable | Rejected


@attrs.frozen(kw_only=True)
class ExternalRecord:
    """One record read from the remote system, already flattened (no ``[id, name]`` pairs)."""

    model: str  # remote model or collection, e.g. "res.partner"
    external_id: str
    version: str  # what changes when the record changes (a write_date, a timestamp)
    kind: Literal["individual", "group"] = "individual"
    data: Mapping[str, Any] = attrs.field(factory=dict)
    deleted: bool = False
    group_external_id: str | None = None  # an individual's group, when the remote says so
    local_guid: str | None = None  # our entity guid when the remote kept it (a push marker)


@attrs.frozen(kw_only=True)
class PullPage:
    records: Sequence[ExternalRecord]
    next_cursor: str | None  # resume after this page (kept even when done)
    done: bool


@attrs.frozen(kw_only=True)
class AdapterInfo:
    name: str  # the canonical type
    aliases: tuple[str, ...] = ()
    description: str = ""
    can_push: bool = True
    can_pull: bool = True
    batch_size: int = 100  # outbox rows handed to one push() call


class ExternalSystem(Protocol):
    info: AdapterInfo

    def authenticate(self, credentials: Credentials | None) -> None:
        """Check (and cache) the login; raises ``AuthError`` or ``ConfigError``."""
        ...

    def push(self, items: Sequence[PushItem]) -> list[PushResult]:
        """One result per item, in order. Raises ``AuthError`` to stop the whole run."""
        ...

    def pull(self, cursor: str | None, limit: int) -> PullPage:
        """The next page of records changed after ``cursor`` (None: from the beginning)."""
        ...

    def close(self) -> None: ...


class HttpDeadline(Protocol):
    """Seconds left in the run (an adapter never waits beyond it)."""

    def remaining(self) -> float: ...


class ExternalSystemFactory(Protocol):
    """What an entry point in ``datacollect.external_systems`` loads to."""

    info: AdapterInfo

    def __call__(self, config: ExternalConfig, deadline: HttpDeadline) -> ExternalSystem: ...


class ExternalSystems(Protocol):
    """The installed adapters (bootstrap builds it from the entry points)."""

    def infos(self) -> list[AdapterInfo]: ...
    def canonical(self, name: str) -> str | None:
        """The canonical type for a name or alias; None when nothing installed answers it."""
        ...

    def names(self) -> tuple[str, ...]:
        """Every accepted type name, aliases included."""
        ...

    def build(self, config: ExternalConfig, deadline: HttpDeadline) -> ExternalSystem:
        """Raises ``ConfigError`` for an unknown type."""
        ...
