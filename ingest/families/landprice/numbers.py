"""Prices as written in provincial annexes, read exactly: integers of đồng, never floats (domain §4.2, §7.3).

Accepted: numeric cells; text `15.000.000`, `15,000,000`, `15 000 000` (dot, comma, space or NBSP as thousands
separators, groups of three), `1.234,5` / `1,234.5` / `37,5` (a decimal part, allowed where the unit is
thousands and the result is whole đồng). `-`, `–`, `—`, `x` and blank mean "not applicable". Anything else in
a price cell is text in a number cell (rule `text_in_number`). Units come only from what the sheet says
(`units_in`): đồng/m², nghìn (ngàn) đồng/m², triệu đồng/m²; never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ingest.families.landprice.names import fold

NOT_APPLICABLE = frozenset({"-", "–", "—", "−", "--", "x", "X", "/", "…", "..."})

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_GROUPED = re.compile(r"^\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$")  # one separator kind, groups of three
_DECIMAL_VN = re.compile(r"^\d{1,3}(?:\.\d{3})*,\d+$|^\d+,\d+$")  # 1.234,5 / 37,5
_DECIMAL_EN = re.compile(r"^\d{1,3}(?:,\d{3})*\.\d+$|^\d+\.\d{1,2}$")  # 1,234.5 / 37.5 (not 15.000)


@dataclass(frozen=True)
class Parsed:
    """A price cell read: status ok | na | text | fraction, the value in the sheet's unit, and a message."""

    status: str
    value: Decimal | None = None
    message: str = ""


def parse_number(raw: object) -> Parsed:
    """A price cell (number or text) as a Decimal in the sheet's unit, or why it is not one."""
    if raw is None:
        return Parsed("na")
    if isinstance(raw, bool):
        return Parsed("text", message=f"a boolean ({raw}) in a price cell")
    if isinstance(raw, int):
        return Parsed("ok", Decimal(raw))
    if isinstance(raw, float):
        return Parsed("ok", Decimal(repr(raw)))  # the shortest repr is the number the user typed
    if not isinstance(raw, str):
        return Parsed("text", message=f"a {type(raw).__name__} ({raw}) in a price cell")
    text = raw.strip()
    if not text or text in NOT_APPLICABLE:
        return Parsed("na")
    compact = _SPACES.sub(" ", text)
    if compact.isdigit():
        return Parsed("ok", Decimal(compact))
    m = _GROUPED.match(compact)
    if m:
        return Parsed("ok", Decimal(re.sub(r"[.,\s]", "", compact)))
    squeezed = compact.replace(" ", "")
    if _DECIMAL_VN.match(squeezed):
        return Parsed("ok", Decimal(squeezed.replace(".", "").replace(",", ".")))
    if _DECIMAL_EN.match(squeezed):
        return Parsed("ok", Decimal(squeezed.replace(",", "")))
    return Parsed("text", message=f"'{text[:60]}' is not a number")


def to_dong(value: Decimal, multiplier: int) -> int | None:
    """value × multiplier as whole đồng, or None when that is not a whole number (never rounded silently)."""
    try:
        total = value * multiplier
    except InvalidOperation:
        return None
    return int(total) if total == total.to_integral_value() else None


# Unit phrases on folded text: a currency word before "m2" ("đ/m²", "nghìn đồng/m²", "1.000 đồng/m2"), or after
# "đơn vị (tính)"/"ĐVT" ("Đơn vị tính: nghìn đồng"). A bare "đồng" is a place name as often as a unit (Đồng Văn).
_SCALE = r"(?:(trieu)|(nghin|ngan|1 ?000))?\s?"
_UNIT_M2 = re.compile(r"\b" + _SCALE + r"(?:dong|vnd|d)\s?(?:1 ?)?m2\b")
_UNIT_DVT = re.compile(r"\b(?:don vi tinh|don vi|dvt)\s?(?:la\s)?" + _SCALE + r"(?:dong|vnd|d)\b")


def units_in(text: str | None) -> set[int]:
    """Every multiplier a header, title or footnote states (`đồng/m²` -> 1, `nghìn đồng/m²` -> 1000)."""
    if not text:
        return set()
    folded = fold(text)
    found: set[int] = set()
    for pattern in (_UNIT_M2, _UNIT_DVT):
        for m in pattern.finditer(folded):
            found.add(1_000_000 if m.group(1) else 1_000 if m.group(2) else 1)
    return found


UNIT_LABELS = {1: "đồng/m²", 1_000: "nghìn đồng/m²", 1_000_000: "triệu đồng/m²"}
