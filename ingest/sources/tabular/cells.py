"""Cell values and addresses shared by the CSV and XLSX readers (one normal form whichever engine read the file).

Normal form: None for an empty cell (calamine's '' and openpyxl's None alike), int for an integral number
(xlsx stores every number as an IEEE double, ECMA-376 §18.3.1.4; prices are whole đồng), float otherwise,
str for text exactly as stored (legacy TCVN3/VNI bytes stay Latin-1 mojibake until `decode_cell`), bool,
`datetime.date` for a date at midnight and `datetime.datetime` otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from hub.text import Decoded, decode_value

Value = int | float | str | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None

_MAX_EXACT = 2**53  # doubles hold every integer up to here exactly


def normalise(value: object) -> Value:
    """The engine-independent form of one cell value (see the module docstring)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) <= _MAX_EXACT:
            return int(value)
        return value
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) and value.tzinfo is None else value
    return value  # type: ignore[return-value]


_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_xstring(text: str) -> str:
    """Undo the ST_Xstring escape `_xHHHH_` (ECMA-376 Part 1 §22.9.2.19) that openpyxl leaves in cell text."""
    if "_x" not in text:
        return text
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


@lru_cache(maxsize=4096)
def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based column index (0 -> A, 26 -> AA)."""
    if index < 0:
        raise ValueError(f"negative column index {index}")
    name = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def column_index(letters: str) -> int:
    """0-based column index of a spreadsheet column name (A -> 0)."""
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"not a column name: {letters!r}")
        n = n * 26 + ord(ch) - 64
    return n - 1


def address(row_no: int, col: int, sheet: str | None = None) -> str:
    """`C12`, or `'Bảng 1'!C12` with its sheet (quoted when the name holds anything but letters, digits, _)."""
    cell = f"{column_letter(col)}{row_no}"
    if not sheet:
        return cell
    quoted = sheet if re.fullmatch(r"\w+", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{quoted}!{cell}"


_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


@dataclass(frozen=True)
class CellRange:
    """A rectangle of cells, 1-based rows and 0-based columns inclusive (a merged range `B2:D3`)."""

    row0: int
    col0: int
    row1: int
    col1: int

    @classmethod
    def parse(cls, ref: str) -> CellRange:
        """A range from its A1 reference (`B2:D3`, or a single cell `B2`)."""
        first, _, last = ref.partition(":")
        a, b = _CELL.match(first), _CELL.match(last or first)
        if a is None or b is None:
            raise ValueError(f"not a cell range: {ref!r}")
        r0, c0, r1, c1 = int(a.group(2)), column_index(a.group(1)), int(b.group(2)), column_index(b.group(1))
        return cls(min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1))

    @property
    def ref(self) -> str:
        """The A1 reference of the range."""
        return f"{address(self.row0, self.col0)}:{address(self.row1, self.col1)}"

    def __contains__(self, cell: tuple[int, int]) -> bool:
        """Whether (row_no, col) lies inside the range."""
        r, c = cell
        return self.row0 <= r <= self.row1 and self.col0 <= c <= self.col1


# CP1252's characters in 0x80-0x9F (the five undefined bytes pass through as Latin-1 control characters).
_CP1252_HIGH = {ch: b for b in range(0x80, 0xA0)
                for ch in [bytes([b]).decode("cp1252", errors="ignore")] if ch}
_CP1252_TO_LATIN1 = str.maketrans({ch: chr(b) for ch, b in _CP1252_HIGH.items()})


def legacy_view(text: str) -> str:
    """The byte-transparent (Latin-1) view of cell text typed in a legacy font, or the text itself if it is Unicode.

    A cell typed in a `.VnTime` (TCVN3) or `VNI-Times` font is stored as the characters Windows-1252 gives its
    bytes (domain §7.1): every character then lies in Latin-1 or CP1252's 0x80-0x9F block. Mapping those back to
    their bytes lets `hub.text.decode_value` judge the value; text with any other character is real Unicode."""
    if text.isascii():
        return text
    mapped = text.translate(_CP1252_TO_LATIN1)
    return mapped if max(mapped) <= "\xff" else text


def decode_cell(text: str | None, hint: str | None = None) -> Decoded:
    """Decode one cell's text per value (TCVN3, VNI, CP1258, NFD, double UTF-8 or plain Unicode) to NFC."""
    if text is None:
        return decode_value(None)
    return decode_value(legacy_view(text), hint)


@dataclass(frozen=True)
class Row:
    """One sheet row: its 1-based number and its values from column A (trailing empty cells dropped)."""

    row_no: int
    values: list[Value]

    def get(self, col: int) -> Value:
        """The value in 0-based column col (None past the row's end)."""
        return self.values[col] if col < len(self.values) else None


def trim(values: list[Value]) -> list[Value]:
    """Drop trailing empty cells."""
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    return values[:end] if end < len(values) else values
