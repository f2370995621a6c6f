"""Name keys for Vietnamese headers and street names, and a street matcher that never guesses silently.

Two keys: `fold` (casefold, NFC, no diacritics, đ→d, punctuation to spaces) recognises headers whatever
the typing (`Giá đất`, `GIA DAT`, TCVN3 `Gi¸ ®Êt` once decoded); `street_key` keeps the diacritics (Lê Lợi and
Lê Lai are different streets) but drops type prefixes (Đường, Phố, Ngõ, Hẻm, Kiệt, Quốc lộ kept as a number),
moves old-style tones (hòa/hoà, domain §3.1 and §7.1 item 6) and collapses spacing. An exact street key is a
match; a match only on the diacritic-free fold, or several candidates, is *uncertain* and reported, never used
for a price (anchors §5 row 15).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from hub.text import search_key

_PUNCT = re.compile(r"[^\w]+")


@lru_cache(maxsize=1 << 15)
def fold(text: str) -> str:
    """Diacritic-free casefolded words ('Giá đất (đồng/m²)' -> 'gia dat dong m2')."""
    nfd = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d").replace("²", "2"))
    bare = "".join(c for c in nfd if not unicodedata.combining(c)).casefold()
    return " ".join(_PUNCT.sub(" ", bare).replace("_", " ").split())


# Type words before a street name; "quốc lộ"/"tỉnh lộ"/"đường tỉnh" name numbered roads and stay in the key.
_PREFIXES = ("đường phố", "đường", "phố", "ngõ", "ngách", "hẻm", "kiệt", "hẽm", "tuyến đường", "tuyến", "con đường")
_PREFIX = re.compile(r"^(?:" + "|".join(sorted(map(re.escape, _PREFIXES), key=len, reverse=True)) + r")\s+")
_NUMBERED = re.compile(r"^(quốc lộ|ql|tỉnh lộ|tl|đường tỉnh|đt|hương lộ|hl|đường huyện|dh)\s*\.?\s*(\d+\w*)$")
_CANON = {"ql": "quốc lộ", "tl": "tỉnh lộ", "đt": "đường tỉnh", "hl": "hương lộ", "dh": "đường huyện"}
_BRACKETS = re.compile(r"\s*\((?:[^()]*)\)\s*")


@lru_cache(maxsize=1 << 16)
def street_key(name: str) -> str:
    """Matching key of a street name: NFC, casefolded, new-style tones, no type prefix, no parenthesised notes."""
    key = search_key(_BRACKETS.sub(" ", name).replace("–", "-"))
    key = " ".join(re.sub(r"[,.;:]+$", "", key).split())
    while True:
        m = _NUMBERED.match(key)
        if m:  # checked before each prefix: "Đường tỉnh 919" is a numbered road, "Đường Quốc lộ 91" too
            return f"{_CANON.get(m.group(1), m.group(1))} {m.group(2)}"
        stripped = _PREFIX.sub("", key, count=1)
        if stripped == key or not stripped:
            return key
        key = stripped


def restore_case(text: str) -> str:
    """Undo TCVN3 case loss in all-capital words ('PHƯờNG NÔNG TIếN' -> 'PHƯỜNG NÔNG TIẾN', domain §7.1 (a)).

    A word whose ASCII letters are all capitals but holds lowercase Vietnamese letters was typed in an 'H' font
    whose capitals reuse the lowercase bytes; a word with any lowercase ASCII letter is left alone."""
    words = []
    for w in text.split(" "):
        ascii_letters = [c for c in w if c.isascii() and c.isalpha()]
        if ascii_letters and all(c.isupper() for c in ascii_letters) and any(
                c.islower() and not c.isascii() for c in w):
            w = w.upper()
        words.append(w)
    return " ".join(words)


def loose_key(name: str) -> str:
    """The street key without diacritics: equal loose keys but different street keys are only a maybe."""
    return fold(street_key(name))


@dataclass(frozen=True)
class Match:
    """How a name matched: `exact` (one street key), `uncertain` (loose key or several), `none`."""

    status: str
    candidates: tuple[str, ...]
    reason: str

    @property
    def value(self) -> str | None:
        """The matched name, only for an exact single match."""
        return self.candidates[0] if self.status == "exact" else None


class StreetMatcher:
    """Match street names against a reference list (the price table's roads, or a road layer's names)."""

    def __init__(self, names: list[str]) -> None:
        self._exact: dict[str, list[str]] = {}
        self._loose: dict[str, list[str]] = {}
        for n in dict.fromkeys(names):
            self._exact.setdefault(street_key(n), []).append(n)
            self._loose.setdefault(loose_key(n), []).append(n)

    def match(self, name: str | None) -> Match:
        """Exact when one reference name has the same street key; uncertain otherwise if anything is close."""
        if not name or not name.strip():
            return Match("none", (), "no street name")
        exact = self._exact.get(street_key(name), [])
        if len(exact) == 1:
            return Match("exact", tuple(exact), "same street key")
        if len(exact) > 1:
            return Match("uncertain", tuple(exact), "several streets share the key")
        loose = self._loose.get(loose_key(name), [])
        if loose:
            return Match("uncertain", tuple(loose), "matches only without diacritics")
        return Match("none", (), "no street with this name")
