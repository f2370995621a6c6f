"""VN_WQI (QĐ 1460/QĐ-TCMT) of surface-water samples, vectorised over samples: {parameter: values (N,)} in the
canonical units of data/parameters.csv (NaN for not measured). Tables and status in wqi_table.

WQI = (WQI_I / 100) × (Π WQI_II / 100)^(1/n) × (Π WQI_III / 100)^(1/m) × [ (mean WQI_IV)² × mean WQI_V ]^(1/3)
(domain spec §6.2, the "combined" formula). A group without values is left out (factor 1). Without group V the
bracket becomes mean WQI_IV (the same scale with the microbiology factor absent) [U]. The sample needs group IV
with at least 3 parameters and at least 3 of the 5 groups, else no WQI [U]. Rounded half up to an integer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ingest.families.envmon.indices.aqi import round_half_up
from ingest.families.envmon.indices.wqi_table import CURVES, GROUPS, PESTICIDE_LIMITS, Q_FLOOR

MIN_GROUPS = 3
MIN_GROUP_IV = 3


def do_saturation(do_mg_l: np.ndarray, temp_c: np.ndarray) -> np.ndarray:
    """DO as % of saturation at the water temperature (QĐ 879/1460 polynomial)."""
    t = np.asarray(temp_c, dtype=float)
    sat = 14.652 - 0.41022 * t + 0.0079910 * t ** 2 - 0.000077774 * t ** 3
    return np.asarray(do_mg_l, dtype=float) / sat * 100.0


def si(parameter: str, values: np.ndarray) -> np.ndarray:
    """WQI_SI of one parameter (Công thức 1/2: linear between the table's breakpoints), NaN for no value."""
    v = np.asarray(values, dtype=float)
    if parameter in PESTICIDE_LIMITS:
        out = np.where(v <= PESTICIDE_LIMITS[parameter], 100.0, Q_FLOOR)
    else:
        c = CURVES[parameter]
        bp, q = np.asarray(c.bp, dtype=float), np.asarray(c.q, dtype=float)
        inner = np.interp(v, bp, q) if len(bp) > 1 else np.full(v.shape, q[0])
        if c.two_sided:
            out = np.where((v <= bp[0]) | (v >= bp[-1]), Q_FLOOR, inner)
        else:
            out = np.where(v <= bp[0], q[0], np.where(v > bp[-1], Q_FLOOR, inner))
    return np.where(np.isnan(v) | (v < 0), np.nan, out)


@dataclass
class WqiResult:
    """Per sample: each parameter's WQI_SI, each group's value, the WQI (raw and rounded) and why none."""

    si: dict[str, np.ndarray]
    groups: dict[str, np.ndarray]
    wqi_raw: np.ndarray
    wqi: np.ndarray
    reason: np.ndarray  # None, or why no WQI was computed


def _geo(vals: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Geometric mean over present values and their count."""
    stack = np.stack(vals)
    n = (~np.isnan(stack)).sum(axis=0)
    logs = np.where(np.isnan(stack), 0.0, np.log(np.where(np.isnan(stack), 1.0, stack)))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.exp(logs.sum(axis=0) / n), np.nan), n


def _mean(vals: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Arithmetic mean over present values and their count."""
    stack = np.stack(vals)
    n = (~np.isnan(stack)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.nansum(stack, axis=0) / n, np.nan), n


def wqi(samples: Mapping[str, np.ndarray]) -> WqiResult:
    """VN_WQI of every sample. DO enters as % saturation: DO_SAT if given, else from DO (mg/L) and TEMP."""
    n = len(next(iter(samples.values())))
    nan = np.full(n, np.nan)
    get = {k: np.asarray(v, dtype=float) for k, v in samples.items()}
    do_sat = get.get("DO_SAT", nan)
    if "DO" in get and "TEMP" in get:
        do_sat = np.where(np.isnan(do_sat), do_saturation(get["DO"], get["TEMP"]), do_sat)
    sis: dict[str, np.ndarray] = {}
    for params in GROUPS.values():
        for p in params:
            sis[p] = si("DO_SAT", do_sat) if p == "DO" else si(p, get.get(p, nan))
    g1 = sis["PH"]
    g2, _ = _geo([sis[p] for p in GROUPS["II"]])
    g3, _ = _geo([sis[p] for p in GROUPS["III"]])
    g4, n4 = _mean([sis[p] for p in GROUPS["IV"]])
    g5, _ = _mean([sis[p] for p in GROUPS["V"]])
    groups = {"I": g1, "II": g2, "III": g3, "IV": g4, "V": g5}
    present = sum((~np.isnan(g)).astype(int) for g in groups.values())
    factor = np.ones(n)
    for g in (g1, g2, g3):
        factor = factor * np.where(np.isnan(g), 1.0, g / 100.0)
    core = np.where(np.isnan(g5), g4, np.cbrt(g4 ** 2 * g5))
    raw = factor * core
    reason = np.full(n, None, dtype=object)
    reason[present < MIN_GROUPS] = f"fewer than {MIN_GROUPS} of the 5 parameter groups"
    reason[n4 < MIN_GROUP_IV] = f"group IV needs at least {MIN_GROUP_IV} parameters"
    raw = np.where(reason == None, raw, np.nan)  # noqa: E711 (element-wise)
    return WqiResult(sis, groups, raw, round_half_up(raw), reason)
