"""VNI-Windows (VNI-Times) decoding and encoding: base letter + modifier byte, read as Latin-1 (spec §7.1 (b))."""

from __future__ import annotations

import re
import unicodedata

# Tone marks in modifier order: huyền, hỏi, ngã, sắc, nặng.
_TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_TONE_MODS = "øûõùï"  # tone only, after a/e/o/u/y and after the single bytes for ơ/ư
_CIRCUMFLEX_MODS = "âàåãáä"  # ^ then ^ + each tone, after a/e/o
_BREVE_MODS = "êèúüéë"  # ˘ then ˘ + each tone, after a only
_SINGLES = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}
_MODIFIERS = _TONE_MODS + _CIRCUMFLEX_MODS + _BREVE_MODS
_ALL_MODIFIERS = _MODIFIERS + _MODIFIERS.upper()
_ALL_SINGLES = "".join(_SINGLES) + "".join(_SINGLES).upper()

# Latin-1 characters that carry VNI meaning; everything else passes through unchanged.
VNI_BYTES = frozenset(_ALL_MODIFIERS + _ALL_SINGLES)
# Evidence of VNI in a Latin-1 string: a vowel followed by a modifier, or the đ/Đ byte.
VNI_SIGNATURE = re.compile(f"[aeouyAEOUYôöÔÖ][{_ALL_MODIFIERS}]|[ñÑ]")
_TOKEN = re.compile(f"[aeouyAEOUYôöÔÖ][{_ALL_MODIFIERS}]|[{_ALL_SINGLES}]")


def _compose(base: str, mark: str) -> str:
    """Compose a base letter with a combining mark (or none) into one NFC character."""
    return unicodedata.normalize("NFC", base + mark)


def _build_tables() -> tuple[dict[str, str], dict[str, str]]:
    """Build the VNI sequence -> letter and letter -> sequence tables."""
    decode: dict[str, str] = {}
    encode: dict[str, str] = {}

    def add(base: str, mods: str, marks: tuple[str, ...], letter_base: str) -> None:
        """Register base + each modifier in both cases (the modifier takes the case of its base letter)."""
        for mod, mark in zip(mods, marks):
            for case in (str.lower, str.upper):
                seq, letter = case(base + mod), _compose(case(letter_base), mark)
                encode[letter], decode[seq] = seq, letter

    for vowel in "aeouy":
        add(vowel, _TONE_MODS, _TONES, vowel)
    for vowel, circumflexed in (("a", "â"), ("e", "ê"), ("o", "ô")):
        add(vowel, _CIRCUMFLEX_MODS, ("",) + _TONES, circumflexed)
    add("a", _BREVE_MODS, ("",) + _TONES, "ă")
    for byte, horned in (("ô", "ơ"), ("ö", "ư")):
        add(byte, _TONE_MODS, _TONES, horned)
    for byte, letter in _SINGLES.items():
        decode[byte], decode[byte.upper()] = letter, letter.upper()
        encode[letter], encode[letter.upper()] = byte, byte.upper()
    return decode, encode


_DECODE, _ENCODE = _build_tables()


def _decode_match(match: re.Match[str]) -> str:
    """Decode one base+modifier pair or single byte; an invalid pair keeps its modifier as a Latin-1 character."""
    seq = match.group()
    letter = _DECODE.get(seq)
    if letter is not None:
        return letter
    return _DECODE.get(seq[0], seq[0]) + seq[1:]


def vni_decode(text_or_bytes: bytes | str) -> str:
    """Decode VNI bytes (or their Latin-1 byte-transparent string) to NFC Unicode, context-sensitively."""
    if isinstance(text_or_bytes, bytes):
        text_or_bytes = text_or_bytes.decode("latin-1")
    return unicodedata.normalize("NFC", _TOKEN.sub(_decode_match, text_or_bytes))


def _encode_char(char: str) -> str:
    """Return the VNI sequence for one NFC character; ValueError if it cannot be represented."""
    seq = _ENCODE.get(char)
    if seq is not None:
        return seq
    if ord(char) < 0x100 and char not in VNI_BYTES:
        return char
    raise ValueError(f"character {char!r} (U+{ord(char):04X}) cannot be represented in VNI")


def vni_encode(text: str) -> str:
    """Encode text to VNI as a Latin-1 string (call .encode('latin-1') for the bytes)."""
    return "".join(_encode_char(char) for char in unicodedata.normalize("NFC", text))
