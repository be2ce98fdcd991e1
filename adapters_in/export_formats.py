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
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

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


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
                for page in export.pages(table):
                    n = 0
                    for row in page:
                        for record in table.records(row):
                            writer.writerow([_text(v) for v in record])
                            n += 1
                    text.flush()
                    progress(n)
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


def ndjson(export: Export, progress: Progress = _noop) -> Iterator[bytes]:
    """One JSON object per entity and line; group members are in ``memberIds``."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for table in export.tables:
        if not table.entities:
            continue
        for page in export.pages(table):
            lines = [encode(_document(table, row)) for row in page]
            progress(len(lines))
            yield ("\n".join(lines) + "\n").encode()


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
