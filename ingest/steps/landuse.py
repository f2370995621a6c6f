"""Land-use codes as found in the wild -> the dataset's code list (TT 08/2024 by default), with findings.

Handles case and spacing (' ont '), multi-codes ('ONT+CLN', 'ONT/CLN', 'ODT, CLN', 'ONT 100m2; CLN 250m2'),
TT 27/2018 and pre-2014 legacy codes through ref.land_use_code_map, and rejects homoglyphs (Cyrillic 'О').
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ingest.reference.refdata import RefData

_SPLIT = re.compile(r"\s*(?:\+|/|,|;|&)\s*")
_TOKEN = re.compile(r"^([A-ZĐ0-9]{1,4})(?:\s+[\d.,]+\s*(?:m2|m²|ha))?$")
SOURCE_LISTS = ("LANDUSE_TT27_2018", "LANDUSE_LEGACY")


@dataclass(frozen=True)
class LandUse:
    """Normalised codes and what was found on the way: (rule, message) pairs."""

    codes: tuple[str, ...]
    findings: tuple[tuple[str, str], ...]
    sensitive: bool


def _homoglyph(text: str) -> str | None:
    """A letter that looks Latin but is not (Cyrillic, Greek...), named for the message."""
    for ch in text:
        if ch.isalpha() and not ch.isascii() and ch not in "ĐđÀ-ỹ":
            name = unicodedata.name(ch, "?")
            if not name.startswith("LATIN"):
                return f"U+{ord(ch):04X} {name}"
    return None


class Normaliser:
    """Normalise land-use strings against a target code list, caching by distinct raw value."""

    def __init__(self, ref: RefData, target: str) -> None:
        self.ref = ref
        self.target = target
        self.target_codes = ref.codes.get(target, {})
        self.normalise = lru_cache(maxsize=1 << 14)(self._normalise)

    def _map(self, token: str) -> tuple[str | None, str | None]:
        """A token -> (target code, finding message) via the crosswalk; (None, None) when unknown."""
        for lst in SOURCE_LISTS:
            if token in self.ref.codes.get(lst, {}) or (lst, token) in self.ref.crosswalk:
                targets = [t for t in self.ref.crosswalk.get((lst, token), []) if t[0] == self.target]
                if len(targets) == 1:
                    tc, rel = targets[0][1], targets[0][2]
                    return tc, f"'{token}' is a {lst} code, mapped to {self.target} '{tc}' ({rel})"
                if targets:
                    return None, f"'{token}' ({lst}) maps to several {self.target} codes: decide per dataset"
        return None, None

    def _normalise(self, raw: str | None) -> LandUse:
        """Normalise one raw value."""
        if raw is None or not raw.strip():
            return LandUse((), (("unknown_land_use", "no land-use code"),), False)
        text = unicodedata.normalize("NFC", raw)
        glyph = _homoglyph(text)
        if glyph:
            return LandUse((), (("land_use_homoglyph", f"'{text.strip()}' contains {glyph}, not a Latin letter"),),
                           False)
        findings: list[tuple[str, str]] = []
        parts = [p for p in _SPLIT.split(text.strip()) if p]
        if len(parts) > 1 or text != text.strip() or text.strip() != text.strip().upper():
            findings.append(("land_use_normalised", f"'{text}' read as {'+'.join(p.upper() for p in parts)}"))
        codes: list[str] = []
        for part in parts:
            m = _TOKEN.match(part.upper())
            token = m.group(1) if m else part.upper()
            if token in self.target_codes:
                codes.append(token)
                continue
            mapped, why = self._map(token)
            if mapped:
                codes.append(mapped)
                findings.append(("legacy_land_use", why))
            else:
                findings.append(("unknown_land_use", why or f"'{token}' is not a code of {self.target}"))
        sensitive = any(self.target_codes.get(c, False) for c in codes)
        return LandUse(tuple(dict.fromkeys(codes)), tuple(findings), sensitive)
