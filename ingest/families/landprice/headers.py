"""Recognise a price sheet by its Vietnamese headers (with or without diacritics, Unicode or legacy fonts).

A header block is one or more rows whose cells are header words; merged header cells are filled across their
span, so each column reads top-down (`Giá đất (nghìn đồng/m²) › VT1`). Each column then gets a role (road,
segment from/to, position, ...) or becomes a price column with the land type, position or area its header
names. The layout kind follows from the price columns; a sheet without a price column or without anything to
price is refused with the headers found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.families.landprice.landuse import code_of
from ingest.families.landprice.names import fold
from ingest.families.landprice.options import Kind, PriceColumn, Role
from ingest.sources.tabular import Row, column_letter, decode_cell

HEADER_SCAN_ROWS = 40  # a header block starts within the first rows (titles above it)

# Attribute roles by folded header text: (pattern on the column's most specific line, role). Order matters.
_ROLE_PATTERNS: tuple[tuple[re.Pattern[str], Role], ...] = tuple((re.compile(p), r) for p, r in (
    (r"^(?:stt|tt|so tt|so thu tu)$", "stt"),
    (r"^ma (?:loai dat|ld)$|^ky hieu(?: loai dat)?$|^ma md(?:sd)?$", "land_use_code"),
    (r"^ma duong(?: pho)?$|^ma tuyen(?: duong)?$", "road_code"),
    (r"^ma doan(?: duong)?$", "segment_code"),
    (r"^ma vi tri$|^ma vt$", "position_code"),
    (r"^(?:doan )?tu$|^diem dau$|^tu diem$", "segment_from"),
    (r"^(?:doan )?den$|^diem cuoi$|^den diem$", "segment_to"),
    (r"^doan(?: duong)?(?: pho)?$|^doan tu den$|^pham vi$|^gioi han doan$|^doan duong tu den$", "segment"),
    (r"^(?:ten )?(?:duong|pho|tuyen duong|duong pho|con duong|ten duong pho|ten duong va doan duong|"
     r"ten duong doan duong|tuyen duong doan duong|ten duong tuyen duong)$", "road"),
    (r"^(?:ten )?(?:xa|phuong|xa phuong|phuong xa|xa phuong dac khu|xa phuong thi tran|don vi hanh chinh|"
     r"dia ban|dvhc)(?: cap xa)?$", "commune"),
    (r"^(?:tinh cu|tinh thanh pho cu|tinh truoc sap nhap|don vi cu|tinh tp cu)$", "former_province"),
    (r"^(?:tinh|tinh tp|tinh thanh pho)$", "province"),
    (r"^(?:ten )?loai dat$|^muc dich su dung$", "land_type"),
    (r"^khu vuc$|^kv$|^vung$", "area"),
    (r"^vi tri$|^vt$|^ten vi tri$", "position"),
    (r"^he so(?: dieu chinh)?(?: gia dat)?(?: k)?$|^he so k$", "coefficient"),
    (r"^ghi chu$|^chu thich$", "note"),
    (r"^nam(?: ap dung)?$", "year"),
    (r"^(?:gia(?: dat)?|don gia|muc gia|gia dat quy dinh)$", "price"),
))
_POSITION = re.compile(r"\b(?:vt|vi tri)\s?([1-9])\b")
_AREA = re.compile(r"\b(?:khu vuc|kv)\s?([1-9])\b")
_PRICE_WORDS = re.compile(r"\bgia\b|\bdon gia\b|\bmuc gia\b")
_UNIT_WORDS = re.compile(r"\b(?:dong|d|vnd)\s?m2\b|\bdon vi\b|\bdvt\b")
_PARENS = re.compile(r"\([^()]*\)")
_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$|^\(?[a-z]\)?$|^\(\d+\)\s*=.*$")


@dataclass
class Column:
    """A column of the header block: its letter, header lines top-down (NFC) and folded."""

    index: int
    lines: list[str]

    @property
    def letter(self) -> str:
        """Spreadsheet column letter."""
        return column_letter(self.index)

    @property
    def text(self) -> str:
        """The header lines joined as a reader sees them."""
        return " › ".join(self.lines)

    @property
    def folded(self) -> list[str]:
        """Folded header lines."""
        return [fold(x) for x in self.lines]

    @property
    def cores(self) -> list[str]:
        """Folded header lines without their parenthesised parts ('Giá đất (đồng/m²)' -> 'gia dat')."""
        return [fold(_PARENS.sub(" ", x)) or fold(x) for x in self.lines]


@dataclass
class Recognised:
    """The outcome for one sheet: a layout's parts, or why not (with the headers found)."""

    kind: Kind | None
    header_rows: tuple[int, ...]
    columns: dict[str, str] = field(default_factory=dict)
    prices: list[PriceColumn] = field(default_factory=list)
    headers: list[Column] = field(default_factory=list)
    reason: str = ""


def _text(value: object, hint: str | None = None) -> str:
    """A cell as NFC header text (legacy fonts decoded per value, the sheet's encoding as hint)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    return " ".join((decode_cell(value, hint).text or "").split())


def _role(col: Column) -> Role | None:
    """The attribute role of a column, from its most specific header line upwards."""
    joined = " ".join(col.cores)
    if _POSITION.search(joined) or _AREA.search(joined):
        return None  # 'Vị trí › 1', 'Khu vực 2 › VT1': a price column
    for line in reversed(col.cores):
        for pattern, role in _ROLE_PATTERNS:
            if pattern.match(line):
                return role
        if _POSITION.search(line) or code_of(line) is not None or _AREA.search(line):
            return None  # a price qualifier: the column is a price column
    return None


def price_column(col: Column) -> PriceColumn | None:
    """A price column when the header names a position, a land type, an area, or a price."""
    joined = " ".join(col.folded)
    pos = _POSITION.search(col.folded[-1]) or _POSITION.search(joined)
    area = _AREA.search(joined)
    land = None
    for line in reversed(col.cores):
        land = code_of(line)
        if land:
            break
    if not (pos or land or area or _PRICE_WORDS.search(joined)):
        return None
    return PriceColumn(column=col.letter, land_use=land,
                       position=f"VT{pos.group(1)}" if pos else None, area=f"KV{area.group(1)}" if area else None,
                       header=col.text)


def _header_word(value: object) -> bool:
    """Whether a cell reads as a header word (a role, a price qualifier or a unit)."""
    text = _text(value)
    if not text or len(text) > 120:
        return False
    f = fold(text)
    return (any(p.match(f) for p, _ in _ROLE_PATTERNS) or bool(_POSITION.search(f)) or bool(_AREA.search(f))
            or bool(_PRICE_WORDS.search(f) and len(f) < 60) or (code_of(text) is not None and len(f) < 60)
            or bool(_UNIT_WORDS.search(f) and len(f) < 60))


def numbering_row(row: Row) -> bool:
    """A row of column numbers under the header: (1) (2) (3) … or 1 2 3 …, or A B C."""
    vals = [v for v in row.values if v is not None]
    if len(vals) < 2:
        return False
    if all(isinstance(v, int) for v in vals):
        return vals == list(range(vals[0], vals[0] + len(vals)))
    return all(_NUMBERING.match(fold(_text(v)) or "?") for v in vals)


def header_block(rows: list[Row]) -> tuple[int, int] | None:
    """(first, last) row numbers of the header block among the first rows, or None."""
    start = None
    for row in rows[:HEADER_SCAN_ROWS]:
        words = sum(_header_word(v) for v in row.values)
        if start is None:
            if words >= 2:
                start = end = row.row_no
            continue
        if numbering_row(row) or not words or any(isinstance(v, (int, float)) for v in row.values
                                                  if not isinstance(v, bool)):
            break
        end = row.row_no
    return (start, end) if start is not None else None


def columns_of(header: list[Row], hint: str | None = None) -> list[Column]:
    """Columns of a (merged-filled) header block, lines top-down without repeats."""
    width = max((len(r.values) for r in header), default=0)
    cols = []
    for c in range(width):
        lines: list[str] = []
        for r in header:
            t = _text(r.get(c), hint)
            if t and (not lines or lines[-1] != t):
                lines.append(t)
        if lines:
            cols.append(Column(c, lines))
    return cols


def recognise(header: list[Row], hint: str | None = None) -> Recognised:
    """Roles and price columns of a header block, and the layout kind they make."""
    rows = tuple(r.row_no for r in header)
    cols = columns_of(header, hint)
    roles: dict[str, str] = {}
    prices: list[PriceColumn] = []
    for col in cols:
        role = _role(col)
        if role == "price" or role is None:
            pc = price_column(col)
            if pc is not None:
                prices.append(pc)
                continue
            if role is None:
                continue
        if role not in roles:
            roles[role] = col.letter
    out = Recognised(None, rows, roles, prices, cols)
    subject = {"road", "segment", "land_type", "land_use_code", "area", "commune", "road_code", "segment_code"}
    if "coefficient" in roles and not prices:
        out.kind = "coefficients"
        return out
    if not prices:
        out.reason = "no price column (a header naming giá đất, a position VT1…, a land type or khu vực)"
        return out
    if not subject & set(roles) and not any(p.land_use for p in prices):
        out.reason = "no column saying what is priced (road, segment, land type, khu vực or commune)"
        return out
    positions = {p.position for p in prices if p.position}
    lands = {p.land_use for p in prices if p.land_use}
    areas = {p.area for p in prices if p.area}
    if len(areas) > 1:
        out.kind = "areas_across"
    elif len(positions) > 1:
        out.kind = "positions_across"
    elif len(lands) > 1:
        out.kind = "land_types_across"
    elif len(prices) == 1:
        out.kind = "long"
    else:
        out.reason = (f"{len(prices)} price columns that differ in neither position, land type nor area: "
                      + ", ".join(f"{p.column} '{p.header}'" for p in prices))
    return out
