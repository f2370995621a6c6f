"""Time conventions of monitoring data (domain §6.2): local labels are Vietnam time, UTC+7 without daylight saving;
hourly averages are labelled by the hour's start or end depending on the source. The hub stores the END of each
averaging period as timestamptz (hour-ending, as QĐ 1459's day "01:00 → 00:00" and OpenAQ do), and keeps the
source's declared convention beside it."""

from __future__ import annotations

import numpy as np

from ingest.families.envmon.layouts import Convention  # noqa: F401  (re-exported)

VN_OFFSET_MIN = 7 * 60
ONE_S = np.timedelta64(1, "s")
HOUR = np.timedelta64(3600, "s")


def period_end_utc(time_local: np.ndarray, is_utc: np.ndarray | None, convention: Convention,
                   interval_s: int = 3600, utc_offset_min: int = VN_OFFSET_MIN) -> np.ndarray:
    """UTC end of each value's averaging period (datetime64[s]): hour-beginning labels move one interval on,
    local labels lose the source's UTC offset; instants (grab samples) stay instants."""
    t = np.asarray(time_local, dtype="datetime64[s]")
    if convention not in ("hour_ending", "hour_beginning", "instant"):
        raise ValueError(f"unknown time convention {convention!r}")
    if convention == "hour_beginning":
        t = t + np.timedelta64(int(interval_s), "s")
    shift = np.timedelta64(int(utc_offset_min) * 60, "s")
    if is_utc is None:
        return t - shift
    return np.where(np.asarray(is_utc, dtype=bool), t, t - shift)


def hour_end(t_utc: np.ndarray) -> np.ndarray:
    """The end of the clock hour each period end falls in ((H − 1 h, H] → H), datetime64[s]."""
    t = np.asarray(t_utc, dtype="datetime64[s]")
    floor = t.astype("datetime64[h]").astype("datetime64[s]")
    return np.where(t == floor, floor, floor + HOUR)


def local_day(t_utc: np.ndarray, utc_offset_min: int = VN_OFFSET_MIN) -> np.ndarray:
    """The Vietnam date a period end belongs to: the day runs from 01:00 (end of its first hour) to 24:00."""
    t = np.asarray(t_utc, dtype="datetime64[s]") + np.timedelta64(int(utc_offset_min) * 60, "s") - ONE_S
    return t.astype("datetime64[D]")


def day_bounds_utc(day: np.ndarray, utc_offset_min: int = VN_OFFSET_MIN) -> tuple[np.ndarray, np.ndarray]:
    """(start, end] in UTC of Vietnam dates: period ends after local 00:00 of the day up to 00:00 next day."""
    d = np.asarray(day, dtype="datetime64[D]").astype("datetime64[s]")
    shift = np.timedelta64(int(utc_offset_min) * 60, "s")
    return d - shift, d + np.timedelta64(86400, "s") - shift
