"""Hourly and daily rollups per station and parameter: count of valid values, expected count, coverage %, mean,
min, max and the count of flagged values (OpenAQ's hourly_data with its coverage block, §1.1).

Incremental by construction: a rollup row depends only on the observations of its own bucket, so a load
recomputes exactly the buckets its rows fall in (`affected`) from the stored observations of those buckets and
replaces them; history is never rescanned. Indices follow the same rule with their look-back: an hour's NowCast
reads 11 hours back, a day's 8-h means 7 hours into the day before (`index_window`).

Buckets are period ends: the hour (H − 1 h, H] is labelled H; the Vietnam day D holds the periods ending after
D 00:00 and up to D+1 00:00 local (QĐ 1459's "01:00 → 00:00").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.families.envmon import timebase
from ingest.families.envmon.quality.flags import INVALID


@dataclass
class Rollup:
    """One row per (station, parameter, bucket), column arrays."""

    station: np.ndarray
    parameter: np.ndarray
    bucket: np.ndarray  # datetime64[s] hour end (hourly) or datetime64[D] Vietnam date (daily)
    count: np.ndarray
    expected: np.ndarray
    coverage: np.ndarray  # percent, at most 100
    mean: np.ndarray
    min: np.ndarray
    max: np.ndarray
    flagged: np.ndarray

    def __len__(self) -> int:
        """Buckets in the rollup."""
        return len(self.bucket)


def _aggregate(station: np.ndarray, parameter: np.ndarray, bucket: np.ndarray, value: np.ndarray,
               bits: np.ndarray, expected: float) -> Rollup:
    """Group rows by (station, parameter, bucket) and aggregate the valid values of each group."""
    n = len(value)
    if not n:
        z = np.zeros(0)
        return Rollup(np.zeros(0, object), np.zeros(0, object), bucket[:0], z.astype(int), z, z, z, z, z,
                      z.astype(int))
    s_u, s_i = np.unique(station.astype(str), return_inverse=True)
    p_u, p_i = np.unique(parameter.astype(str), return_inverse=True)
    b_u, b_i = np.unique(bucket, return_inverse=True)
    key = (s_i.astype(np.int64) * len(p_u) + p_i) * len(b_u) + b_i
    k_u, g = np.unique(key, return_inverse=True)
    v = np.asarray(value, dtype=float)
    valid = ((bits & INVALID) == 0) & ~np.isnan(v)
    m = len(k_u)
    count = np.bincount(g, weights=valid, minlength=m).astype(int)
    total = np.bincount(g, weights=np.where(valid, v, 0.0), minlength=m)
    flagged = np.bincount(g, weights=(bits & INVALID) != 0, minlength=m).astype(int)
    vmin = np.full(m, np.inf)
    vmax = np.full(m, -np.inf)
    np.minimum.at(vmin, g[valid], v[valid])
    np.maximum.at(vmax, g[valid], v[valid])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    vmin[count == 0] = np.nan
    vmax[count == 0] = np.nan
    bi = k_u % len(b_u)
    pi = (k_u // len(b_u)) % len(p_u)
    si = k_u // (len(b_u) * len(p_u))
    exp = np.full(m, float(expected))
    return Rollup(s_u[si].astype(object), p_u[pi].astype(object), b_u[bi], count, exp,
                  np.minimum(100.0, count / exp * 100.0), mean, vmin, vmax, flagged)


def hourly(station: np.ndarray, parameter: np.ndarray, time: np.ndarray, value: np.ndarray, bits: np.ndarray,
           interval_s: int = 3600) -> Rollup:
    """Hourly rollups of period-end times (UTC); expected = 3600 / interval values per hour."""
    return _aggregate(station, parameter, timebase.hour_end(time), value, bits, max(1.0, 3600 / interval_s))


def daily(station: np.ndarray, parameter: np.ndarray, time: np.ndarray, value: np.ndarray, bits: np.ndarray,
          interval_s: int = 3600) -> Rollup:
    """Daily (Vietnam date) rollups; expected = 86400 / interval values per day."""
    return _aggregate(station, parameter, timebase.local_day(time), value, bits, max(1.0, 86400 / interval_s))


def affected(time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hour ends and Vietnam dates a load's rows fall in: the only rollup buckets it changes."""
    return np.unique(timebase.hour_end(time)), np.unique(timebase.local_day(time))


def index_window(time: np.ndarray) -> tuple[np.datetime64, np.datetime64, np.ndarray]:
    """Hours whose AQIʰ a load can change (its first hour to its last + 11 h: NowCast looks 11 h back), the
    hourly data to read for them (from 11 h before), and the days whose AQIᵈ it can change (its days, and the next
    day when an 8-h window reaches it: hours up to +7 h)."""
    hours = timebase.hour_end(time)
    first, last = hours.min(), hours.max() + np.timedelta64(11 * 3600, "s")
    days = np.unique(np.concatenate([timebase.local_day(hours), timebase.local_day(hours + np.timedelta64(7 * 3600,
                                                                                                       "s"))]))
    return first, last, days
