"""A minimal custom adapter: keeps what it is sent in memory and serves it back on pull.

A real plug-in does the same with its own remote API: expose a factory object with an
``info`` (``ports.external.AdapterInfo``) and ``__call__(config, deadline)`` returning an
object with ``authenticate``, ``push``, ``pull`` and ``close``; declare it under the entry-point
group ``datacollect.external_systems`` in the plug-in's ``pyproject.toml``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ports.external import (
    AdapterInfo,
    AuthError,
    Credentials,
    ExternalConfig,
    HttpDeadline,
    PullPage,
    Pushed,
    PushItem,
    PushResult,
)

INFO = AdapterInfo(name="example-memory", description="Example plug-in: an in-memory remote")
RECEIVED: list[PushItem] = []  # shared by every instance, for tests


class ExampleSystem:
    info = INFO

    def __init__(self, config: ExternalConfig, deadline: HttpDeadline) -> None:
        self._config = config

    def authenticate(self, credentials: Credentials | None) -> None:
        if self._config.option("refuse") == "yes":
            raise AuthError("the example remote refuses everyone")

    def push(self, items: Sequence[PushItem]) -> list[PushResult]:
        RECEIVED.extend(items)
        return [
            Pushed(external_id=f"ex-{i.event.entity_guid}", external_model="thing") for i in items
        ]

    def pull(self, cursor: str | None, limit: int) -> PullPage:
        return PullPage(records=[], next_cursor=cursor, done=True)

    def close(self) -> None:
        pass


class _Factory:
    info = INFO

    def __call__(self, config: ExternalConfig, deadline: HttpDeadline) -> ExampleSystem:
        return ExampleSystem(config, deadline)


FACTORY = _Factory()
