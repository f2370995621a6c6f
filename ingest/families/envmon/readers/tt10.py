"""Automatic-station text files of TT 10/2021/TT-BTNMT (data sent by FTP: one file per station per time step; one
line per parameter: parameter, value, unit, time, status 00 measuring / 01 calibrating / 02 device error).

The layout varies between vendors (field order, delimiter, time format, file-name pattern, status codes), so it is
catalog data (`Tt10Layout`, the entry's `source.options.tt10`), never guessed. Streaming: the bytes of many small
files are joined into one buffer of about `chunk_bytes` and parsed by Arrow's CSV reader in one call, so a folder
of thousands of files is one run with flat memory and no per-file parser start-up; only odd files (blank lines,
CRLF, another encoding) take a slower path per file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ingest.families.envmon import layouts, parameters
from ingest.families.envmon.layouts import DEFAULT_NAME, Tt10Layout  # noqa: F401  (re-exported)
from ingest.families.envmon.readers.common import ObsChunk, Reject, empty_object, strptime

FIELDS = layouts.TT10_FIELDS


def status_meaning(layout: Tt10Layout, codes: np.ndarray) -> np.ndarray:
    """'measuring' | 'calibrating' | 'error' | 'unknown' per status code (a missing field means measuring)."""
    out = np.full(len(codes), "unknown", dtype=object)
    s = np.array([("" if c is None else str(c).strip()) for c in codes], dtype=object)
    out[np.isin(s, list(layout.status_measuring) + [""])] = "measuring"
    out[np.isin(s, list(layout.status_calibrating))] = "calibrating"
    out[np.isin(s, list(layout.status_error))] = "error"
    return out


class _Buffer:
    """Lines of several files waiting to be parsed together."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.files: list[str] = []
        self.stations: list[str | None] = []
        self.file_times: list[str | None] = []
        self.counts: list[int] = []
        self.lines: list[np.ndarray] = []
        self.rejects: list[Reject] = []
        self.rows = 0

    def add(self, display: str, body: bytes, lines: np.ndarray, station: str | None, ftime: str | None) -> None:
        self.parts.append(body)
        self.size += len(body)
        self.files.append(display)
        self.stations.append(station)
        self.file_times.append(ftime)
        self.counts.append(len(lines))
        self.lines.append(lines)
        self.rows += len(lines)


def _normalise(raw: bytes, layout: Tt10Layout) -> tuple[bytes, np.ndarray]:
    """A file's data lines as UTF-8, one '\\n' after each, no blank lines; and their 1-based line numbers."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    enc = layout.encoding.lower().replace("_", "-")
    fast = enc in ("utf-8", "utf8", "ascii") and b"\r" not in raw and b"\n\n" not in raw and not raw.startswith(b"\n")
    if fast and layout.header_lines == 0 and layout.delimiter != "whitespace":
        body = raw if raw.endswith(b"\n") or not raw else raw + b"\n"
        return body, np.arange(1, body.count(b"\n") + 1, dtype=np.int64)
    text = raw.decode(layout.encoding, errors="replace") if not fast else raw.decode("utf-8", errors="replace")
    keep, numbers = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if n <= layout.header_lines or not line.strip():
            continue
        if layout.delimiter == "whitespace":
            line = re.sub(r"[ \t]+", "\t", line.strip())
        keep.append(line)
        numbers.append(n)
    body = ("\n".join(keep) + "\n").encode("utf-8") if keep else b""
    return body, np.asarray(numbers, dtype=np.int64)


def _to_float(arr: pa.Array, decimal: str) -> np.ndarray:
    """Values as floats (NaN where not a number)."""
    if decimal == ",":
        arr = pc.replace_substring(arr, ",", ".")
    try:
        return pc.cast(pc.utf8_trim_whitespace(arr), pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        import pandas as pd

        return pd.to_numeric(pd.Series(arr.to_pylist(), dtype=object), errors="coerce").to_numpy(dtype=float)


def _parse_time(arr: pa.Array, fmt: str) -> np.ndarray:
    """datetime64[s] (NaT where unreadable or impossible)."""
    return strptime(arr, fmt)


def _flush(buf: _Buffer, layout: Tt10Layout) -> ObsChunk:
    """Parse the buffer's lines in one Arrow call and build the chunk."""
    names = [c if c != "ignore" else f"ignore{i}" for i, c in enumerate(layout.columns)]
    delim = "\t" if layout.delimiter == "whitespace" else layout.delimiter
    bad_rows: dict[int, str] = {}

    def invalid(row) -> str:
        bad_rows[row.number] = row.text
        return "skip"

    file_idx = np.repeat(np.arange(len(buf.files)), buf.counts)
    line_no = np.concatenate(buf.lines) if buf.lines else np.zeros(0, dtype=np.int64)
    if buf.rows:
        table = pacsv.read_csv(
            io.BytesIO(b"".join(buf.parts)),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=max(buf.size, 1 << 20)),
            parse_options=pacsv.ParseOptions(delimiter=delim, quote_char=False, invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False))
    else:
        table = pa.table({n: pa.array([], pa.string()) for n in names})
    rejects = list(buf.rejects)
    keep = np.ones(buf.rows, dtype=bool)
    for number, text in bad_rows.items():
        k = number - 1
        keep[k] = False
        rejects.append(Reject(buf.files[file_idx[k]], f"line {line_no[k]}", None, "line_unreadable",
                              f"expected {len(names)} fields ({', '.join(layout.columns)})", text))
    file_idx, line_no = file_idx[keep], line_no[keep]
    n = table.num_rows
    files = np.asarray(buf.files, dtype=object)[file_idx]
    col = {name: table.column(name).combine_chunks() for name in names}
    if "station" in col:
        station = np.asarray(col["station"].to_pylist(), dtype=object)
    else:
        station = np.asarray(buf.stations, dtype=object)[file_idx]
    if "time" in col:
        time = _parse_time(col["time"], layout.time_format)
        raw_time = col["time"]
    else:
        ft = pa.array(np.asarray(buf.file_times, dtype=object)[file_idx].tolist(), pa.string())
        time, raw_time = _parse_time(ft, layout.file_time_format), ft
    raw_param = np.asarray(col["parameter"].to_pylist(), dtype=object)
    spelled = {s: parameters.resolve(s, layout.spellings) for s in set(raw_param.tolist())}
    param = np.asarray([spelled[s] for s in raw_param.tolist()], dtype=object)
    value_raw = np.asarray(col["value"].to_pylist(), dtype=object)
    value = _to_float(col["value"], layout.decimal)
    ok = np.ones(n, dtype=bool)
    where = np.char.add("line ", line_no.astype(str)).astype(object)
    checks = ((np.asarray([s is None or not str(s).strip() for s in station.tolist()], dtype=bool), "station",
               "station_missing", "no station code in the file name or line"),
              (np.isnat(time), "time", "time_unreadable", f"time is not in the format {layout.time_format}"),
              (param == None, "parameter", "parameter_unknown", "parameter not in the catalogue"),  # noqa: E711
              (np.isnan(value), "value", "value_unreadable", "value is not a number"))
    texts = {"station": station, "time": np.asarray(raw_time.to_pylist(), dtype=object), "parameter": raw_param,
             "value": value_raw}
    for mask, fld, rule, msg in checks:
        for i in np.flatnonzero(mask & ok):
            rejects.append(Reject(files[i], where[i], fld, rule, msg, texts[fld][i]))
        ok &= ~mask
    unit = np.asarray(col["unit"].to_pylist(), dtype=object) if "unit" in col else empty_object(n)
    status = np.asarray(col["status"].to_pylist(), dtype=object) if "status" in col else np.full(n, "00", object)
    m = len(np.flatnonzero(ok))
    return ObsChunk(file=files[ok], where=where[ok], station=station[ok], parameter=param[ok],
                    parameter_raw=raw_param[ok], time_local=time[ok], time_is_utc=np.zeros(m, dtype=bool),
                    value=value[ok], value_raw=value_raw[ok],
                    unit=unit[ok], status=status[ok], qualifier=empty_object(m), limit=np.full(m, np.nan),
                    sample=empty_object(m), rejects=rejects, rows_in=buf.rows + len(buf.rejects))


def read_tt10(paths: Iterable[Path], layout: Tt10Layout, chunk_bytes: int = 8 << 20,
              display: Callable[[Path], str] = str) -> Iterator[ObsChunk]:
    """Chunks of observations from TT 10/2021 files, in the order given (sort them for reproducible runs)."""
    pattern = re.compile(layout.file_name)
    buf = _Buffer()
    for path in paths:
        body, lines = _normalise(Path(path).read_bytes(), layout)
        name = display(path)
        m = pattern.search(Path(path).name)
        station = m.groupdict().get("station") if m else None
        ftime = m.groupdict().get("time") if m else None
        if station is None and "station" not in layout.columns:
            for k, line in zip(lines, body.decode("utf-8", errors="replace").splitlines()):
                buf.rejects.append(Reject(name, f"line {k}", "station", "station_missing",
                                          f"file name does not match the layout's pattern {layout.file_name}", line))
            continue
        buf.add(name, body, lines, station, ftime)
        if buf.size >= chunk_bytes:
            yield _flush(buf, layout)
            buf = _Buffer()
    if buf.rows or buf.rejects:
        yield _flush(buf, layout)
