"""Value codecs shared by the SQLite repositories: instants and JSON as TEXT columns.

Instants are stored as fixed-width ISO-8601 UTC text, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (27
characters, always microseconds, always ``Z``). Because every value has the same width and the
same zone, text order is time order, so ``ORDER BY``, ``>=`` and indexes work on the column as
they would on a timestamp type, and the file stays readable with the ``sqlite3`` shell (integer
microseconds would be as fast but opaque to the operator). Reads always return timezone-aware
UTC datetimes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sized
from datetime import UTC, datetime
from typing import Any


def to_text(instant: datetime) -> str:
    if instant.tzinfo is not UTC:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"refusing to store a naive datetime: {instant!r}")
        instant = instant.astimezone(UTC)
    # isoformat pads the year to 4 digits, and timespec fixes the fraction at 6 digits
    return instant.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def to_text_or_none(instant: datetime | None) -> str | None:
    return None if instant is None else to_text(instant)


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)  # "Z" -> tzinfo=UTC (Python >= 3.11)


def from_text_or_none(text: str | None) -> datetime | None:
    return None if text is None else from_text(text)


# Compact JSON. Keys are sorted so equal values are stored as equal text (stable rows,
# comparable dumps); the unsorted encoder keeps documents exactly as received. ASCII escapes
# keep lone surrogates (valid in JSON, invalid in UTF-8) storable. Encoders are immutable
# configuration, built once because json.dumps with options builds one per call. NaN and
# Infinity are refused: they are not JSON, and nothing that is not JSON is ever stored.
_SORTED = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False)
_AS_IS = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


def dump(value: Any, *, sort_keys: bool = True) -> str:
    return (_SORTED if sort_keys else _AS_IS).encode(value)


def load(text: str) -> Any:
    return json.loads(text)


# Lists of values are bound as "?, ?, ..." placeholders. Not as one JSON array read with
# json_each(): before 3.45, SQLite's JSON functions cut a string at an escaped NUL, so a guid
# "a\u0000b" would match the event "a" (and a device could re-claim an existing guid).
MAX_LIST = 5_000  # values per statement; SQLite >= 3.32 allows 32,766 bound variables


def chunks(values: Iterable[str]) -> list[list[str]]:
    """Distinct values (first-seen order) in statement-sized parts; ``[]`` for none."""
    distinct = list(dict.fromkeys(values))
    return [distinct[i : i + MAX_LIST] for i in range(0, len(distinct), MAX_LIST)]


def marks(values: Sized) -> str:
    return ", ".join("?" * len(values))
