"""Assemble a transformed chunk into binary COPY streams (vectorised: no Python loop per accepted row)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from hub.catalog import ddl
from hub.db import copy_binary
from ingest.core.values import as_float as _num, as_int as _int
from ingest.core.findings import COLUMNS as FINDING_COLUMNS, Summary, constant
from ingest.core.issues import Issue

ROWS_PER_FILE = 1_000_000_000  # row_id = file index × this + row number in the file
ARROW_TYPES = {"text": pa.string(), "integer": pa.int32(), "bigint": pa.int64(), "numeric": pa.float64(),
               "double": pa.float64(), "date": pa.string(), "boolean": pa.bool_(), "timestamptz": pa.string(),
               "jsonb": pa.string()}

STREAMS = ("core_copy", "sensitive_copy", "personal_copy", "issues_copy")  # an Output's COPY streams


@dataclass
class Output:
    """A transformed chunk: binary COPY streams for the core and personal tables, rejected rows, and issues."""

    core_copy: bytes = b""
    personal_copy: bytes = b""
    sensitive_copy: bytes = b""  # defence/security rows: their own table, never the core table or a view
    loaded: int = 0
    core_rows: int = 0  # rows in core_copy, and the WGS 84 extent of their geometries (None when there are none)
    extent: tuple[float, float, float, float] | None = None
    quarantine: list[tuple] = field(default_factory=list)
    issues_copy: bytes = b""  # meta.issue rows (binary COPY)
    issue_counts: dict[str, list] = field(default_factory=dict)  # rule -> [severity, action, count]
    flagged: int = 0  # kept rows with a finding
    on_done: Callable[[], None] | None = field(default=None, repr=False)  # set where the streams live in a relay slot

    def done(self) -> None:
        """The streams have been copied: release what holds them (a shared-memory slot in parallel runs)."""
        for name in STREAMS:
            setattr(self, name, b"")
        if self.on_done is not None:
            self.on_done()
            self.on_done = None


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


def assemble(ctx, batch, cols: dict[str, object], derived: dict, geometry: tuple[pa.Array, pa.Array, np.ndarray],
             findings: Summary) -> Output:
    """Accepted rows -> core + personal binary COPY; rejected rows -> quarantine records with their raw values.

    `geometry` is (VN-2000 EWKB, WGS 84 EWKB, WGS 84 bounds) per row."""
    ds, n = ctx.ds, len(batch)
    vn, wgs, bounds = geometry
    bad = findings.bad
    keep = np.ones(n, dtype=bool)
    keep[list(bad)] = False
    keep_idx = pa.array(np.flatnonzero(keep))
    m = int(keep.sum())
    # Deterministic and independent of other chunks (they may be transformed in other processes).
    row_ids = pa.array((ctx.file_index[batch.file.display] * ROWS_PER_FILE + batch.row_no[keep]).astype(np.int64))
    empty = [None] * n
    core: dict[str, pa.Array] = {"row_id": row_ids}
    for c in ds.by_sensitivity("public", "restricted"):
        core[c.name] = _array(derived.get(c.name, cols.get(c.name, empty)), ARROW_TYPES[c.type], keep, keep_idx)
    core["geom"], core["geom_vn2000"] = (wgs, vn) if m == n else (wgs.filter(keep), vn.filter(keep))
    assert list(core) == ddl.core_columns(ds)
    personal = {"row_id": row_ids}
    for c in ds.by_sensitivity("personal"):
        personal[c.name] = _array(derived.get(c.name, cols.get(c.name, empty)), ARROW_TYPES[c.type], keep, keep_idx)
    has_personal = np.zeros(m, dtype=bool)
    for name, arr in personal.items():
        if name != "row_id":
            has_personal |= arr.is_valid().to_numpy(zero_copy_only=False)
    mask = pa.array(has_personal)
    personal = {k: v.filter(mask) for k, v in personal.items()}
    core_table, sensitive = pa.table(core), None
    core_bounds = bounds[keep]
    if ds.publication.exclude_sensitive_land_use and ddl.SENSITIVE_FLAG in core:
        flag = pc.fill_null(core_table.column(ddl.SENSITIVE_FLAG), False)
        if pc.any(flag).as_py():
            sensitive = core_table.filter(flag)
            core_table = core_table.filter(pc.invert(flag))
            core_bounds = core_bounds[~flag.to_numpy(zero_copy_only=False)]
    out = Output(core_copy=copy_binary.encode(core_table, core_types(ds)),
                 personal_copy=copy_binary.encode(pa.table(personal), personal_types(ds)) if has_personal.any()
                 else b"",
                 sensitive_copy=b"" if sensitive is None else copy_binary.encode(sensitive, core_types(ds)),
                 loaded=m, core_rows=core_table.num_rows, extent=_extent(core_bounds),
                 issues_copy=issues_copy(ctx, batch.file.display, findings.table), issue_counts=findings.counts,
                 flagged=findings.flagged)
    out.quarantine = [raw_row(batch, i, issues) for i, issues in sorted(bad.items())]
    return out


ISSUE_COLUMNS = ["load_id", "dataset_id", "file", *FINDING_COLUMNS]
ISSUE_TYPES = ["bigint", "text", "text", "bigint", "text", "text", "text", "text", "text", "text"]


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


def core_types(ds) -> list[str]:
    """PostgreSQL types of the core table's columns, in COPY order."""
    return ["bigint", *[c.type for c in ds.by_sensitivity("public", "restricted")], "geometry", "geometry"]


def personal_types(ds) -> list[str]:
    """PostgreSQL types of the personal table's columns, in COPY order."""
    return ["bigint", *[c.type for c in ds.by_sensitivity("personal")]]


def raw_row(batch, i: int, issues: list[Issue]) -> tuple:
    """A rejected source row as read (text as Latin-1 byte strings, geometry as WKB hex) for restricted.quarantine."""
    raw = {}
    for k, v in batch.attrs.items():
        value = v[i].as_py() if isinstance(v, (pa.Array, pa.ChunkedArray)) else v[i]
        raw[k] = value.hex() if isinstance(value, (bytes, bytearray)) else value
    g = batch.geom[i]
    raw["_geometry_wkb_hex"] = None if g is None else shapely.to_wkb(g, hex=True)
    return (batch.file.display, int(batch.row_no[i]), sorted({it.rule for it in issues}),
            json.dumps(raw, ensure_ascii=False, default=str))
