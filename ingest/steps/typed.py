"""Values as their catalog column types, with a finding for every value that cannot be one (never a silent NULL):
Vietnamese number notation, day-first dates (domain §7.3), RFC 3339 timestamps, and the ranges PostgreSQL's
types hold (a value a column cannot hold is quarantined with its row, never sent to COPY)."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pyarrow as pa

from hub.catalog.models import TableRef
from ingest.core.findings import Findings
from ingest.core.values import as_float

INT_RANGE = {"integer": (-2**31, 2**31 - 1), "bigint": (-2**63, 2**63 - 1)}
_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
TRUE, FALSE = {"true", "t", "1", "yes", "y", "có", "co", "x"}, {"false", "f", "0", "no", "n", "không", "khong"}


def _blank(v) -> bool:
    """A missing value: None, NaN, or text with nothing in it."""
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, (str, bytes)) and not v.strip())


def _text(v) -> str:
    """A raw value as text (legacy bytes are Latin-1, byte-transparent)."""
    return v.decode("latin-1") if isinstance(v, (bytes, bytearray)) else str(v)


def parse_int(v, kind: str = "bigint") -> int | None:
    """A whole number from a number or text ('12', '12.0', '1.234' is not one); None if not one or out of range."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, np.integer)):
        n = int(v)
    elif isinstance(v, (float, np.floating)):
        if not math.isfinite(v) or not float(v).is_integer():
            return None
        n = int(v)
    else:
        t = _text(v).strip().replace(" ", "")
        m = re.fullmatch(r"[+-]?\d+(?:[.,]0+)?", t)
        if not m:
            return None
        n = int(re.split(r"[.,]", t)[0])
    lo, hi = INT_RANGE.get(kind, INT_RANGE["bigint"])
    return n if lo <= n <= hi else None


def parse_float(v) -> float | None:
    """A finite number from a number or Vietnamese/English text; None otherwise (1e999 is not one)."""
    if isinstance(v, bool):
        return None
    got = float(v) if isinstance(v, (int, float, np.number)) else as_float(v)
    return got if got is not None and math.isfinite(got) else None


def parse_date(v) -> dt.date | None:
    """A date: ISO (2025-01-15), day first (15/01/2025, 15-1-2025), a date object; never month first."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    t = _text(v)
    try:
        m = _ISO_DAY.match(t)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DAY_FIRST.match(t)
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:  # 31/02/2024
        return None
    return None


def parse_timestamp(v) -> dt.datetime | None:
    """An aware instant (RFC 3339 with an offset, or an aware datetime); a naive one is not accepted here: the
    family states its time zone convention before the cast (e.g. TT 10/2021 local time UTC+7)."""
    if isinstance(v, dt.datetime):
        return v if v.tzinfo else None
    try:
        got = dt.datetime.fromisoformat(_text(v).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return got if got.tzinfo else None


def parse_bool(v) -> bool | None:
    """A yes/no value (Vietnamese or English words, 1/0, x for a ticked cell)."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    t = _text(v).strip().lower()
    return True if t in TRUE else False if t in FALSE else None


PARSERS = {"integer": lambda v: parse_int(v, "integer"), "bigint": parse_int, "numeric": parse_float,
           "double": parse_float, "date": parse_date, "timestamptz": parse_timestamp, "boolean": parse_bool}
WHAT = {"integer": "a whole number (32-bit)", "bigint": "a whole number", "numeric": "a finite number",
        "double": "a finite number", "date": "a date (dd/mm/yyyy or yyyy-mm-dd)",
        "timestamptz": "a date-time with a time zone", "boolean": "yes/no"}
ARROW = {"integer": pa.int32(), "bigint": pa.int64(), "numeric": pa.float64(), "double": pa.float64(),
         "date": pa.date32(), "timestamptz": pa.timestamp("us", tz="UTC"), "boolean": pa.bool_()}


def _fast(values, kind: str) -> pa.Array | None:
    """An Arrow column already of a compatible type, converted without a Python loop (None: loop needed)."""
    if not isinstance(values, pa.Array):
        return None
    t = values.type
    if kind in ("integer", "bigint") and pa.types.is_integer(t):
        try:
            return values.cast(ARROW[kind])  # safe cast: out-of-range raises
        except pa.ArrowInvalid:
            return None
    if kind in ("numeric", "double") and (pa.types.is_floating(t) or pa.types.is_integer(t)):
        arr = values.cast(pa.float64())
        finite = np.isfinite(arr.to_numpy(zero_copy_only=False))
        return arr if finite[arr.is_valid().to_numpy(zero_copy_only=False)].all() else None
    if kind == "date" and pa.types.is_date(t):
        return values.cast(pa.date32())
    if kind == "boolean" and pa.types.is_boolean(t):
        return values
    return None


def cast(f: Findings, cols: dict[str, object], table: TableRef, mapping: dict[str, str]) -> dict[str, pa.Array]:
    """Every non-text mapped column typed; a value given but not readable as its type is a `bad_value` finding on
    its row (the value itself is quoted only for public columns: a personal value never reaches meta.issue)."""
    out: dict[str, pa.Array] = {}
    for name, values in cols.items():
        col = table.column(name)
        if col.type in ("text", "jsonb"):
            continue
        fast = _fast(values, col.type)
        if fast is not None:
            out[name] = fast
            continue
        raw = values.to_pylist() if isinstance(values, (pa.Array, pa.ChunkedArray)) else list(values)
        parse = PARSERS[col.type]
        parsed, bad = [], []
        for i, v in enumerate(raw):
            if _blank(v):
                parsed.append(None)
                continue
            got = parse(v)
            parsed.append(got)
            if got is None:
                bad.append(i)
        if bad:
            shown = col.sensitivity == "public"
            f.add(np.array(bad), "bad_value",
                  [f"{name}: {_text(raw[i])[:40]!r} is not {WHAT[col.type]}" if shown else
                   f"{name}: the value is not {WHAT[col.type]}" for i in bad], mapping.get(name))
        out[name] = pa.array(parsed, ARROW[col.type])
    return out


def required(f: Findings, values: dict[str, object], table: TableRef, n: int, mapping: dict[str, str]) -> None:
    """missing_required for every required column a row has no value in (rows already rejected are skipped)."""
    for col in table.columns:
        if not col.required:
            continue
        v = values.get(col.name)
        if v is None:
            null = np.ones(n, dtype=bool)
        elif isinstance(v, (pa.Array, pa.ChunkedArray)):
            null = v.is_null().to_numpy(zero_copy_only=False)
            if pa.types.is_string(v.type):
                null |= np.array([s == "" for s in v.to_pylist()]) if v.null_count < len(v) else False
        else:
            null = np.array([_blank(x) for x in v], dtype=bool)
        null &= ~f.rejected
        f.add(null, "missing_required", f"{col.name} is missing", mapping.get(col.name))
