"""The parameter catalogue (data/parameters.csv): canonical code, medium, unit, names, plausible range, stuck-sensor
threshold and the spellings vendors and lab sheets use (matched after `name_key`)."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Parameter:
    """One monitored parameter."""

    code: str
    medium: str  # air | water | any
    unit: str  # canonical unit every value is normalised to
    name_vi: str
    name_en: str
    formula: str | None  # for the molecular weight of ppb/ppm conversions
    min_valid: float | None
    max_valid: float | None
    stuck_hours: int | None  # this many equal consecutive hourly values mark a stuck sensor
    aliases: tuple[str, ...]


def name_key(text: str) -> str:
    """Matching key of a parameter spelling: NFKC, upper case, letters, digits, '+' and '%' only
    ("PM-2-5", "PM 2.5" and "pm2.5" are one key; "N-NO2" stays apart from "NO2")."""
    t = unicodedata.normalize("NFKC", text).upper()
    return "".join(ch for ch in t if ch.isalnum() or ch in "+%")


def _num(text: str) -> float | None:
    return float(text) if text.strip() else None


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Parameter]:
    """All parameters by code."""
    out: dict[str, Parameter] = {}
    with open(DATA / "parameters.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            out[r["code"]] = Parameter(
                code=r["code"], medium=r["medium"], unit=r["unit"], name_vi=r["name_vi"], name_en=r["name_en"],
                formula=r["formula"] or None, min_valid=_num(r["min_valid"]), max_valid=_num(r["max_valid"]),
                stuck_hours=int(r["stuck_hours"]) if r["stuck_hours"].strip() else None,
                aliases=tuple(a.strip() for a in r["aliases"].split(";") if a.strip()))
    return out


@lru_cache(maxsize=1)
def _by_key() -> dict[str, str]:
    """Spelling key -> code; a key claimed by two codes is a catalogue error."""
    keys: dict[str, str] = {}
    for p in catalogue().values():
        for spelling in (p.code, *p.aliases):
            k = name_key(spelling)
            if keys.get(k, p.code) != p.code:
                raise ValueError(f"parameters.csv: spelling {spelling!r} names both {keys[k]} and {p.code}")
            keys[k] = p.code
    return keys


def resolve(name: str, extra: dict[str, str] | None = None) -> str | None:
    """The parameter code a source spelling means (`extra`: a source's own spellings, e.g. a vendor's), or None."""
    k = name_key(name)
    if extra:
        for spelling, code in extra.items():
            if name_key(spelling) == k:
                return code
    return _by_key().get(k)


def get(code: str) -> Parameter:
    """A parameter by canonical code (KeyError names it)."""
    return catalogue()[code]
