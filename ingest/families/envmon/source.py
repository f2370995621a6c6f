"""The envmon readers as framework readers (ingest.sources.registry.Reader): each file is read by the family's
reader with the layout its catalog entry declares, normalised per chunk, and handed on as a Batch whose rows are
observations (or stations) and the source lines/cells that gave none, each with its rule, so that every source
observation is loaded or quarantined (rows_in == loaded + rejected).

Row numbers: a TT 10/2021 row is its line; a periodic export gives one observation per measured cell, numbered
in file order, with the cell ("Sheet1!C12", "row 7, column PM10") as its location."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from hub.catalog.models import Dataset
from hub.errors import InputError
from ingest.core.batch import Batch, SourceFile
from ingest.families.envmon import normalise
from ingest.families.envmon.quality.flags import FLAGS
from ingest.families.envmon.readers.common import ObsChunk, Reject
from ingest.sources.registry import Reader

OBS_FIELDS = ("station_code", "parameter", "observed_at", "value", "unit", "value_raw", "unit_raw", "status",
              "qualifier", "detection_limit", "flags", "sample_id", "source_where")
REJECT_FIELDS = ("_reject_rule", "_reject_field", "_reject_message")
STATION_FIELDS = ("station_code", "name", "network", "kind", "medium", "lon", "lat", "operator",
                  "commune_code_old", "commune_code", "address", "time_convention", "interval_minutes")
_DIGITS = re.compile(r"(\d+)\s*$")


def _opts(ds: Dataset | None):
    """The entry's envmon options (a reader is only registered for envmon datasets)."""
    if ds is None:
        raise InputError("envmon files are read for a dataset (hub ingest <dataset> ...)")
    return ds.opts


def inspect(path: Path, display: str, ds: Dataset | None = None) -> SourceFile:
    """A station list, TT 10/2021 file or periodic export, as the entry's `kind` says (its rows counted on read)."""
    kind = _opts(ds).kind
    suffix = path.suffix.lower()
    if kind == "stations" and suffix not in (".csv", ".xlsx", ".xlsm"):
        raise InputError(f"a {suffix} file is not a station list (CSV or XLSX)", file=display, rule="source_format")
    fmt = {".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}.get(suffix, "tt10")
    fields = STATION_FIELDS if kind == "stations" else OBS_FIELDS
    return SourceFile(path, display, fmt, None, -1, fields + REJECT_FIELDS)


def _reject_rows(rejects: list[Reject], first_no: int, numbered: bool) -> tuple[dict[str, np.ndarray], np.ndarray,
                                                                                 list[str]]:
    """Columns (mostly empty) of the rows that gave no observation, their row numbers and locations."""
    n = len(rejects)
    cols = {f: np.full(n, None, dtype=object) for f in OBS_FIELDS}
    cols["value"] = np.full(n, np.nan)
    cols["detection_limit"] = np.full(n, np.nan)
    cols["flags"] = np.zeros(n, dtype=np.int32)
    cols["value_raw"] = np.array([r.text for r in rejects], dtype=object)
    cols["source_where"] = np.array([r.where for r in rejects], dtype=object)
    cols["_reject_rule"] = np.array([r.rule for r in rejects], dtype=object)
    cols["_reject_field"] = np.array([r.field for r in rejects], dtype=object)
    cols["_reject_message"] = np.array([r.message for r in rejects], dtype=object)
    if numbered:
        nos = np.arange(first_no, first_no + n, dtype=np.int64)
    else:
        nos = np.array([int(m.group(1)) if (m := _DIGITS.search(r.where)) else 0 for r in rejects], dtype=np.int64)
    return cols, nos, [r.where for r in rejects]


def _batch(src: SourceFile, obs: normalise.Observations, first_no: int, numbered: bool) -> Batch:
    """Observations and rejects of one chunk as one Batch (rows in file order of their number)."""
    n = len(obs)
    cols: dict[str, np.ndarray] = {
        "station_code": obs.station, "parameter": obs.parameter,
        "observed_at": obs.time.astype("datetime64[us]"), "value": np.where(np.isnan(obs.value), np.nan, obs.value),
        "unit": obs.unit, "value_raw": obs.value_raw, "unit_raw": obs.unit_raw, "status": obs.status,
        "qualifier": obs.qualifier, "detection_limit": obs.limit, "flags": obs.bits.astype(np.int32),
        "sample_id": obs.sample, "source_where": obs.where,
        **{f: np.full(n, None, dtype=object) for f in REJECT_FIELDS}}
    if numbered:
        nos = np.arange(first_no, first_no + n, dtype=np.int64)
    else:
        nos = np.array([int(m.group(1)) if (m := _DIGITS.search(str(w))) else 0 for w in obs.where.tolist()],
                       dtype=np.int64)
    rcols, rnos, rwhere = _reject_rows(obs.rejects, first_no + n, numbered)
    cols["observed_at"] = cols["observed_at"].astype(object)
    rcols["observed_at"] = np.full(len(rnos), None, dtype=object)
    attrs = {k: np.concatenate([cols[k], rcols[k]]) for k in cols}
    where = [*map(str, obs.where.tolist()), *rwhere]
    return Batch(src, np.concatenate([nos, rnos]), attrs, where=where)


def read(src: SourceFile, chunk_rows: int, ds: Dataset | None = None) -> Iterator[Batch]:
    """Batches of one file, normalised with the entry's declared time convention and units."""
    opts = _opts(ds)
    if opts.kind == "stations":
        yield _stations(src)
        return
    from ingest.families.envmon.readers import periodic_io, tt10

    chunks: Iterator[ObsChunk]
    automatic = src.fmt == "tt10"
    if automatic:
        chunks = tt10.read_tt10([src.path], opts.tt10, display=lambda _p: src.display)
    else:
        chunks = periodic_io.read_export(src.path, opts.periodic, src.display)
    numbered, first, when = not automatic, 1, opts.time_for(src.display)
    for chunk in chunks:
        obs = normalise.normalise(chunk, when, opts.tt10 if automatic else None)
        b = _batch(src, obs, first, numbered)
        first += len(b)
        yield b


def _stations(src: SourceFile) -> Batch:
    """The whole station list as one batch (lists are small: hundreds of rows)."""
    from ingest.families.envmon.readers import stations as st

    got, rejects = st.read_stations(src.path, src.display)
    rows = sorted([(s.row, s, None) for s in got] + [(int(_DIGITS.search(r.where).group(1)), None, r)
                                                     for r in rejects], key=lambda x: x[0])
    attrs: dict[str, list] = {f: [] for f in STATION_FIELDS + REJECT_FIELDS}
    for _, s, r in rows:
        for f in STATION_FIELDS:
            key = {"commune_code_old": "commune_old", "commune_code": "commune_new", "station_code": "code"}.get(f, f)
            attrs[f].append(getattr(s, key) if s is not None else None)
        attrs["_reject_rule"].append(r.rule if r else None)
        attrs["_reject_field"].append(r.field if r else None)
        attrs["_reject_message"].append(r.message if r else None)
    if rejects:  # a rejected row keeps what it had (code, raw text) for the quarantine
        for i, (_, _s, r) in enumerate(rows):
            if r is not None:
                attrs["station_code"][i] = r.text if r.field == "code" else None
    return Batch(src, np.array([x[0] for x in rows], dtype=np.int64), attrs,
                 where=[f"row {x[0]}" for x in rows])


_FNS = ("ingest.families.envmon.source:inspect", "ingest.families.envmon.source:read")
TT10 = Reader((".txt",), *_FNS, sequential=True, dataset=True)
CSV = Reader((".csv",), *_FNS, sequential=True, dataset=True)
XLSX = Reader((".xlsx", ".xlsm"), *_FNS, sequential=True, dataset=True)
FLAG_NAMES = {bit: name for name, bit in FLAGS.items()}
