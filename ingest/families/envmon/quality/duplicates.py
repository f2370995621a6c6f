"""Duplicates: several rows for one station, parameter and period end (a re-sent TT 10/2021 file, an export
appended twice). One is kept by the source's declared rule; every other row is reported with the row that won,
and whether it agreed with it (a re-send) or not (a conflict)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from ingest.families.envmon.quality.flags import INVALID, groups

Rule = Literal["prefer_valid_last", "last", "first", "reject_all"]
RULES: dict[str, str] = {
    "prefer_valid_last": "a valid (status 00, in range) row beats a flagged one; among equals the last delivered",
    "last": "the last delivered row (file order, then line) wins",
    "first": "the first delivered row wins",
    "reject_all": "no row wins: all are quarantined as conflicting",
}


@dataclass
class Duplicate:
    """A row that lost: its index, the index of the winner (-1 for reject_all) and whether both values agree."""

    row: int
    winner: int
    identical: bool


def resolve(station: np.ndarray, parameter: np.ndarray, time: np.ndarray, value: np.ndarray, bits: np.ndarray,
            rule: Rule = "prefer_valid_last") -> tuple[np.ndarray, list[Duplicate]]:
    """Keep mask over the rows (in delivery order) and the losers."""
    n = len(value)
    keep = np.ones(n, dtype=bool)
    lost: list[Duplicate] = []
    if n < 2:
        return keep, lost
    if rule not in RULES:
        raise ValueError(f"unknown duplicate rule {rule!r}; one of {', '.join(RULES)}")
    order, _ = groups(station, parameter, time)  # stable: delivery order inside equal keys
    t = np.asarray(time, dtype="datetime64[s]")[order]
    st, pa_ = station[order], parameter[order]
    dup = np.r_[False, (st[1:] == st[:-1]) & (pa_[1:] == pa_[:-1]) & (t[1:] == t[:-1])]
    if not dup.any():
        return keep, lost
    heads = np.flatnonzero(~dup)
    tails = np.r_[heads[1:], n]
    multi = np.flatnonzero(tails - heads > 1)
    v = np.asarray(value, dtype=float)
    for g in multi:
        rows = order[heads[g]:tails[g]]  # original indices, delivery order
        if rule == "reject_all":
            keep[rows] = False
            lost.extend(Duplicate(int(r), -1, bool(np.all(v[rows] == v[rows[0]]))) for r in rows)
            continue
        if rule == "first":
            win = rows[0]
        elif rule == "last":
            win = rows[-1]
        else:
            valid = rows[(bits[rows] & INVALID) == 0]
            win = valid[-1] if len(valid) else rows[-1]
        for r in rows:
            if r != win:
                keep[r] = False
                same = bool(v[r] == v[win] or (np.isnan(v[r]) and np.isnan(v[win])))
                lost.append(Duplicate(int(r), int(win), same))
    return keep, lost
