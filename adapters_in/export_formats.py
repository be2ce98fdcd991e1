"""Export formats, written as a stream of byte chunks (HTTP body, CLI file) from
``application.exports.Export``: a CSV zip, NDJSON, or an xlsx workbook.

CSV and NDJSON are produced page by page as they are read, so memory stays flat and the first
bytes leave at once. The zip is written in streaming mode (data descriptors, zip64), one
``<table>.csv`` per table, UTF-8 with a byte-order mark so that Excel reads accents correctly.
xlsx is written with openpyxl's write-only mode (rows go to temporary files, not memory) into a
temporary file that is then streamed: a workbook is a zip whose parts must be complete before
it is closed, so its first byte leaves only when the last row is written.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from application.exports import Export, ExportTable

Progress = Callable[[int], None]
FORMATS = {
    "csv": ("application/zip", "zip"),
    "ndjson": ("application/x-ndjson", "ndjson"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
XLSX_MAX_ROWS = 1_048_576  # per sheet, header included
_CHUNK = 1 << 20
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


_SECONDS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS


def _instant(value: datetime) -> str:
    """ISO-8601 UTC with milliseconds (``2025-01-01T00:00:01.000Z``). Two per exported row:
    orjson's formatter plus the milliseconds costs half of ``isoformat`` and the rewriting
    of its ``+00:00``."""
    if value.tzinfo is not UTC:  # OPT_UTC_Z only spells +00:00 as Z; it converts nothing
        value = value.astimezone(UTC)
    seconds = orjson.dumps(value, option=_SECONDS)[1:-2].decode()  # '"...:SS' + 'Z"'
    return f"{seconds}.{value.microsecond // 1000:03d}Z"


# Cells the csv module writes as they are (``bool`` is not among them: ``type(True)`` is
# ``bool``, never ``int``), and the conversions of the usual others, found by exact type so
# that most cells cost a set lookup and no call (this runs for every cell of an export).
_AS_IS = frozenset({str, int, float, type(None)})
_CONVERT: dict[type, Callable[[Any], Any]] = {
    datetime: lambda v: _instant(v),
    bool: {True: "true", False: "false"}.__getitem__,
    dict: lambda v: _json_text(v),
    list: lambda v: _json_text(v),
}


def _cells(record: list[Any]) -> list[Any]:
    return [v if (t := type(v)) in _AS_IS else _CONVERT.get(t, _text)(v) for v in record]


def _text(value: Any) -> Any:
    """A CSV cell: JSON for objects and arrays, ``true``/``false``, ISO-8601 UTC instants."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return _instant(value)
    return _JSON.encode(value)


def _noop(_: int) -> None:
    return None


class _Sink(io.RawIOBase):
    """A write-only, non-seekable byte buffer: what zipfile streams into."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def csv_zip(export: Export, progress: Progress = _noop) -> Iterator[bytes]:
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for table in export.tables:
            with (
                archive.open(f"{table.name}.csv", "w", force_zip64=True) as member,
                io.TextIOWrapper(member, encoding="utf-8-sig", newline="") as text,
            ):
                writer = csv.writer(text)
                writer.writerow(table.header)
                records = table.records
                for page in export.pages(table):
                    lines = [_cells(record) for row in page for record in records(row)]
                    writer.writerows(lines)
                    text.flush()
                    progress(len(lines))
                    yield sink.take()
            yield sink.take()
    yield sink.take()


def _document(table: ExportTable, row: Any) -> dict[str, Any]:
    return {
        "table": table.name,
        "guid": row.guid,
        "type": row.type,
        "entityName": row.entity_name,
        "name": row.name,
        "version": row.version,
        "createdAt": _instant(row.created_at),
        "updatedAt": _instant(row.updated_at),
        "deleted": row.deleted,
        "memberIds": list(row.member_ids),
        "data": row.data,
    }


_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# Where orjson's output can differ from the standard library's: floats below 1e-4 (orjson
# writes 1e-7 and 0.00001 where json writes 1e-07 and 1e-05). A line that may hold one is
# encoded again by json (a string that merely looks like it costs only that re-encoding).
# Substring tests first: a regular expression over every line costs ten times orjson itself.
_EXPONENT = re.compile(rb"[0-9]e-")


def _json_line(document: dict[str, Any]) -> bytes:
    """``document`` as the standard library writes it (``_LINE``), through orjson (about ten
    times faster) whenever that gives the same bytes."""
    return _orjson_or(_LINE, document, 0)


def _json_text(value: Any) -> str:
    """A CSV cell's JSON (``_JSON``: sorted keys), the same way."""
    return _orjson_or(_JSON, value, orjson.OPT_SORT_KEYS).decode()


def _orjson_or(stdlib: json.JSONEncoder, value: Any, option: int) -> bytes:
    try:
        line = orjson.dumps(value, option=option)
    except orjson.JSONEncodeError:  # integers beyond 64 bits, lone surrogates
        return stdlib.encode(value).encode()
    if (b"e-" in line and _EXPONENT.search(line)) or b"0.0000" in line:
        return stdlib.encode(value).encode()
    return line


def ndjson(export: Export, progress: Progress = _noop) -> Iterator[bytes]:
    """One JSON object per entity and line; group members are in ``memberIds``."""
    for table in export.tables:
        if not table.entities:
            continue
        for page in export.pages(table):
            lines = [_json_line(_document(table, row)) for row in page]
            progress(len(lines))
            yield b"\n".join(lines) + b"\n"


def _sheet_title(name: str, taken: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:28] or "sheet"
    title, n = base, 1
    while title.lower() in taken:
        n += 1
        title = f"{base} ({n})"[:31]
    taken.add(title.lower())
    return title


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, (dict, list)):
        value = _JSON.encode(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters cannot be stored
        if value.startswith("="):  # text, never a formula
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
    return value


def _write_workbook(export: Export, target: Any, progress: Progress) -> None:
    book = Workbook(write_only=True)
    taken: set[str] = set()
    for table in export.tables:
        sheet, used = book.create_sheet(_sheet_title(table.name, taken)), 1
        sheet.append(list(table.header))
        for page in export.pages(table):
            n = 0
            for row in page:
                for record in table.records(row):
                    if used == XLSX_MAX_ROWS:  # Excel's limit: go on in another sheet
                        sheet, used = book.create_sheet(_sheet_title(table.name, taken)), 1
                        sheet.append(list(table.header))
                    sheet.append([_xlsx_cell(sheet, v) for v in record])
                    used += 1
                    n += 1
            progress(n)
    book.save(target)


def xlsx(export: Export, progress: Progress = _noop) -> Iterator[bytes]:
    """One sheet per table (continued in ``<name> (2)`` past Excel's 1,048,576 rows)."""
    with tempfile.TemporaryFile() as spool:
        _write_workbook(export, spool, progress)
        spool.seek(0)
        while chunk := spool.read(_CHUNK):
            yield chunk


WRITERS: dict[str, Callable[[Export, Progress], Iterator[bytes]]] = {
    "csv": csv_zip,
    "ndjson": ndjson,
    "xlsx": xlsx,
}
