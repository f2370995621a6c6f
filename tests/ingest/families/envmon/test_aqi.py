"""VN_AQI against QĐ 1459/QĐ-TCMT §2.3 (the decision's worked example), the boundary vectors of Bảng 2 and the known
bugs of other implementations (reference/anchors-environment-survey.md §1.4, §6.1).

Printed values of the decision that its own arithmetic does not reproduce are asserted as the arithmetic gives
them, each with a note; nothing here is fitted to the printed number."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest

from ingest.families.envmon.indices import aqi
from ingest.families.envmon.indices import aqi_reference as ref
from ingest.families.envmon.indices.aqi_table import BANDS, band_of

NAN = np.nan
# §2.3.a: PM2.5 hourly 09:00 → 20:00, c₁ = 20.6 (20:00)
PM25_12H = [26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6]
# §2.2.2.a: O₃ hourly 18:00 (day before) → 00:00, and the decision's printed 8-h means 01:00 → 00:00
O3_31H = [15.7, 14.2, 17.7, 18.9, 19.3, 15.7, 19.7, 22.6, 27.1, 29.0, 31.9, 25.3, 34.7, 35.2, 41.6, 45.7, 49.2,
          55.8, 69.6, 78.3, 91.5, 97.7, 81.2, 71.8, 43.5, 34.3, 21.5, 20.5, 19.4, 20.4, 21.3]
O3_8H_PRINTED = [18.0, 19.4, 21.2, 23.0, 23.8, 25.8, 28.2, 30.9, 33.8, 36.6, 39.9, 44.7, 51.3, 58.4, 66.2, 71.1,
                 74.4, 73.7, 71.0, 65.0, 57.8, 48.7, 39.1, 31.6]


def sub(table: str, c: float) -> float:
    return float(aqi.sub_index(table, np.array([c]))[0])


def test_worked_example_nowcast():
    # Printed: w* = 16.5/26.9 = 0.61 → NowCast 20.3. Unrounded w* = 0.61338 gives 20.2658; the printed 20.3 is
    # that value to one decimal (the decision rounds w* to 0.61 only for display: with 0.61 it is 20.2692).
    nc = aqi.nowcast(np.array(PM25_12H))[-1]
    assert nc == pytest.approx(20.2658, abs=5e-5)
    assert round(nc, 1) == 20.3
    t = datetime(2019, 11, 12, 20, tzinfo=ref.VN)
    series = {t - timedelta(hours=11 - i): v for i, v in enumerate(PM25_12H)}
    assert ref.nowcast(series, t) == nc


def test_worked_example_hourly():
    # §2.3.b: O₃ 136.1 → 43 (42.53), PM2.5 NowCast 20.3 → 41 (40.6): reproduced.
    assert aqi.round_half_up(sub("O3", 136.1)) == 43 and sub("O3", 136.1) == pytest.approx(42.53125)
    assert aqi.round_half_up(sub("PM2.5", 20.3)) == 41 and sub("PM2.5", 20.3) == pytest.approx(40.6)
    # ERRATUM in the decision: AQI(NO2) = (100 − 50)/(200 − 100) × (118.7 − 100) + 50 is printed 60, but the
    # arithmetic gives 59.35, which rounds to 59 (only rounding up would give 60, and rounding up breaks the
    # daily NO2 case below: 65.4 → 66 ≠ the printed 65). The hub gives 59, and AQIʰ = 59, not the printed 60.
    assert sub("NO2", 118.7) == pytest.approx(59.35)
    # One hour of PM2.5 is not a NowCast (2 of the 3 latest hours are needed): three hours of 20.3 give 20.3.
    h = aqi.hourly({"O3": np.array([NAN, NAN, 136.1]), "NO2": np.array([NAN, NAN, 118.7]),
                    "PM2.5": np.array([20.3, 20.3, 20.3])})
    assert h.rounded["O3"][-1] == 43 and h.rounded["NO2"][-1] == 59 and h.rounded["PM2.5"][-1] == 41
    assert h.aqi[-1] == 59  # decision prints 60 (erratum above)
    assert aqi.dominant_names(h.dominant)[-1] == "NO2"


def test_worked_example_daily():
    # §2.3.c: O₃ 8-h max 89.3 → 45 (44.65), O₃ 1-h max 114.6 → 36 (35.81), NO₂ 130.8 → 65 (65.4),
    # PM2.5 24-h 55.7 → 110 (109.5: only round-half-up gives the printed 110; truncation gives 109).
    assert aqi.round_half_up(sub("O3_8h", 89.3)) == 45
    assert aqi.round_half_up(sub("O3", 114.6)) == 36
    assert aqi.round_half_up(sub("NO2", 130.8)) == 65
    assert sub("PM2.5", 55.7) == pytest.approx(109.5) and aqi.round_half_up(sub("PM2.5", 55.7)) == 110


def test_worked_example_daily_from_hours():
    # A day built to the example's statistics: PM2.5 55.7 every hour, NO₂ peak 130.8, O₃ peak 114.6 inside the
    # 8 hours of the day's highest 8-h mean 89.3 → sub-indices 110, 65, max(36, 45) = 45 → AQIᵈ 110 (PM2.5).
    o3 = np.full(31, 10.0)
    x = (89.3 * 8 - 114.6) / 7
    o3[7 + 12:7 + 20] = [114.6] + [x] * 7
    no2 = np.full(31, 60.0)
    no2[7 + 9] = 130.8
    first_end = np.datetime64("2019-11-11T11:00")  # 18:00 +07 the day before: 7 hours of context
    d = aqi.daily({"O3": o3, "PM2.5": np.full(31, 55.7), "NO2": no2}, first_end)
    i = list(d.days).index(np.datetime64("2019-11-12"))
    assert d.conc["O3_8h"][i] == pytest.approx(89.3) and d.conc["O3"][i] == 114.6
    assert d.rounded["O3_1h"][i] == 36 and d.rounded["O3_8h"][i] == 45 and d.rounded["O3"][i] == 45
    assert d.rounded["PM2.5"][i] == 110 and d.rounded["NO2"][i] == 65 and d.aqi[i] == 110
    assert aqi.dominant_names(d.dominant)[i] == "PM2.5"


def test_o3_8h_rolling_example():
    # §2.2.2.a: 8-h means are the means of the 8 hours ending at each hour; the day's 24 run 01:00 → 00:00.
    m = aqi.rolling_mean(np.array(O3_31H), 8, 8)[7:]
    assert len(m) == 24 and m.max() == pytest.approx(74.3875) and int(np.argmax(m)) + 1 == 17
    for hour, (got, printed) in enumerate(zip(m, O3_8H_PRINTED), start=1):
        if hour == 12:
            # ERRATUM: 12:00 is printed 44.7; the mean of 05:00 → 12:00 (25.3 … 69.6) is 44.6375.
            assert got == pytest.approx(44.6375) and printed == 44.7
            continue
        assert abs(got - printed) <= 0.05 + 1e-9, hour  # printed to one decimal


def test_o3_8h_rolling_in_daily():
    # The decision's day: O₃ hours 18:00 (day before) → 00:00, the day's highest 8-h mean is 74.4 at 17:00.
    first_end = np.datetime64("2019-11-11T11:00")  # 18:00 +07
    d = aqi.daily({"O3": np.array(O3_31H), "PM2.5": np.full(31, 10.0)}, first_end)
    i = list(d.days).index(np.datetime64("2019-11-12"))
    assert d.conc["O3_8h"][i] == pytest.approx(74.3875)
    assert d.conc["O3"][i] == 97.7  # the day's highest 1-h (15:00)
    assert d.rounded["O3_8h"][i] == aqi.round_half_up(sub("O3_8h", 74.3875)) == 37
    assert d.rounded["O3"][i] == 37  # max(AQI 1-h 31, AQI 8-h 37)


@pytest.mark.parametrize("c,expected,buggy", [
    (25, 50, None), (25.05, 50, "EPA-style gapped tables (25.1–50 → 51–100) return nothing"),
    (30, 60, "61 in EPA-style tables"), (40, 80, "64 with the row-shifted aqi-hub table"),
    (300, 350, "341 with a collapsed 250–500 → 301–500 band"), (0, 0, None), (500, 500, None), (900, 500, None),
])
def test_pm25_boundaries(c, expected, buggy):
    assert aqi.round_half_up(sub("PM2.5", c)) == expected
    assert ref.half_up(ref.sub_index("PM2.5", c)) == expected


def test_table_cells_and_continuity():
    # O₃ 8-h 140 → 120 (between 120 → 100 and 170 → 150); every breakpoint gives its own level exactly.
    assert sub("O3_8h", 140) == pytest.approx(120)
    for table, bps in aqi.BREAKPOINTS.items():
        for level, bp in zip(aqi._LEVELS, bps):
            assert sub(table, bp) == level, (table, bp)
            if level < 500 and bp > 0:  # continuous: just below a breakpoint is just below its level
                assert level - 1e-3 < sub(table, bp - 1e-9) <= level


def test_caps_and_no_data():
    assert sub("CO", 150000) == 500 and sub("CO", 1e7) == 500 and sub("NO2", 3850) == 500
    assert np.isnan(sub("O3_8h", 400.1)) and sub("O3_8h", 400) == 300  # 8-h table ends at 400 (AQI 300)
    assert np.isnan(sub("PM10", -3)) and np.isnan(sub("PM10", NAN))
    # No PM → no AQI, even with gases.
    h = aqi.hourly({"NO2": np.array([300.0]), "O3": np.array([100.0])})
    assert np.isnan(h.aqi[0]) and h.dominant[0] == -1 and h.rounded["NO2"][0] == 110


def test_o3_8h_not_used_above_400():
    # A day whose highest 8-h mean exceeds 400: only the 1-h index counts for O₃.
    o3 = np.full(31, 450.0)
    d = aqi.daily({"O3": o3, "PM10": np.full(31, 20.0)}, np.datetime64("2019-11-11T11:00"))
    i = list(d.days).index(np.datetime64("2019-11-12"))
    assert np.isnan(d.sub["O3_8h"][i]) and d.rounded["O3"][i] == aqi.round_half_up(sub("O3", 450)) == 213


def test_nowcast_missing_latest_hour_is_normalised():
    # The decision's literal w = ½ formula halves the NowCast when c₁ is missing: c₂ = 100, c₃ … c₁₂ = 10 gives
    # 27.50 literally; the normalised form gives 55.02. The hub normalises.
    series = np.array([10.0] * 10 + [100.0, NAN])  # oldest … c₁ (missing)
    assert aqi.nowcast(series)[-1] == pytest.approx(55.02, abs=0.005)
    literal = sum(0.5 ** i * c for i, c in enumerate([100.0] + [10.0] * 10, start=2))
    assert literal == pytest.approx(27.50, abs=0.005)
    # All 12 hours present and w = ½: normalised equals the literal form to 0.02 (77.52 vs 77.50).
    full = np.array([10.0] * 10 + [100.0, 100.0])
    lit = sum(0.5 ** i * c for i, c in enumerate([100.0, 100.0] + [10.0] * 10, start=1))
    assert aqi.nowcast(full)[-1] == pytest.approx(lit, abs=0.05)


def test_nowcast_two_of_three():
    assert np.isnan(aqi.nowcast(np.array([20.0] * 9 + [NAN, NAN, 20.0]))[-1])  # only c₁ of c₁…c₃
    assert aqi.nowcast(np.array([20.0] * 9 + [NAN, 20.0, 20.0]))[-1] == 20.0
    assert aqi.nowcast(np.array([NAN] * 10 + [20.0, 30.0]))[-1] > 0  # 2 hours of history are enough
    assert np.isnan(aqi.nowcast(np.array([30.0]))[0])
    assert aqi.nowcast(np.zeros(12))[-1] == 0  # Cmax = 0


def test_hourly_uses_o3_1h_table_only():
    # aqi-hub's hourly example used the 8-h table for O₃; the decision forbids it. 150 µg/m³ for 8 hours:
    # 1-h table → 46.9 → 47; the 8-h table would give 130.
    o3 = np.full(8, 150.0)
    h = aqi.hourly({"O3": o3, "PM2.5": np.full(8, 5.0)})
    assert h.rounded["O3"][-1] == 47 and h.aqi[-1] == 47
    assert h.o3_8h[-1] == 150 and aqi.round_half_up(h.sub_o3_8h[-1]) == 130  # informative only


def test_day_boundaries_are_local_hour_ending():
    # The hour ending 00:00 (+07) belongs to the day before; the hour ending 01:00 starts the day.
    t0 = np.datetime64("2024-03-01T17:00")  # = 2024-03-02 00:00 +07
    pm = np.array([100.0, 10.0])  # hour ending 00:00 +07 (day of 1 Mar), hour ending 01:00 +07 (2 Mar)
    d = aqi.daily({"PM2.5": pm}, t0)
    assert list(d.days) == [np.datetime64("2024-03-01"), np.datetime64("2024-03-02")]
    assert list(d.conc["PM2.5"]) == [100.0, 10.0]


def test_bands():
    assert [b.low for b in BANDS] == [0, 51, 101, 151, 201, 301]
    assert band_of(50).name_vi == "Tốt" and band_of(51).name_vi == "Trung bình" and band_of(500).name_en == "Hazardous"
    assert band_of(110).rgb == (255, 126, 0) and band_of(110).hex == "#ff7e00" and band_of(250).rgb_text == "143;63;151"
    assert band_of(None) is None
    assert all(b.health_vi and b.advice_general_vi and b.advice_sensitive_en for b in BANDS)


def test_vectorised_equals_reference_on_random_station_year():
    rng = np.random.default_rng(7)
    hours = 24 * 40 + 7
    first_end = np.datetime64("2024-01-31T11:00")  # 18:00 +07
    series = {
        "PM2.5": rng.gamma(2.0, 30.0, hours), "PM10": rng.gamma(2.0, 50.0, hours),
        "O3": rng.gamma(3.0, 60.0, hours), "NO2": rng.gamma(2.0, 80.0, hours),
        "SO2": rng.gamma(2.0, 60.0, hours), "CO": rng.gamma(2.0, 4000.0, hours),
    }
    for v in series.values():
        v[rng.random(hours) < 0.15] = NAN
        v[rng.random(hours) < 0.01] = -1.0
    series["O3"][200:260] = 500.0  # 8-h means above 400
    h = aqi.hourly(series)
    d = aqi.daily(series, first_end)
    base = datetime(2024, 1, 31, 18, tzinfo=ref.VN)
    data = {p: {base + timedelta(hours=i): float(v) for i, v in enumerate(arr) if not np.isnan(v)}
            for p, arr in series.items()}
    dom = aqi.dominant_names(h.dominant)
    for i in range(hours):
        r = ref.hourly(data, base + timedelta(hours=i))
        assert (r["aqi"] if r["aqi"] is not None else -1) == (int(h.aqi[i]) if not np.isnan(h.aqi[i]) else -1), i
        assert r["dominant"] == dom[i], i
        for p, v in r["raw"].items():
            got = h.sub[p][i]
            assert (v is None and np.isnan(got)) or v == got, (i, p)
    ddom = aqi.dominant_names(d.dominant)
    for k, day in enumerate(d.days):
        r = ref.daily(data, date.fromisoformat(str(day)))
        assert (r["aqi"] if r["aqi"] is not None else -1) == (int(d.aqi[k]) if not np.isnan(d.aqi[k]) else -1), day
        assert r["dominant"] == ddom[k]
        for p, v in r["raw"].items():
            got = d.sub[p][k]
            assert (v is None and np.isnan(got)) or v == got, (day, p)
