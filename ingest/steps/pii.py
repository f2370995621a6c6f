"""Personal data in free text (Decree 13/2023): ID numbers and person names inside address or note fields."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# CCCD: 3-digit province-of-birth + century/sex digit + 2-digit year + 6 digits; CMND: 9 digits (§1.6).
_ID_NUMBER = re.compile(r"(?<!\d)(?:0\d{2}[0-9]\d{8}|\d{9})(?!\d)")
_UPPER = "A-ZÀ-ỸĐ"
_NAME_AFTER_TITLE = re.compile(
    rf"\b(?:ông|bà|anh|chị|chủ hộ|chủ sử dụng|hộ ông|hộ bà|chủ)\s+([{_UPPER}][\w]+(?:\s+[{_UPPER}][\w]+){{1,3}})",
    re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def scan(text: str | None) -> str | None:
    """Why a value holds personal data ('id_number', 'person_name'), or None."""
    if not text:
        return None
    if _ID_NUMBER.search(text):
        return "id_number"
    m = _NAME_AFTER_TITLE.search(text)
    if m and m.group(1)[:1].isupper():
        return "person_name"
    return None


# Supersets of the two patterns above in RE2 syntax (no look-behind, ASCII-only \\b): a value that does not
# match cannot hold an ID number or a titled name, so only matching values are scanned in Python.
# Python's \\d and \\s are Unicode-wide, RE2's ASCII-only: the classes below cover Python's.
_PREFILTER = "(?i)(\\p{Nd}{9}|(ông|bà|anh|chị|chủ)[\\s\\v\\p{Z}\\x{1C}-\\x{1F}\\x{85}])"


def candidates(values: pa.Array) -> np.ndarray:
    """Indices of the values `scan` could flag (a cheap Arrow pre-filter)."""
    hit = pc.fill_null(pc.match_substring_regex(values, _PREFILTER), False)
    return pc.indices_nonzero(hit).to_numpy()


@lru_cache(maxsize=1 << 16)
def fold(text: str | None) -> bytes | None:
    """Accent- and case-insensitive ASCII form (ấ→a, Đ→d, spaces collapsed) for matching a known owner name
    inside another value; letters without an ASCII base (other scripts) are left out. Cached: owner names and
    addresses recur from chunk to chunk."""
    if not text:
        return None
    flat = " ".join(text.lower().split()).replace("đ", "d")
    return unicodedata.normalize("NFD", flat).encode("ascii", "ignore")
