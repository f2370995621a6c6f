"""The act a price table belongs to, read from the annex's title and notes: number, type, body, dates.

Before 1 July 2025 a provincial People's Council resolution (NQ …/NQ-HĐND) adopted the table; since then the
People's Committee decides it (QĐ …/QĐ-UBND, Decree 151/2025 Art. 8). Published acts show both after that date
(anchors §1.4: Hà Nội NQ 52/2025/NQ-HĐND of 10 Dec 2025), so the body is stored as read and a mismatch is only
reported (rule `issuing_body`), never corrected.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ingest.families.landprice.names import fold

TWO_LEVEL_FROM = dt.date(2025, 7, 1)

_NUMBER = re.compile(r"(\d{1,4})\s*/\s*(\d{4})\s*/\s*(NQ|Q[ĐD])\s*[-–]\s*(HĐND|HDND|UBND)", re.IGNORECASE)
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_DATE_NUM = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_FROM = re.compile(r"(?:áp dụng|có hiệu lực|thực hiện)\s+(?:kể\s+)?từ\s+(?:ngày\s+)?", re.IGNORECASE)
_TO = re.compile(r"(?:đến|tới)\s+(?:hết\s+)?ngày\s+", re.IGNORECASE)


@dataclass(frozen=True)
class DecisionText:
    """What the text says about the act (any part may be missing) and where it was read."""

    number: str | None = None
    doc_type: str | None = None  # NQ | QĐ
    issuing_body: str | None = None  # HĐND | UBND
    signed: dt.date | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: str = ""

    def mismatch(self) -> str | None:
        """A note when the body does not fit the date (HĐND after 1 Jul 2025, UBND before)."""
        if not self.signed or not self.issuing_body:
            return None
        if self.issuing_body == "HĐND" and self.signed >= TWO_LEVEL_FROM:
            return (f"{self.number}: a People's Council resolution dated {self.signed:%d/%m/%Y}, after the People's "
                    "Committee took over price tables (1 Jul 2025, Decree 151/2025); stored as read")
        if self.issuing_body == "UBND" and self.signed < TWO_LEVEL_FROM:
            return (f"{self.number}: a People's Committee decision dated {self.signed:%d/%m/%Y}, before 1 Jul 2025 "
                    "when the People's Council still adopted price tables; stored as read")
        return None


def _date(d: str, m: str, y: str) -> dt.date | None:
    """A day-first date; None for an impossible one (31/02)."""
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def _first_date(text: str) -> dt.date | None:
    """The first date written in words or numbers (day first, never month first)."""
    hits = [(m.start(), m) for m in _DATE_WORDS.finditer(text)] + [(m.start(), m) for m in _DATE_NUM.finditer(text)]
    for _, m in sorted(hits, key=lambda h: h[0]):
        got = _date(*m.groups())
        if got:
            return got
    return None


def read_decision(lines: list[tuple[str, str]]) -> DecisionText:
    """The act from (location, NFC text) lines of titles and footnotes: the first number found, its date, the
    validity phrases ("áp dụng từ ngày …", "đến hết ngày …")."""
    number = doc_type = body = None
    signed = valid_from = valid_to = None
    source = ""
    for where, text in lines:
        if number is None:
            m = _NUMBER.search(text)
            if m:
                doc_type = "NQ" if m.group(3).upper() == "NQ" else "QĐ"
                body = "HĐND" if fold(m.group(4)) == "hdnd" else "UBND"
                number = f"{m.group(1)}/{m.group(2)}/{doc_type}-{body}"
                signed = _first_date(text[m.end():])
                source = where
        if valid_from is None:
            m = _FROM.search(text)
            if m:
                valid_from = _first_date(text[m.end():m.end() + 40])
        if valid_to is None:
            m = _TO.search(text)
            if m:
                valid_to = _first_date(text[m.end():m.end() + 40])
    return DecisionText(number, doc_type, body, signed, valid_from, valid_to, source)
