"""Timestamps on the wire: strict RFC 3339 in, ``YYYY-MM-DDTHH:mm:ss.sssZ`` out.

Instants are normalised to UTC with millisecond precision on the way in, because the deployed
client compares timestamps as strings and only ever sees milliseconds: two events whose instants
differ below a millisecond would otherwise be indistinguishable on the wire but distinct here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_instant(text: object) -> datetime | None:
    """Parse an RFC 3339 timestamp (``Z`` or offset); ``None`` when it is not one."""
    if not isinstance(text, str) or not _RFC3339.match(text):
        return None
    body = text
    fraction = re.search(r"\.(\d+)", body)
    if fraction and len(fraction.group(1)) > 6:  # fromisoformat accepts at most microseconds
        body = body.replace(fraction.group(0), "." + fraction.group(1)[:6], 1)
    try:
        parsed = datetime.fromisoformat(body.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return None
    return to_millis(parsed.astimezone(UTC))


def to_millis(instant: datetime) -> datetime:
    """Drop sub-millisecond precision (see module docstring)."""
    return instant.replace(microsecond=instant.microsecond - instant.microsecond % 1000)


def format_instant(instant: datetime) -> str:
    """The client's ``Date.toISOString()`` form: always UTC, always three fractional digits."""
    utc = instant.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def minus_seconds(instant: datetime, seconds: float) -> datetime:
    return instant - timedelta(seconds=seconds)
