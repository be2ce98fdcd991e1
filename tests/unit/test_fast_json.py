"""The fast JSON paths of exports give exactly what the standard library gives."""

from __future__ import annotations

import json
import random
import struct
from datetime import UTC, datetime, timedelta, timezone

from adapters_in.export_formats import _instant, _json_line, _json_text
from adapters_out.fast_json import load

AWKWARD = [
    '{"a": 123456789012345678901234567890, "b": [-12345678901234567890]}',  # beyond 64 bits
    '{"a": 1e400}',  # infinity for both float parsers; orjson refuses it
    '{"a": "\\ud800", "b": "é\\u2028"}',  # a lone surrogate (SQLite keeps ASCII escapes)
    '{"a": 0.0000001, "b": 1.5, "c": -0, "d": "12345678901234567890123"}',
    '{"n": 1234567890, "m": 123456789, "k": "2025-01-01 +33 612 345 678"}',
]


def test_load_reads_what_json_loads_reads() -> None:
    for text in AWKWARD:
        assert repr(load(text)) == repr(json.loads(text))


def _floats(n: int) -> list[float]:
    rng = random.Random(13)
    found = [1e-7, 1e-5, 2.5e-5, 1e-4, 1e16, 1e22, 5e-324, 0.1, 100000.0]
    while len(found) < n:
        value = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        if value == value and abs(value) != float("inf"):
            found.append(value)
    return found


def test_json_lines_and_cells_are_the_standard_librarys_bytes() -> None:
    line = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    cell = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    samples = [
        {"z": 1, "a": [True, None, "é\n\u2028\x00"], "big": 2**70},
        {"e-": "one-off", "x": {"b": 1, "a": 0.00001}},
        *({"v": f, "w": [f, -f]} for f in _floats(3000)),
    ]
    for sample in samples:
        assert _json_line(sample) == line.encode(sample).encode()
        assert _json_text(sample) == cell.encode(sample)


def test_instants_are_utc_with_milliseconds() -> None:
    rng = random.Random(7)
    start = datetime(1, 1, 1, tzinfo=UTC)
    for _ in range(2000):
        value = start + timedelta(microseconds=rng.randrange(0, 315_537_897_599_999_999))
        expected = value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        assert _instant(value) == expected
        shifted = value.astimezone(timezone(timedelta(hours=-5))) if value.year > 1 else value
        assert _instant(shifted) == expected
