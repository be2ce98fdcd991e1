"""The installed external-system adapters, found through Python entry points.

Every entry point in the group ``datacollect.external_systems`` names a factory object (an
``ports.external.ExternalSystemFactory``: an ``info`` attribute and ``__call__(config,
deadline)``). The entry point's name is a type name the configuration may use; several names
(upstream's ``openspp-adapter`` and our ``openspp``) may load the same factory. The built-ins
are declared in this project's ``pyproject.toml``; a plug-in is any installed distribution that
declares entries in the same group.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

from ports.external import (
    AdapterInfo,
    ConfigError,
    ExternalConfig,
    ExternalSystem,
    ExternalSystemFactory,
    HttpDeadline,
)

GROUP = "datacollect.external_systems"
log = logging.getLogger(__name__)


class DuplicateAdapterName(Exception):
    """Two installed distributions claim one type name: refuse to guess (fails at start)."""


class AdapterRegistry:
    def __init__(self, factories: dict[str, ExternalSystemFactory]) -> None:
        self._by_name = dict(factories)

    @classmethod
    def from_entry_points(cls, points: Iterable[EntryPoint] | None = None) -> AdapterRegistry:
        found: dict[str, ExternalSystemFactory] = {}
        origin: dict[str, str] = {}
        for point in entry_points(group=GROUP) if points is None else points:
            where = point.dist.name if point.dist is not None else point.value
            if point.name in found and origin[point.name] != where:
                raise DuplicateAdapterName(
                    f"external system {point.name!r} is declared by both "
                    f"{origin[point.name]!r} and {where!r}"
                )
            factory = point.load()
            if not isinstance(getattr(factory, "info", None), AdapterInfo):
                raise TypeError(f"entry point {point.name!r} ({point.value}) has no AdapterInfo")
            found[point.name], origin[point.name] = factory, where
        return cls(found)

    def infos(self) -> list[AdapterInfo]:
        by_canonical: dict[str, set[str]] = {}
        infos: dict[str, AdapterInfo] = {}
        for name, factory in self._by_name.items():
            info = factory.info
            infos[info.name] = info
            by_canonical.setdefault(info.name, set()).add(name)
        return [
            AdapterInfo(
                name=canonical,
                aliases=tuple(sorted(by_canonical[canonical] - {canonical})),
                description=infos[canonical].description,
                can_push=infos[canonical].can_push,
                can_pull=infos[canonical].can_pull,
                batch_size=infos[canonical].batch_size,
            )
            for canonical in sorted(infos)
        ]

    def canonical(self, name: str) -> str | None:
        factory = self._by_name.get(name)
        return None if factory is None else factory.info.name

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_name))

    def build(self, config: ExternalConfig, deadline: HttpDeadline) -> ExternalSystem:
        factory = self._by_name.get(config.type)
        if factory is None:
            raise ConfigError(f"external system type {config.type!r} is not installed")
        return factory(config, deadline)
