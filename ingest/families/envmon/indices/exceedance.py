"""Exceedances of QCVN 05:2023/BTNMT (ambient air) and classes of QCVN 08:2023/BTNMT (surface water), read from
the standards' CSV files (data/qcvn_*.csv, or a catalog entry's own copy): each limit carries its averaging period,
validity dates and a status (S supported, U unverified) that travels with every finding it produces.

A limit is a maximum ("giá trị giới hạn tối đa"): a value exceeds it when strictly above it; a range (pH, DO)
is exceeded when outside it. Water classes A, B, C are the rows of Bảng 2; a value outside C is class D.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = {"QCVN 05:2023/BTNMT": DATA / "qcvn_05_2023.csv", "QCVN 08:2023/BTNMT": DATA / "qcvn_08_2023.csv"}
AVERAGING = ("1h", "8h", "24h", "year", "sample")
CLASSES = ("A", "B", "C")


@dataclass(frozen=True)
class Limit:
    """One cell of a standard."""

    standard: str
    table: str
    parameter: str
    averaging: str
    level: str  # "" for a single limit, "A"/"B"/"C" for QCVN 08 Bảng 2 classes
    min: float | None
    max: float | None
    unit: str
    valid_from: date | None
    valid_to: date | None
    status: str
    note: str

    def applies(self, day: date) -> bool:
        """In force on that day."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def _opt_float(text: str) -> float | None:
    return float(text) if text.strip() else None


def _opt_date(text: str) -> date | None:
    return date.fromisoformat(text) if text.strip() else None


def read(path: Path) -> tuple[Limit, ...]:
    """Limits of a standard's CSV; a row with an unknown averaging period or status is an error naming it."""
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for n, r in enumerate(csv.DictReader(fh), start=2):
            if r["averaging"] not in AVERAGING or r["status"] not in ("S", "U", "V"):
                raise ValueError(f"{path.name} row {n}: averaging must be one of {AVERAGING}, status S/U/V")
            out.append(Limit(r["standard"], r["table"], r["parameter"], r["averaging"], r["level"],
                             _opt_float(r["min"]), _opt_float(r["max"]), r["unit"], _opt_date(r["valid_from"]),
                             _opt_date(r["valid_to"]), r["status"], r["note"]))
    return tuple(out)


@lru_cache(maxsize=8)
def standard(name: str, path: str | None = None) -> tuple[Limit, ...]:
    """A standard's limits (its bundled CSV unless `path` names another)."""
    return read(Path(path) if path else FILES[name])


def limit_for(limits: tuple[Limit, ...], parameter: str, averaging: str, day: date, level: str = "") -> Limit | None:
    """The limit in force on `day` for a parameter and averaging period (None when the standard has none)."""
    for lim in limits:
        if lim.parameter == parameter and lim.averaging == averaging and lim.level == level and lim.applies(day):
            return lim
    return None


def _outside(lim: Limit, values: np.ndarray) -> np.ndarray:
    """Values beyond the limit (NaN never exceeds)."""
    v = np.asarray(values, dtype=float)
    out = np.zeros(v.shape, dtype=bool)
    if lim.max is not None:
        out |= v > lim.max
    if lim.min is not None:
        out |= v < lim.min
    return out


def exceedances(limits: tuple[Limit, ...], parameter: str, averaging: str, values: np.ndarray,
                days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per value (an hourly, 8-h, 24-h or annual mean ending on `days`, Vietnam dates): does it exceed the limit
    in force that day, and that limit (NaN where the standard sets none)."""
    values = np.asarray(values, dtype=float)
    days = np.asarray(days, dtype="datetime64[D]")
    exceeded = np.zeros(values.shape, dtype=bool)
    limit = np.full(values.shape, np.nan)
    for d in np.unique(days):
        rows = days == d
        lim = limit_for(limits, parameter, averaging, date.fromisoformat(str(d)))
        if lim is not None:
            exceeded[rows] = _outside(lim, values[rows])
            limit[rows] = lim.max if lim.max is not None else lim.min
    return exceeded, limit


def water_class(limits: tuple[Limit, ...], parameter: str, values: np.ndarray, day: date) -> np.ndarray:
    """QCVN 08:2023 Bảng 2 class of each value: the best class whose bounds hold ('D' beyond C, None for no value
    or a parameter without classes). A class row without numeric bounds (TSS C: "> 100 and no floating rubbish")
    takes every value beyond the class before it: the value alone cannot make it worse (D needs an observation)."""
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, None, dtype=object)
    rows = {c: limit_for(limits, parameter, "sample", day, c) for c in CLASSES}
    if not any(rows.values()):
        return out
    todo = ~np.isnan(v)
    for c in CLASSES:
        lim = rows[c]
        if lim is None:
            continue
        if lim.min is None and lim.max is None:
            out[todo] = c
            return out
        ok = todo & ~_outside(lim, v)
        out[ok] = c
        todo &= ~ok
    out[todo] = "D"
    return out
