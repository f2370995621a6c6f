"""Observation flags: one bit per rule on every stored value, and flag RANGES (station, parameter, period) for what
lasts: TT 10/2021 status 01 (calibrating) and 02 (device error), stuck sensors, gaps — the OpenAQ `flags` design
(anchors-environment-survey §1.1), so "this sensor was calibrating 02:00–05:00" is one row, not 3 silent values.

A value with an INVALID bit is stored (raw and normalised) but never enters a rollup mean or an index."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FLAGS = {
    "calibrating": 1 << 0,  # TT 10/2021 status 01
    "device_error": 1 << 1,  # TT 10/2021 status 02
    "status_unknown": 1 << 2,  # a status code the layout does not define
    "negative_value": 1 << 3,
    "impossible_value": 1 << 4,  # outside the parameter's plausible range
    "stuck_sensor": 1 << 5,  # the same value for the parameter's stuck_hours or more
    "duplicate_kept": 1 << 6,  # several rows for this station, parameter and time: this one won
    "censored": 1 << 7,  # below/above a detection limit (value is the limit's side, not a number)
}
INVALID = (FLAGS["calibrating"] | FLAGS["device_error"] | FLAGS["status_unknown"] | FLAGS["negative_value"]
           | FLAGS["impossible_value"] | FLAGS["stuck_sensor"])
STATUS_FLAG = {"calibrating": FLAGS["calibrating"], "error": FLAGS["device_error"],
               "unknown": FLAGS["status_unknown"], "measuring": 0}


def names(bits: int) -> list[str]:
    """Flag names set in a bitmask."""
    return [n for n, b in FLAGS.items() if bits & b]


@dataclass
class FlagRange:
    """A flagged period of one station's parameter: (start, end] in UTC, as period ends."""

    station: str
    parameter: str
    rule: str
    start: np.datetime64
    end: np.datetime64
    rows: int
    note: str = ""


def groups(station: np.ndarray, parameter: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order sorting rows by (station, parameter, time) and, in that order, the start index of each series."""
    s_codes = np.unique(station.astype(str), return_inverse=True)[1]
    p_codes = np.unique(parameter.astype(str), return_inverse=True)[1]
    order = np.lexsort((np.asarray(time, dtype="datetime64[s]").astype(np.int64), p_codes, s_codes))
    key = s_codes[order].astype(np.int64) * (p_codes.max(initial=0) + 1) + p_codes[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
    return order, starts


def ranges(station: np.ndarray, parameter: np.ndarray, time: np.ndarray, mask: np.ndarray, rule: str,
           interval_s: int = 3600, note: str = "") -> list[FlagRange]:
    """Runs of flagged rows of each series merged into periods: rows closer than one interval apart form one range
    covering (first − interval, last]."""
    out: list[FlagRange] = []
    idx = np.flatnonzero(mask)
    if not len(idx):
        return out
    st, pa_, t = station[idx], parameter[idx], np.asarray(time, dtype="datetime64[s]")[idx]
    order, starts = groups(st, pa_, t)
    st, pa_, t = st[order], pa_[order], t[order]
    step = np.timedelta64(int(interval_s), "s")
    brk = np.r_[True, (st[1:] != st[:-1]) | (pa_[1:] != pa_[:-1]) | ((t[1:] - t[:-1]) > step)]
    heads = np.flatnonzero(brk)
    tails = np.r_[heads[1:] - 1, len(t) - 1]
    for h, e in zip(heads, tails):
        out.append(FlagRange(str(st[h]), str(pa_[h]), rule, t[h] - step, t[e], int(e - h + 1), note))
    return out
