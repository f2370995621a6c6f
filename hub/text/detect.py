"""Per-value encoding detection for Vietnamese text: UTF-8 (NFC/NFD/double), TCVN3, VNI, CP1258, Latin-1 (§7.1)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from hub.text.tcvn3 import tcvn3_decode
from hub.text.vni import VNI_SIGNATURE, vni_decode

UNCERTAIN_THRESHOLD = 0.6  # below this confidence a value gets the flag `encoding_uncertain`
HINT_MISMATCH_FACTOR = 0.75  # confidence multiplier when the hinted encoding yields non-Vietnamese garbage
UTF8_CONFIDENCE_FLOOR = 0.9  # valid multi-byte UTF-8 (or Unicode input) is strong evidence, even for foreign words
_SIGNATURE_WEIGHT = 0.1  # ranking bonus for an encoding's signature characters (tie-breaker, not in confidence)
_HINT_BONUS = 0.15  # ranking bonus for the hinted encoding when it decodes to valid Vietnamese
_UTF8_PRIOR = 0.5  # ranking bonus for strictly valid UTF-8
_RIVAL_PENALTY = 0.5  # confidence lost when a different decoding is just as valid (multiplied by its share²)
LOST_SOFT_HYPHEN_CAP = 0.5  # TCVN3 text that seems to have lost 'ư' (0xAD) is damaged: kept below the threshold

ENCODINGS = ("ascii", "utf-8", "utf-8-nfd", "utf-8-double", "tcvn3", "vni", "cp1258", "latin1")
_HINTS = {
    "auto": None, "tcvn3": "tcvn3", "abc": "tcvn3", "vni": "vni", "utf-8": "utf-8", "utf8": "utf-8",
    "cp1258": "cp1258", "windows-1258": "cp1258", "latin1": "latin1", "latin-1": "latin1", "iso-8859-1": "latin1",
}
_UNICODE = frozenset({"utf-8", "utf-8-nfd", "utf-8-double"})  # what the hint "utf-8" covers
_TCVN3_SIGNATURE = re.compile("[§®¬ª©¨«µ¸¶·¹\xad]")

# Syllable = onset + rhyme (toneless, lowercase NFC) + at most one tone mark, on the vowel that carries it.
_ONSET = r"ngh|ng|nh|gh|gi|kh|kr|ph|th|tr|ch|qu|[bcdđghklmnprstvx]"
_RHYME = (
    r"a(?:[iouy]|nh|ch|ng|[mnptck])?|[ăâ](?:ng|[mnptck])|â[uy]|e(?:o|ng|[mnptck])?|ê(?:u|nh|ch|[mnpt])?"
    r"|i(?:[au]|nh|ch|[mnpt])?|[iy]ê(?:u|ng|[mnptck])|o(?:i|ng|[mnptck]|ong|oc)?|ô(?:i|ng|[mnptck])?|ơ(?:i|[mnpt])?"
    r"|u(?:[aiy]|ng|[mnptck])?|uô(?:i|ng|[mntc])|ư(?:[aiu]|ng|[mntc])?|ươ(?:[iu]|ng|[mnptck])"
    r"|oa(?:[ioy]|nh|ch|ng|[mnptck])?|oă(?:ng|[mntc])|oe(?:o|[nt])?|uâ(?:y|ng|[nt])|uê(?:nh|ch)?"
    r"|uy(?:a|u|nh|ch|ê[nt]|[ntp])?|uơ|y(?:nh|ch|[ntp])?"
)
_SYLLABLE = re.compile(f"((?:{_ONSET})?)((?:{_RHYME}))")
_VOWELS = "aăâeêioôơuưy"
_MARKED_VOWELS = "ăâêôơư"
_EITHER_STYLE = frozenset({"oa", "oe", "uy"})  # open rhymes where old (hòa) and new (hoà) tone placement coexist
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_CHECKED_TONES = ("\u0301", "\u0323")  # the only tones after a stop coda p/t/c/ch (k, only in names: Đắk, Đăk, free)
_STOP_CODA = re.compile(r"(?:p|t|c|ch)$")
_SEPARATORS = re.compile(r"[\x00-\x40\x5b-\x60\x7b-\x7f]+")  # ASCII non-letters: every decoder keeps them as-is
_OLD_STYLE_TONE = re.compile(f"(o(?=.[ae])|u(?=.y))([{_TONE_MARKS}])(.)")
_CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
_CP1252_C1 = {ord(bytes([b]).decode("cp1252")): b for b in range(0x80, 0xA0) if b not in _CP1252_UNDEFINED}
# UTF-8 of a Vietnamese letter seen as Latin-1/CP1252: lead byte Ã Ä Å Æ or á + º/» followed by a continuation byte.
_MOJIBAKE = re.compile("á[º»]|[ÃÄÅÆ][\x80-\xbf" + "".join(map(chr, _CP1252_C1)) + "]")


@dataclass(frozen=True)
class Decoded:
    """A decoded value: NFC text, encoding chosen, confidence in [0, 1], raw bytes (UTF-8 for Unicode input), flags."""

    text: str | None
    encoding: str
    confidence: float
    raw: bytes | None
    flags: tuple[str, ...] = ()


def _plausible_case(token: str) -> bool:
    """False if an uppercase non-ASCII letter follows a lowercase one ('HuƠ'); TCVN3 case loss ('ĐấT') is fine."""
    first_lower = next((i for i, c in enumerate(token) if c.islower()), len(token))
    return not any(c.isupper() and not c.isascii() for c in token[first_lower:])


def _tone_slots(rhyme: str) -> tuple[int, ...]:
    """Indices in a toneless rhyme where the tone may sit: the last of ă â ê ô ơ ư, else by the vowel cluster."""
    vowels = len(rhyme) - len(rhyme.lstrip(_VOWELS))
    marked = [i for i in range(vowels) if rhyme[i] in _MARKED_VOWELS]
    if marked:
        return (marked[-1],)
    if vowels == 1 or vowels < len(rhyme):  # one vowel, or a final consonant: the last vowel (hoàng, huỳnh)
        return (vowels - 1,)
    if vowels == 3:
        return (1,)  # ngoài, khuỷu
    return (0, 1) if rhyme in _EITHER_STYLE else (0,)  # mùa, hai; hòa/hoà


@lru_cache(maxsize=1 << 16)
def _is_syllable(token: str) -> bool:
    """True if the NFC token is a well-formed Vietnamese syllable (old or new tone placement accepted)."""
    if not _plausible_case(token):
        return False
    bare, tones = [], []
    for index, char in enumerate(token.lower()):
        nfd = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONE_MARKS))
        if len(base) != 1:
            return False
        bare.append(base)
        tones += [(index, c) for c in nfd if c in _TONE_MARKS]
    match = _SYLLABLE.fullmatch("".join(bare))
    if match is None or len(tones) > 1:
        return False
    onset, rhyme = match.groups()
    if not tones:
        return not _STOP_CODA.search(rhyme)
    ((index, tone),) = tones
    return index - len(onset) in _tone_slots(rhyme) and (tone in _CHECKED_TONES or not _STOP_CODA.search(rhyme))


def _has_foreign_letter(token: str) -> bool:
    """True if the token contains a non-ASCII letter."""
    return not token.isascii() and any(c.isalpha() and not c.isascii() for c in token)


def _shares(texts: dict[str, str]) -> dict[str, float]:
    """Share of informative non-ASCII tokens that are valid syllables, per candidate (tokens align across them)."""
    columns = list(zip(*(_SEPARATORS.split(text) for text in texts.values())))
    valid = [0] * len(texts)
    counted = 0
    for tokens in columns:
        if not any(_has_foreign_letter(token) for token in tokens):
            continue  # ASCII words and symbols such as "m²" or "12°C" tell nothing about the encoding
        counted += 1
        valid = [v + _is_syllable(token) for v, token in zip(valid, tokens)]
    return {enc: (v / counted if counted else 1.0) for enc, v in zip(texts, valid)}


def _undouble(text: str) -> str | None:
    """Undo one round of UTF-8 read as Latin-1/CP1252 (mojibake like 'Ã´'), or None if the text is not that."""
    try:
        return text.translate(_CP1252_C1).encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None


def _unicode_candidates(text: str) -> dict[str, str]:
    """Candidates for text already decoded as Unicode: as-is (NFC) and, if it parses, double-encoding undone."""
    nfc = unicodedata.normalize("NFC", text)
    candidates = {"utf-8" if nfc == text else "utf-8-nfd": nfc}
    fixed = _undouble(text)
    if fixed is not None:
        candidates["utf-8-double"] = unicodedata.normalize("NFC", fixed)
    return candidates


def _byte_candidates(raw: bytes) -> dict[str, str]:
    """Candidates for raw bytes: UTF-8 when valid, then Latin-1, CP1258, TCVN3 and VNI (ties go to the earlier)."""
    try:
        candidates = _unicode_candidates(raw.decode("utf-8"))
    except UnicodeDecodeError:
        candidates = {}
    latin = raw.decode("latin-1")
    candidates["latin1"] = latin
    try:
        candidates["cp1258"] = unicodedata.normalize("NFC", raw.decode("cp1258"))
    except UnicodeDecodeError:
        pass
    candidates["tcvn3"] = tcvn3_decode(latin)
    candidates["vni"] = vni_decode(latin)
    return candidates


def _signature(encoding: str, latin: str) -> bool:
    """True if the Latin-1 view of the raw value shows the characteristic bytes of the encoding."""
    if encoding == "tcvn3":
        return _TCVN3_SIGNATURE.search(latin) is not None
    return encoding == "vni" and VNI_SIGNATURE.search(latin) is not None


def _lost_soft_hyphen(text: str) -> bool:
    """True if inserting 'ư' (TCVN3 0xAD = soft hyphen, often stripped) would turn an invalid token into a syllable."""
    for token in _SEPARATORS.split(text):
        if token.isascii() or _is_syllable(token):
            continue
        if any(_is_syllable(token[:i] + "ư" + token[i:]) for i in range(len(token))):
            return True
    return False


def _choose(candidates: dict[str, str], raw: bytes, hint: str | None) -> Decoded:
    """Rank the candidates, pick one and derive confidence and flags."""
    shares = _shares(candidates)
    latin = candidates.get("latin1", "")
    family = [enc for enc in candidates if enc == hint or (hint == "utf-8" and enc in _UNICODE)]
    hinted = max(family, key=shares.__getitem__, default=None)
    scores = {
        enc: shares[enc]
        + _SIGNATURE_WEIGHT * _signature(enc, latin)
        + _UTF8_PRIOR * (enc in _UNICODE)
        + _HINT_BONUS * (enc == hinted and shares[enc] >= UNCERTAIN_THRESHOLD)
        for enc in candidates
    }
    best = max(scores, key=scores.__getitem__)
    text = candidates[best]
    rival = max((shares[enc] for enc in candidates if candidates[enc] != text), default=0.0)
    confidence = shares[best] * (1 - _RIVAL_PENALTY * rival**2)
    flags = []
    if _MOJIBAKE.search(text):
        flags.append("utf8_mojibake_suspected")
    elif best in _UNICODE:
        confidence = max(confidence, UTF8_CONFIDENCE_FLOOR)
    if hint is not None and (hinted is None or (shares[hinted] < UNCERTAIN_THRESHOLD and candidates[hinted] != text)):
        flags.append("encoding_hint_mismatch")
        confidence *= HINT_MISMATCH_FACTOR
    if best == "tcvn3" and _lost_soft_hyphen(text):
        flags.append("soft_hyphen_lost_suspected")
        confidence = min(confidence, LOST_SOFT_HYPHEN_CAP)
    if confidence < UNCERTAIN_THRESHOLD:
        flags.append("encoding_uncertain")
    return Decoded(text, best, round(confidence, 3), raw, tuple(flags))


def decode_value(raw: bytes | str | None, hint: str | None = None) -> Decoded:
    """Detect and decode one value to NFC (str ≤ U+00FF = Latin-1 bytes; hint: auto/tcvn3/vni/utf-8/cp1258/latin1)."""
    try:
        family = _HINTS[(hint or "auto").lower()]
    except KeyError:
        raise ValueError(f"unknown encoding hint {hint!r}; expected one of {sorted(_HINTS)}") from None
    if raw is None:
        return Decoded(None, "ascii", 1.0, None)
    if isinstance(raw, str) and not raw.isascii() and max(raw) > "\xff":
        return _choose(_unicode_candidates(raw), raw.encode("utf-8"), family)
    data = raw.encode("latin-1") if isinstance(raw, str) else raw
    if not isinstance(data, bytes):
        raise TypeError(f"expected bytes, str or None, got {type(raw).__name__}")
    if data.isascii():
        return Decoded(data.decode("ascii"), "ascii", 1.0, data)
    return _choose(_byte_candidates(data), data, family)


def decode_column(values: Iterable[bytes | str | None], hint: str | None = None) -> list[Decoded]:
    """Decode a column, detecting each distinct raw value once."""
    values = list(values)
    decoded = {value: decode_value(value, hint) for value in set(values)}
    return [decoded[value] for value in values]


def strict_utf8(raw: bytes | str | None) -> Decoded | None:
    """Clean UTF-8 (not a CP1252 round-trip of UTF-8 bytes) as NFC, or None."""
    if raw is None or isinstance(raw, str):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.isascii():
        try:
            text.encode("cp1252").decode("utf-8")
            return None
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    nfc = unicodedata.normalize("NFC", text)
    return Decoded(nfc, "ascii" if text.isascii() else ("utf-8" if nfc == text else "utf-8-nfd"), 1.0, raw)


def search_key(text: str) -> str:
    """Matching key for names: casefolded NFC, whitespace collapsed, old-style tones moved (òa→oà, óe→oé, ủy→uỷ)."""
    nfd = unicodedata.normalize("NFD", " ".join(text.casefold().split()))
    return unicodedata.normalize("NFC", _OLD_STYLE_TONE.sub(r"\1\3\2", nfd))
