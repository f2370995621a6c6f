"""TCVN3 ("ABC", TCVN 5712:1993 VN3, fonts .VnTime/.VnTimeH) decoding and encoding (spec §7.1 (a), Appendix B)."""

from __future__ import annotations

import unicodedata

# Tone marks in the column order of the spec table: huyền, hỏi, ngã, sắc, nặng.
_TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")

# base letter -> (plain byte or None when the plain letter is ASCII, then one byte per tone above).
_ROWS: dict[str, tuple[int | None, int, int, int, int, int]] = {
    "a": (None, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (None, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (None, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (None, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (None, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (None, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_CAPITALS = {0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ", 0xAE: "đ"}


def _build_decode_table() -> dict[int, str]:
    """Map every TCVN3 byte above 0x7F that the table assigns to its NFC character."""
    table = dict(_CAPITALS)
    for base, (plain, *toned) in _ROWS.items():
        if plain is not None:
            table[plain] = base
        for tone, byte in zip(_TONES, toned):
            table[byte] = unicodedata.normalize("NFC", base + tone)
    return table


_DECODE = _build_decode_table()
_ENCODE = {char: byte for byte, char in _DECODE.items()}


def tcvn3_decode(data: bytes | str) -> str:
    """Decode TCVN3 bytes (or their Latin-1 byte-transparent string) to NFC Unicode; unassigned bytes pass through."""
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    return unicodedata.normalize("NFC", text.translate(_DECODE))


def _encode_char(char: str) -> int:
    """Return the TCVN3 byte for one NFC character, falling back to the lowercase byte (.VnTimeH case loss)."""
    byte = _ENCODE.get(char)
    if byte is None:
        byte = _ENCODE.get(char.lower())
    if byte is None and ord(char) < 0x100 and ord(char) not in _DECODE:
        byte = ord(char)
    if byte is None:
        raise ValueError(f"character {char!r} (U+{ord(char):04X}) cannot be represented in TCVN3")
    return byte


def tcvn3_encode(text: str) -> bytes:
    """Encode text to TCVN3 bytes; capitals without their own byte lose their case; ValueError if unrepresentable."""
    return bytes(_encode_char(char) for char in unicodedata.normalize("NFC", text))
