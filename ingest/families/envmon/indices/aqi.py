"""VN_AQI engine (QĐ 1459/QĐ-TCMT §2.2), vectorised over hourly series: arrays shaped (..., T) on a regular
grid of hour-ending instants (index t is the hour that ends at t0 + t h), NaN where there is no valid value.

Rules as the decision writes them, with the hub's readings where it is silent or inconsistent:
* NowCast (PM2.5, PM10): c₁ … c₁₂ the latest 12 hourly values, w* = Cmin/Cmax over the values present, w = ½
  if w* ≤ ½; NowCast = Σ wⁱ⁻¹cᵢ / Σ wⁱ⁻¹ over the hours present (a missing hour weighs 0). The decision writes the
  w = ½ case unnormalised (Σ (½)ⁱcᵢ), which equals the normalised form when all 12 hours exist and halves the
  result when c₁ is missing; the hub always normalises. Needs 2 of c₁, c₂, c₃, else "không có dữ liệu".
* Sub-index: linear interpolation in Bảng 2 (Công thức 1/2), at or above the last row → 500.
* AQIʰ: PM from NowCast, O₃ (1-h table), NO₂, SO₂, CO from the 1-hour value. The O₃ 8-h mean and its index are
  computed every hour too, for information and for the daily index, but never enter AQIʰ (Bảng 2, ghi chú).
* AQIᵈ (day = the 24 hours ending 01:00 … 24:00 Vietnam time, UTC+7): PM from the 24-h mean, NO₂/SO₂/CO from the
  day's highest hour, O₃ the larger of the indices of the day's highest 1-h and highest 8-h means; the 8-h index is
  not computed when the highest 8-h mean is above 400 µg/m³.
* The AQI is the highest sub-index, rounded half up to an integer; it needs PM2.5 or PM10, else no data.
* Completeness the decision does not state is a rule parameter (`AqiRules`): by default an 8-h mean needs its 8
  hours ("trong 8 giờ liên tiếp") and a 24-h mean is the mean of the hours present ("trung bình cộng các giá trị
  … trong 1 ngày").
* A negative concentration is not a measurement: it counts as missing.

Sums run oldest to newest, one hour at a time, so the per-row reference (aqi_reference) gives the same bits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ingest.families.envmon.indices.aqi_table import BREAKPOINTS, GASES, O3_8H_TOP, PM, POLLUTANTS

LOCAL_OFFSET = np.timedelta64(7, "h")  # Vietnam: UTC+7, no daylight saving
HALF_UP_EPS = 1e-9  # absorbs binary representation error (55.7 is 55.700000000000003 in binary)
_LEVELS = (0, 50, 100, 150, 200, 300, 400, 500)


@dataclass(frozen=True)
class AqiRules:
    """Completeness rules the decision leaves open (defaults: its literal text)."""

    nowcast_hours: int = 12
    nowcast_recent: int = 3  # of the latest `nowcast_recent` hours ...
    nowcast_min_recent: int = 2  # ... at least this many must exist
    min_hours_8h: int = 8
    min_hours_24h: int = 1


DEFAULT_RULES = AqiRules()


def round_half_up(x: np.ndarray) -> np.ndarray:
    """Integer AQI (as float, NaN kept): halves go up (109.5 → 110), as the decision's worked example does."""
    return np.floor(np.asarray(x, dtype=float) + 0.5 + HALF_UP_EPS)


def _table(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Breakpoints, their AQI levels and the slope of each segment."""
    bp = np.asarray(BREAKPOINTS[name], dtype=float)
    lv = np.asarray(_LEVELS[:len(bp)], dtype=float)
    slopes = (lv[1:] - lv[:-1]) / (bp[1:] - bp[:-1])
    return bp, lv, slopes


def sub_index(table: str, conc: np.ndarray) -> np.ndarray:
    """AQIx = (Iᵢ₊₁ − Iᵢ)/(BPᵢ₊₁ − BPᵢ) × (Cx − BPᵢ) + Iᵢ (unrounded); 500 at or above the last row of a 500 table;
    NaN for missing or negative input and, for the O₃ 8-h table, above its last row (400 µg/m³)."""
    c = np.asarray(conc, dtype=float)
    bp, lv, slopes = _table(table)
    j = np.clip(np.searchsorted(bp, c, side="right") - 1, 0, len(bp) - 2)
    out = slopes[j] * (c - bp[j]) + lv[j]
    top = c >= bp[-1]
    if lv[-1] == 500:
        out = np.where(top, 500.0, out)
    else:  # O₃ 8-h: the last row (400 → 300) is in the table, anything above is not
        out = np.where(c == bp[-1], lv[-1], np.where(c > bp[-1], np.nan, out))
    return np.where(np.isnan(c) | (c < 0), np.nan, out)


def _clean(c: np.ndarray) -> np.ndarray:
    """Float copy with negative values as missing."""
    c = np.array(c, dtype=float)
    c[c < 0] = np.nan
    return c


def _lag(c: np.ndarray, k: int) -> np.ndarray:
    """c shifted k hours later along the last axis (value of hour t−k at t), NaN where t−k < 0."""
    if k == 0:
        return c
    out = np.full_like(c, np.nan)
    out[..., k:] = c[..., :-k]
    return out


def nowcast(conc: np.ndarray, rules: AqiRules = DEFAULT_RULES) -> np.ndarray:
    """The NowCast of every hour (normalised weights; NaN where fewer than 2 of the 3 latest hours exist)."""
    c = _clean(conc)
    n = rules.nowcast_hours
    lags = [_lag(c, k) for k in range(n)]  # lags[i-1] is cᵢ
    present = [~np.isnan(x) for x in lags]
    cmax = np.full(c.shape, -np.inf)
    cmin = np.full(c.shape, np.inf)
    for x, p in zip(lags, present):
        cmax = np.where(p & (x > cmax), x, cmax)
        cmin = np.where(p & (x < cmin), x, cmin)
    with np.errstate(invalid="ignore", divide="ignore"):
        wstar = np.where(cmax > 0, cmin / cmax, 1.0)
    w = np.where(wstar <= 0.5, 0.5, wstar)
    num = np.zeros(c.shape)
    den = np.zeros(c.shape)
    for i, (x, p) in enumerate(zip(lags, present)):
        wi = w ** float(i)
        num = np.where(p, num + wi * np.where(p, x, 0.0), num)
        den = np.where(p, den + wi, den)
    recent = sum(p.astype(np.int8) for p in present[:rules.nowcast_recent])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(recent >= rules.nowcast_min_recent, num / den, np.nan)


def rolling_mean(conc: np.ndarray, hours: int, min_count: int) -> np.ndarray:
    """Mean of the `hours` hourly values ending at each hour (the 8-h mean of §2.2.2.a); NaN below min_count."""
    c = _clean(conc)
    total = np.zeros(c.shape)
    count = np.zeros(c.shape, dtype=np.int16)
    for k in range(hours - 1, -1, -1):  # oldest first
        x = _lag(c, k)
        p = ~np.isnan(x)
        total = np.where(p, total + np.where(p, x, 0.0), total)
        count += p
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= max(min_count, 1), total / count, np.nan)


def _overall(subs: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Highest sub-index (NaN without PM) and the index in POLLUTANTS of the dominant one (-1 for none);
    ties go to the first pollutant of POLLUTANTS."""
    stack = np.stack([subs[p] for p in POLLUTANTS])
    filled = np.where(np.isnan(stack), -np.inf, stack)
    dom = np.argmax(filled, axis=0)
    best = np.max(filled, axis=0)
    has_pm = ~(np.isnan(subs["PM2.5"]) & np.isnan(subs["PM10"]))
    aqi = np.where(has_pm & np.isfinite(best), best, np.nan)
    return aqi, np.where(np.isnan(aqi), -1, dom).astype(np.int8)


def _series(series: Mapping[str, np.ndarray]) -> tuple[dict[str, np.ndarray], tuple[int, ...]]:
    """The six pollutants as float arrays of one shape (absent pollutants all NaN)."""
    shapes = {np.shape(v) for k, v in series.items() if k in POLLUTANTS}
    if len(shapes) != 1:
        raise ValueError(f"all pollutant series must have one shape, got {sorted(shapes)}")
    shape = shapes.pop()
    return {p: _clean(series[p]) if p in series else np.full(shape, np.nan) for p in POLLUTANTS}, shape


@dataclass
class HourlyAqi:
    """AQIʰ of every hour: concentrations used, sub-indices (raw and rounded), AQI, dominant pollutant."""

    conc: dict[str, np.ndarray]
    sub: dict[str, np.ndarray]
    aqi_raw: np.ndarray
    aqi: np.ndarray
    dominant: np.ndarray  # index into POLLUTANTS, -1 for no data
    o3_8h: np.ndarray  # informative: the 8-h mean ending at each hour and its index
    sub_o3_8h: np.ndarray
    rounded: dict[str, np.ndarray] = field(default_factory=dict)


def hourly(series: Mapping[str, np.ndarray], rules: AqiRules = DEFAULT_RULES) -> HourlyAqi:
    """AQIʰ (§2.2.1) of every hour of the series (µg/m³, hour-ending grid)."""
    s, _ = _series(series)
    conc = {p: nowcast(s[p], rules) for p in PM} | {g: s[g] for g in GASES}
    sub = {p: sub_index(p, conc[p]) for p in POLLUTANTS}
    aqi_raw, dom = _overall(sub)
    o3_8h = rolling_mean(s["O3"], 8, rules.min_hours_8h)
    return HourlyAqi(conc, sub, aqi_raw, round_half_up(aqi_raw), dom, o3_8h, sub_index("O3_8h", o3_8h),
                     {p: round_half_up(v) for p, v in sub.items()})


@dataclass
class DailyAqi:
    """AQIᵈ of every day touched by the series (local dates), with what each sub-index was computed from."""

    days: np.ndarray  # datetime64[D], Vietnam dates
    conc: dict[str, np.ndarray]  # PM: 24-h mean; gases: highest hour; "O3_8h": highest 8-h mean
    hours: dict[str, np.ndarray]  # valid hourly values per pollutant and day
    sub: dict[str, np.ndarray]  # O3 = max(O3_1h, O3_8h); "O3_1h" and "O3_8h" kept apart
    aqi_raw: np.ndarray
    aqi: np.ndarray
    dominant: np.ndarray
    rounded: dict[str, np.ndarray] = field(default_factory=dict)


def _days(c: np.ndarray, first_end: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Reshape (..., T) to (..., D, 24) local days of hours ending 01:00 … 24:00, NaN-padded; and the dates."""
    start_local = (np.datetime64(first_end, "h") + LOCAL_OFFSET - np.timedelta64(1, "h"))
    lead = int((start_local - start_local.astype("datetime64[D]")).astype(int))
    total = lead + c.shape[-1]
    ndays = -(-total // 24)
    padded = np.full(c.shape[:-1] + (ndays * 24,), np.nan)
    padded[..., lead:total] = c
    first_day = start_local.astype("datetime64[D]")
    return padded.reshape(c.shape[:-1] + (ndays, 24)), first_day + np.arange(ndays)


def _day_mean(d: np.ndarray, min_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean over the 24 hours (hour by hour, in order) and the count of hours present."""
    total = np.zeros(d.shape[:-1])
    count = np.zeros(d.shape[:-1], dtype=np.int16)
    for h in range(24):
        x = d[..., h]
        p = ~np.isnan(x)
        total = np.where(p, total + np.where(p, x, 0.0), total)
        count += p
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= max(min_count, 1), total / count, np.nan), count


def _day_max(d: np.ndarray) -> np.ndarray:
    """Highest value of the day, NaN for a day without values."""
    filled = np.where(np.isnan(d), -np.inf, d).max(axis=-1)
    return np.where(np.isfinite(filled), filled, np.nan)


def daily(series: Mapping[str, np.ndarray], first_end: np.datetime64, rules: AqiRules = DEFAULT_RULES) -> DailyAqi:
    """AQIᵈ (§2.2.2) of every Vietnam day touched by the series; `first_end` is the UTC hour-ending instant of
    index 0. Hours before a day feed its first 8-h means, so pass the 7 hours before the first day if known."""
    s, _ = _series(series)
    conc, hours, sub = {}, {}, {}
    days = None
    for p in PM:
        d, days = _days(s[p], first_end)
        conc[p], hours[p] = _day_mean(d, rules.min_hours_24h)
        sub[p] = sub_index(p, conc[p])
    for g in GASES:
        d, days = _days(s[g], first_end)
        hours[g] = (~np.isnan(d)).sum(axis=-1).astype(np.int16)
        conc[g] = _day_max(d)
        sub[g] = sub_index(g, conc[g])
    o3_8h, _ = _days(rolling_mean(s["O3"], 8, rules.min_hours_8h), first_end)
    conc["O3_8h"] = _day_max(o3_8h)
    sub["O3_1h"] = sub["O3"]
    sub["O3_8h"] = np.where(conc["O3_8h"] > O3_8H_TOP, np.nan, sub_index("O3_8h", conc["O3_8h"]))
    sub["O3"] = np.fmax(sub["O3_1h"], sub["O3_8h"])
    aqi_raw, dom = _overall(sub)
    return DailyAqi(days, conc, hours, sub, aqi_raw, round_half_up(aqi_raw), dom,
                    {p: round_half_up(v) for p, v in sub.items()})


def dominant_names(dom: np.ndarray) -> np.ndarray:
    """Dominant pollutant codes (None for no data) from the index arrays of hourly()/daily()."""
    names = np.array(list(POLLUTANTS) + [None], dtype=object)
    return names[np.where(dom < 0, len(POLLUTANTS), dom)]
