"""From what a reader read to what the store keeps, per chunk and vectorised: canonical units (raw value and unit
kept), UTC period ends from the source's declared convention, and the per-row flag bits (TT 10/2021 status,
negative/impossible values, censored). Rows whose unit cannot be converted are rejected, never guessed. The
checks across rows (duplicates, stuck sensors, gaps) run on the whole load (quality.duplicates / quality.checks)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.families.envmon import parameters, timebase, units
from ingest.families.envmon.layouts import SourceTime  # noqa: F401  (re-exported)
from ingest.families.envmon.quality.checks import range_flags
from ingest.families.envmon.quality.duplicates import Rule  # noqa: F401
from ingest.families.envmon.quality.flags import FLAGS, STATUS_FLAG
from ingest.families.envmon.readers.common import ObsChunk, Reject
from ingest.families.envmon.readers.tt10 import Tt10Layout, status_meaning


@dataclass
class Observations:
    """Normalised observation rows (arrays of equal length) and the rows rejected on the way."""

    station: np.ndarray
    parameter: np.ndarray
    time: np.ndarray  # datetime64[s] UTC, end of the averaging period
    value: np.ndarray  # canonical unit; NaN for censored
    unit: np.ndarray  # canonical unit
    value_raw: np.ndarray
    unit_raw: np.ndarray
    status: np.ndarray
    qualifier: np.ndarray
    limit: np.ndarray  # canonical unit
    bits: np.ndarray  # int16 flags (quality.flags.FLAGS)
    file: np.ndarray
    where: np.ndarray
    sample: np.ndarray
    rejects: list[Reject]
    rows_in: int

    def __len__(self) -> int:
        """Observations in the chunk."""
        return len(self.value)

    def take(self, mask: np.ndarray) -> Observations:
        """The rows of a mask (rejects and rows_in unchanged)."""
        kw = {k: getattr(self, k)[mask] for k in ("station", "parameter", "time", "value", "unit", "value_raw",
                                                  "unit_raw", "status", "qualifier", "limit", "bits", "file",
                                                  "where", "sample")}
        return Observations(**kw, rejects=self.rejects, rows_in=self.rows_in)


def normalise(chunk: ObsChunk, when: SourceTime, layout: Tt10Layout | None = None) -> Observations:
    """Normalise one reader chunk (layout: the TT 10/2021 layout whose status codes apply, None for periodic)."""
    n = len(chunk)
    value = np.full(n, np.nan)
    limit = np.full(n, np.nan)
    unit = np.full(n, None, dtype=object)
    bad_unit = np.zeros(n, dtype=bool)
    for code in set(chunk.parameter.tolist()):
        rows = chunk.parameter == code
        p = parameters.get(code)
        v, bad = units.convert(chunk.value[rows], chunk.unit[rows], p)
        lim, _ = units.convert(chunk.limit[rows], chunk.unit[rows], p)
        value[rows], limit[rows], bad_unit[rows] = v, lim, bad
        unit[rows] = p.unit
    rejects = list(chunk.rejects)
    for i in np.flatnonzero(bad_unit):
        rejects.append(Reject(chunk.file[i], chunk.where[i], "unit", "unit_unknown",
                              f"unit {chunk.unit[i]!r} is not one of {chunk.parameter[i]} (canonical "
                              f"{parameters.get(chunk.parameter[i]).unit})", chunk.value_raw[i]))
    time = timebase.period_end_utc(chunk.time_local, chunk.time_is_utc, when.convention,
                                   when.interval_minutes * 60, when.utc_offset_minutes)
    bits = range_flags(chunk.parameter, value)
    if layout is not None:
        meaning = status_meaning(layout, chunk.status)
        for m, bit in STATUS_FLAG.items():
            bits[meaning == m] |= bit
    bits[np.asarray([q is not None for q in chunk.qualifier.tolist()], dtype=bool)] |= FLAGS["censored"]
    keep = ~bad_unit
    return Observations(chunk.station[keep], chunk.parameter[keep], time[keep], value[keep], unit[keep],
                        chunk.value_raw[keep], chunk.unit[keep], chunk.status[keep], chunk.qualifier[keep],
                        limit[keep], bits[keep], chunk.file[keep], chunk.where[keep], chunk.sample[keep], rejects,
                        chunk.rows_in)


def concat(parts: list[Observations]) -> Observations:
    """One Observations of several (rejects and rows_in summed)."""
    if not parts:
        raise ValueError("nothing to concatenate")
    kw = {k: np.concatenate([getattr(p, k) for p in parts]) for k in (
        "station", "parameter", "time", "value", "unit", "value_raw", "unit_raw", "status", "qualifier", "limit",
        "bits", "file", "where", "sample")}
    return Observations(**kw, rejects=[r for p in parts for r in p.rejects], rows_in=sum(p.rows_in for p in parts))
