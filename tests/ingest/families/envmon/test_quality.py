"""Quality rules: status flags as ranges, duplicates by a declared rule, negative/impossible/stuck values, gaps,
time conventions (hour-beginning vs hour-ending, UTC+7 without DST)."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.families.envmon import timebase
from ingest.families.envmon.quality import checks, duplicates, flags

H = np.timedelta64(3600, "s")
T0 = np.datetime64("2025-03-01T00:00:00")


def series(n: int, station="KK01", parameter="PM2.5"):
    t = T0 + np.arange(n) * H
    return np.full(n, station, dtype=object), np.full(n, parameter, dtype=object), t


def test_status_ranges():
    st, p, t = series(10)
    mask = np.zeros(10, bool)
    mask[[2, 3, 4, 7]] = True
    r = flags.ranges(st, p, t, mask, "calibrating")
    assert [(x.start, x.end, x.rows) for x in r] == [(t[1], t[4], 3), (t[6], t[7], 1)]  # (first − 1 h, last]


def test_ranges_split_by_series():
    st = np.array(["A", "A", "B", "B"], dtype=object)
    p = np.array(["NO2", "NO2", "NO2", "NO2"], dtype=object)
    t = np.array([T0, T0 + H, T0, T0 + H])
    r = flags.ranges(st, p, t, np.ones(4, bool), "device_error")
    assert [(x.station, x.rows) for x in r] == [("A", 2), ("B", 2)]


def test_range_flags():
    p = np.array(["PM2.5", "PM2.5", "PM2.5", "TEMP", "TEMP", "PRES", "UNKNOWN"], dtype=object)
    v = np.array([-1.0, 2500.0, 12.0, -5.0, 70.0, 500.0, -3.0])
    bits = checks.range_flags(p, v)
    names = [flags.names(b) for b in bits]
    assert names == [["negative_value"], ["impossible_value"], [], [], ["impossible_value"],
                     ["impossible_value"], []]


def test_stuck_sensor():
    st, p, t = series(20, parameter="PM10")
    v = np.arange(20, dtype=float)
    v[5:12] = 42.0  # 7 equal hours (PM10 stuck_hours = 6)
    v[14:18] = 9.0  # 4: not stuck
    mask, r = checks.stuck(st, p, t, v)
    assert np.flatnonzero(mask).tolist() == list(range(5, 12))
    assert len(r) == 1 and r[0].rows == 7 and r[0].start == t[4] and r[0].end == t[11]
    mask, _ = checks.stuck(st, p, t, v, hours={"PM10": 3})
    assert mask[14:18].all()
    # a gap breaks a run: equal values either side of a missing hour are two runs
    keep = np.r_[0:8, 9:20]
    mask, _ = checks.stuck(st[keep], p[keep], t[keep], v[keep])
    assert not mask.any()


def test_gaps():
    st, p, t = series(10)
    keep = np.r_[0:3, 7:10]
    g = checks.gaps(st[keep], p[keep], t[keep])
    assert len(g) == 1 and g[0].rows == 4 and g[0].start == t[2] and g[0].end == t[6]


def test_duplicates_rules():
    st = np.array(["A", "A", "A", "A", "B"], dtype=object)
    p = np.array(["NO2"] * 5, dtype=object)
    t = np.array([T0, T0, T0, T0 + H, T0])
    v = np.array([10.0, 10.0, 12.0, 5.0, 1.0])
    bits = np.array([0, 0, flags.FLAGS["calibrating"], 0, 0], dtype=np.int16)
    keep, lost = duplicates.resolve(st, p, t, v, bits)  # prefer_valid_last: row 1 (valid, later than 0)
    assert keep.tolist() == [False, True, False, True, True]
    assert {(d.row, d.winner, d.identical) for d in lost} == {(0, 1, True), (2, 1, False)}
    keep, _ = duplicates.resolve(st, p, t, v, bits, "last")
    assert keep.tolist() == [False, False, True, True, True]
    keep, _ = duplicates.resolve(st, p, t, v, bits, "first")
    assert keep.tolist() == [True, False, False, True, True]
    keep, lost = duplicates.resolve(st, p, t, v, bits, "reject_all")
    assert keep.tolist() == [False, False, False, True, True] and len(lost) == 3
    with pytest.raises(ValueError, match="unknown duplicate rule"):
        duplicates.resolve(st, p, t, v, bits, "mean")


def test_time_conventions():
    local = np.array(["2025-03-01T13:00", "2025-03-02T00:00"], dtype="datetime64[s]")
    ending = timebase.period_end_utc(local, None, "hour_ending")
    beginning = timebase.period_end_utc(local, None, "hour_beginning")
    assert list(ending) == [np.datetime64("2025-03-01T06:00"), np.datetime64("2025-03-01T17:00")]
    assert list(beginning) == [np.datetime64("2025-03-01T07:00"), np.datetime64("2025-03-01T18:00")]
    explicit = timebase.period_end_utc(local, np.array([True, False]), "hour_ending")
    assert explicit[0] == local[0]  # already UTC (the source wrote its offset)
    # no daylight saving: a July label shifts by 7 h as a January one does
    summer = timebase.period_end_utc(np.array(["2025-07-01T12:00"], dtype="datetime64[s]"), None, "hour_ending")
    assert summer[0] == np.datetime64("2025-07-01T05:00")
    with pytest.raises(ValueError):
        timebase.period_end_utc(local, None, "hour_middle")


def test_hour_and_day_buckets():
    t = np.array(["2025-03-01T06:00", "2025-03-01T06:05", "2025-03-01T16:59:59", "2025-03-01T17:00",
                  "2025-03-01T17:00:01"], dtype="datetime64[s]")
    assert [str(x) for x in timebase.hour_end(t)] == ["2025-03-01T06:00:00", "2025-03-01T07:00:00",
                                                      "2025-03-01T17:00:00", "2025-03-01T17:00:00",
                                                      "2025-03-01T18:00:00"]
    # 17:00 UTC = 00:00 +07: the last period of 1 March (local); a second later is 2 March
    assert [str(x) for x in timebase.local_day(t)] == ["2025-03-01"] * 4 + ["2025-03-02"]
    lo, hi = timebase.day_bounds_utc(np.array(["2025-03-02"], dtype="datetime64[D]"))
    assert lo[0] == np.datetime64("2025-03-01T17:00") and hi[0] == np.datetime64("2025-03-02T17:00")
