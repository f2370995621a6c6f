"""Value checks on normalised observations: negative and physically impossible values (the parameter catalogue's
plausible range), stuck sensors (one value repeated for the parameter's stuck_hours or more consecutive periods),
and gaps (expected periods without a row). Vectorised over whole chunks; each returns masks or ranges."""

from __future__ import annotations

import numpy as np

from ingest.families.envmon import parameters
from ingest.families.envmon.quality.flags import FLAGS, FlagRange, groups


def range_flags(parameter: np.ndarray, value: np.ndarray) -> np.ndarray:
    """negative_value / impossible_value bits per row (NaN values, e.g. censored ones, are not checked)."""
    bits = np.zeros(len(value), dtype=np.int16)
    v = np.asarray(value, dtype=float)
    for code in set(parameter.tolist()):
        rows = parameter == code
        p = parameters.catalogue().get(code)
        if p is None:
            continue
        floor = p.min_valid
        if floor is None or floor >= 0:  # a concentration: below zero is "negative", not merely implausible
            bits[rows & (v < 0)] |= FLAGS["negative_value"]
            low = rows & (v >= 0) & (v < floor) if floor else np.zeros(len(v), bool)
        else:
            low = rows & (v < floor)
        high = rows & (v > p.max_valid) if p.max_valid is not None else np.zeros(len(v), bool)
        bits[low | high] |= FLAGS["impossible_value"]
    return bits


def stuck(station: np.ndarray, parameter: np.ndarray, time: np.ndarray, value: np.ndarray,
          interval_s: int = 3600, hours: dict[str, int] | None = None) -> tuple[np.ndarray, list[FlagRange]]:
    """Rows of runs where a series repeats one value over `stuck_hours` or more consecutive periods (the
    catalogue's, or `hours` per parameter), and one range per run."""
    n = len(value)
    mask = np.zeros(n, dtype=bool)
    out: list[FlagRange] = []
    if not n:
        return mask, out
    order, _ = groups(station, parameter, time)
    st, pa_ = station[order], parameter[order]
    t = np.asarray(time, dtype="datetime64[s]")[order]
    v = np.asarray(value, dtype=float)[order]
    step = np.timedelta64(int(interval_s), "s")
    same = (st[1:] == st[:-1]) & (pa_[1:] == pa_[:-1]) & ((t[1:] - t[:-1]) == step) & (v[1:] == v[:-1])
    brk = np.r_[True, ~same]
    heads = np.flatnonzero(brk)
    tails = np.r_[heads[1:] - 1, n - 1]
    length = tails - heads + 1
    for h, e, ln in zip(heads, tails, length):
        code = str(pa_[h])
        p = parameters.catalogue().get(code)
        need = (hours or {}).get(code, p.stuck_hours if p else None)
        if not need or np.isnan(v[h]):
            continue
        periods_needed = int(np.ceil(need * 3600 / interval_s))
        if ln >= periods_needed:
            mask[order[h:e + 1]] = True
            out.append(FlagRange(str(st[h]), code, "stuck_sensor", t[h] - step, t[e], int(ln),
                                 f"value {v[h]:g} repeated {ln} times"))
    return mask, out


def gaps(station: np.ndarray, parameter: np.ndarray, time: np.ndarray, interval_s: int = 3600) -> list[FlagRange]:
    """Missing periods inside each series (between its first and last row): ranges (last present, next present −
    interval], as period ends; `rows` is the number of missing periods."""
    out: list[FlagRange] = []
    if not len(time):
        return out
    order, _ = groups(station, parameter, time)
    st, pa_ = station[order], parameter[order]
    t = np.asarray(time, dtype="datetime64[s]")[order]
    step = np.timedelta64(int(interval_s), "s")
    cont = (st[1:] == st[:-1]) & (pa_[1:] == pa_[:-1])
    jump = (t[1:] - t[:-1]) > step
    for i in np.flatnonzero(cont & jump):
        missing = int((t[i + 1] - t[i]) // step) - 1
        if missing > 0:
            out.append(FlagRange(str(st[i]), str(pa_[i]), "gap", t[i], t[i + 1] - step, missing,
                                 f"{missing} missing periods"))
    return out
