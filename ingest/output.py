"""Assemble a transformed chunk into COPY-ready CSV (Arrow's C++ writer, not a Python loop per row)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import shapely

from hub.catalog import ddl
from ingest.values import as_float as _num, as_int as _int
from ingest.issues import Issue

ROWS_PER_FILE = 1_000_000_000  # row_id = file index × this + row number in the file
_CSV = pacsv.WriteOptions(include_header=False, quoting_style="needed")
ARROW_TYPES = {"text": pa.string(), "integer": pa.int32(), "bigint": pa.int64(), "numeric": pa.float64(),
               "double": pa.float64(), "date": pa.string(), "boolean": pa.bool_(), "timestamptz": pa.string(),
               "jsonb": pa.string()}


@dataclass
class Output:
    """A transformed chunk: CSV for the core and personal tables, rejected source rows, and issues."""

    core_csv: bytes = b""
    personal_csv: bytes = b""
    loaded: int = 0
    quarantine: list[tuple] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def _csv(columns: dict[str, pa.Array]) -> bytes:
    """CSV bytes (NULL = empty unquoted field, empty string = "") for COPY ... (FORMAT csv)."""
    buf = io.BytesIO()
    pacsv.write_csv(pa.table(columns), buf, _CSV)
    return buf.getvalue()


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


def _array(values, typ: pa.DataType, keep: np.ndarray) -> pa.Array:
    """One column restricted to the kept rows, typed for the CSV writer."""
    picked = [values[i] for i in np.flatnonzero(keep)] if not isinstance(values, np.ndarray) else values[keep]
    try:
        return pa.array(picked, type=typ, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        return pa.array([_coerce(v, typ) for v in picked], type=typ, from_pandas=True)


def assemble(ctx, batch, cols: dict[str, list], derived: dict[str, list], vn: np.ndarray, wgs: np.ndarray,
             bad: dict[int, list[Issue]], kept_issues: list[Issue]) -> Output:
    """Accepted rows -> core + personal CSV; rejected rows -> quarantine records with their raw values."""
    ds, n = ctx.ds, len(batch)
    keep = np.ones(n, dtype=bool)
    keep[list(bad)] = False
    m = int(keep.sum())
    # Deterministic and independent of other chunks (they may be transformed in other processes).
    row_ids = (ctx.file_index[batch.file.display] * ROWS_PER_FILE + batch.row_no[keep]).astype(np.int64)
    empty = [None] * n
    core: dict[str, pa.Array] = {"row_id": pa.array(row_ids)}
    for c in ds.by_sensitivity("public", "restricted"):
        core[c.name] = _array(derived.get(c.name, cols.get(c.name, empty)), ARROW_TYPES[c.type], keep)
    core["geom"] = pa.array(ewkb_hex(wgs[keep], 4326))
    core["geom_vn2000"] = pa.array(ewkb_hex(vn[keep], 4756))
    assert list(core) == ddl.core_columns(ds)
    personal = {"row_id": pa.array(row_ids)}
    for c in ds.by_sensitivity("personal"):
        personal[c.name] = _array(derived.get(c.name, cols.get(c.name, empty)), ARROW_TYPES[c.type], keep)
    has_personal = np.zeros(m, dtype=bool)
    for name, arr in personal.items():
        if name != "row_id":
            has_personal |= arr.is_valid().to_numpy(zero_copy_only=False)
    personal = {k: v.filter(pa.array(has_personal)) for k, v in personal.items()}
    out = Output(_csv(core), _csv(personal) if has_personal.any() else b"", m)
    for i, issues in sorted(bad.items()):
        out.quarantine.append(raw_row(batch, i, issues))
        out.issues += issues
    out.issues += kept_issues
    return out


def ewkb_hex(geoms: np.ndarray, srid: int) -> list[str]:
    """Hex EWKB with an SRID, as PostGIS reads it in COPY: the SRID flag and value are spliced into little-endian
    WKB text (cheaper than tagging every geometry object with an SRID first)."""
    hexes = shapely.to_wkb(geoms, hex=True, byte_order=1)
    srid_hex = srid.to_bytes(4, "little").hex().upper()
    out = []
    for h in hexes:
        if h is None:
            out.append(None)
        else:  # 01 | type (4 bytes LE) -> 01 | type | 0x20000000 | srid
            out.append(f"01{h[2:8]}{int(h[8:10], 16) | 0x20:02X}{srid_hex}{h[10:]}")
    return out


def raw_row(batch, i: int, issues: list[Issue]) -> tuple:
    """A rejected source row as read (text as Latin-1 byte strings, geometry as WKB hex) for restricted.quarantine."""
    raw = {k: (v[i] if not isinstance(v[i], (bytes, bytearray)) else v[i].hex()) for k, v in batch.attrs.items()}
    g = batch.geom[i]
    raw["_geometry_wkb_hex"] = None if g is None else shapely.to_wkb(g, hex=True)
    return (batch.file.display, int(batch.row_no[i]), sorted({it.rule for it in issues}),
            json.dumps(raw, ensure_ascii=False, default=str))
