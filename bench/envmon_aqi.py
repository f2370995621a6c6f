"""VN_AQI benchmark (issue 13): hourly and daily VN_AQI of one station-year, the hub's vectorised engine
(ingest.families.envmon.indices.aqi) against the straightforward per-row Python implementation of the same rules
(indices.aqi_reference), side by side in one run, results checked equal.

Usage: `.venv/bin/python -m bench.envmon_aqi` (BENCH_ROUNDS=5, BENCH_STATIONS=1). The series is the sample set's
TQ-KK01 year (hub.samples.envmon), 8,760 hours of the six pollutants, 15 % of hours removed at random.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import numpy as np

from hub.samples import envmon as gen
from ingest.families.envmon.indices import aqi
from ingest.families.envmon.indices import aqi_reference as ref
from ingest.families.envmon.indices.aqi_table import POLLUTANTS


def station_year(stations: int) -> tuple[dict[str, np.ndarray], np.datetime64]:
    """Hourly µg/m³ of `stations` station-years (shape (stations, 8760+7): 7 hours of context before 1 January)."""
    _, truth = gen.truth(2025, 365)
    rng = np.random.default_rng(1)
    series = {}
    for p in POLLUTANTS:
        one = np.r_[np.full(7, np.nan), truth["TQ-KK01"][p]]
        arr = np.tile(one, (stations, 1))
        arr[rng.random(arr.shape) < 0.15] = np.nan
        series[p] = arr
    first_end = np.datetime64("2025-01-01T01:00") - np.timedelta64(7, "h") - np.timedelta64(7, "h")
    return series, first_end


def run_vectorised(series, first_end):
    """Hourly and daily indices of every station at once."""
    return aqi.hourly(series), aqi.daily(series, first_end)


def reference_data(series, first_end, station: int = 0) -> tuple[dict, datetime]:
    """One station's series as the per-row implementation takes them: {pollutant: {aware hour end: µg/m³}}."""
    base = first_end.astype(datetime).replace(tzinfo=UTC)
    return {p: {base + timedelta(hours=i): float(v) for i, v in enumerate(series[p][station]) if not np.isnan(v)}
            for p in POLLUTANTS}, base


def reference_hourly(data: dict, base: datetime, n: int) -> list:
    """AQIʰ hour by hour."""
    return [ref.hourly(data, base + timedelta(hours=i))["aqi"] for i in range(n)]


def reference_daily(data: dict) -> list:
    """AQIᵈ day by day."""
    return [ref.daily(data, date(2025, 1, 1) + timedelta(days=k))["aqi"] for k in range(365)]


def timed(fn, rounds: int) -> tuple[float, object]:
    """Median wall time of `rounds` calls and the last result."""
    times, out = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    stations = int(os.environ.get("BENCH_STATIONS", "1"))
    series, first_end = station_year(stations)
    n = series["PM2.5"].shape[-1]
    data, base = reference_data(series, first_end)
    t_vd, d = timed(lambda: aqi.daily(series, first_end), rounds)
    t_vh, h = timed(lambda: aqi.hourly(series), rounds)
    t_rd, rd = timed(lambda: reference_daily(data), rounds)
    t_rh, rh = timed(lambda: reference_hourly(data, base, n), max(1, rounds // 2))
    vec_h = [None if np.isnan(x) else int(x) for x in np.atleast_2d(h.aqi)[0]]
    first = list(d.days).index(np.datetime64("2025-01-01"))
    vec_d = [None if np.isnan(x) else int(x) for x in np.atleast_2d(d.aqi)[0][first:first + 365]]
    assert vec_h == rh and vec_d == rd, "vectorised and per-row results differ"
    print(f"machine: {platform.node()} ({os.cpu_count()} cores), Python {platform.python_version()}, "
          f"numpy {np.__version__}, {date.today()}; medians of {rounds} rounds")
    print(f"series: {stations} station-year(s) of 6 pollutants, {n} hours each, 15 % missing; results identical "
          f"({sum(x is not None for x in vec_h)} hourly and {sum(x is not None for x in vec_d)} daily values)")
    for what, t_vec, t_ref in (("daily VN_AQI", t_vd, t_rd), ("hourly VN_AQI", t_vh, t_rh)):
        per = t_vec / stations
        print(f"{what}: hub {per * 1000:.2f} ms per station-year ({t_vec * 1000:.1f} ms for {stations}), "
              f"per-row Python {t_ref * 1000:.1f} ms -> {t_ref / per:.0f}x")


if __name__ == "__main__":
    main()
