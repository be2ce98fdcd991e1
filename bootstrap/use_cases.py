"""Use cases are found by their class: naming one where it is used is enough to wire it.

``build_container`` registers the ports (storage, clock, ids, security, ...) and the few use
cases that take a plain value (a setting). Every other class of the ``application`` package is
a singleton registered on first use, together with the application classes its constructor
asks for. Adding a use case therefore means writing it and using it in a route module or a
command (``kit.use(PushEvents)``, ``use(container, CreateTenant)``): no list to extend, no
field to add.
"""

from __future__ import annotations

import functools
import inspect
import threading
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import punq

T = TypeVar("T")
_APPLICATION = "application."
_LOCK = threading.RLock()


def use(container: punq.Container, kind: type[T]) -> T:
    """The container's single instance of ``kind`` (a use case, or anything registered)."""
    with _LOCK:
        _register(container, kind)
        return typing.cast(T, container.resolve(kind))


def use_case_resolver(container: punq.Container) -> Callable[[type[Any]], Any]:
    """``use`` bound to one container, as the HTTP app takes it."""
    return functools.partial(use, container)


def _register(container: punq.Container, kind: type) -> None:
    if not kind.__module__.startswith(_APPLICATION):
        return
    for dependency in _constructor_classes(kind):  # also for those registered explicitly
        _register(container, dependency)
    if not _is_registered(container, kind):
        container.register(kind, scope=punq.Scope.singleton)


def _is_registered(container: punq.Container, kind: type) -> bool:
    return container.registrations.build_context(kind).target(kind).next_impl() is not None


def _constructor_classes(kind: type) -> list[type]:
    init = kind.__init__  # type: ignore[misc]
    if init is object.__init__:
        return []
    hints = typing.get_type_hints(init)
    hints.pop("return", None)
    return [hint for hint in hints.values() if inspect.isclass(hint)]
