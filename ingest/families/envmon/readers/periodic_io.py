"""Streaming periodic exports into long-form observations: CSV through Arrow's CSV parser in blocks of whole lines
(flat memory, row numbers kept), XLSX through openpyxl's read-only row iterator (cells named Sheet!C12)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from hub.errors import InputError
from ingest.families.envmon.readers.common import ObsChunk, Reject, empty_object
from ingest.families.envmon.readers.periodic import Column, PeriodicLayout, cells, columns, parse_time, times


def _col_letter(i: int) -> str:
    """0-based column index → spreadsheet letters (0 → A, 26 → AA)."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _time_values(cols: list[Column], data: dict[int, object], n: int) -> np.ndarray:
    """Sample times of a block: a time column, or date (+ hour) columns."""
    by = {c.role: c for c in cols if c.role in ("time", "date", "hour")}
    if "time" in by:
        return times(data[by["time"].index])
    if "date" not in by:
        return np.full(n, None, dtype=object)
    days = times(data[by["date"].index])
    if "hour" not in by:
        return days
    hours = data[by["hour"].index]
    hours = hours.to_pylist() if isinstance(hours, (pa.Array, pa.ChunkedArray)) else list(hours)
    out = np.full(n, None, dtype=object)
    for i, (d, h) in enumerate(zip(days.tolist(), hours)):
        if d is None:
            continue
        if h in (None, ""):
            out[i] = d
            continue
        if hasattr(h, "hour"):  # a time cell
            out[i] = d.replace(hour=h.hour, minute=h.minute, second=h.second)
            continue
        t = parse_time(f"01/01/2000 {str(h).strip()}") or parse_time(f"01/01/2000 {str(h).strip()}:00")
        out[i] = d.replace(hour=t.hour, minute=t.minute) if t else None
    return out


def melt(display: str, cols: list[Column], data: dict[int, object], where_row: np.ndarray,
         layout: PeriodicLayout, sheet: str | None = None) -> ObsChunk:
    """One block of sample rows → observations (one per measured cell) and rejects."""
    n = len(where_row)
    role = {c.role: c for c in cols if c.role in ("station", "sample")}
    station = _texts(data[role["station"].index]) if "station" in role else np.full(n, None, dtype=object)
    sample = _texts(data[role["sample"].index]) if "sample" in role else np.full(n, None, dtype=object)
    t = _time_values(cols, data, n)
    aware = np.array([x is not None and x.tzinfo is not None for x in t.tolist()], dtype=bool)
    t_naive = np.array([None if x is None else (x.astimezone(UTC).replace(tzinfo=None)
                                                if x.tzinfo else x) for x in t.tolist()], dtype="datetime64[s]")
    no_station = np.array([s is None or not str(s).strip() for s in station.tolist()], dtype=bool)
    no_time = np.isnat(t_naive)
    parts: dict[str, list] = {k: [] for k in ("file", "where", "station", "parameter", "parameter_raw", "time",
                                              "utc", "value", "raw", "unit", "qual", "limit", "sample")}
    rejects: list[Reject] = []
    rows_in = 0
    for c in cols:
        if c.role not in ("parameter", "unknown"):
            continue
        cell_where = (np.char.add(f"{sheet}!{_col_letter(c.index)}", where_row.astype(str)) if sheet
                      else np.char.add(np.char.add("row ", where_row.astype(str)), f", column {c.header}"))
        cl = cells(c.parameter or "", data[c.index], layout)
        measured = ~cl.skip
        rows_in += int(measured.sum())
        bad_masks = ((measured & (c.role == "unknown"), "parameter", "parameter_unknown",
                      f"column header {c.header!r} names no known parameter"),
                     (measured & no_station, "station", "station_missing", "no station code in the row"),
                     (measured & no_time, "time", "time_unreadable", "the sample time cannot be read (day-first)"),
                     (measured & cl.bad, "value", "value_unreadable",
                      "not a number, nor a censored value with a known limit"))
        ok = measured.copy()
        for mask, fld, rule, msg in bad_masks:
            for i in np.flatnonzero(mask & ok):
                rejects.append(Reject(display, str(cell_where[i]), fld, rule, msg,
                                      None if cl.raw[i] is None else str(cl.raw[i])))
            ok &= ~mask
        idx = np.flatnonzero(ok)
        if not len(idx):
            continue
        k = len(idx)
        parts["file"].append(np.full(k, display, dtype=object))
        parts["where"].append(cell_where[idx].astype(object))
        parts["station"].append(station[idx])
        parts["parameter"].append(np.full(k, c.parameter, dtype=object))
        parts["parameter_raw"].append(np.full(k, c.header, dtype=object))
        parts["time"].append(t_naive[idx])
        parts["utc"].append(aware[idx])
        parts["value"].append(cl.value[idx])
        parts["raw"].append(np.asarray([None if x is None else str(x) for x in cl.raw[idx]], dtype=object))
        parts["unit"].append(np.full(k, c.unit, dtype=object))
        parts["qual"].append(cl.qualifier[idx])
        parts["limit"].append(cl.limit[idx])
        parts["sample"].append(sample[idx])

    def cat(key: str, dtype) -> np.ndarray:
        return np.concatenate(parts[key]) if parts[key] else np.zeros(0, dtype=dtype)

    return ObsChunk(file=cat("file", object), where=cat("where", object), station=cat("station", object),
                    parameter=cat("parameter", object), parameter_raw=cat("parameter_raw", object),
                    time_local=cat("time", "datetime64[s]"), time_is_utc=cat("utc", bool),
                    value=cat("value", float), value_raw=cat("raw", object), unit=cat("unit", object),
                    status=empty_object(len(cat("value", float))), qualifier=cat("qual", object),
                    limit=cat("limit", float), sample=cat("sample", object), rejects=rejects, rows_in=rows_in)


def _texts(col: object) -> np.ndarray:
    """A key column as trimmed text (None for empty)."""
    vals = col.to_pylist() if isinstance(col, (pa.Array, pa.ChunkedArray)) else list(col)
    out = []
    for v in vals:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        s = None if v is None else str(v).strip()
        out.append(s or None)
    return np.asarray(out, dtype=object)


def _header_lines(path: Path, layout: PeriodicLayout) -> tuple[list[str], list[str] | None, int]:
    """Header and units rows of a CSV and the line count they take."""
    with open(path, encoding=layout.encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=layout.delimiter)
        rows = []
        last = max(layout.header_row, layout.units_row or 0)
        for _ in range(last):
            rows.append(next(reader, []))
    if not rows or not any(rows[layout.header_row - 1]):
        raise InputError("no header row", file=str(path), row=layout.header_row, rule="header_missing")
    head = [h.lstrip("\ufeff") for h in rows[layout.header_row - 1]]
    units = rows[layout.units_row - 1] if layout.units_row else None
    return head, units, last


def read_csv_export(path: Path, layout: PeriodicLayout, display: str | None = None,
                    chunk_bytes: int = 8 << 20) -> Iterator[ObsChunk]:
    """Observations of a periodic CSV export, block by block of whole lines."""
    display = display or str(path)
    head, units, skip = _header_lines(path, layout)
    cols = columns(head, units, layout)
    names = [f"c{i}" for i in range(len(head))]
    line = 0
    carry = b""
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk_bytes)
            data = carry + block
            if not block:
                cut = len(data)
            else:
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    carry = data
                    continue
            body, carry = data[:cut], data[cut:]
            if body:
                text = body.decode(layout.encoding, errors="replace").lstrip("\ufeff")
                rows, numbers = [], []
                for raw in text.splitlines():
                    line += 1
                    if line > skip and raw.strip():
                        rows.append(raw)
                        numbers.append(line)
                if rows:
                    yield _csv_block(display, "\n".join(rows).encode("utf-8") + b"\n", np.asarray(numbers),
                                     names, cols, layout)
            if not block:
                break


def _csv_block(display: str, body: bytes, numbers: np.ndarray, names: list[str], cols: list[Column],
               layout: PeriodicLayout) -> ObsChunk:
    """Parse one block of CSV lines with Arrow and melt it."""
    bad: dict[int, str] = {}

    def invalid(row) -> str:
        bad[row.number] = row.text
        return "skip"

    table = pacsv.read_csv(io.BytesIO(body),
                           read_options=pacsv.ReadOptions(column_names=names, use_threads=False,
                                                          block_size=max(len(body), 1 << 20)),
                           parse_options=pacsv.ParseOptions(delimiter=layout.delimiter, invalid_row_handler=invalid,
                                                            newlines_in_values=False),
                           convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                                strings_can_be_null=False))
    keep = np.ones(len(numbers), dtype=bool)
    for k in bad:
        keep[k - 1] = False
    data = {i: table.column(n) for i, n in enumerate(names)}
    chunk = melt(display, cols, data, numbers[keep], layout)
    for k, text in bad.items():
        chunk.rejects.append(Reject(display, f"row {numbers[k - 1]}", None, "line_unreadable",
                                    f"expected {len(names)} fields as in the header", text))
    chunk.rows_in += len(bad)
    return chunk


def read_xlsx_export(path: Path, layout: PeriodicLayout, display: str | None = None,
                     chunk_rows: int = 20000) -> Iterator[ObsChunk]:
    """Observations of a periodic XLSX export, streamed row by row (openpyxl read-only mode)."""
    import openpyxl

    display = display or str(path)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if layout.sheet and layout.sheet not in wb.sheetnames:
            raise InputError(f"no sheet {layout.sheet!r} (sheets: {', '.join(wb.sheetnames)})", file=display)
        ws = wb[layout.sheet] if layout.sheet else wb[wb.sheetnames[0]]
        it = ws.iter_rows(values_only=True)
        head: Sequence[object] = ()
        units = None
        last = max(layout.header_row, layout.units_row or 0)
        for r in range(1, last + 1):
            row = next(it, None)
            if row is None:
                raise InputError("no header row", file=display, row=layout.header_row, rule="header_missing")
            if r == layout.header_row:
                head = row
            if r == layout.units_row:
                units = row
        cols = columns(list(head), list(units) if units else None, layout)
        width = len(head)
        buf: list[Sequence[object]] = []
        numbers: list[int] = []
        for r, row in enumerate(it, start=last + 1):
            if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            buf.append(tuple(row[:width]) + (None,) * (width - len(row)))
            numbers.append(r)
            if len(buf) >= chunk_rows:
                yield _xlsx_block(display, ws.title, cols, buf, numbers, layout)
                buf, numbers = [], []
        if buf:
            yield _xlsx_block(display, ws.title, cols, buf, numbers, layout)
    finally:
        wb.close()


def _xlsx_block(display: str, sheet: str, cols: list[Column], rows: list[Sequence[object]], numbers: list[int],
                layout: PeriodicLayout) -> ObsChunk:
    """Melt a block of spreadsheet rows."""
    data = {c.index: [r[c.index] for r in rows] for c in cols}
    return melt(display, cols, data, np.asarray(numbers), layout, sheet=sheet)


def read_export(path: Path, layout: PeriodicLayout, display: str | None = None) -> Iterator[ObsChunk]:
    """CSV or XLSX by suffix."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return read_csv_export(path, layout, display)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx_export(path, layout, display)
    raise InputError("periodic exports must be .csv or .xlsx", file=display or str(path), rule="format")

