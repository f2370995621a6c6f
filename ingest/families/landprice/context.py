"""What a price row inherits from the rows around it: section titles (commune, land type, khu vực, former
province), the road of the segments listed under it, and the segment text split into from/to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.families.landprice.landuse import code_of
from ingest.families.landprice.names import fold
from ingest.families.landprice.places import province_code

_ENUM = re.compile(r"^\s*(?:[IVXLC]{1,6}|[A-Za-z]|\d{1,3}(?:\.\d{1,3})*)\s*[.)/:-]\s+")
_COMMUNE = re.compile(r"^(?:phuong|xa|thi tran|dac khu)\s+\S")
_AREA = re.compile(r"\b(?:khu vuc|kv)\s?([1-9])\b")
_FOOTNOTE = re.compile(r"^(?:\(?\*+\)?|ghi chu|chu thich|chu y|luu y|don vi tinh|dvt|nguon|note)\b")
_SEGMENT = re.compile(r"^(?:đoạn\s+)?(?:từ|tu)\s+(.+?)\s+(?:đến|tới|den|toi|[-–—])\s+(.+?)\s*$", re.IGNORECASE)
_ROAD_WITH_SEGMENT = re.compile(r"^(.+?)\s*(?:\(\s*|[-–—:,]\s*)((?:đoạn\s+)?từ\s+.+?)\)?\s*$", re.IGNORECASE)
_POSITION = re.compile(r"^(?:vt|vi tri)?\s?([1-9])$")


def strip_enumerator(text: str) -> str:
    """'II. PHƯỜNG THỐT NỐT' -> 'PHƯỜNG THỐT NỐT'; '1.2 Đường Lê Lợi' -> 'Đường Lê Lợi'."""
    return _ENUM.sub("", text, count=1).strip()


def is_enumerator(text: str) -> bool:
    """A cell holding only a section number: 'I', 'II.', 'A', '1', '2.1'."""
    return bool(re.fullmatch(r"\s*(?:[IVXLC]{1,6}|[A-Z]|\d{1,3}(?:\.\d{1,3})*)\s*[.)]?\s*", text))


def is_footnote(text: str) -> bool:
    """Whether a non-price row starts the notes under the table ('Ghi chú:', '(*)', 'Đơn vị tính')."""
    return bool(_FOOTNOTE.match(fold(text))) or text.lstrip().startswith(("*", "(*)"))


def position_of(value: str | None) -> str | None:
    """'VT1', 'Vị trí 1', 'vt 2', '3' -> VT1, VT1, VT2, VT3; None otherwise."""
    if not value:
        return None
    m = _POSITION.match(fold(value))
    return f"VT{m.group(1)}" if m else None


def area_of(value: str | None) -> str | None:
    """'Khu vực 2', 'KV2', '2' -> KV2."""
    if not value:
        return None
    f = fold(value)
    m = _AREA.search(f) or re.fullmatch(r"([1-9])", f)
    return f"KV{m.group(1)}" if m else None


def split_segment(text: str | None) -> tuple[str | None, str | None]:
    """'Đoạn từ A đến B' -> (A, B); 'Toàn tuyến' or unparsable -> (None, None)."""
    if not text:
        return None, None
    m = _SEGMENT.match(text.strip())
    return (m.group(1).strip(), m.group(2).strip()) if m else (None, None)


def split_road(text: str) -> tuple[str, str | None]:
    """'Lê Lợi (đoạn từ A đến B)' -> ('Lê Lợi', 'đoạn từ A đến B'); a plain road name -> (name, None)."""
    m = _ROAD_WITH_SEGMENT.match(text)
    if m and split_segment(m.group(2))[0]:
        return m.group(1).strip(), m.group(2).strip()
    return text, None


@dataclass
class Context:
    """The section context of the data rows read so far."""

    commune: str | None = None
    land: str | None = None
    area: str | None = None
    road: str | None = None
    road_code: str | None = None
    former: tuple[str, str] | None = None

    def section(self, text: str, former_names: dict[str, str]) -> bool:
        """Take a section title row into the context; False when the text is no known kind of title."""
        core = strip_enumerator(text)
        f = fold(core)
        if _COMMUNE.match(f):
            self.commune, self.road, self.road_code = core, None, None
            return True
        land = code_of(core)
        if land and f.startswith(("dat ", "gia dat", "bang gia")):
            self.land, self.road = land, None
            return True
        m = _AREA.search(f)
        if m and len(f) < 60:
            self.area = f"KV{m.group(1)}"
            return True
        former = province_code(core, former_names) if (" cu " in f" {f} " or "truoc" in f) else None
        if former:
            self.former, self.commune, self.road = former, None, None
            return True
        return False
