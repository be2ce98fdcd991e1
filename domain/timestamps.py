"""Timestamps on the wire: strict RFC 3339 in, ``YYYY-MM-DDTHH:mm:ss.sssZ`` out.

Instants are normalised to UTC with millisecond precision on the way in, because the deployed
client compares timestamps as strings and only ever sees milliseconds: two events whose instants
differ below a millisecond would otherwise be indistinguishable on the wire but distinct here.

The accepted range is years 0001 to 9999 *after* conversion to UTC (what the wire form's four
year digits can say, and what every store holds): ``9999-12-31T23:59:59-05:00`` is past it and is
refused as ``timestamp-out-of-range``, never an overflow. Arithmetic near the edges is clamped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)
INVALID = "invalid-timestamp"
OUT_OF_RANGE = "timestamp-out-of-range"


def read_instant(text: object) -> tuple[datetime | None, str | None]:
    """``(instant, None)``, or ``(None, code)``: ``invalid-timestamp`` for what is not RFC
    3339 with ``Z`` or an offset, ``timestamp-out-of-range`` outside years 0001-9999 UTC."""
    if not isinstance(text, str) or not _RFC3339.match(text):
        return None, INVALID
    body = text
    fraction = re.search(r"\.(\d+)", body)
    if fraction and len(fraction.group(1)) > 6:  # fromisoformat accepts at most microseconds
        body = body.replace(fraction.group(0), "." + fraction.group(1)[:6], 1)
    try:
        parsed = datetime.fromisoformat(body.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return None, OUT_OF_RANGE if text.startswith("0000") else INVALID
    try:
        return to_millis(parsed.astimezone(UTC)), None
    except OverflowError:
        return None, OUT_OF_RANGE


def parse_instant(text: object) -> datetime | None:
    """Parse an RFC 3339 timestamp (``Z`` or offset); ``None`` when it is not one or is out
    of range (``read_instant`` says which)."""
    return read_instant(text)[0]


def to_millis(instant: datetime) -> datetime:
    """Drop sub-millisecond precision (see module docstring)."""
    return instant.replace(microsecond=instant.microsecond - instant.microsecond % 1000)


def format_instant(instant: datetime) -> str:
    """The client's ``Date.toISOString()`` form: always UTC, always four year digits (``%Y``
    does not pad years before 1000 on every platform), always three fractional digits."""
    utc = instant if instant.tzinfo is UTC else instant.astimezone(UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def shifted(instant: datetime, delta: timedelta) -> datetime:
    """``instant + delta``, clamped to the representable range instead of overflowing."""
    try:
        return instant + delta
    except OverflowError:
        return EARLIEST if delta < timedelta() else LATEST
