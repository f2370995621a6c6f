"""Assemble a transformed chunk into binary COPY streams (vectorised: no Python loop per accepted row).

A chunk can fill several tables of its dataset (docs/framework.md): each gets its own core, personal and
restricted-rows streams; findings and quarantine records are the chunk's, whatever table they concern."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from hub.catalog import ddl
from hub.catalog.models import TableRef
from hub.catalog.types import TYPES
from hub.db import copy_binary
from ingest.core.findings import COLUMNS as FINDING_COLUMNS
from ingest.core.findings import Summary, constant
from ingest.core.issues import Issue
from ingest.core.stage import ROWS_PER_FILE
from ingest.core.values import as_float as _num
from ingest.core.values import as_int as _int

ARROW_TYPES = {name: pa.timestamp("us", tz="UTC") if kind.arrow == "timestamp" else getattr(pa, kind.arrow)()
               for name, kind in TYPES.items()}
PARTS = ("core", "personal", "sensitive")  # the COPY streams of one table


def stream_key(table: str | None, part: str) -> str:
    """The key of a table's stream in `Output.streams` (the primary table's are 'core', 'personal', ...)."""
    return part if table is None else f"{table}:{part}"


@dataclass
class TableOut:
    """What one chunk put into one table: rows copied to the core table, their extent and time span, and how
    many of them hold a value in each important column."""

    loaded: int = 0  # rows kept (core + restricted rows)
    core_rows: int = 0  # rows in the core stream
    extent: tuple[float, float, float, float] | None = None
    interval: tuple | None = None  # min and max of the time column (dates or aware datetimes)
    filled: dict[str, int] = field(default_factory=dict)  # important column -> rows with a value
    rows_in: int = 0  # rows the chunk had for this table (secondary tables: rows it derived)


@dataclass
class Output:
    """A transformed chunk: binary COPY streams per table, rejected rows, and findings."""

    streams: dict[str, bytes | memoryview] = field(default_factory=dict)
    tables: dict[str | None, TableOut] = field(default_factory=dict)
    quarantine: list[tuple] = field(default_factory=list)
    issue_counts: dict[str, list] = field(default_factory=dict)  # rule -> [severity, action, count]
    flagged: int = 0  # kept rows with a finding
    examples: dict[str, list[str]] = field(default_factory=dict)  # rule -> its first messages in the chunk
    on_done: Callable[[], None] | None = field(default=None, repr=False)  # set where the streams live in a relay slot

    @property
    def primary(self) -> TableOut:
        """The primary table's part of the chunk."""
        return self.tables.get(None) or TableOut()

    def done(self) -> None:
        """The streams have been copied: release what holds them (a shared-memory slot in parallel runs)."""
        self.streams = {k: b"" for k in self.streams}
        if self.on_done is not None:
            self.on_done()
            self.on_done = None


@dataclass
class TableRows:
    """One table's rows from a chunk, as the family computed them.

    `values` maps column names to per-row values (Arrow arrays, numpy arrays or lists); columns it leaves out
    are NULL. The primary table's rows are the chunk's source rows (row ids from the file position, rejected
    rows dropped); a secondary table's rows give their own `row_ids` and `keep` mask."""

    values: dict[str, object]
    n: int
    geometry: tuple[pa.Array, pa.Array | None, np.ndarray] | None = None  # (WGS 84 EWKB, VN-2000 EWKB, bounds)
    row_ids: np.ndarray | None = None
    keep: np.ndarray | None = None


def _coerce(v, typ: pa.DataType):
    """A source value as the column's type; text that is not a number becomes NULL in numeric columns."""
    if v is None:
        return None
    if typ == pa.string():
        return v if isinstance(v, str) else (v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v))
    if pa.types.is_integer(typ):
        return _int(v)
    if pa.types.is_floating(typ):
        return _num(v)
    return v


def _array(values, typ: pa.DataType, keep: np.ndarray, keep_idx: pa.Array) -> pa.Array:
    """One column restricted to the kept rows, typed for the COPY encoder."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        picked = values if len(keep_idx) == len(keep) else values.filter(keep)
        try:
            return picked.cast(typ)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # e.g. '12a' or 12.5 for an integer column
            return pa.array([_coerce(v, typ) for v in picked.to_pylist()], type=typ, from_pandas=True)
    if len(keep_idx) == len(keep):
        picked = values
    else:
        picked = values[keep] if isinstance(values, np.ndarray) else [values[i] for i in keep_idx.to_pylist()]
    try:
        return pa.array(picked, type=typ, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        return pa.array([_coerce(v, typ) for v in picked], type=typ, from_pandas=True)


def file_row_ids(ctx, batch) -> np.ndarray:
    """Row ids of a chunk's source rows: the file's position in the run × 10⁹ + its row number (deterministic and
    independent of other chunks, which may be transformed in other processes)."""
    return (ctx.file_index[batch.file.display] * ROWS_PER_FILE + batch.row_no).astype(np.int64)


def _interval(t: TableRef, arr) -> tuple | None:
    """min and max of the time column's kept values (dates or aware datetimes); None when it has none."""
    if t.time is None or not len(arr) or arr.null_count == len(arr):
        return None
    mm = pc.min_max(arr)
    return mm["min"].as_py(), mm["max"].as_py()


def _encode_table(ctx, t: TableRef, rows: TableRows, keep: np.ndarray, row_ids: np.ndarray,
                  streams: dict[str, bytes | memoryview]) -> TableOut:
    """One table's kept rows -> core, personal and restricted-rows COPY streams; returns what went where."""
    n = rows.n
    keep_idx = pa.array(np.flatnonzero(keep))
    m = int(keep.sum())
    ids = pa.array(row_ids[keep] if m != n else row_ids, pa.int64())
    empty = [None] * n
    core: dict[str, pa.Array] = {"row_id": ids}
    for c in t.by_sensitivity("public", "restricted"):
        core[c.name] = _array(rows.values.get(c.name, empty), ARROW_TYPES[c.type], keep, keep_idx)
    bounds = np.full((m, 4), np.nan)
    if t.geometry is not None:
        wgs, vn, all_bounds = rows.geometry if rows.geometry is not None else (  # type: tuple[pa.Array, pa.Array, np.ndarray]
            pa.nulls(n, pa.binary()), pa.nulls(n, pa.binary()), np.full((n, 4), np.nan))
        core["geom"] = wgs if m == n else wgs.filter(keep)
        if t.geometry.vn2000:
            core["geom_vn2000"] = vn if m == n else vn.filter(keep)
        bounds = all_bounds[keep]
    assert list(core) == ddl.core_columns(t)
    personal: dict[str, pa.Array] = {"row_id": ids}
    for c in t.by_sensitivity("personal"):
        personal[c.name] = _array(rows.values.get(c.name, empty), ARROW_TYPES[c.type], keep, keep_idx)
    has_personal = np.zeros(m, dtype=bool)
    for name, arr in personal.items():
        if name != "row_id":
            has_personal |= arr.is_valid().to_numpy(zero_copy_only=False)
    core_table, sensitive = pa.table(core), None
    if ctx.route_sensitive and ddl.SENSITIVE_FLAG in core:
        flag = pc.fill_null(core_table.column(ddl.SENSITIVE_FLAG), False)
        if pc.any(flag).as_py():
            sensitive = core_table.filter(flag)
            core_table = core_table.filter(pc.invert(flag))
            bounds = bounds[~flag.to_numpy(zero_copy_only=False)]
    streams[stream_key(t.name, "core")] = copy_binary.encode(core_table, ddl.core_types(t))
    if has_personal.any():
        mask = pa.array(has_personal)
        streams[stream_key(t.name, "personal")] = copy_binary.encode(
            pa.table({k: v.filter(mask) for k, v in personal.items()}), ddl.personal_types(t))
    if sensitive is not None:
        streams[stream_key(t.name, "sensitive")] = copy_binary.encode(sensitive, ddl.core_types(t))
    important = [c.name for c in t.columns if c.important]
    time_col = core_table.column(t.time.column) if t.time is not None and t.time.column in core else None
    return TableOut(loaded=m, core_rows=core_table.num_rows, extent=_extent(bounds),
                    interval=_interval(t, time_col) if time_col is not None else None,
                    filled={c: (m - core[c].null_count if c in core else
                                m - personal[c].null_count if c in personal else 0) for c in important},
                    rows_in=n)


def assemble(ctx, batch, findings: Summary, tables: dict[str | None, TableRows]) -> Output:
    """Accepted rows -> per-table binary COPY; rejected source rows -> quarantine records with their raw values."""
    ds = ctx.ds
    streams: dict[str, bytes | memoryview] = {}
    out = Output(streams=streams, issue_counts=findings.counts, flagged=findings.flagged,
                 examples=findings.examples)
    for t in ds.all_tables:
        rows = tables.get(t.name)
        if rows is None:
            continue
        if t.name is None:
            keep = np.ones(rows.n, dtype=bool)
            keep[list(findings.bad)] = False
            row_ids = file_row_ids(ctx, batch)
        else:
            keep = rows.keep if rows.keep is not None else np.ones(rows.n, dtype=bool)
            if rows.row_ids is None:
                raise ValueError(f"table {t.label}: a secondary table's rows need their row ids")
            row_ids = rows.row_ids
        out.tables[t.name] = _encode_table(ctx, t, rows, keep, row_ids, streams)
    streams["issues"] = issues_copy(ctx, batch.file.display, findings.table)
    out.quarantine = [raw_row(batch, i, issues) for i, issues in sorted(findings.bad.items())]
    return out


ISSUE_COLUMNS = ["load_id", "dataset_id", "file", *FINDING_COLUMNS]
ISSUE_TYPES = ["bigint", "text", "text", "bigint", "text", "text", "text", "text", "text", "text", "text", "text"]


def issues_copy(ctx, file: str, table) -> bytes:
    """A chunk's findings as meta.issue rows (binary COPY), under the run's load id."""
    n = table.num_rows
    if not n:
        return b""
    full = pa.table([pa.array(np.full(n, ctx.load_id, np.int64)), constant(ctx.ds.id, n), constant(file, n),
                     *table.columns], names=ISSUE_COLUMNS)
    return copy_binary.encode(full, ISSUE_TYPES)


def _extent(bounds: np.ndarray) -> tuple[float, float, float, float] | None:
    """The extent of (minx, miny, maxx, maxy) rows, NaN rows (no geometry) left out; None if none has one."""
    if not len(bounds) or np.isnan(bounds[:, 0]).all():
        return None
    return (float(np.nanmin(bounds[:, 0])), float(np.nanmin(bounds[:, 1])), float(np.nanmax(bounds[:, 2])),
            float(np.nanmax(bounds[:, 3])))


def merge_extents(a: tuple | None, b: tuple | None) -> tuple | None:
    """The extent covering two extents (either may be None)."""
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def merge_intervals(a: tuple | None, b: tuple | None) -> tuple | None:
    """The time span covering two spans of ISO dates (either may be None)."""
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), max(a[1], b[1]))


def raw_row(batch, i: int, issues: list[Issue]) -> tuple:
    """A rejected source row as read (text as Latin-1 byte strings, geometry as WKB hex) for restricted.quarantine:
    (file, row, rules, raw JSON, table, location)."""
    raw = {}
    for k, v in batch.attrs.items():
        value = v[i].as_py() if isinstance(v, (pa.Array, pa.ChunkedArray)) else v[i]
        raw[k] = value.hex() if isinstance(value, (bytes, bytearray)) else value
    if batch.geom is not None:
        g = batch.geom[i]
        raw["_geometry_wkb_hex"] = None if g is None else shapely.to_wkb(g, hex=True)
    return (batch.file.display, int(batch.row_no[i]), sorted({it.rule for it in issues}),
            json.dumps(raw, ensure_ascii=False, default=str), None,
            None if batch.where is None else batch.where[i])
