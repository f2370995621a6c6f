"""Tabular sources beside the GDAL ones: XLSX workbooks and CSV exports, streamed, with the same path safety.

`open_table` checks the path and the content and returns a `Workbook` or a `CsvTable`; both give `rows(sheet)`
(1-based row numbers, engine-independent values) and `merged(sheet)`. `header_chunks` is the generic reader: one
header row, then chunks of rows keyed by header text, each row located as `'Sheet'!12:12`. Families with richer
layouts (land-price annexes) read the rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hub.errors import InputError
from ingest.core.batch import Batch, SourceFile
from ingest.sources.tabular.cells import (
    CellRange,
    Row,
    Value,
    address,
    column_index,
    column_letter,
    decode_cell,
    legacy_view,
    normalise,
)
from ingest.sources.tabular.csvfile import CsvTable
from ingest.sources.tabular.xlsx import Workbook, fill

__all__ = ["CellRange", "Chunk", "CsvTable", "Row", "Table", "Value", "Workbook", "address", "column_index",
           "column_letter", "decode_cell", "fill", "header_chunks", "inspect_csv", "inspect_xlsx", "legacy_view",
           "normalise", "open_table", "read_csv", "read_xlsx"]

Table = Workbook | CsvTable
TABULAR_FORMATS = {".xlsx": "xlsx", ".xltx": "xlsx", ".csv": "csv", ".txt": "csv", ".tsv": "csv"}
REFUSED_SUFFIXES = {".xls": "legacy .xls (BIFF) workbooks", ".xlsm": "macro-enabled workbooks (.xlsm)",
                    ".xlsb": "binary workbooks (.xlsb)", ".ods": "OpenDocument spreadsheets (.ods)"}


def open_table(path: Path, display: str | None = None) -> Table:
    """A checked workbook or CSV file (links out, devices and renamed files refused before any engine opens it)."""
    from ingest.sources import _check_remote  # the GDAL readers' URL and /vsi… guard

    shown = display or str(path)
    _check_remote(str(path))
    suffix = path.suffix.lower()
    if suffix in REFUSED_SUFFIXES:
        raise InputError(f"{REFUSED_SUFFIXES[suffix]} are not read; save the file as .xlsx", file=shown,
                         rule="source_format")
    if suffix not in TABULAR_FORMATS:
        raise InputError(f"not a tabular format ('{path.suffix}'; expected {', '.join(sorted(TABULAR_FORMATS))})",
                         file=shown, rule="source_format")
    if not path.is_file():
        raise InputError("not a regular file", file=shown, rule="source_path")
    if TABULAR_FORMATS[suffix] == "xlsx":
        return Workbook(path, shown)
    return CsvTable(path, shown)


@dataclass
class Chunk:
    """Rows of one sheet keyed by header: raw values per column, row numbers and `'Sheet'!12:12` locations."""

    sheet: str
    row_no: list[int]
    columns: dict[str, list[Value]]
    where: list[str]

    def __len__(self) -> int:
        """Rows in the chunk."""
        return len(self.row_no)


def _header_names(row: Row) -> list[str]:
    """Decoded NFC header texts; blank or repeated headers get their column letter (`column_C`)."""
    names: list[str] = []
    for i, v in enumerate(row.values):
        text = decode_cell(str(v)).text if v is not None else None
        name = " ".join(text.split()) if text else ""
        names.append(name if name and name not in names else f"column_{column_letter(i)}")
    return names


def header_chunks(table: Table, sheet: str | None = None, header_row: int | None = None,
                  chunk_rows: int = 50_000) -> Iterator[Chunk]:
    """Stream a sheet as chunks under its header row (default: the first non-empty row); empty rows are skipped."""
    name = sheet or table.sheet_names[0]
    rows = table.rows(name, fill_merged=True)
    header: list[str] | None = None
    for row in rows:
        if (header_row is None and row.values) or row.row_no == header_row:
            header = _header_names(row)
            break
    if header is None:
        raise InputError(f"sheet {name!r} has no header row", file=table.display, rule="source_schema")
    loc = address(1, 0, name).rsplit("!", 1)[0] + "!"  # the quoted sheet name
    chunk = Chunk(name, [], {h: [] for h in header}, [])
    for row in rows:
        if not row.values:
            continue
        if len(row.values) > len(header):
            raise InputError(f"row has {len(row.values)} cells but the header only {len(header)}",
                             file=table.display, row=row.row_no, rule="source_schema")
        for i, h in enumerate(header):
            chunk.columns[h].append(row.get(i))
        chunk.row_no.append(row.row_no)
        chunk.where.append(f"{loc}{row.row_no}:{row.row_no}")
        if len(chunk) >= chunk_rows:
            yield chunk
            chunk = Chunk(name, [], {h: [] for h in header}, [])
    if len(chunk):
        yield chunk


def _inspect(path: Path, display: str, fmt: str) -> SourceFile:
    """Describe a workbook's first sheet or a CSV file for the registry: its header names, rows counted while read."""
    table = open_table(path, display)
    name = table.sheet_names[0]
    header = next((_header_names(r) for r in table.rows(name) if r.values), None)
    if header is None:
        raise InputError(f"sheet {name!r} has no header row", file=display, rule="source_schema")
    return SourceFile(path, display, fmt, None, -1, tuple(header), layer=None if fmt == "csv" else name)


def _read(src: SourceFile, chunk_rows: int) -> Iterator[Batch]:
    """Stream the file as Batches of raw values under its header, each row located as 'Sheet'!n:n."""
    table = open_table(src.path, src.display)
    for chunk in header_chunks(table, src.layer, chunk_rows=chunk_rows):
        yield Batch(src, np.asarray(chunk.row_no, dtype=np.int64), dict(chunk.columns), where=chunk.where)


def inspect_csv(path: Path, display: str) -> SourceFile:
    """Registry hook: a CSV file described (delimiter and encoding sniffed, BOM honoured)."""
    return _inspect(path, display, "csv")


def inspect_xlsx(path: Path, display: str) -> SourceFile:
    """Registry hook: a checked .xlsx workbook described by its first sheet."""
    return _inspect(path, display, "xlsx")


read_csv = read_xlsx = _read
