"""Rollups: count, coverage, mean, min, max per bucket; recomputing only the buckets a load touches gives the same
rows as recomputing the whole history."""

from __future__ import annotations

import numpy as np

from ingest.families.envmon import rollup
from ingest.families.envmon.quality.flags import FLAGS

T0 = np.datetime64("2025-03-01T17:00:00")  # 00:00 +07 on 2 March


def test_hourly_from_five_minute_data():
    t = T0 + np.arange(1, 13) * np.timedelta64(300, "s")  # 12 values ending 17:05 … 18:00
    v = np.arange(12, dtype=float)
    bits = np.zeros(12, np.int16)
    bits[0] = FLAGS["calibrating"]
    r = rollup.hourly(np.full(12, "A", object), np.full(12, "NO2", object), t, v, bits, interval_s=300)
    assert len(r) == 1 and r.bucket[0] == np.datetime64("2025-03-01T18:00")
    assert r.count[0] == 11 and r.expected[0] == 12 and r.flagged[0] == 1
    assert r.coverage[0] == 11 / 12 * 100 and r.mean[0] == np.arange(1, 12).mean() and r.min[0] == 1 and r.max[0] == 11


def test_daily_coverage_and_nan():
    t = T0 + np.arange(1, 25) * np.timedelta64(3600, "s")  # the 24 hours of 2 March (local)
    v = np.ones(24)
    v[:6] = np.nan
    r = rollup.daily(np.full(24, "A", object), np.full(24, "PM2.5", object), t, v, np.zeros(24, np.int16))
    assert list(r.bucket) == [np.datetime64("2025-03-02")] and r.count[0] == 18 and r.coverage[0] == 75.0


def test_incremental_equals_full():
    rng = np.random.default_rng(3)
    n = 2000
    st = rng.choice(np.array(["A", "B", "C"], dtype=object), n)
    p = rng.choice(np.array(["PM2.5", "NO2"], dtype=object), n)
    t = T0 + rng.integers(0, 24 * 30, n) * np.timedelta64(3600, "s")
    v = rng.gamma(2, 20, n)
    bits = np.where(rng.random(n) < 0.05, FLAGS["device_error"], 0).astype(np.int16)
    old = np.arange(n) < 1500
    full = rollup.hourly(st, p, t, v, bits)
    hours, days = rollup.affected(t[~old])
    # what the store does: keep the old rollups outside the affected buckets, recompute those from all rows in them
    before = rollup.hourly(st[old], p[old], t[old], v[old], bits[old])
    untouched = ~np.isin(before.bucket, hours)
    rows_in = np.isin(rollup.timebase.hour_end(t), hours)
    redo = rollup.hourly(st[rows_in], p[rows_in], t[rows_in], v[rows_in], bits[rows_in])

    def rows(r, mask=None):
        mask = np.ones(len(r), bool) if mask is None else mask
        means = [None if np.isnan(x) else round(float(x), 9) for x in r.mean[mask]]
        return list(zip(r.station[mask], r.parameter[mask], r.bucket[mask].astype(str), r.count[mask], means))
    assert sorted(rows(before, untouched) + rows(redo)) == sorted(rows(full))
    assert len(hours) < len(np.unique(full.bucket))  # the load touched a part of the history only
    assert set(days) <= set(rollup.daily(st, p, t, v, bits).bucket)


def test_index_window():
    t = np.array(["2025-03-01T16:30"], dtype="datetime64[s]")  # hour ending 17:00 UTC = 24:00 on 1 March local
    first, last, days = rollup.index_window(t)
    assert first == np.datetime64("2025-03-01T17:00") and last == np.datetime64("2025-03-02T04:00")
    assert list(days) == [np.datetime64("2025-03-01"), np.datetime64("2025-03-02")]
