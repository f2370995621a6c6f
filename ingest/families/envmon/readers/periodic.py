"""Periodic monitoring exports (CSV, XLSX): one row per sample, parameters as columns; what the columns mean and how
cells read. Censored cells ("<0,02", "< LOD", "KPH", ">24000") are kept as censored with their limit, never as a
number; "-", "KQT" and empty cells are "not measured" and make no observation. Dates are day-first
(dd/mm/yyyy, domain §7.3) or ISO, never month-first."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.core.values import as_float
from ingest.families.envmon import parameters
from ingest.families.envmon.layouts import PeriodicLayout  # noqa: F401  (re-exported)
from ingest.families.envmon.parameters import name_key
from ingest.families.envmon.readers.common import strptime

_UNIT_IN_HEADER = re.compile(r"^(?P<name>.+?)\s*(?:\((?P<u1>[^()]*)\)|\[(?P<u2>[^\[\]]*)\]|,\s*(?P<u3>[^,]+))\s*$")
_CENSORED = re.compile(r"^(?P<q>[<>≤≥])\s*(?P<rest>.*)$")
EXCEL_EPOCH = datetime(1899, 12, 30)
DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y",
             "%d.%m.%Y %H:%M", "%d.%m.%Y")
ISO = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d")


@dataclass(frozen=True)
class Column:
    """What one column is: a key (station/time/date/hour/sample), a parameter with its unit, or unknown."""

    index: int
    header: str
    role: str  # station | time | date | hour | sample | parameter | ignore | unknown
    parameter: str | None = None
    unit: str | None = None


def _role(header: str, layout: PeriodicLayout) -> str | None:
    """The key role a header names, if any."""
    k = name_key(header)
    for role in ("station", "time", "date", "hour", "sample"):
        if k in {name_key(x) for x in getattr(layout, role)}:
            return role
    if k in {name_key(x) for x in layout.ignore} or k in ("STT", "TT", "NO"):
        return "ignore"
    return None


def columns(headers: Sequence[object], units: Sequence[object] | None, layout: PeriodicLayout) -> list[Column]:
    """Roles of the header row; a parameter's unit comes from the units row or the header ("BOD5 (mg/L)")."""
    out = []
    for i, h in enumerate(headers):
        text = "" if h is None else str(h).strip()
        role = _role(text, layout) if text else "ignore"
        if role:
            out.append(Column(i, text, role))
            continue
        code, unit = parameters.resolve(text, layout.spellings), None
        m = _UNIT_IN_HEADER.match(text)
        if code is None and m:
            code = parameters.resolve(m.group("name"), layout.spellings)
            unit = next((g for g in (m.group("u1"), m.group("u2"), m.group("u3")) if g), None)
        if units is not None and i < len(units) and units[i] not in (None, ""):
            unit = str(units[i]).strip()
        out.append(Column(i, text, "parameter", code, unit) if code else Column(i, text, "unknown"))
    return out


@dataclass
class Cells:
    """A parameter column parsed: value, qualifier, limit; `skip` = not measured, `bad` = unreadable."""

    value: np.ndarray
    qualifier: np.ndarray
    limit: np.ndarray
    skip: np.ndarray
    bad: np.ndarray
    raw: np.ndarray


def cells(parameter: str, raw: Sequence[object] | pa.Array, layout: PeriodicLayout) -> Cells:
    """Parse one column: numbers in one vectorised cast, the rest (censored, comma decimals, words) one by one."""
    if isinstance(raw, pa.ChunkedArray):
        raw = raw.combine_chunks()
    if isinstance(raw, pa.Array):
        try:
            nums = pc.cast(pc.utf8_trim_whitespace(raw), pa.float64(), safe=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            nums = None
        texts = np.asarray(raw.to_pylist(), dtype=object)
        value = nums.to_numpy(zero_copy_only=False) if nums is not None else np.full(len(texts), np.nan)
        todo = np.flatnonzero(np.isnan(value)) if nums is not None else np.arange(len(texts))
    else:
        texts = np.asarray(list(raw), dtype=object)
        value = np.full(len(texts), np.nan)
        todo = []
        for i, t in enumerate(texts.tolist()):
            if isinstance(t, (int, float)) and not isinstance(t, bool) and t == t:
                value[i] = float(t)
            else:
                todo.append(i)
    n = len(texts)
    qual = np.full(n, None, dtype=object)
    limit = np.full(n, np.nan)
    skip = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    nm = {x.lower() for x in layout.not_measured}
    nd = {x.lower() for x in layout.not_detected}
    for i in todo:
        t = texts[i]
        s = "" if t is None else str(t).strip()
        low = s.lower()
        if low in nm:
            skip[i] = True
            continue
        if low in nd:
            qual[i], limit[i] = "<", layout.limits.get(parameter, np.nan)
            bad[i] = np.isnan(limit[i])
            continue
        m = _CENSORED.match(s)
        if m:
            rest = m.group("rest").strip()
            lim = as_float(rest) if rest.lower() not in ("lod", "loq", "") else layout.limits.get(parameter)
            qual[i] = "<" if m.group("q") in "<≤" else ">"
            limit[i] = np.nan if lim is None else lim
            bad[i] = lim is None
            continue
        v = as_float(s)
        if v is None:
            bad[i] = True
        else:
            value[i] = v
    return Cells(value, qual, limit, skip, bad, texts)


def parse_time(text: object) -> datetime | None:
    """A sample time from a cell: a datetime, an Excel serial, day-first text or ISO text (None if none fits)."""
    if isinstance(text, datetime):
        return text.replace(tzinfo=None) if text.tzinfo is None else text
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return EXCEL_EPOCH + timedelta(days=float(text)) if 1 <= text < 2958466 else None
    s = str(text or "").strip()
    for fmt in DAY_FIRST + ISO:
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(s)  # with a UTC offset
    except ValueError:
        return None


def times(col: pa.Array | Sequence[object]) -> np.ndarray:
    """Sample times as objects (datetime or None): whole-column strptime per format first, then cell by cell."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if isinstance(col, pa.Array) and pa.types.is_string(col.type):
        out = np.full(len(col), None, dtype=object)
        left = np.ones(len(col), dtype=bool)
        for fmt in DAY_FIRST + ISO:
            sub = np.flatnonzero(left)
            ts = strptime(col.take(pa.array(sub)), fmt)
            hit = ~np.isnat(ts)
            if hit.any():
                out[sub[hit]] = ts[hit].astype("datetime64[us]").astype(object)
                left[sub[hit]] = False
            if not left.any():
                break
        texts = col.to_pylist()
        for i in np.flatnonzero(left):
            out[i] = parse_time(texts[i])
        return out
    return np.asarray([parse_time(t) for t in col], dtype=object)
