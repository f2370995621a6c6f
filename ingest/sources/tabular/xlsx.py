"""XLSX rows through one of two engines that read the same values (tests/ingest/sources/test_tabular_engines.py).

openpyxl in read-only mode streams a sheet's XML (memory flat whatever its size); calamine (Rust) is several
times faster but holds one sheet's cells in memory, so `auto` uses it up to `HUB_INGEST_XLSX_CALAMINE_MAX_BYTES`
of sheet XML and streams bigger sheets. Values come out in the normal form of `cells.normalise`; merged ranges
are listed per sheet and can be filled from their top-left cell (what a reader of the printed annex sees).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from pathlib import Path

from hub.errors import InputError
from hub.settings import ingest_settings
from ingest.sources.tabular.cells import CellRange, Row, Value, normalise, trim, unescape_xstring
from ingest.sources.tabular.ooxml import SheetPart, check_xlsx, merged_refs


class Workbook:
    """A checked workbook (ooxml.check_xlsx) read sheet by sheet; use as a context manager."""

    def __init__(self, path: Path, display: str | None = None, engine: str | None = None) -> None:
        self.path, self.display = path, display or str(path)
        self.parts: list[SheetPart] = check_xlsx(path, self.display)
        self._by_name = {p.name: p for p in self.parts}
        self._engine = engine or ingest_settings().xlsx_engine
        self._calamine = None
        self._openpyxl = None

    def __enter__(self) -> Workbook:
        """Open lazily; closing releases both engines."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close whatever engine was opened."""
        self.close()

    def close(self) -> None:
        """Release the engines' file handles."""
        if self._calamine is not None:
            self._calamine.close()
            self._calamine = None
        if self._openpyxl is not None:
            self._openpyxl.close()
            self._openpyxl = None

    @property
    def sheet_names(self) -> list[str]:
        """Worksheet names in workbook order (hidden ones included; see `state`)."""
        return [p.name for p in self.parts]

    def state(self, sheet: str) -> str:
        """visible, hidden or veryHidden."""
        return self._part(sheet).state

    def _part(self, sheet: str) -> SheetPart:
        """The package part of a sheet, or an error naming the sheets there are."""
        try:
            return self._by_name[sheet]
        except KeyError:
            raise InputError(f"no sheet named {sheet!r}; sheets: {', '.join(self.sheet_names)}",
                             file=self.display, rule="source_sheet") from None

    def engine_for(self, sheet: str) -> str:
        """The engine that reads this sheet (auto: calamine unless its XML exceeds the cap)."""
        if self._engine != "auto":
            return self._engine
        return "calamine" if self._part(sheet).size <= ingest_settings().xlsx_calamine_max_bytes else "openpyxl"

    def merged(self, sheet: str) -> list[CellRange]:
        """The sheet's merged ranges, sorted by first row then column."""
        part = self._part(sheet)
        try:
            refs = merged_refs(self.path, part.part)
            return sorted((CellRange.parse(r) for r in refs), key=lambda m: (m.row0, m.col0))
        except ValueError as exc:
            raise InputError(f"sheet {sheet!r} has an unreadable merged range ({exc})", file=self.display,
                             rule="source_format") from exc

    def rows(self, sheet: str, fill_merged: bool = False) -> Iterator[Row]:
        """Every row of the sheet from row 1 (empty rows included as empty lists), values normalised."""
        raw = self._calamine_rows(sheet) if self.engine_for(sheet) == "calamine" else self._openpyxl_rows(sheet)
        yield from _until_last(fill(raw, self.merged(sheet)) if fill_merged else raw)

    def _calamine_rows(self, sheet: str) -> Iterator[Row]:
        """Rows through calamine: python-calamine 0.9 yields rows from row 1 but columns from the first non-empty
        one (dimastbk/python-calamine#177), so the leading columns are restored; the row count is checked."""
        import python_calamine

        try:
            if self._calamine is None:
                self._calamine = python_calamine.CalamineWorkbook.from_path(str(self.path))
            ws = self._calamine.get_sheet_by_name(sheet)
        except python_calamine.CalamineError as exc:
            raise InputError(f"sheet {sheet!r} cannot be read ({type(exc).__name__})", file=self.display,
                             internal=str(exc)) from exc
        if ws.start is None:
            return
        c0, last = ws.start[1], ws.end[0] + 1
        pad: list[Value] = [None] * c0
        n = 0
        for n, values in enumerate(ws.iter_rows(), start=1):
            yield Row(n, trim(pad + [normalise(v) for v in values]))
        if n != last:  # another python-calamine version: rows relative to the first non-empty one
            raise RuntimeError(f"calamine yielded {n} rows of sheet {sheet!r} ending at row {last}")

    def _openpyxl_rows(self, sheet: str) -> Iterator[Row]:
        """Rows through openpyxl read-only (dimensions reset: files often declare a wrong `<dimension>`)."""
        import openpyxl

        try:
            if self._openpyxl is None:
                self._openpyxl = openpyxl.load_workbook(self.path, read_only=True, data_only=True,
                                                        keep_links=False)
            ws = self._openpyxl[sheet]
        except Exception as exc:  # openpyxl raises many types on broken packages
            raise InputError(f"sheet {sheet!r} cannot be read ({type(exc).__name__})", file=self.display,
                             internal=str(exc)) from exc
        ws.reset_dimensions()
        for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
            yield Row(n, trim([normalise(unescape_xstring(v) if isinstance(v, str) else v) for v in values]))


def _until_last(rows: Iterator[Row]) -> Iterator[Row]:
    """Rows up to the last non-empty one (engines disagree on trailing empty rows: formatted or merged cells)."""
    pending: list[Row] = []
    for row in rows:
        if not row.values:
            pending.append(row)
            continue
        yield from pending
        pending.clear()
        yield row


def _through(rows: Iterator[Row], merged: list[CellRange]) -> Iterator[Row]:
    """The rows, then empty rows down to the last row a merged range covers (engines stop at the last value)."""
    last = 0
    for row in rows:
        last = row.row_no
        yield row
    for n in range(last + 1, max((m.row1 for m in merged), default=0) + 1):
        yield Row(n, [])


def fill(rows: Iterator[Row], merged: list[CellRange], down_only_from: int | None = None) -> Iterator[Row]:
    """Rows with every cell of a merged range holding the range's top-left value (streamed: ranges by row).

    From row `down_only_from` on, a range fills only its first column downwards: a section title merged across
    a data table ("I. PHƯỜNG THỐT NỐT" over A:H) must not land in the price columns, while a road name merged
    down over its segments belongs to each of them."""
    starts = [m.row0 for m in merged]
    active: list[tuple[CellRange, Value]] = []
    for row in _through(rows, merged):
        lo, hi = bisect.bisect_left(starts, row.row_no), bisect.bisect_right(starts, row.row_no)
        active = [(m, v) for m, v in active if m.row1 >= row.row_no]
        active += [(m, row.get(m.col0)) for m in merged[lo:hi]]
        if not active:
            yield row
            continue
        width = max(len(row.values), max(m.col1 for m, _ in active) + 1)
        values = row.values + [None] * (width - len(row.values))
        down = down_only_from is not None and row.row_no >= down_only_from
        for m, v in active:
            for c in range(m.col0, m.col0 + 1 if down else m.col1 + 1):
                values[c] = v
        yield Row(row.row_no, trim(values))
