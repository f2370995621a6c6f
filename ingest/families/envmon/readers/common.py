"""What the envmon readers hand on: observations in long form, column by column, with where each came from, and
the source rows that could not be read at all (each with file, line or cell, field and rule)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Source-level rules of the readers (the pipeline's rule table gives their severities).
RULES = {
    "line_unreadable": "the line does not have the layout's fields",
    "time_unreadable": "the time cannot be read with the layout's format",
    "value_unreadable": "the value is not a number, a censored value (<LOD, >x) or empty",
    "parameter_unknown": "the parameter name is not in the catalogue or the source's own spellings",
    "station_missing": "no station code (file name or column)",
    "column_unknown": "a column header names no parameter (column not loaded)",
}


@dataclass
class Reject:
    """A source row (or cell) that yields no observation, and why."""

    file: str
    where: str  # "line 12", "row 7", "Sheet1!C12"
    field: str | None
    rule: str
    message: str
    text: str | None = None  # the raw line or cell, for the quarantine


@dataclass
class ObsChunk:
    """Observations read from one or more files (arrays of equal length)."""

    file: np.ndarray  # object: file display name per row
    where: np.ndarray  # object: "line 3" / "Sheet1!C12"
    station: np.ndarray  # object: station code as in the source
    parameter: np.ndarray  # object: canonical parameter code (None if unknown: such rows are rejected first)
    parameter_raw: np.ndarray  # object: the source spelling
    time_local: np.ndarray  # datetime64[s], naive local time as written (convention applied later) ...
    time_is_utc: np.ndarray  # bool: ... or UTC already, where the source wrote its offset ("…+07:00")
    value: np.ndarray  # float64, NaN for censored
    value_raw: np.ndarray  # object: text as in the file
    unit: np.ndarray  # object: unit as in the file (None if the source gives none)
    status: np.ndarray  # object: TT 10/2021 status code ("00", "01", "02", other) or None (periodic)
    qualifier: np.ndarray  # object: None, "<" (below the limit) or ">" (above the limit)
    limit: np.ndarray  # float64: the detection/quantification limit of a censored value
    sample: np.ndarray  # object: sample id of periodic data (None for automatic stations)
    rejects: list[Reject] = field(default_factory=list)
    rows_in: int = 0  # source observation rows this chunk accounts for (len + len(rejects))

    def __len__(self) -> int:
        """Observations in the chunk."""
        return len(self.value)


def lines_of(body: bytes, first: int = 1) -> np.ndarray:
    """1-based line numbers of the lines of a normalised body (one '\\n' after each line)."""
    return np.arange(first, first + body.count(b"\n"), dtype=np.int64)


def empty_object(n: int) -> np.ndarray:
    """An object array of n Nones."""
    return np.full(n, None, dtype=object)


def strptime(arr: pa.Array, fmt: str) -> np.ndarray:
    """Times of a text column as datetime64[s], NaT where unreadable. Arrow parses the whole column at once but
    rolls impossible dates over (31/02 → 03/03): a value that does not print back as written is parsed again by
    Python's strict strptime, which refuses 31/02 and accepts unpadded fields ("9:00")."""
    trimmed = pc.utf8_trim_whitespace(arr)
    ts = pc.strptime(trimmed, format=fmt, unit="s", error_is_null=True)
    back = pc.strftime(ts, format=fmt)
    same = pc.fill_null(pc.equal(back, trimmed), False).to_numpy(zero_copy_only=False)
    out = ts.to_numpy(zero_copy_only=False).astype("datetime64[s]")
    redo = np.flatnonzero(~np.asarray(same, dtype=bool))
    if len(redo):
        texts = trimmed.to_pylist()
        for i in redo:
            try:
                out[i] = np.datetime64(datetime.strptime(texts[i] or "", fmt), "s")
            except ValueError:
                out[i] = np.datetime64("NaT")
    return out
