"""A straightforward per-row VN_AQI (QĐ 1459) in plain Python: the independent check of the vectorised engine in
tests and the baseline of the daily-index benchmark. Same rules as indices.aqi, written the way a first
implementation would be: hour by hour, value by value, from a {hour-ending datetime: µg/m³} mapping per pollutant.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

from ingest.families.envmon.indices.aqi_table import BREAKPOINTS, GASES, O3_8H_TOP, PM, POLLUTANTS

VN = timezone(timedelta(hours=7))
HOUR = timedelta(hours=1)
LEVELS = (0, 50, 100, 150, 200, 300, 400, 500)


def half_up(x: float | None) -> int | None:
    """Round half up (with the engine's 1e-9 tolerance for binary representation)."""
    return None if x is None else math.floor(x + 0.5 + 1e-9)


def sub_index(table: str, c: float | None) -> float | None:
    """Công thức 1 on one value; 500 at or above the last row; O₃ 8-h has no value above 400."""
    if c is None or c < 0:
        return None
    bp = BREAKPOINTS[table]
    if c >= bp[-1]:
        if LEVELS[len(bp) - 1] == 500:
            return 500.0
        return float(LEVELS[len(bp) - 1]) if c == bp[-1] else None
    for i in range(len(bp) - 1):
        if bp[i] <= c < bp[i + 1]:
            slope = (LEVELS[i + 1] - LEVELS[i]) / (bp[i + 1] - bp[i])
            return slope * (c - bp[i]) + LEVELS[i]
    return None


def _value(series: dict[datetime, float], t: datetime) -> float | None:
    """The valid value of hour t (negative counts as missing)."""
    v = series.get(t)
    return None if v is None or v != v or v < 0 else v


def nowcast(series: dict[datetime, float], t: datetime) -> float | None:
    """NowCast at hour t: c₁ = t, c₂ = t − 1 h, …; normalised weights; 2 of the 3 latest hours required."""
    cs = [_value(series, t - i * HOUR) for i in range(12)]
    if sum(c is not None for c in cs[:3]) < 2:
        return None
    present = [c for c in cs if c is not None]
    cmin, cmax = min(present), max(present)
    wstar = cmin / cmax if cmax > 0 else 1.0
    w = 0.5 if wstar <= 0.5 else wstar
    num = den = 0.0
    for i, c in enumerate(cs):
        if c is not None:
            num += w ** float(i) * c
            den += w ** float(i)
    return num / den


def mean_8h(series: dict[datetime, float], t: datetime, min_hours: int = 8) -> float | None:
    """Mean of the 8 hours ending at t."""
    vals = [_value(series, t - k * HOUR) for k in range(7, -1, -1)]
    vals = [v for v in vals if v is not None]
    if len(vals) < max(min_hours, 1):
        return None
    total = 0.0
    for v in vals:
        total += v
    return total / len(vals)


def _overall(subs: dict[str, float | None]) -> tuple[int | None, str | None]:
    """Rounded AQI (None without PM) and the dominant pollutant (first of POLLUTANTS on ties)."""
    if subs.get("PM2.5") is None and subs.get("PM10") is None:
        return None, None
    best, name = None, None
    for p in POLLUTANTS:
        v = subs.get(p)
        if v is not None and (best is None or v > best):
            best, name = v, p
    return half_up(best), name


def hourly(data: dict[str, dict[datetime, float]], t: datetime) -> dict:
    """AQIʰ of the hour ending at t: {'aqi', 'dominant', 'sub': {pollutant: rounded sub-index}}."""
    subs: dict[str, float | None] = {}
    for p in PM:
        subs[p] = sub_index(p, nowcast(data.get(p, {}), t))
    for g in GASES:
        subs[g] = sub_index(g, _value(data.get(g, {}), t))
    aqi, dom = _overall(subs)
    return {"aqi": aqi, "dominant": dom, "sub": {p: half_up(v) for p, v in subs.items()}, "raw": subs}


def daily(data: dict[str, dict[datetime, float]], day: date, min_hours_24h: int = 1,
          min_hours_8h: int = 8) -> dict:
    """AQIᵈ of a Vietnam day: the hours ending 01:00 … 24:00 local."""
    first = datetime(day.year, day.month, day.day, 1, tzinfo=VN)
    hours = [first + k * HOUR for k in range(24)]
    subs: dict[str, float | None] = {}
    for p in PM:
        vals = [v for v in (_value(data.get(p, {}), h) for h in hours) if v is not None]
        mean = None
        if len(vals) >= max(min_hours_24h, 1):
            total = 0.0
            for v in vals:
                total += v
            mean = total / len(vals)
        subs[p] = sub_index(p, mean)
    for g in GASES:
        vals = [v for v in (_value(data.get(g, {}), h) for h in hours) if v is not None]
        subs[g] = sub_index(g, max(vals) if vals else None)
    o3_1h = subs["O3"]
    m8 = [m for m in (mean_8h(data.get("O3", {}), h, min_hours_8h) for h in hours) if m is not None]
    max8 = max(m8) if m8 else None
    o3_8h = None if max8 is None or max8 > O3_8H_TOP else sub_index("O3_8h", max8)
    cands = [v for v in (o3_1h, o3_8h) if v is not None]
    subs["O3"] = max(cands) if cands else None
    aqi, dom = _overall(subs)
    return {"aqi": aqi, "dominant": dom, "sub": {p: half_up(v) for p, v in subs.items()},
            "o3_1h": half_up(o3_1h), "o3_8h": half_up(o3_8h), "max_8h": max8, "raw": subs}
