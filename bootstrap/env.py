"""Parsers for environment values. Each returns the parsed value or raises ``ValueError`` with a
message that names what was expected; ``Settings.from_env`` collects every failure at once."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_SIZE = re.compile(r"^(\d+)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$")
_SIZE_UNITS = {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("expected true or false (also 1/0, yes/no, on/off)")


def parse_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("expected a whole number") from None


def parse_duration(text: str) -> float:
    """Seconds: ``90``, ``1.5``, ``500ms``, ``45s``, ``10m``, ``12h``, ``1d``, ``1h30m``."""
    value = text.strip().lower()
    try:
        return float(value)
    except ValueError:
        pass
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        raise ValueError("expected seconds or a duration such as 500ms, 45s, 10m, 12h or 1h30m")
    return sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)


def parse_size(text: str) -> int:
    """Bytes: ``1048576``, ``512k``, ``10MiB``, ``1g`` (binary multiples)."""
    match = _SIZE.match(text.strip().lower())
    if not match:
        raise ValueError("expected a size in bytes such as 1048576, 512k or 10MiB")
    number, unit = match.groups()
    return int(number) * _SIZE_UNITS[(unit or "b")[0]]


def parse_csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def parse_http_url(text: str) -> str:
    value = text.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("expected an absolute http:// or https:// URL")
    return value


def parse_origin(text: str) -> str:
    if text == "*":
        return text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ValueError(f"{text!r} is not an origin such as https://admin.example.org or *")
    return f"{parts.scheme}://{parts.netloc}"


def choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise ValueError("expected one of " + ", ".join(allowed))
        return value

    return parse


def parse_origins(text: str) -> tuple[str, ...]:
    origins = parse_csv(text)
    for origin in origins:
        parse_origin(origin)
    return origins


def parse_log_level(text: str) -> str:
    value = text.strip().upper()
    if value not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value


def parse_postgres_url(text: str) -> str:
    value = text.strip()
    if not value.startswith(("postgresql://", "postgres://")):
        raise ValueError("expected a URL such as postgresql://user:password@host:5432/dbname")
    return value


class Reader:
    """Reads variables from ``env`` and records every problem instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def raw(self, name: str) -> str | None:
        value = self.env.get(name)
        return value if value is not None and value.strip() != "" else None

    def get(self, name: str, parse: Callable[[str], T], default: T) -> T:
        text = self.raw(name)
        if text is None:
            return default
        try:
            return parse(text)
        except ValueError as error:
            self.problems.append(f"{name}={_shown(name, text)}: {error}")
            return default

    def check(self, condition: bool, message: str) -> None:
        if not condition:
            self.problems.append(message)


def _shown(name: str, text: str) -> str:
    secret = any(word in name for word in ("SECRET", "PASSWORD", "POSTGRES", "KEY"))
    return "<hidden>" if secret else repr(text)
