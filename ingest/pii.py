"""Personal data in free text (Decree 13/2023): ID numbers and person names inside address or note fields."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# CCCD: 3-digit province-of-birth + century/sex digit + 2-digit year + 6 digits; CMND: 9 digits (§1.6).
_ID_NUMBER = re.compile(r"(?<!\d)(?:0\d{2}[0-9]\d{8}|\d{9})(?!\d)")
_UPPER = "A-ZÀ-ỸĐ"
_NAME_AFTER_TITLE = re.compile(
    rf"\b(?:ông|bà|anh|chị|chủ hộ|chủ sử dụng|hộ ông|hộ bà|chủ)\s+([{_UPPER}][\w]+(?:\s+[{_UPPER}][\w]+){{1,3}})",
    re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    """Accent-insensitive, case-insensitive form for matching a known owner name."""
    nfd = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    return " ".join("".join(ch for ch in nfd if not unicodedata.combining(ch)).split())


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


def contains_name(text: str | None, name: str | None) -> bool:
    """Whether the row's own owner name appears in a text value."""
    if not text or not name or len(name) < 5:
        return False
    return _fold(name) in _fold(text)
